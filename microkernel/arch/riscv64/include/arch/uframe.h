/* The riscv64 redirection frame (see arch_uframe_save in <kernel/arch.h>): what a handler sees. */
#pragma once

#include <kernel/types.h>

#define ARCH_RED_ZONE 0

/* x[1..31] are the registers; x[0] holds the pc. sstatus is not user state. */
struct arch_uframe {
	uint64_t x[32];
};
