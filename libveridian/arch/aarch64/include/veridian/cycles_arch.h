/* aarch64: the PMU cycle counter (the kernel opens it to EL0), one per instruction under -icount. */
#pragma once

#include <stdint.h>

#define VR_ARCH "aarch64"

static inline uint64_t vr_cycles(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, pmccntr_el0" : "=r"(v));
	return v;
}
