/*
 * The context switch inline (arch_switch_inline, which sched_switch_direct
 * uses when an architecture has it): the IPC fast paths switch twice a round
 * trip. Its stack switch saves only rbp and the resume address: the compiler
 * keeps no other register live across it (all are declared clobbered), and
 * the system-call entry has saved the user's. Either switch resumes a thread
 * saved by the other (switch.S).
 */
#pragma once

#include <kernel/thread.h>
#include <arch/cpu.h>

extern bool x86_user_bases;

/*
 * The kernel uses neither the FPU/SSE registers nor FS and the user's GS
 * base (KERNEL_GS_BASE in the kernel), so a user thread's stay in the CPU
 * while it is in the kernel and move to its user_regs only when another
 * thread takes the CPU.
 */
static inline __attribute__((always_inline)) void x86_switch_user_state(struct thread *prev,
									struct thread *next)
{
	struct user_regs *p = prev->uregs, *n = next->uregs;

	/* x86_user_bases tested once, and the usual case (no FSGSBASE) laid out straight. */
	if (__builtin_expect(x86_user_bases, 0)) {
		if (p) {
			__asm__ volatile("fxsave64 (%0)" ::"r"(&p->fpu) : "memory");
			p->fs_base = rdmsr(MSR_FS_BASE);
			p->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
		}
		if (n) {
			__asm__ volatile("fxrstor64 (%0)" ::"r"(&n->fpu) : "memory");
			wrmsr(MSR_FS_BASE, n->fs_base);
			wrmsr(MSR_KERNEL_GS_BASE, n->gs_base);
			cpu_set_kernel_stack(next->kstack_top, n);
		}
		return;
	}
	if (p)
		__asm__ volatile("fxsave64 (%0)" ::"r"(&p->fpu) : "memory");
	if (n) {
		__asm__ volatile("fxrstor64 (%0)" ::"r"(&n->fpu) : "memory");
		/* Only thread_set_tls changes FS then, and it keeps fs_base current. */
		if (__builtin_expect(!p || p->fs_base != n->fs_base, 0))
			wrmsr(MSR_FS_BASE, n->fs_base);
		cpu_set_kernel_stack(next->kstack_top, n);
	}
}

void x86_switch(uint64_t *prev_sp, uint64_t next_sp);

static inline __attribute__((always_inline)) void arch_switch_inline(struct thread *prev,
								     struct thread *next)
{
	uint64_t *psp = &prev->arch.sp, nsp = next->arch.sp;

	x86_switch_user_state(prev, next);
	__asm__ volatile("pushq %%rbp\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "movq %%rsp, (%0)\n\t"
			 "movq %1, %%rsp\n\t"
			 "ret\n"
			 "1:\n\t"
			 "popq %%rbp"
			 : "+D"(psp), "+S"(nsp)
			 :
			 : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
			   "r15", "memory", "cc");
}
