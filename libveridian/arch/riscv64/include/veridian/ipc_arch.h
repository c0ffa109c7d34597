/*
 * riscv64 IPC stubs. Message registers: a2 (tag), a3, a4, a5, a6, t0, t1,
 * t2; the endpoint (or reply) handle goes in a0, the status comes back in a0.
 * Bit 63 set in the number (a7) takes the kernel's message-call entry
 * (ipc_fast.S, syscall_ipc); a7 comes back without it. a1 and t3-t6 may be
 * clobbered: they come back zero or unchanged, never with a value of the
 * kernel's or of another thread.
 */
#pragma once

#include <stdint.h>

static inline int64_t __vr_ipc(uint64_t nr, uint64_t h, uint64_t m[8])
{
	register uint64_t a7 __asm__("a7") = nr | 1ull << 63;
	register uint64_t a0 __asm__("a0") = h;
	register uint64_t a1 __asm__("a1");	/* the value, which message calls do not use */
	register uint64_t a2 __asm__("a2") = m[0];
	register uint64_t a3 __asm__("a3") = m[1];
	register uint64_t a4 __asm__("a4") = m[2];
	register uint64_t a5 __asm__("a5") = m[3];
	register uint64_t a6 __asm__("a6") = m[4];
	register uint64_t t0 __asm__("t0") = m[5];
	register uint64_t t1 __asm__("t1") = m[6];
	register uint64_t t2 __asm__("t2") = m[7];

	__asm__ volatile("ecall"
			 : "+r"(a0), "=r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6),
			   "+r"(t0), "+r"(t1), "+r"(t2), "+r"(a7)
			 :
			 : "t3", "t4", "t5", "t6", "memory");
	m[0] = a2, m[1] = a3, m[2] = a4, m[3] = a5;
	m[4] = a6, m[5] = t0, m[6] = t1, m[7] = t2;
	return (int64_t)a0;
}
