/*
 * Threads and user mode on riscv64: the kernel context, the F/D registers
 * across switches, and the user register file as the system-call and IPC
 * ABI sees it (libveridian's syscall_arch.h and ipc_arch.h).
 */
#include <kernel/cpu.h>
#include <kernel/ipc.h>
#include <kernel/process.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <arch/offsets.h>
#include <arch/uframe.h>
#include <arch/riscv.h>

/* A user thread's kernel stack starts below its register file, which sits at the top. */
void arch_thread_init(struct thread *t, void (*entry)(void *), void *arg)
{
	void *top = t->uregs ? (void *)t->uregs : t->kstack_top;

	t->arch = (struct arch_thread){
	    .ra = (uintptr_t)riscv_thread_start,
	    .sp = (uintptr_t)top,
	    .s = {[1] = (uintptr_t)entry, [2] = (uintptr_t)arg},
	    .pc = (uintptr_t)riscv_switch_resume,
	};
}

/*
 * The kernel never touches the F/D registers, so a user thread's stay in the
 * hardware while it is in the kernel; they move to its user_regs only when
 * another thread takes the CPU, and only if user code changed them since
 * they were loaded (sstatus.FS is Dirty). They are loaded lazily: the next
 * thread starts with FS Off, and its first F/D instruction traps to
 * riscv_fpu_trap(), which loads them; a thread that changed them in its last
 * run gets them loaded here at once instead, since it will likely again. So
 * a thread that is not running always has its F/D registers in user_regs.
 * A user thread only ever starts to run on a CPU here, so here its user_regs
 * learns the CPU for trap_entry. arch_switch itself is in switch.S: one
 * function that calls nothing, so the callee-saved registers go to memory
 * only once.
 */

/*
 * An illegal-instruction trap from user mode with FS Off: the thread's first
 * F/D instruction since it was switched in. Loads its registers (FS Clean)
 * and returns true, to run the instruction again; a truly illegal one traps
 * again with FS on and is the thread's fault then.
 */
bool riscv_fpu_trap(struct user_regs *r)
{
	if (csr_read(sstatus) & SSTATUS_FS)
		return false;
	csr_set(sstatus, SSTATUS_FS_DIRTY);
	fpu_load(r);
	csr_clear(sstatus, SSTATUS_FS_DIRTY & ~SSTATUS_FS_CLEAN);
	return true;
}

/* User mode (SPP clear) with interrupts on after sret, and the F/D registers usable. */
void arch_uregs_init(struct user_regs *r, vaddr_t pc, vaddr_t sp, uint64_t arg0, uint64_t arg1)
{
	*r = (struct user_regs){
	    .sepc = pc,
	    .sstatus = (csr_read(sstatus) & SSTATUS_UXL) | SSTATUS_SPIE | SSTATUS_FS_INITIAL,
	};
	r->x[REG_SP] = sp;
	r->x[REG_A0] = arg0;
	r->x[REG_A1] = arg1;
}

/* The user's tp is in its register file (the kernel's own tp is the CPU's). */
void arch_thread_set_tls(struct thread *t, uint64_t base)
{
	t->uregs->x[4] = base;
}

/* ---- redirection (kern/redirect.c) ---- */

vaddr_t arch_uregs_sp(const struct user_regs *r)
{
	return r->x[REG_SP];
}

void arch_uframe_save(const struct user_regs *r, struct arch_uframe *u)
{
	memcpy(u->x, r->x, sizeof(u->x));
	u->x[0] = r->sepc;
}

void arch_uframe_load(struct user_regs *r, const struct arch_uframe *u)
{
	memcpy(&r->x[1], &u->x[1], sizeof(u->x) - sizeof(u->x[0]));
	r->sepc = u->x[0];
	/* Stale during a system call: user mode, interrupts on after sret (FS stays live). */
	r->sstatus = (csr_read(sstatus) & SSTATUS_UXL) | SSTATUS_SPIE;
}

void arch_uregs_redirect(struct user_regs *r, vaddr_t entry, vaddr_t frame)
{
	r->sepc = entry;
	r->x[REG_A0] = frame;
	r->x[REG_SP] = frame;
}

/* The system-call entry's direct path and arch_switch read these (<arch/offsets.h>). */
_Static_assert(__builtin_offsetof(struct cpu, current) == CPU_CURRENT, "arch/offsets.h");
_Static_assert(__builtin_offsetof(struct cpu, need_resched) == CPU_NEED_RESCHED, "arch/offsets.h");
_Static_assert(__builtin_offsetof(struct thread, pending) == THREAD_PENDING, "arch/offsets.h");
_Static_assert(__builtin_offsetof(struct thread, arch) == THREAD_ARCH, "arch/offsets.h");
_Static_assert(__builtin_offsetof(struct thread, uregs) == THREAD_UREGS, "arch/offsets.h");

/* And the message calls' fast path (ipc_fast.S). */
#define OFFSET_IS(type, field, off)                                                                \
	_Static_assert(__builtin_offsetof(type, field) == (off), "arch/offsets.h")
OFFSET_IS(struct cpu, id, CPU_ID);
OFFSET_IS(struct cpu, rq.bitmap, CPU_RQ_BITMAP);
OFFSET_IS(struct cpu, switched_from, CPU_SWITCHED_FROM);
OFFSET_IS(struct thread, proc, THREAD_PROC);
OFFSET_IS(struct thread, state, THREAD_STATE);
OFFSET_IS(struct thread, prio, THREAD_PRIO);
OFFSET_IS(struct thread, slice, THREAD_SLICE);
OFFSET_IS(struct thread, cpu, THREAD_CPU);
OFFSET_IS(struct thread, affinity, THREAD_AFFINITY);
OFFSET_IS(struct thread, on_cpu, THREAD_ON_CPU);
OFFSET_IS(struct thread, waiting_on, THREAD_WAITING_ON);
OFFSET_IS(struct thread, wq_next, THREAD_WQ_NEXT);
OFFSET_IS(struct thread, wq_prev, THREAD_WQ_PREV);
OFFSET_IS(struct thread, wake_status, THREAD_WAKE_STATUS);
OFFSET_IS(struct thread, sleep_until, THREAD_SLEEP_UNTIL);
OFFSET_IS(struct thread, reply_wait, THREAD_REPLY_WAIT);
OFFSET_IS(struct thread, exception_call, THREAD_EXCEPTION_CALL);
OFFSET_IS(struct thread, ep, THREAD_EP);
OFFSET_IS(struct thread, ep_handle, THREAD_EP_HANDLE);
OFFSET_IS(struct thread, ep_badge, THREAD_EP_BADGE);
OFFSET_IS(struct thread, ep_removals, THREAD_EP_REMOVALS);
OFFSET_IS(struct thread, ep_rights, THREAD_EP_RIGHTS);
OFFSET_IS(struct wait_queue, head, WQ_HEAD);
OFFSET_IS(struct wait_queue, tail, WQ_TAIL);
OFFSET_IS(struct spinlock, owner, LOCK_OWNER);
OFFSET_IS(struct endpoint, q, EP_Q);
OFFSET_IS(struct endpoint, recv_waiting, EP_RECV_WAITING);
OFFSET_IS(struct endpoint, dead, EP_DEAD);
OFFSET_IS(struct process, caps.removals, PROCESS_CAPS_REMOVALS);
OFFSET_IS(struct process, aspace, PROCESS_ASPACE);
_Static_assert(sizeof(enum thread_state) == 4 && sizeof(unsigned) == 4 &&
		   sizeof(((struct cpu *)0)->rq.bitmap) == 4 &&
		   sizeof(((struct thread *)0)->ep_rights) == 4,
	       "ipc_fast.S: lw/sw/lwu");
_Static_assert(THREAD_RUNNING == STATE_RUNNING && THREAD_BLOCKED == STATE_BLOCKED &&
		   TIMESLICE_TICKS == SLICE_TICKS && PENDING_KILL == PENDING_KILL_BIT &&
		   PENDING_WAKES == PENDING_WAKE_BITS && RIGHT_SEND == RIGHT_SEND_BIT &&
		   RIGHT_RECV == RIGHT_RECV_BIT && (0x8u | 0x30u | TAG_LONG) == TAG_FAST,
	       "arch/offsets.h");
