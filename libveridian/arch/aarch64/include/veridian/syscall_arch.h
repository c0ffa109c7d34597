/* aarch64 system-call instruction: x8 = number, x0-x5 = arguments; x0 = status, x1 = value. */
#pragma once

#include <stdint.h>

static inline int64_t __vr_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				   uint64_t a4, uint64_t a5, uint64_t *value)
{
	register uint64_t x8 __asm__("x8") = nr;
	register uint64_t x0 __asm__("x0") = a0;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;
	register uint64_t x5 __asm__("x5") = a5;

	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1)
			 : "r"(x8), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	*value = x1;
	return (int64_t)x0;
}
