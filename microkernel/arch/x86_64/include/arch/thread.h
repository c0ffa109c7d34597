/*
 * Per-thread architecture state (placeholder until the user-mode port lands):
 * struct arch_thread is the saved kernel context, struct user_regs the user
 * register file saved at a trap.
 */
#pragma once

#include <kernel/types.h>

struct arch_thread {
	uint64_t sp;	/* saved kernel stack pointer; callee-saved registers are on that stack */
};

struct user_regs {
	uint64_t regs[36];
};
