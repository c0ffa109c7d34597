/*
 * Offsets into generic structures that assembly reads: the system-call
 * entry's direct path, to do trap_exit_check(), arch_switch and the message
 * calls' fast path (ipc_fast.S). thread.c checks them against the C layout:
 * a change there fails the build.
 */
#pragma once

#define CPU_CURRENT 560		/* struct cpu.current */
#define CPU_NEED_RESCHED 584	/* struct cpu.need_resched */
#define THREAD_PENDING 297	/* struct thread.pending */
#define THREAD_ARCH 16		/* struct thread.arch */
#define THREAD_UREGS 176	/* struct thread.uregs */

/* What ipc_fast.S reads and writes, with the constants it needs. */
#define CPU_ID 0
#define CPU_RQ_BITMAP 552
#define CPU_SWITCHED_FROM 576
#define THREAD_PROC 184
#define THREAD_STATE 192
#define THREAD_PRIO 196
#define THREAD_SLICE 200
#define THREAD_CPU 208
#define THREAD_AFFINITY 216
#define THREAD_ON_CPU 220
#define THREAD_WAITING_ON 240
#define THREAD_WQ_NEXT 248
#define THREAD_WQ_PREV 256
#define THREAD_WAKE_STATUS 264
#define THREAD_SLEEP_UNTIL 280
#define THREAD_REPLY_WAIT 424
#define THREAD_EXCEPTION_CALL 528
#define THREAD_EP 536
#define THREAD_EP_HANDLE 544
#define THREAD_EP_BADGE 552
#define THREAD_EP_REMOVALS 560
#define THREAD_EP_RIGHTS 568
#define WQ_HEAD 8			/* struct wait_queue; its lock is at 0 */
#define WQ_TAIL 16
#define LOCK_OWNER 4			/* struct spinlock; next is at 0 */
#define EP_Q 16				/* struct endpoint */
#define EP_RECV_WAITING 48
#define EP_DEAD 49
#define PROCESS_CAPS_REMOVALS 64	/* struct process.caps.removals */
#define PROCESS_ASPACE 88
#define STATE_RUNNING 2			/* enum thread_state */
#define STATE_BLOCKED 3
#define SLICE_TICKS 2			/* TIMESLICE_TICKS */
#define PENDING_KILL_BIT 1		/* PENDING_KILL */
#define PENDING_WAKE_BITS 7		/* PENDING_WAKES */
#define RIGHT_SEND_BIT 0x10		/* RIGHT_SEND */
#define RIGHT_RECV_BIT 0x20		/* RIGHT_RECV */
#define TAG_FAST 0x78			/* kern/ipc.c's TAG_FAST_MASK */

/* struct arch_thread (<arch/thread.h>), for switch.S and the inline switch (<arch/switch.h>). */
#define ARCH_THREAD_SP 8
#define ARCH_THREAD_S0 16
#define ARCH_THREAD_GP (14 * 8)
#define ARCH_THREAD_PC (15 * 8)
#define ARCH_THREAD_FP_EAGER (16 * 8)
