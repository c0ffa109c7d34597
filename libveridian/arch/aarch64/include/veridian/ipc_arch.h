/*
 * aarch64 IPC stubs. Message registers: x2 (tag), x3, x4, x5, x6, x7, x9,
 * x10; the endpoint (or reply) handle goes in x0, the status comes back in x0.
 * svc #1 (not #0) takes the kernel's message-call entry (syscall_ipc), which
 * may clobber x11-x18.
 */
#pragma once

#include <stdint.h>

static inline int64_t __vr_ipc(uint64_t nr, uint64_t h, uint64_t m[8])
{
	register uint64_t x8 __asm__("x8") = nr;
	register uint64_t x0 __asm__("x0") = h;
	register uint64_t x1 __asm__("x1");	/* the value, which message calls do not use */
	register uint64_t x2 __asm__("x2") = m[0];
	register uint64_t x3 __asm__("x3") = m[1];
	register uint64_t x4 __asm__("x4") = m[2];
	register uint64_t x5 __asm__("x5") = m[3];
	register uint64_t x6 __asm__("x6") = m[4];
	register uint64_t x7 __asm__("x7") = m[5];
	register uint64_t x9 __asm__("x9") = m[6];
	register uint64_t x10 __asm__("x10") = m[7];

	__asm__ volatile("svc #1"
			 : "+r"(x0), "=r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6),
			   "+r"(x7), "+r"(x9), "+r"(x10)
			 : "r"(x8)
			 : "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "memory");
	m[0] = x2, m[1] = x3, m[2] = x4, m[3] = x5;
	m[4] = x6, m[5] = x7, m[6] = x9, m[7] = x10;
	return (int64_t)x0;
}
