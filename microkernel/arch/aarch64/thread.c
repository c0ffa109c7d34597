/*
 * Threads and user mode: kernel contexts, the user register file and the
 * system-call and IPC register conventions (libveridian's syscall_arch.h and
 * ipc_arch.h are the user side).
 */
#include <kernel/cpu.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <arch/offsets.h>
#include <arch/uframe.h>
#include "aarch64.h"

void thread_trampoline(void);
void fp_load(struct user_regs *r);

_Static_assert(__builtin_offsetof(struct arch_thread, fp_eager) == 104, "context.S");

void arch_thread_init(struct thread *t, void (*entry)(void *), void *arg)
{
	/* A user thread's kernel stack begins below its register file. */
	void *top = t->uregs ? (void *)t->uregs : t->kstack_top;

	memset(&t->arch, 0, sizeof(t->arch));
	t->arch.x19_x28[0] = (uint64_t)entry;
	t->arch.x19_x28[1] = (uint64_t)arg;
	t->arch.lr = (uint64_t)thread_trampoline;
	t->arch.sp = (uint64_t)top;
}

/*
 * The kernel never uses FP/SIMD, SP_EL0 or TPIDR_EL0, so a user thread's
 * values stay live from the switch to it until the switch away from it,
 * across its traps and system calls. SP_EL1 needs no switching here: each
 * return to EL0 leaves it at the thread's user_regs.
 *
 * FP/SIMD registers move lazily: a thread starts with CPACR_EL1.FPEN
 * trapping EL0's use of them, and its first FP/SIMD instruction traps to
 * aarch64_fp_trap(), which loads them. There is no dirty bit, so a thread
 * whose registers were loaded has them saved when it leaves; one that
 * trapped has them loaded at once for its next FP_EAGER_SWITCHES switch-ins,
 * after which it proves again that it uses them. So a thread that is not
 * running always has its FP/SIMD registers in user_regs. arch_switch itself
 * is in context.S: one function that calls nothing, so the callee-saved
 * registers go to memory only once.
 */
#define FP_EAGER_SWITCHES 16

/* An FP/SIMD access trap from EL0: the thread's first use since it was switched in. */
bool aarch64_fp_trap(struct user_regs *r)
{
	if (read_sysreg(cpacr_el1) == CPACR_FP_ON)
		return false;
	fp_load(r);
	write_sysreg(cpacr_el1, CPACR_FP_ON);
	thread_current()->arch.fp_eager = FP_EAGER_SWITCHES;
	return true;
}

/* EL0t (AArch64, SP_EL0) with every exception unmasked; FP/SIMD registers zero. */
void arch_uregs_init(struct user_regs *r, vaddr_t pc, vaddr_t sp, uint64_t arg0, uint64_t arg1)
{
	memset(r, 0, sizeof(*r));
	r->pc = pc;
	r->sp = sp;
	r->x[0] = arg0;
	r->x[1] = arg1;
}

void arch_thread_set_tls(struct thread *t, uint64_t base)
{
	t->uregs->tpidr = base;
	if (t == thread_current())
		write_sysreg(tpidr_el0, base);
}

/* ---- redirection (kern/redirect.c) ---- */

#define PSTATE_NZCV (0xfull << 28)	/* all that EL0 may set; EL0t, DAIF clear */

vaddr_t arch_uregs_sp(const struct user_regs *r)
{
	return r->sp;
}

void arch_uframe_save(const struct user_regs *r, struct arch_uframe *u)
{
	memcpy(u, r, sizeof(*u));
}

void arch_uframe_load(struct user_regs *r, const struct arch_uframe *u)
{
	memcpy(r, u, sizeof(*u));
	r->pstate = u->pstate & PSTATE_NZCV;
	/* Live in the CPU during a system call; arch_return_to_user loads it from @r. */
	r->tpidr = read_sysreg(tpidr_el0);
}

void arch_uregs_redirect(struct user_regs *r, vaddr_t entry, vaddr_t frame)
{
	r->pc = entry;
	r->x[0] = frame;
	r->sp = frame;
}

_Static_assert(sizeof(struct arch_uframe) == __builtin_offsetof(struct user_regs, tpidr),
	       "the frame is the start of user_regs");

/* The system-call entry's direct path and arch_switch read these (<arch/offsets.h>). */
_Static_assert(__builtin_offsetof(struct cpu, current) == CPU_CURRENT, "arch/offsets.h");
_Static_assert(__builtin_offsetof(struct cpu, need_resched) == CPU_NEED_RESCHED, "arch/offsets.h");
_Static_assert(__builtin_offsetof(struct thread, pending) == THREAD_PENDING, "arch/offsets.h");
_Static_assert(__builtin_offsetof(struct thread, arch) == THREAD_ARCH, "arch/offsets.h");
_Static_assert(__builtin_offsetof(struct thread, uregs) == THREAD_UREGS, "arch/offsets.h");
