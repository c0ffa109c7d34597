/*
 * Per-thread aarch64 state: struct arch_thread is the kernel context that
 * arch_switch saves and loads; struct user_regs (<arch/regs.h>) the user
 * register file at the top of a user thread's kernel stack.
 */
#pragma once

#include <arch/regs.h>

/* The AAPCS64 callee-saved registers and the stack pointer, laid out as context.S reads them. */
struct arch_thread {
	uint64_t x19_x28[10];
	uint64_t fp, lr, sp;
	unsigned fp_eager;	/* switches to it that load its FP/SIMD registers at once (thread.c) */
};
