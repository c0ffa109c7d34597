/*
 * Per-thread riscv64 state: struct arch_thread is the kernel context that
 * switch.S saves and loads; struct user_regs (<arch/regs.h>) the user
 * register file saved at a trap.
 */
#pragma once

#include <kernel/types.h>
#include <arch/regs.h>

/*
 * The callee-saved registers of a thread switched out in arch_switch(), and
 * gp: the kernel never uses gp, so a user thread's stays in the register
 * while it is in the kernel, like its s0-s11 in a system call.
 */
struct arch_thread {
	uint64_t ra, sp;
	uint64_t s[12];
	uint64_t gp;
	bool fp_eager;	/* changed its F/D registers when it last ran: load them at once */
};

_Static_assert(__builtin_offsetof(struct arch_thread, gp) == 14 * 8, "switch.S");
_Static_assert(__builtin_offsetof(struct arch_thread, fp_eager) == 15 * 8, "switch.S");
