/*
 * What the kernel hands the root task: a pointer to this structure arrives as
 * the first argument of its entry point. Part of the kernel ABI.
 */
#pragma once

#include <stdint.h>

#define ROOTINFO_MAGIC 0x564552494449414eull	/* "VERIDIAN" */

struct rootinfo {
	uint64_t magic;
	uint64_t self;		/* handle: the root task's own process (RIGHT_MANAGE, RIGHT_MAP) */
	uint64_t resource;	/* handle: the root resource (hardware, system_exit) */
	uint64_t image;		/* handle: a VMO holding the root task's own ELF file */
	uint64_t image_size;
	uint64_t kernel_test_failures;	/* in-kernel self-test failures before the root task ran */
	char cmdline[256];	/* the kernel command line */
};

/* Items of system_info(). */
enum system_info_item {
	INFO_FREE_FRAMES,
	INFO_TOTAL_FRAMES,
	INFO_CPUS,
	INFO_THREADS,
	INFO_PROCESSES,
	INFO_CAPS,
	INFO_PAGE_SIZE,
	INFO_VMO_FRAMES,
	INFO_TICK_HZ,		/* the ticks of INFO_TICKS in a second */
	INFO_TICKS,		/* ticks counted since boot, summed over the CPUs */
	INFO_IDLE_TICKS,	/* those that found a CPU idle */
	INFO_ACTIVE,		/* threads running or runnable now */
	INFO_LOAD_1,		/* load averages (1, 5, 15 minutes), fixed point: 11 fraction bits */
	INFO_LOAD_5,
	INFO_LOAD_15,
};

/* Rights bits of handles (as in the kernel's enum cap_rights). */
#define VR_RIGHT_READ (1u << 0)
#define VR_RIGHT_WRITE (1u << 1)
#define VR_RIGHT_EXEC (1u << 2)
#define VR_RIGHT_MAP (1u << 3)
#define VR_RIGHT_SEND (1u << 4)
#define VR_RIGHT_RECV (1u << 5)
#define VR_RIGHT_GRANT (1u << 6)
#define VR_RIGHT_DUPLICATE (1u << 7)
#define VR_RIGHT_TRANSFER (1u << 8)
#define VR_RIGHT_MANAGE (1u << 9)

/*
 * handle_info: the object type in bits 0-15, the rights from bit 32, and
 * VR_HANDLE_INFO_GONE for a saved reply whose caller no longer waits (it was
 * killed or its call interrupted; answering it fails with -EPIPE).
 */
#define VR_HANDLE_INFO_GONE (1ull << 16)
/* handle_info's object types (the kernel's enum kobj_type). */
#define VR_OBJ_PROCESS 1
#define VR_OBJ_THREAD 2
#define VR_OBJ_ENDPOINT 3
#define VR_OBJ_NOTIFICATION 4
#define VR_OBJ_VMO 5
#define VR_OBJ_IRQ 6
#define VR_OBJ_RESOURCE 7
#define VR_OBJ_REPLY 8
#define VR_OBJ_IOPORT 9

/* Endpoint badges (endpoint_mint) are 1 .. VR_BADGE_LIMIT - 1 (the kernel's CAP_BADGE_LIMIT). */
#define VR_BADGE_LIMIT (1ull << 62)

/* vm_map protections (as in the kernel's enum page_prot). */
#define VR_PROT_READ 1
#define VR_PROT_WRITE 2
#define VR_PROT_EXEC 4
/* vm_map: process_fork maps the same VMO in the child instead of a copy-on-write copy. */
#define VR_MAP_SHARED 0x100
/*
 * vm_map: a private copy-on-write view of the VMO (a MAP_PRIVATE file
 * mapping). Reads see the VMO's own pages (later changes to untouched pages
 * too; past its end zeros), the first write to a page copies it for this
 * mapping alone. Needs READ and MAP on the handle (EXEC for VR_PROT_EXEC),
 * never WRITE; not with VR_MAP_SHARED; anonymous VMOs only. The VMO may be
 * shorter than the mapping, not shorter than the offset.
 */
#define VR_MAP_COW 0x2000
/*
 * vm_map: anonymous memory. vm_remap grows such a mapping with a fresh
 * zeroed VMO, never with more of this one (whose pages past the mapping may
 * hold what an earlier, longer mapping left there).
 */
#define VR_MAP_ANON 0x4000
/*
 * vm_map: a file's mapping (MAP_SHARED, or with VR_MAP_COW MAP_PRIVATE): a
 * page wholly past the end its VMO was told (vmo_set_eof; for a view, its
 * VMO's) is not mapped: an access there is a VR_EXC_PAST_EOF fault, a copy
 * from or to it by the kernel -EFAULT.
 */
#define VR_MAP_FILE 0x8000

/* vm_remap_keep: only shared mappings (a second mapping of the same pages). */
#define VR_REMAP_SHARED 1

/* vmo_create flags. */
#define VR_VMO_CONTIG 1

/*
 * Exception messages: a process's faults that the kernel cannot resolve go,
 * if the process has an exception endpoint, as a call with label
 * VR_EXCEPTION_LABEL and words: kind (0 page fault, 1 + enum user_exception
 * otherwise), address (or detail), pc, access (PROT bits) or detail, thread id.
 * Answering with label 0 resumes the thread (retrying the access); label
 * VR_EXCEPTION_REDIRECT resumes it redirected (as thread_redirect) to word 1
 * with word 2's flags (VR_REDIRECT_ONSTACK); any other label kills the process.
 */
#define VR_EXCEPTION_REDIRECT 2
#define VR_REDIRECT_ONSTACK 1
#define VR_EXCEPTION_LABEL 0xe0000000u
#define VR_EXC_PAGE_FAULT 0
#define VR_EXC_ILLEGAL_INSTRUCTION 1
#define VR_EXC_BREAKPOINT 2
#define VR_EXC_ALIGNMENT 3
#define VR_EXC_ARITHMETIC 4
#define VR_EXC_OTHER 5
/* A VR_MAP_FILE mapping's page wholly past its file's end (vmo_set_eof): Linux's SIGBUS. */
#define VR_EXC_PAST_EOF 6
