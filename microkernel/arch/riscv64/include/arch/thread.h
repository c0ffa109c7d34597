/*
 * Per-thread riscv64 state: struct arch_thread is the kernel context that
 * switch.S saves and loads; struct user_regs (<arch/regs.h>) the user
 * register file saved at a trap.
 */
#pragma once

#include <kernel/types.h>
#include <arch/regs.h>

/* The callee-saved registers of a thread switched out in arch_switch(). */
struct arch_thread {
	uint64_t ra, sp;
	uint64_t s[12];
};
