/* x86_64: the TSC, which counts retired instructions under QEMU -icount shift=0. */
#pragma once

#include <stdint.h>

#define VR_ARCH "x86_64"

static inline uint64_t vr_cycles(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
