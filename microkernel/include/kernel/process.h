/*
 * Processes: an address space (page tables plus the list of mapped VMOs), a
 * capability table and the threads running in them.
 */
#pragma once

#include <kernel/cap.h>
#include <kernel/ioport.h>
#include <kernel/kobject.h>
#include <kernel/thread.h>
#include <kernel/wait.h>

struct thread;
struct vmo;
struct notification;

struct mapping {
	vaddr_t start, end;	/* page aligned, end exclusive */
	struct vmo *vmo;	/* holds a reference */
	uint64_t offset;	/* of start within the VMO */
	unsigned prot;		/* enum page_prot */
	unsigned max_prot;	/* what vm_protect may grant: the rights checked at map time */
	bool shared;		/* VM_SHARED: process_fork maps the same VMO in the child */
	bool anon;		/* VM_ANON: vm_remap grows it with fresh zeroed memory */
	bool file;		/* VM_FILE: pages past the VMO's eof are not there (-ENXIO) */
	struct mapping *next;
	struct process *proc;	/* whose address space it is in (set when it is put there) */
	/*
	 * VM_FILE: on the list of the file's VMO (its own, a view's backing),
	 * whose lock protects these and shrink_seq (vm.c, vm_file_shrunk).
	 */
	struct mapping *file_next, **file_pprev;
	uint64_t shrink_seq;
};

/* vm_map's @prot may carry VM_SHARED (above the enum page_prot bits). */
#define VM_SHARED 0x100
/* sys_vm_map: a private copy-on-write view of the VMO (vmo_create_cow), not the VMO itself. */
#define VM_COW 0x2000
/* vm_map: anonymous memory, which vm_remap extends with a fresh VMO, never with more of this one. */
#define VM_ANON 0x4000
/* vm_map: a file's mapping: a page wholly past the VMO's eof (a view's: its backing's) faults. */
#define VM_FILE 0x8000

struct process {
	struct kobject k;
	uint64_t id;
	struct cap_table caps;
	paddr_t root;		/* page tables */
	uint64_t aspace;	/* arch_aspace_token(root), what a switch to it loads */

	/* lock protects maps, threads, nthreads and the exit fields. */
	struct spinlock lock;
	struct mapping *maps;	/* sorted by address, disjoint */
	struct mapping *map_hint;	/* the mapping find() returned last (vm.c; dropped by unmaps) */
	struct thread *threads;
	unsigned nthreads;	/* on the list: started or not */
	unsigned nrunning;	/* started and not yet exited: the process lives while > 0 */
	bool exiting, exited;
	bool tearing;		/* someone has taken on the teardown */
	bool forking;		/* vm_fork is sharing its memory: writes wait (vm_fork_wait) */
	uint32_t unmapping;	/* vm_unmaps between freeing a range and its shootdown: vm_map waits */
	int64_t exit_status;
	struct wait_queue exit_wq;
	struct kobject *exception_ep;	/* where faults are reported, or NULL */
	uint64_t exception_badge;	/* the badge of the handle exception_set_handler was given */
	struct endpoint *endpoints;	/* endpoints this process created */

	/* Job control (kern/stop.c); stop_wq.lock protects stopped and nparked. */
	struct wait_queue stop_wq;	/* no_intr: its threads parked while stopped */
	bool stopped;
	unsigned nparked;		/* threads parked in stop_wq */

	/*
	 * Ticks that found one of its threads running (sched_tick; atomic, no
	 * lock), and those of them that came while the kernel ran for it.
	 */
	uint64_t ticks, kticks;

	/* The I/O ports its capabilities grant (kern/ioport.c); changed under caps.lock. */
	struct ioport_set io;

	/* Its CPU-time alarm on ticks (process_alarm; kern/alarm.c). */
	struct cpu_alarm alarm;
};

#define PROCESS_MAX_HANDLES 65536

/* Creates an empty process (no threads, nothing mapped); the caller owns a reference. */
struct process *process_create(void);

static inline void process_put(struct process *p)
{
	kobj_put(&p->k);
}

int process_add_thread(struct process *p, struct thread *t);

/* Counts @t as running; -ESRCH when the process is already exiting. */
int process_thread_starting(struct process *p);

/* Unlinks a thread that never ran (its last reference is gone), unless the process's end did. */
void process_drop_unstarted(struct process *p, struct thread *t);

/*
 * Called by an exiting thread; the last one ends the process: the threads it
 * never started end too (thread_wait on them fails with -ESRCH), then it is
 * torn down.
 */
void process_remove_thread(struct process *p, struct thread *t, int64_t status);

/* Kills every thread of @p; the process exits with @status. */
void process_kill(struct process *p, int64_t status);

/* process_stop's operations: the system call's numbers. */
enum stop_op {
	STOP_CONTINUE,
	STOP_STOP,
	STOP_QUERY,
};

/*
 * Stops @p (each thread parks at its next return to user mode, a running
 * one kicked with an IPI), continues it, or only looks; returns how many of
 * its threads were parked at that moment (kern/stop.c).
 */
unsigned process_stop(struct process *p, enum stop_op op);

/* Parks the current thread @t while its process is stopped (PENDING_STOP, from trap_exit_work). */
void process_stop_park(struct thread *t);

/* Takes a reference to @p unless its last one is already gone (it is being destroyed). */
bool process_tryget(struct process *p);

/* Waits for @p to exit and returns its status through @status. */
int64_t process_wait(struct process *p, int64_t *status);

/* Maps @len bytes of @vmo at @va (0: the kernel picks) with @prot; returns 0 or -errno. */
int vm_map(struct process *p, struct vmo *vmo, vaddr_t *va, uint64_t offset, size_t len,
	   unsigned prot, unsigned max_prot);
int vm_unmap(struct process *p, vaddr_t va, size_t len);
/*
 * Moves the mappings that cover [from, from + len) to *to (0: where the
 * kernel picks; @from: in place) and makes them @new_len (>= @len) long, the
 * growth after the last one: more of its VMO for a file's, a fresh view of
 * the same backing for a copy-on-write view, fresh zeroed memory for
 * VM_ANON. Nothing is copied. With REMAP_KEEP*, the old range keeps a
 * mapping of each: private anonymous memory fresh zeroed memory, a view a
 * fresh view of its backing, anything else the same VMO (Linux's
 * MREMAP_DONTUNMAP, and an old size 0 for shared memory). Returns 0 (*to: where) or -EINVAL, -EFAULT
 * (the range is not all mapped), -EEXIST (the new range is taken), -ENXIO
 * (the VMO has no more), -ENOMEM.
 */
enum remap_mode {
	REMAP_MOVE,		/* the old range is left empty */
	REMAP_KEEP,		/* a move (new_len == len) that leaves mappings at the old range: kept_in_place */
	REMAP_KEEP_SHARED,	/* REMAP_KEEP of shared mappings only (-EINVAL otherwise): a second mapping of them */
};
int vm_remap(struct process *p, vaddr_t from, size_t len, vaddr_t *to, size_t new_len, enum remap_mode mode);

/*
 * Discards the pages of [va, va + len), all mapped (else -ENOMEM), as
 * Linux's MADV_DONTNEED: private anonymous memory that only @p reaches (no
 * handle, no other address space) gives its frames back and reads zeros
 * again, a copy-on-write view drops its copies and reads its backing again;
 * other mappings (shared ones, VMOs a handle names, devices) lose only
 * their page-table entries and fault the same pages in again. Returns 0 or
 * -EINVAL (unaligned), -ENOMEM.
 */
int vm_discard(struct process *p, vaddr_t va, size_t len);

/*
 * True when every reference to @v is a private mapping of @p: no handle, no
 * other address space. Caller holds p->lock.
 */
bool vm_reached_only_by(struct process *p, struct vmo *v);

/*
 * The file whose pages @v holds shrank to @v->eof: every VM_FILE mapping of
 * @v, or of a copy-on-write view of it, in any process (the VMO's list of
 * them), drops its pages wholly past that end, so that their next access
 * faults (past_eof); then every CPU forgets them. Caller holds no lock.
 */
void vm_file_shrunk(struct vmo *v);

/*
 * Puts @m, which was just put in @p's address space, on the list of file
 * mappings of its file's VMO (VM_FILE only; vm_file_shrunk walks it). The
 * mapping comes off it when it leaves the address space. Caller holds p->lock.
 */
void vm_file_link(struct process *p, struct mapping *m);

/*
 * Gives @to, an empty process that never ran, a copy of @from's address
 * space: private mappings copy-on-write, VM_SHARED ones (and device and DMA
 * memory) mapping the same VMO (kern/fork.c). Returns 0, -EINVAL (@to is
 * @from), -EBUSY (@to has threads or mappings), -ESRCH (one is exiting) or
 * -ENOMEM (then @to is left empty and @from as it was).
 */
int vm_fork(struct process *from, struct process *to);
/* Flushes @p's TLB entries on every other CPU running it (@p NULL: every other CPU); call without p->lock. */
void vm_shootdown(struct process *p);
struct cpu;
/* Does the TLB flushes other CPUs asked of this one, @self (its IPI handler, waits). */
void vm_serve_shootdown(struct cpu *self);
/* Waits, serving TLB shootdowns meanwhile, until no vm_fork of @p runs. No locks held. */
void vm_fork_wait(struct process *p);
int vm_protect(struct process *p, vaddr_t va, size_t len, unsigned prot);

/*
 * Resolves a user access at @va (PROT_READ/WRITE/EXEC in @access): maps the
 * page and returns 0, or -EFAULT (nothing there / not allowed), -ENOMEM.
 */
int vm_fault(struct process *p, vaddr_t va, unsigned access);

/* Copies to and from user memory of the current process; -EFAULT on any bad byte. */
int copy_from_user(void *dst, vaddr_t src, size_t len);
int copy_to_user(vaddr_t dst, const void *src, size_t len);

/* Copies between user memory of @p and the kernel. */
int user_copy(struct process *p, vaddr_t uva, void *kbuf, size_t len, bool to_user);
/*
 * The physical address of the byte at @uva of @p, in a writable mapping of
 * ordinary memory; copy-on-write is broken first, so the frame is @p's own.
 */
int user_page_phys(struct process *p, vaddr_t uva, paddr_t *pa);
/* The same for a read-write mapping, with a reference to the VMO that keeps the frame. */
int user_page_hold(struct process *p, vaddr_t uva, paddr_t *pa, struct kobject **vmo);

/* Stores 0 in the 32-bit word at @addr of @p and wakes one futex waiter there (kern/futex.c). */
void futex_clear_and_wake(struct process *p, vaddr_t addr);
/* Copy-on-write moved a page away from frame @old: its futex waiters wake to look again. */
void futex_page_moved(paddr_t old);

/* Processes alive (for leak tests). */
uint64_t process_count(void);

static inline struct process *process_current(void)
{
	return thread_current()->proc;
}
