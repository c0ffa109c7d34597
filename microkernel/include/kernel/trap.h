/* Generic entry points that the architecture trap code calls. */
#pragma once

#include <kernel/cpu.h>
#include <kernel/thread.h>
#include <kernel/types.h>

/* A breakpoint instruction was executed in kernel mode; execution resumes after it. */
void trap_breakpoint(uintptr_t pc);

/* Number of kernel breakpoints taken so far (for the self test). */
uint64_t trap_breakpoint_count(void);

struct user_regs;

/*
 * Entry points for traps from user mode, called by the architecture on the
 * thread's kernel stack with interrupts masked. After any of them (and after
 * an interrupt taken in user mode), the architecture calls
 * trap_exit_to_user() before it returns to user mode.
 */
void syscall_handler(struct user_regs *r);

/* The same for the message calls only, with the IPC fast paths inline (kern/ipc.c). */
void syscall_ipc(struct user_regs *r);

/* A page fault at @addr for an access of enum page_prot @access (READ, WRITE or EXEC). */
void user_fault_handler(struct user_regs *r, vaddr_t addr, unsigned access);

enum user_exception {
	UEXC_ILLEGAL_INSTRUCTION,
	UEXC_BREAKPOINT,
	UEXC_ALIGNMENT,
	UEXC_ARITHMETIC,
	UEXC_OTHER,
};

void user_exception_handler(struct user_regs *r, enum user_exception kind, uint64_t detail);

/* May switch threads, or end the current one if it is being killed. */
void trap_exit_to_user(struct user_regs *r);

/*
 * The same, inline, at the end of syscall_handler (so the architecture's
 * system-call path need not call trap_exit_to_user): nothing to do unless a
 * reschedule or a kill is pending.
 */
void trap_exit_work(struct thread *t);

static inline void trap_exit_check(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->current;

	if (__builtin_expect(t->pending || c->need_resched, 0))
		trap_exit_work(t);
}

/* trap_exit_check() for a caller that knows it runs as @self (the CPU may have changed). */
static inline void trap_exit_check_self(struct thread *self)
{
	if (__builtin_expect(self->pending || this_cpu()->need_resched, 0))
		trap_exit_work(self);
}
