/* The aarch64 redirection frame (see arch_uframe_save in <kernel/arch.h>): what a handler sees. */
#pragma once

#include <kernel/types.h>

#define ARCH_RED_ZONE 0

/* As the start of struct user_regs: x0-x30, pc, pstate (SPSR_EL1; only NZCV is taken back), sp. */
struct arch_uframe {
	uint64_t x[31];
	uint64_t pc, pstate, sp;
};
