/* riscv64: the thread pointer is tp (user code may also set it itself). */
#pragma once

#include <stdint.h>

static inline uint64_t vr_tls_self(void)
{
	uint64_t v;

	__asm__ volatile("mv %0, tp" : "=r"(v));
	return v;
}
