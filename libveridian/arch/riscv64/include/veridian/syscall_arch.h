/*
 * riscv64 system-call instruction: a7 = number, a0-a5 = arguments; a0 =
 * status, a1 = value. An ordinary ecall (bit 63 of a7 clear) may clobber
 * a2-a7 and t0-t6: the kernel's fast path saves none of them and hands them
 * back zeroed (never holding kernel values). Everything else, and the F/D
 * registers, is preserved. The stubs pass only the arguments a call takes
 * (__vr_syscall0..6, VR_SYSCALL_BY_COUNT): a call ignores the others.
 */
#pragma once

#include <stdint.h>

#define VR_SYSCALL_BY_COUNT 1

#define __VR_CLOBBERS "t0", "t1", "t2", "t3", "t4", "t5", "t6", "memory"

static inline int64_t __vr_syscall0(uint64_t nr, uint64_t *value)
{
	register uint64_t a7_ __asm__("a7") = nr;
	register uint64_t a0_ __asm__("a0");
	register uint64_t a1_ __asm__("a1");

	__asm__ volatile("ecall"
			 : "=r"(a0_), "=r"(a1_), "+r"(a7_)
			 :
			 : "a2", "a3", "a4", "a5", "a6", __VR_CLOBBERS);
	*value = a1_;
	return (int64_t)a0_;
}

static inline int64_t __vr_syscall1(uint64_t nr, uint64_t a0, uint64_t *value)
{
	register uint64_t a7_ __asm__("a7") = nr;
	register uint64_t a0_ __asm__("a0") = a0;
	register uint64_t a1_ __asm__("a1");

	__asm__ volatile("ecall"
			 : "+r"(a0_), "=r"(a1_), "+r"(a7_)
			 :
			 : "a2", "a3", "a4", "a5", "a6", __VR_CLOBBERS);
	*value = a1_;
	return (int64_t)a0_;
}

static inline int64_t __vr_syscall2(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t *value)
{
	register uint64_t a7_ __asm__("a7") = nr;
	register uint64_t a0_ __asm__("a0") = a0;
	register uint64_t a1_ __asm__("a1") = a1;

	__asm__ volatile("ecall"
			 : "+r"(a0_), "+r"(a1_), "+r"(a7_)
			 :
			 : "a2", "a3", "a4", "a5", "a6", __VR_CLOBBERS);
	*value = a1_;
	return (int64_t)a0_;
}

static inline int64_t __vr_syscall3(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				    uint64_t *value)
{
	register uint64_t a7_ __asm__("a7") = nr;
	register uint64_t a0_ __asm__("a0") = a0;
	register uint64_t a1_ __asm__("a1") = a1;
	register uint64_t a2_ __asm__("a2") = a2;

	__asm__ volatile("ecall"
			 : "+r"(a0_), "+r"(a1_), "+r"(a7_), "+r"(a2_)
			 :
			 : "a3", "a4", "a5", "a6", __VR_CLOBBERS);
	*value = a1_;
	return (int64_t)a0_;
}

static inline int64_t __vr_syscall4(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				    uint64_t a3, uint64_t *value)
{
	register uint64_t a7_ __asm__("a7") = nr;
	register uint64_t a0_ __asm__("a0") = a0;
	register uint64_t a1_ __asm__("a1") = a1;
	register uint64_t a2_ __asm__("a2") = a2;
	register uint64_t a3_ __asm__("a3") = a3;

	__asm__ volatile("ecall"
			 : "+r"(a0_), "+r"(a1_), "+r"(a7_), "+r"(a2_), "+r"(a3_)
			 :
			 : "a4", "a5", "a6", __VR_CLOBBERS);
	*value = a1_;
	return (int64_t)a0_;
}

static inline int64_t __vr_syscall5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				    uint64_t a3, uint64_t a4, uint64_t *value)
{
	register uint64_t a7_ __asm__("a7") = nr;
	register uint64_t a0_ __asm__("a0") = a0;
	register uint64_t a1_ __asm__("a1") = a1;
	register uint64_t a2_ __asm__("a2") = a2;
	register uint64_t a3_ __asm__("a3") = a3;
	register uint64_t a4_ __asm__("a4") = a4;

	__asm__ volatile("ecall"
			 : "+r"(a0_), "+r"(a1_), "+r"(a7_), "+r"(a2_), "+r"(a3_), "+r"(a4_)
			 :
			 : "a5", "a6", __VR_CLOBBERS);
	*value = a1_;
	return (int64_t)a0_;
}

static inline int64_t __vr_syscall6(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				    uint64_t a3, uint64_t a4, uint64_t a5, uint64_t *value)
{
	register uint64_t a7_ __asm__("a7") = nr;
	register uint64_t a0_ __asm__("a0") = a0;
	register uint64_t a1_ __asm__("a1") = a1;
	register uint64_t a2_ __asm__("a2") = a2;
	register uint64_t a3_ __asm__("a3") = a3;
	register uint64_t a4_ __asm__("a4") = a4;
	register uint64_t a5_ __asm__("a5") = a5;

	__asm__ volatile("ecall"
			 : "+r"(a0_), "+r"(a1_), "+r"(a7_), "+r"(a2_), "+r"(a3_), "+r"(a4_), "+r"(a5_)
			 :
			 : "a6", __VR_CLOBBERS);
	*value = a1_;
	return (int64_t)a0_;
}

/* Any call with all six arguments (the tests' calls by number). */
static inline int64_t __vr_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				   uint64_t a4, uint64_t a5, uint64_t *value)
{
	return __vr_syscall6(nr, a0, a1, a2, a3, a4, a5, value);
}
