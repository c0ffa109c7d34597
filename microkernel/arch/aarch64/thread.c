/*
 * Threads and user mode: kernel contexts, the user register file and the
 * system-call and IPC register conventions (libveridian's syscall_arch.h and
 * ipc_arch.h are the user side).
 */
#include <kernel/string.h>
#include <kernel/thread.h>

void context_switch(struct arch_thread *save, struct arch_thread *load);
void thread_trampoline(void);
void fp_save(struct user_regs *r);
void fp_load(struct user_regs *r);

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
 * The kernel never uses FP/SIMD, so a user thread's FP registers stay live
 * from the switch to it until the switch away from it, across its traps.
 * SP_EL1 needs no switching here: ret_to_user sets it for each return to EL0.
 */
void arch_switch(struct thread *prev, struct thread *next)
{
	if (prev->uregs)
		fp_save(prev->uregs);
	if (next->uregs)
		fp_load(next->uregs);
	context_switch(&prev->arch, &next->arch);
}

bool arch_threads_supported(void)
{
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

/* svc #0 with x8 = number, x0-x5 = arguments; x0 = status and x1 = value come back. */
uint64_t arch_syscall_nr(const struct user_regs *r)
{
	return r->x[8];
}

uint64_t arch_syscall_arg(const struct user_regs *r, unsigned i)
{
	return i < 6 ? r->x[i] : 0;
}

void arch_syscall_set_result(struct user_regs *r, int64_t status, uint64_t value)
{
	r->x[0] = (uint64_t)status;
	r->x[1] = value;
}

vaddr_t arch_uregs_pc(const struct user_regs *r)
{
	return r->pc;
}

/* The message registers: x2 (tag), x3-x7, x9, x10 (x8 holds the call number). */
static const unsigned char msg_reg[MSG_REGS] = {2, 3, 4, 5, 6, 7, 9, 10};

void arch_msg_get(const struct user_regs *r, uint64_t msg[MSG_REGS])
{
	for (unsigned i = 0; i < MSG_REGS; i++)
		msg[i] = r->x[msg_reg[i]];
}

void arch_msg_set(struct user_regs *r, const uint64_t msg[MSG_REGS])
{
	for (unsigned i = 0; i < MSG_REGS; i++)
		r->x[msg_reg[i]] = msg[i];
}
