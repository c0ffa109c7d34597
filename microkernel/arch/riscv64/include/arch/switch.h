/*
 * The context switch inline (arch_switch_inline, which sched_switch_direct
 * uses): the IPC fast paths switch twice a round trip. It saves only sp, s0
 * (the frame pointer), gp and where to resume: every other register is
 * declared clobbered, so the compiler keeps nothing else live across it (the
 * function around it saves the callee-saved ones it has not saved yet, once,
 * in its prologue), and the system-call entry has saved the user's
 * caller-saved ones. Either switch resumes a thread the other saved
 * (<arch/thread.h>). The user F/D state moves as in arch_switch (thread.c).
 */
#pragma once

#include <kernel/thread.h>
#include <arch/offsets.h>
#include <arch/regs.h>
#include <arch/riscv.h>

#define RISCV_STR_(x) #x
#define RISCV_STR(x) RISCV_STR_(x)

/* The F/D registers and the CPU in user_regs, as switch.S does them. Interrupts masked. */
static inline __attribute__((always_inline)) void riscv_switch_user_state(struct thread *prev,
									  struct thread *next)
{
	struct user_regs *p = prev->uregs, *n = next->uregs;

	if (p) {
		/* sstatus.SD: FS is Dirty (VS is Off, there is no XS; see switch.S). */
		int64_t status = (int64_t)csr_read(sstatus);
		prev->arch.fp_eager = status < 0;
		if (status < 0)
			fpu_save(p);
	}
	if (n) {
		struct cpu *c;

		__asm__("mv %0, tp" : "=r"(c));
		n->cpu = c;	/* a user thread only starts to run on a CPU here */
		if (next->arch.fp_eager) {
			csr_set(sstatus, SSTATUS_FS_DIRTY);
			fpu_load(n);
			csr_clear(sstatus, SSTATUS_FS_DIRTY & ~SSTATUS_FS_CLEAN);
		} else {
			csr_clear(sstatus, SSTATUS_FS);	/* Off: the first use traps */
		}
	}
}

static inline __attribute__((always_inline)) void arch_switch_inline(struct thread *prev,
								     struct thread *next)
{
	register struct arch_thread *p __asm__("a0") = &prev->arch;
	register struct arch_thread *n __asm__("a1") = &next->arch;

	riscv_switch_user_state(prev, next);
	__asm__ volatile("sd sp, " RISCV_STR(ARCH_THREAD_SP) "(a0)\n\t"
			 "sd s0, " RISCV_STR(ARCH_THREAD_S0) "(a0)\n\t"
			 "sd gp, " RISCV_STR(ARCH_THREAD_GP) "(a0)\n\t"
			 "lla t0, 1f\n\t"
			 "sd t0, " RISCV_STR(ARCH_THREAD_PC) "(a0)\n\t"
			 "ld t0, " RISCV_STR(ARCH_THREAD_PC) "(a1)\n\t"
			 "mv a0, a1\n\t"
			 "jr t0\n"
			 "1:\n\t"
			 "ld sp, " RISCV_STR(ARCH_THREAD_SP) "(a0)\n\t"
			 "ld s0, " RISCV_STR(ARCH_THREAD_S0) "(a0)\n\t"
			 "ld gp, " RISCV_STR(ARCH_THREAD_GP) "(a0)"
			 : "+r"(p), "+r"(n)
			 :
			 : "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a2", "a3", "a4", "a5", "a6",
			   "a7", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
			   "memory");
}
