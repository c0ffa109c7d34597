/*
 * Per-thread riscv64 state: struct arch_thread is the kernel context that
 * switch.S saves and loads; struct user_regs (<arch/regs.h>) the user
 * register file saved at a trap.
 */
#pragma once

#include <kernel/types.h>
#include <arch/offsets.h>
#include <arch/regs.h>

/*
 * The kernel context of a thread switched out, and gp: the kernel never uses
 * gp, so a user thread's stays in the register while it is in the kernel,
 * like its s0-s11 in a system call. A switch resumes the next thread by
 * jumping to its pc with a0 = its struct arch_thread; sp, s0 and gp are
 * always saved. arch_switch() (switch.S) saves ra and s1-s11 too, and its pc
 * (riscv_switch_resume) loads them all and returns; the IPC paths' inline
 * switch (<arch/switch.h>) saves only sp, s0 and gp, since the compiler keeps
 * nothing else live across it, and its pc is right behind it. A thread the
 * message calls' fast path parked (ipc_fast.S) has only sp (its empty
 * kernel stack) and pc (ipc_fast_resume) here: its user registers are all
 * in its user_regs.
 */
struct arch_thread {
	uint64_t ra, sp;
	uint64_t s[12];
	uint64_t gp;
	uint64_t pc;	/* where it resumes */
	bool fp_eager;	/* changed its F/D registers when it last ran: load them at once */
};

_Static_assert(__builtin_offsetof(struct arch_thread, sp) == ARCH_THREAD_SP, "switch.S");
_Static_assert(__builtin_offsetof(struct arch_thread, s) == ARCH_THREAD_S0, "switch.S");
_Static_assert(__builtin_offsetof(struct arch_thread, gp) == ARCH_THREAD_GP, "switch.S");
_Static_assert(__builtin_offsetof(struct arch_thread, pc) == ARCH_THREAD_PC, "switch.S");
_Static_assert(__builtin_offsetof(struct arch_thread, fp_eager) == ARCH_THREAD_FP_EAGER, "switch.S");
