/*
 * Offsets into generic structures that the system-call entry's direct path
 * (trap_entry.S / vectors.S) reads to do trap_exit_check() in assembly.
 * thread.c checks them against the C layout: a change there fails the build.
 */
#pragma once

#define CPU_CURRENT 560		/* struct cpu.current */
#define CPU_NEED_RESCHED 584	/* struct cpu.need_resched */
#define THREAD_PENDING 289	/* struct thread.pending */
