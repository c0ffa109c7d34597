/* aarch64: the thread pointer is TPIDR_EL0 (user code may also set it itself). */
#pragma once

#include <stdint.h>

static inline uint64_t vr_tls_self(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(v));
	return v;
}
