/*
 * Threads: musl's __clone arrives here (ports/musl/src/thread/clone.c). A new
 * thread is a kernel thread of this process, on the stack and with the thread
 * pointer musl prepared; it runs func(arg) and exits with its result. Only
 * pthread-style clones (CLONE_VM | CLONE_THREAD) exist: fork waits for the
 * proc server.
 */
#include <sched.h>

#include "posix.h"

static int next_tid = PX_PID + 1;

/* What a new thread starts with, at the top of its stack. */
struct clone_start {
	int (*func)(void *);
	void *arg;
};

void px_thread_entry(void); /* arch/<arch>/thread_entry.S: calls px_thread_main(start) */

__attribute__((noreturn)) void px_thread_main(struct clone_start *s)
{
	long status = s->func(s->arg);
	const long args[6] = {status};
	px_exit(args);
	__builtin_unreachable();
}

int __vr_clone(int (*func)(void *), void *stack, int flags, void *arg, int *ptid, void *tls,
	       int *ctid)
{
	const int need = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
	handle_t thread;

	if ((flags & need) != need)
		return -ENOSYS;
	uintptr_t sp = ((uintptr_t)stack - sizeof(struct clone_start)) & ~(uintptr_t)15;
	struct clone_start *s = (struct clone_start *)sp;
	*s = (struct clone_start){func, arg};
	int64_t err = vr_thread_create(px_self, (uint64_t)(uintptr_t)px_thread_entry, sp,
				       (uint64_t)sp, &thread);
	if (err)
		return (int)err;
	if (flags & CLONE_SETTLS)
		err = vr_thread_set_tls(thread, (uint64_t)(uintptr_t)tls);
	/* The kernel clears and wakes *ctid at the thread's exit (a joiner may then free the stack). */
	if (!err && (flags & CLONE_CHILD_CLEARTID))
		err = vr_thread_set_clear_tid(thread, (uint32_t *)ctid);
	int tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	if (!err && (flags & CLONE_PARENT_SETTID))
		__atomic_store_n(ptid, tid, __ATOMIC_SEQ_CST);
	if (!err)
		err = vr_thread_start(thread);
	vr_handle_close(thread);
	return err ? (int)err : tid;
}
