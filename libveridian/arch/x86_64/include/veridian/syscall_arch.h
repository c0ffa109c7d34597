/* x86_64 system-call instruction: rax = number, rdi rsi rdx r10 r8 r9 = arguments; rax = status, rdx = value. */
#pragma once

#include <stdint.h>

static inline int64_t __vr_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				   uint64_t a4, uint64_t a5, uint64_t *value)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	uint64_t status, v;

	__asm__ volatile("syscall"
			 : "=a"(status), "=d"(v)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	*value = v;
	return (int64_t)status;
}
