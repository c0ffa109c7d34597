/*
 * Offsets into generic structures that assembly reads: the system-call
 * entry's direct path, to do trap_exit_check(), and arch_switch. thread.c
 * checks them against the C layout: a change there fails the build.
 */
#pragma once

#define CPU_CURRENT 560		/* struct cpu.current */
#define CPU_NEED_RESCHED 584	/* struct cpu.need_resched */
#define THREAD_PENDING 297	/* struct thread.pending */
#define THREAD_ARCH 16		/* struct thread.arch */
#define THREAD_UREGS 176	/* struct thread.uregs */

/* struct arch_thread (<arch/thread.h>), for switch.S and the inline switch (<arch/switch.h>). */
#define ARCH_THREAD_SP 8
#define ARCH_THREAD_S0 16
#define ARCH_THREAD_GP (14 * 8)
#define ARCH_THREAD_PC (15 * 8)
#define ARCH_THREAD_FP_EAGER (16 * 8)
