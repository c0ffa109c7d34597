/*
 * libveridian: the native user-space library of VeridianOS. System calls
 * (generated from the kernel's table), IPC, printing, threads and spawning
 * processes from an ELF image. The POSIX layer (musl) comes later; until then
 * programs like the root task use this directly.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uapi/veridian/rootinfo.h>
#include <veridian/cycles_arch.h>
#include <veridian/ipc_arch.h>
#include <veridian/tls_arch.h>
#include <veridian/syscalls.h>

#define VR_PAGE 4096

/* Kernel status codes (negative), as in the kernel's errno.h. */
#define VR_EPERM 1
#define VR_ENOENT 2
#define VR_ESRCH 3
#define VR_EINTR 4
#define VR_ENXIO 6
#define VR_E2BIG 7
#define VR_EBADF 9
#define VR_EAGAIN 11
#define VR_ENOMEM 12
#define VR_EACCES 13
#define VR_EFAULT 14
#define VR_EBUSY 16
#define VR_EEXIST 17
#define VR_EINVAL 22
#define VR_ENOSPC 28
#define VR_EPIPE 32
#define VR_ERANGE 34
#define VR_ENOSYS 38
#define VR_EOPNOTSUPP 95
#define VR_ETIMEDOUT 110

/* ---- IPC: msg[0] is the tag, msg[1..7] the words; all in registers. ---- */
#define VR_TAG(label, words) ((uint64_t)(label) << 32 | (words))
#define VR_TAG_CAPS(n) ((uint64_t)(n) << 4)
#define VR_TAG_LONG(len) ((uint64_t)1 << 6 | (uint64_t)(len) << 8)
#define VR_TAG_MOVE_CAPS ((uint64_t)1 << 7)
#define VR_TAG_LABEL(tag) ((uint32_t)((tag) >> 32))

/* Sends @msg on @ep and waits for the reply, which replaces @msg; 0 or a negative error. */
static inline int64_t vr_ipc_call(handle_t ep, uint64_t msg[8])
{
	return __vr_ipc(VR_SYS_IPC_CALL, ep, msg);
}

/*
 * Waits for a call on @ep; the message replaces @msg. Returns the badge of the
 * handle the caller called through (>= 0: 0 for an unbadged handle, see
 * vr_endpoint_mint) or a negative error, so test the result with `< 0`.
 */
static inline int64_t vr_ipc_recv(handle_t ep, uint64_t msg[8])
{
	return __vr_ipc(VR_SYS_IPC_RECV, ep, msg);
}

/* Answers the current caller with @msg, then receives as vr_ipc_recv does (badge or error). */
static inline int64_t vr_ipc_reply_recv(handle_t ep, uint64_t msg[8])
{
	return __vr_ipc(VR_SYS_IPC_REPLY_RECV, ep, msg);
}

/* Answers the current caller with @msg; 0 or a negative error. */
static inline int64_t vr_ipc_reply(uint64_t msg[8])
{
	return __vr_ipc(VR_SYS_IPC_REPLY, 0, msg);
}

/*
 * Answers a caller saved with vr_ipc_reply_save(&reply), from any thread of
 * the process. The reply handle is closed whatever happens; -EPIPE when the
 * caller is gone.
 */
static inline int64_t vr_ipc_reply_to(handle_t reply, uint64_t msg[8])
{
	return __vr_ipc(VR_SYS_IPC_REPLY, reply, msg);
}

/* ---- memory and strings (freestanding) ---- */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *haystack, const char *needle);

/* ---- output ---- */
int vr_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vr_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- memory: anonymous pages mapped into this process ---- */
/* The handle of the calling process (set at start-up). */
extern handle_t vr_self;
/*
 * @prot: VR_PROT_READ/WRITE/EXEC, plus VR_MAP_SHARED for memory that
 * vr_process_fork shares with the child instead of copying (copy-on-write).
 * The VMO's handle is closed, so a fork can share the pages copy-on-write.
 */
void *vr_map_anon(size_t size, uint64_t prot);
int vr_unmap(void *p, size_t size);

/* ---- threads in this process ---- */
/*
 * Starts @fn(@arg) on a new thread with a fresh 64 KiB stack; *thread gets its
 * handle. The thread's end (return, vr_exit_thread, a kill) unmaps the stack.
 */
int64_t vr_thread_spawn(uint64_t (*fn)(uint64_t), uint64_t arg, handle_t *thread);
/* Like vr_thread_spawn, but bound to CPU @cpu and not started: start it with vr_thread_start. */
int64_t vr_thread_create_on(uint64_t (*fn)(uint64_t), uint64_t arg, int cpu, handle_t *thread);

/* ---- processes from an ELF image ---- */
struct vr_image {
	handle_t vmo;		/* the ELF file */
	uint64_t size;
};

/* The root task's own image, from its rootinfo. */
extern struct vr_image vr_self_image;

/*
 * Creates a process running @fn(@arg) from @img (which must be the image the
 * caller itself was loaded from, since @fn is an address in it). Read-only
 * segments are shared between all processes spawned from @img; writable ones
 * are copied. *process gets the handle of the new process.
 */
int64_t vr_spawn(const struct vr_image *img, uint64_t (*fn)(uint64_t), uint64_t arg,
		 handle_t *process);

/* Like vr_spawn, but the process is created without starting it, so handles can be given first. */
int64_t vr_spawn_prepare(const struct vr_image *img, handle_t *process);
int64_t vr_spawn_start(handle_t process, uint64_t (*fn)(uint64_t), uint64_t arg);

/*
 * The path of @img's dynamic linker (PT_INTERP) into @path (@size bytes):
 * its length, 0 for a program without one, -VR_EINVAL for a malformed one.
 */
int64_t vr_image_interp(const struct vr_image *img, char *path, size_t size);

/*
 * Starts the program in @img (an ELF executable, e.g. a POSIX program built
 * with tools/cc; position-independent ones at a bias) at its entry point,
 * with @argv and @envp (NULL-ended, either may be NULL) and an auxiliary
 * vector on a Linux-style initial stack (see veridian/auxv.h). Every segment
 * is a private copy. *process gets the handle of the new process.
 */
int64_t vr_exec(const struct vr_image *img, const char *const argv[], const char *const envp[],
		handle_t *process);

/* A handle vr_exec_args gives the new process (with @rights), named in its auxiliary vector by @key. */
struct vr_exec_handle {
	uint64_t key;
	handle_t handle;
	uint64_t rights;
};

/* What a program starts with besides its image (see vr_exec_args). */
struct vr_exec_args {
	const char *const *argv, *const *envp;	/* NULL-ended; either may be NULL */
	const struct vr_exec_handle *handles;	/* at most 8 */
	unsigned nhandles;
	const void *blob;	/* copied onto the initial stack, 16-aligned; its address is auxv @blob_key */
	size_t blob_len;
	uint64_t blob_key;
	/*
	 * The program's dynamic linker (NULL: none), the image of the path
	 * vr_image_interp gives: loaded too, and started instead of the program.
	 */
	const struct vr_image *interp;
	/* Called (if not NULL) with the process set up but not started: exception handler, ... */
	int64_t (*before_start)(handle_t process, void *arg);
	void *before_start_arg;
	/* If not NULL, gets a handle (with MANAGE) of the process's first thread, started. */
	handle_t *thread;
};

/*
 * vr_exec with more: handles given to the process and a block of bytes, as
 * auxiliary-vector entries. Strings, blob and vector share 32 KiB
 * (-ERANGE beyond).
 */
int64_t vr_exec_with(const struct vr_image *img, const struct vr_exec_args *args,
		     handle_t *process);

/* ---- exit ---- */
__attribute__((noreturn)) void vr_exit_thread(int64_t status);
