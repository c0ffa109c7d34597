/*
 * The riscv64 user register file, saved by trap_entry.S at the top of the
 * thread's kernel stack. The offsets are shared with the assembly.
 */
#pragma once

#define UREGS_X(n) ((n)*8)
#define UREGS_SEPC (32 * 8)
#define UREGS_SSTATUS (33 * 8)
#define UREGS_F(n) ((34 + (n)) * 8)
#define UREGS_FCSR (66 * 8)
#define UREGS_CPU (67 * 8)

#ifndef __ASSEMBLER__
#include <kernel/types.h>

struct cpu;

/*
 * Which fields hold the thread's registers depends on how it entered the
 * kernel. A system call saves only x1, x2, x4-x7, x10-x17, x28-x31 and sepc
 * (already past the ecall); gp, s0-s11 and sstatus stay live in the CPU,
 * carried by the C calling convention and arch_switch, and their fields here
 * are stale until the thread enters by another trap - or parks in the
 * message calls' fast path (ipc_fast.S), which keeps gp and s0-s11 here
 * while the thread waits, and no message registers. That is enough because
 * the kernel reads and writes only the system-call and message registers
 * (<arch/abi.h>) and sepc of a thread in a system call. Any other trap from
 * user mode saves everything, and arch_return_to_user() loads everything.
 */
struct user_regs {
	uint64_t x[32]; /* x[0] is unused; x[2] is the user's sp, x[4] its tp */
	uint64_t sepc, sstatus;
	/*
	 * The F/D registers. The kernel never uses them, so they stay in the
	 * hardware while the thread runs; arch_switch() saves them here (when
	 * sstatus.FS says they changed) and loads the next thread's.
	 */
	uint64_t f[32];
	uint64_t fcsr;
	/* The CPU it runs on (set by arch_switch): trap_entry sets the kernel's tp from it. */
	struct cpu *cpu;
};

_Static_assert(__builtin_offsetof(struct user_regs, sepc) == UREGS_SEPC, "trap_entry.S");
_Static_assert(__builtin_offsetof(struct user_regs, f) == UREGS_F(0), "fpu.S");
_Static_assert(__builtin_offsetof(struct user_regs, fcsr) == UREGS_FCSR, "fpu.S");
_Static_assert(__builtin_offsetof(struct user_regs, cpu) == UREGS_CPU, "trap_entry.S");
#endif
