/*
 * The aarch64 user register file. A trap from EL0 saves x0-x30, ELR, SPSR,
 * SP_EL0 and TPIDR_EL0 here (vectors.S). A system call saves only x0-x18,
 * x30, ELR and SPSR: x19-x29 stay in the CPU (C code and arch_switch keep
 * them), so their slots are stale during a system call, and nothing reads
 * them then (the ABI uses x0-x10). SP_EL0, TPIDR_EL0 and the FP/SIMD
 * registers, which the kernel never touches, are saved and loaded here by
 * arch_switch (FP/SIMD lazily, see thread.c); a new thread's first return to
 * EL0 loads the whole file.
 */
#pragma once

/* Byte offsets, for the assembly files. */
#define UREGS_SP 264
#define UREGS_FPCR 280
#define UREGS_V 304
#define UREGS_SIZE 816

#ifndef __ASSEMBLER__
#include <kernel/types.h>

struct user_regs {
	uint64_t x[31];
	uint64_t pc;		/* ELR_EL1 */
	uint64_t pstate;	/* SPSR_EL1: only the hardware and arch_uregs_init write it */
	uint64_t sp;		/* SP_EL0 */
	uint64_t tpidr;		/* TPIDR_EL0, the user thread pointer */
	uint64_t fpcr, fpsr;
	uint64_t pad;
	__uint128_t v[32];	/* q0-q31 */
};

_Static_assert(__builtin_offsetof(struct user_regs, sp) == UREGS_SP, "UREGS_SP");
_Static_assert(__builtin_offsetof(struct user_regs, fpcr) == UREGS_FPCR, "UREGS_FPCR");
_Static_assert(__builtin_offsetof(struct user_regs, v) == UREGS_V, "UREGS_V");
_Static_assert(sizeof(struct user_regs) == UREGS_SIZE, "UREGS_SIZE, a multiple of 16");
#endif
