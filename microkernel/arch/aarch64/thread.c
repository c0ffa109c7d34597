/*
 * Threads and user mode: kernel contexts, the user register file and the
 * system-call and IPC register conventions (libveridian's syscall_arch.h and
 * ipc_arch.h are the user side).
 */
#include <kernel/string.h>
#include <kernel/thread.h>
#include "aarch64.h"

void context_switch(struct arch_thread *save, struct arch_thread *load);
void thread_trampoline(void);
void el0_save(struct user_regs *r);
void el0_load(struct user_regs *r);

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
 */
void arch_switch(struct thread *prev, struct thread *next)
{
	if (prev->uregs)
		el0_save(prev->uregs);
	if (next->uregs)
		el0_load(next->uregs);
	context_switch(&prev->arch, &next->arch);
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
