/* riscv64: the cycle CSR (the kernel opens it to U-mode), one per instruction under -icount. */
#pragma once

#include <stdint.h>

#define VR_ARCH "riscv64"

static inline uint64_t vr_cycles(void)
{
	uint64_t v;

	__asm__ volatile("rdcycle %0" : "=r"(v));
	return v;
}
