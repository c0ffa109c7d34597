/* riscv64 system-call instruction: a7 = number, a0-a5 = arguments; a0 = status, a1 = value. */
#pragma once

#include <stdint.h>

static inline int64_t __vr_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				   uint64_t a4, uint64_t a5, uint64_t *value)
{
	register uint64_t a7_ __asm__("a7") = nr;
	register uint64_t a0_ __asm__("a0") = a0;
	register uint64_t a1_ __asm__("a1") = a1;
	register uint64_t a2_ __asm__("a2") = a2;
	register uint64_t a3_ __asm__("a3") = a3;
	register uint64_t a4_ __asm__("a4") = a4;
	register uint64_t a5_ __asm__("a5") = a5;

	__asm__ volatile("ecall"
			 : "+r"(a0_), "+r"(a1_)
			 : "r"(a7_), "r"(a2_), "r"(a3_), "r"(a4_), "r"(a5_)
			 : "memory");
	*value = a1_;
	return (int64_t)a0_;
}
