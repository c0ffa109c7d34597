/*
 * Threads: musl's __clone arrives here (ports/musl/src/thread/clone.c). A new
 * thread is a kernel thread of this process, on the stack and with the thread
 * pointer musl prepared; it runs func(arg) and exits with its result. Only
 * pthread-style clones (CLONE_VM | CLONE_THREAD) exist: fork waits for the
 * proc server. The proc server is told each new thread (PROC_THREAD, with a
 * capability to redirect it) before it starts: its signals are its own,
 * and its mask starts as its creator's.
 */
#include <sched.h>
#include <string.h>

#include <veridian/vr.h>

#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"

static int next_tid = PX_PID + 1;

/* What a new thread starts with, at the top of its stack. */
struct clone_start {
	int (*func)(void *);
	void *arg;
	uint64_t mask;
	int tid;
};

void px_thread_entry(void); /* arch/<arch>/thread_entry.S: calls px_thread_main(start) */

__attribute__((noreturn)) void px_thread_main(struct clone_start *s)
{
	px_sig_new_thread(s->tid, s->mask);
	long status = s->func(s->arg);
	const long args[6] = {status};
	px_exit(args);
	__builtin_unreachable();
}

/* PROC_THREAD: the server can then signal and redirect the thread (0 without a server). */
static int64_t tell_server(handle_t thread, int tid, uint64_t mask)
{
	uint64_t m[8];
	int64_t err;

	if (!px_proc)
		return 0;
	/* Sent again until the server has it: a signal may end the call before it is taken. */
	do {
		m[0] = VR_TAG(PROC_THREAD, 3) | VR_TAG_CAPS(1);
		m[1] = (uint64_t)tid, m[2] = mask, m[3] = thread;
		for (int i = 4; i < 8; i++)
			m[i] = 0;
		err = vr_ipc_call(px_proc, m);
	} while (err == -EINTR);
	return err < 0 ? err : (int64_t)m[1];
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
	int tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	*s = (struct clone_start){func, arg, px_sig_blocked(), tid};
	int64_t err = vr_thread_create(px_self, (uint64_t)(uintptr_t)px_thread_entry, sp,
				       (uint64_t)sp, &thread);
	if (err)
		return (int)err;
	if (flags & CLONE_SETTLS)
		err = vr_thread_set_tls(thread, (uint64_t)(uintptr_t)tls);
	/* The kernel clears and wakes *ctid at the thread's exit (a joiner may then free the stack). */
	if (!err && (flags & CLONE_CHILD_CLEARTID))
		err = vr_thread_set_clear_tid(thread, (uint32_t *)ctid);
	if (!err)
		err = tell_server(thread, tid, s->mask);
	if (!err && (flags & CLONE_PARENT_SETTID))
		__atomic_store_n(ptid, px_tid_out(tid), __ATOMIC_SEQ_CST);
	if (!err)
		err = vr_thread_start(thread);
	vr_handle_close(thread);
	return err ? (int)err : px_tid_out(tid);
}

void px_keep(struct px_keep *k, void *var, size_t size)
{
	if (size > sizeof(k->bytes) - k->used)
		__builtin_trap();	/* struct px_keep too small: a layer bug */
	if (k->back)
		memcpy(var, k->bytes + k->used, size);
	else
		memcpy(k->bytes + k->used, var, size);
	k->used += size;
}

static void keep_all(struct px_keep *k)
{
	px_sig_keep(k);
	px_ipc_keep(k);
	px_vfs_buffer_keep(k);
}

/* musl's __reset_tls (ports/musl/patches/reset-tls.patch): @reset rewrites every TLS image. */
__attribute__((visibility("hidden"))) void __vr_reset_tls(void (*reset)(void))
{
	struct px_keep k = {.used = 0, .back = false};

	keep_all(&k);
	reset();
	k.used = 0;
	k.back = true;
	keep_all(&k);
}
