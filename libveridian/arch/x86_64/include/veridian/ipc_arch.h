/*
 * x86_64 IPC stubs. Message registers: rsi (tag), r10, r8, r9, r12, r13, r14,
 * r15; the endpoint (or reply) handle goes in rdi, the status comes back in rax.
 */
#pragma once

#include <stdint.h>

static inline int64_t __vr_ipc(uint64_t nr, uint64_t h, uint64_t m[8])
{
	register uint64_t r10 __asm__("r10") = m[1];
	register uint64_t r8 __asm__("r8") = m[2];
	register uint64_t r9 __asm__("r9") = m[3];
	register uint64_t r12 __asm__("r12") = m[4];
	register uint64_t r13 __asm__("r13") = m[5];
	register uint64_t r14 __asm__("r14") = m[6];
	register uint64_t r15 __asm__("r15") = m[7];
	uint64_t rax = nr, rsi = m[0], rdi = h;

	__asm__ volatile("syscall"
			 : "+a"(rax), "+S"(rsi), "+D"(rdi), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12),
			   "+r"(r13), "+r"(r14), "+r"(r15)
			 :
			 : "rcx", "r11", "rdx", "memory");
	m[0] = rsi, m[1] = r10, m[2] = r8, m[3] = r9;
	m[4] = r12, m[5] = r13, m[6] = r14, m[7] = r15;
	return (int64_t)rax;
}
