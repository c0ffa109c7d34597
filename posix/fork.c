/*
 * fork (SYS_fork on x86_64, clone(SIGCHLD) elsewhere; vfork arrives the
 * same way and is a fork). The calling thread saves its callee-saved
 * registers and stack pointer (px_fork_save, arch/<arch>/fork.S) and asks
 * the proc server for PROC_FORK (proto/proc.h): the child is a
 * copy-on-write copy of this process in which only a new thread runs,
 * starting at px_fork_entry on a scratch stack inside this function's
 * frame. It learns its handles from the server, rewrites the globals that
 * hold this process's handles (the copied memory has the parent's), resets
 * per-thread state the new thread does not have, and resumes the saved
 * registers, so that px_fork_save returns 1 there and fork returns 0.
 * musl's fork() does its own bookkeeping around the call (its thread list,
 * locks, atfork handlers). vfork is fork: the parent does not wait for the
 * child's exec or exit, which POSIX allows.
 */
#include <signal.h>
#include <string.h>
#include <veridian/tls_arch.h>
#include <veridian/vr.h>

#include "fd.h"
#include "file.h"
#include "ipc.h"
#include "posix.h"
#include "proto/proc.h"

#define FORK_STACK 4096	/* the child's stack until it resumes (its first calls only) */

/* What the child finds at the top of its scratch stack. */
struct fork_ctx {
	uint64_t regs[PX_FORK_WORDS];
	uint64_t tp;	/* the forking thread's thread pointer */
};

__attribute__((returns_twice)) int px_fork_save(uint64_t regs[PX_FORK_WORDS]);
__attribute__((noreturn)) void px_fork_resume(const uint64_t regs[PX_FORK_WORDS]);
void px_fork_entry(void);

/* The child's first C code: @proc_cap from the server, @sp the scratch stack px_fork chose. */
__attribute__((noreturn)) void px_fork_child(uint64_t proc_cap, uint64_t sp)
{
	const struct fork_ctx *ctx = *(struct fork_ctx *const *)sp;
	uint64_t m[8] = {VR_TAG(PROC_FORKED, 0)};

	/* Before anything touches thread-local data. */
	vr_thread_set_tls(0, ctx->tp);
	/* A words-only call: this thread has no IPC buffer yet. */
	if (vr_ipc_call(proc_cap, m) < 0 || (int64_t)m[1] <= 0)
		vr_thread_exit(127);
	px_proc = proc_cap;
	px_self = m[2];
	px_vfs = m[3];
	/* The kernel copied no handles: what the parent was given at its spawn is not here. */
	memset(px_spawn_handles_got, 0, sizeof(px_spawn_handles_got));
	px_process_forked((int)m[1]);
	px_ipc_forked();
	px_vfs_buffer_forked();
	px_fd_forked(m[4]);
	px_sig_thread();
	px_fork_resume(ctx->regs);
}

/* noinline: the child resumes in this very frame, whose scratch stack it has used. */
__attribute__((noinline)) static long fork_process(void)
{
	_Alignas(16) char stack[FORK_STACK];
	struct fork_ctx ctx;
	uint64_t r[8];

	if (!px_proc)
		return -ENOSYS;
	if (px_fork_save(ctx.regs))
		return 0;
	ctx.tp = vr_tls_self();
	/* The scratch stack's top holds the context's address; the child starts just below. */
	uintptr_t top = ((uintptr_t)(stack + sizeof(stack)) & ~(uintptr_t)15) - 16;
	*(struct fork_ctx **)top = &ctx;
	const uint64_t w[4] = {(uint64_t)(uintptr_t)px_fork_entry, top, (uint64_t)px_sig_tid(),
			       (uint64_t)px_fd_high()};
	__asm__ volatile("" ::: "memory");
	return px_call(px_proc, PROC_FORK, w, 4, NULL, 0, r);
}

long px_fork(const long *args)
{
	return fork_process();
}

/* clone: only what musl's _Fork and vfork ask for (SIGCHLD alone); threads come through __vr_clone. */
long px_clone(const long *args)
{
	if (args[0] != SIGCHLD || args[1])
		return -ENOSYS;
	return fork_process();
}
