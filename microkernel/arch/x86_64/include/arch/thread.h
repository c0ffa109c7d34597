/*
 * Per-thread x86_64 state: struct arch_thread is the kernel context that
 * x86_switch (switch.S) saves and loads; struct user_regs (<arch/regs.h>)
 * the user register file saved at a trap.
 */
#pragma once

#include <kernel/types.h>
#include <arch/regs.h>

struct arch_thread {
	uint64_t sp;	/* saved kernel stack pointer; rbx, rbp, r12-r15 are on that stack */
};
