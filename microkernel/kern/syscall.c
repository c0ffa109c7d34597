/* System-call entry, user faults, and the calls that manage handles, processes and threads. */
#include <kernel/arch.h>
#include <kernel/cap.h>
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/ioport.h>
#include <kernel/frame.h>
#include <kernel/ipc.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <kernel/vmo.h>
#include <uapi/veridian/rootinfo.h>
#include "syscall_defs.h"

static const char *access_name(unsigned access)
{
	return access & PROT_WRITE ? "write" : access & PROT_EXEC ? "execute" : "read";
}

void user_fault_handler(struct user_regs *r, vaddr_t addr, unsigned access)
{
	struct thread *t = thread_current();
	int err = vm_fault(t->proc, addr, access);
	uint64_t kind = err == -ENXIO ? EXC_KIND_PAST_EOF : EXC_KIND_FAULT;

	if (err == 0 || exception_raise(r, kind, addr, access))
		return;
	const char *why = err == -ENOMEM ? "out of memory" : "no mapping allows it";
	if (err == -ENXIO)
		why = "past the end of the file";
	kprintf("process %lu thread %lu: %s fault at %#lx (pc %#lx): %s; killed\n", t->proc->id,
		t->id, access_name(access), addr, arch_uregs_pc(r), why);
	process_kill(t->proc, err == -ENOMEM ? -ENOMEM : -EFAULT);
}

void user_exception_handler(struct user_regs *r, enum user_exception kind, uint64_t detail)
{
	static const char *const names[] = {"illegal instruction", "breakpoint", "alignment fault",
					    "arithmetic fault", "exception"};
	struct thread *t = thread_current();

	if (exception_raise(r, EXC_KIND_FAULT + 1 + kind, detail, 0))
		return;
	kprintf("process %lu thread %lu: %s (%#lx) at pc %#lx; killed\n", t->proc->id, t->id,
		names[kind <= UEXC_OTHER ? kind : UEXC_OTHER], detail, arch_uregs_pc(r));
	process_kill(t->proc, -EINVAL);
}

void trap_exit_work(struct thread *t)
{
	if (t->pending & PENDING_KILL)
		thread_exit(-EINTR);
	if (t->pending & PENDING_IO)
		ioport_settle();
	/*
	 * Leaving the kernel, it is in no wait a redirection could still end,
	 * unless the redirection is still to come: a system call's return does
	 * not take it (only a full frame's does), so the thread's next
	 * interruptible wait must still end with -EINTR, or a thread that
	 * blocks before its next interrupt is never redirected. thread_redirect
	 * sets the entry, then PENDING_INTR: clear, then look at the entry.
	 */
	if (t->pending & PENDING_INTR) {
		__atomic_fetch_and(&t->pending, (uint8_t)~PENDING_INTR, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&t->redirect_entry, __ATOMIC_SEQ_CST))
			__atomic_fetch_or(&t->pending, PENDING_INTR, __ATOMIC_RELAXED);
	}
	sched_exit_to_user();
	/* After the switch: a thread preempted in user mode resumes here, and must not run on. */
	if (t->pending & PENDING_STOP)
		process_stop_park(t);
	if (t->pending & PENDING_KILL)
		thread_exit(-EINTR);
	/*
	 * A redirection still to come (this return cannot take it): an IPI to
	 * this CPU, taken at the first user instruction, is the full-frame
	 * return that does, as Linux runs a handler as the call returns.
	 */
	if (__atomic_load_n(&t->redirect_entry, __ATOMIC_RELAXED))
		arch_send_ipi(this_cpu());
}

void trap_exit_to_user(struct user_regs *r)
{
	struct thread *t = thread_current();

	if (__atomic_load_n(&t->redirect_entry, __ATOMIC_RELAXED))
		redirect_exit(t, r);
	trap_exit_check();
}

/* ---- helpers ---- */

static struct cap_table *my_caps(void)
{
	return &process_current()->caps;
}

/* Looks up @h as @type with @rights; *out gets a reference. */
static int get(handle_t h, enum kobj_type type, uint32_t rights, void *out)
{
	return cap_lookup(my_caps(), h, type, rights, (struct kobject **)out, NULL);
}

/* Installs a new object (consuming the caller's reference either way). */
static int64_t give(struct kobject *o, uint32_t rights, uint64_t *handle)
{
	int err = cap_install(my_caps(), o, rights, handle);

	kobj_put(o);
	return err;
}

/* ---- debugging and the system ---- */

int64_t sys_null(void)
{
	return 0;
}

int64_t sys_debug_write(vaddr_t buf, size_t len)
{
	char chunk[256];

	if (len > 65536)
		return -EINVAL;
	while (len) {
		size_t n = MIN(len, sizeof(chunk));
		int err = copy_from_user(chunk, buf, n);
		if (err)
			return err;
		kprintf("%.*s", (int)n, chunk);
		buf += n;
		len -= n;
	}
	return 0;
}

int64_t sys_debug_args(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f,
		       uint64_t *sum)
{
	*sum = a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
	return 0;
}

int64_t sys_system_exit(handle_t system, int64_t status)
{
	struct kobject *o;
	int err = get(system, KOBJ_RESOURCE, RIGHT_MANAGE, &o);

	if (err)
		return err;
	kobj_put(o);
	kprintf("veridian: exiting with status %ld\n", status);
	arch_exit((int)status);
}

int64_t sys_system_info(uint64_t what, uint64_t *value)
{
	/* INFO_TICKS and INFO_IDLE_TICKS of one CPU: its index + 1 in the high half. */
	uint64_t cpu = what >> 32;

	what &= 0xffffffff;
	if (cpu && (cpu > ncpus_online || (what != INFO_TICKS && what != INFO_IDLE_TICKS)))
		return -EINVAL;
	switch (what) {
	case INFO_FREE_FRAMES: *value = frame_free_count(); break;
	case INFO_TOTAL_FRAMES: *value = frame_total_count(); break;
	case INFO_CPUS: *value = ncpus_online; break;
	case INFO_THREADS: *value = thread_count(); break;
	case INFO_PROCESSES: *value = process_count(); break;
	case INFO_CAPS: *value = cap_count(); break;
	case INFO_PAGE_SIZE: *value = PAGE_SIZE; break;
	case INFO_VMO_FRAMES: *value = vmo_frames_held(); break;
	case INFO_TICK_HZ: *value = TICK_HZ; break;
	case INFO_TICKS:
	case INFO_IDLE_TICKS:
		*value = 0;
		for (unsigned i = cpu ? (unsigned)cpu - 1 : 0; i < (cpu ? cpu : ncpus_online); i++)
			*value += what == INFO_TICKS ? __atomic_load_n(&cpus[i].ticks, __ATOMIC_RELAXED)
						     : __atomic_load_n(&cpus[i].idle_ticks, __ATOMIC_RELAXED);
		break;
	case INFO_ACTIVE: *value = sched_active(); break;
	case INFO_LOAD_1:
	case INFO_LOAD_5:
	case INFO_LOAD_15: *value = sched_load((unsigned)(what - INFO_LOAD_1)); break;
	default: return -EINVAL;
	}
	return 0;
}

/* ---- handles ---- */

int64_t sys_handle_close(handle_t h)
{
	return cap_close(my_caps(), h);
}

int64_t sys_handle_derive(handle_t h, uint64_t rights, uint64_t *handle)
{
	return cap_derive(my_caps(), h, (uint32_t)rights, 0, handle);
}

int64_t sys_handle_revoke(handle_t h)
{
	return cap_revoke(my_caps(), h);
}

int64_t sys_handle_info(handle_t h, uint64_t *info)
{
	struct kobject *o;
	struct cap_info ci;
	int err = cap_lookup(my_caps(), h, KOBJ_NONE, 0, &o, &ci);

	if (err)
		return err;
	*info = (uint64_t)o->type | (uint64_t)ci.rights << 32;
	if (o->type == KOBJ_REPLY && reply_caller_gone((struct reply *)o))
		*info |= HANDLE_INFO_GONE;
	kobj_put(o);
	return 0;
}

/* ---- processes ---- */

#define PROCESS_RIGHTS (RIGHT_MANAGE | RIGHT_MAP | RIGHT_DUPLICATE | RIGHT_TRANSFER)
#define THREAD_RIGHTS (RIGHT_MANAGE | RIGHT_DUPLICATE | RIGHT_TRANSFER)

int64_t sys_process_create(uint64_t flags, uint64_t *process)
{
	if (flags)
		return -EINVAL;
	struct process *p = process_create();
	if (!p)
		return -ENOMEM;
	return give(&p->k, PROCESS_RIGHTS, process);
}

/* Creates a user thread of the process named by @ph and installs a handle to it. */
static int64_t new_thread(handle_t ph, uint64_t entry, uint64_t sp, uint64_t arg, bool start,
			  uint64_t *thread)
{
	struct process *p;
	int err = get(ph, KOBJ_PROCESS, RIGHT_MANAGE, &p);

	if (err)
		return err;
	if (!user_range_ok(entry, 1) || !user_range_ok(sp, 0)) {
		process_put(p);
		return -EINVAL;
	}
	struct thread *t = thread_create_user(p, entry, sp, arg);
	process_put(p);
	if (!t)
		return -ENOMEM;
	kobj_get(&t->k);
	err = give(&t->k, THREAD_RIGHTS, thread);
	if (!err && start) {
		err = thread_start(t);
		if (err)
			cap_close(my_caps(), *thread);
	}
	kobj_put(&t->k);	/* a thread never started is freed with its last handle */
	return err;
}

int64_t sys_process_start(handle_t process, uint64_t entry, uint64_t sp, uint64_t arg,
			  uint64_t *thread)
{
	return new_thread(process, entry, sp, arg, true, thread);
}

int64_t sys_process_kill(handle_t process, int64_t status)
{
	struct process *p;
	int err = get(process, KOBJ_PROCESS, RIGHT_MANAGE, &p);

	if (err)
		return err;
	process_kill(p, status);
	process_put(p);
	return 0;
}

int64_t sys_process_wait(handle_t process, uint64_t *status)
{
	struct process *p;
	int err = get(process, KOBJ_PROCESS, 0, &p);

	if (err)
		return err;
	int64_t st = 0, r = process_wait(p, &st);
	process_put(p);
	*status = (uint64_t)st;
	return r;
}

int64_t sys_process_handle_give(handle_t process, handle_t h, uint64_t rights, uint64_t *handle)
{
	struct process *p;
	int err = get(process, KOBJ_PROCESS, RIGHT_MANAGE, &p);

	if (err)
		return err;
	err = cap_transfer(my_caps(), h, &p->caps, CAP_COPY, (uint32_t)rights, handle);
	process_put(p);
	return err;
}

/* ---- threads ---- */

int64_t sys_thread_create(handle_t process, uint64_t entry, uint64_t sp, uint64_t arg,
			  uint64_t *thread)
{
	return new_thread(process, entry, sp, arg, false, thread);
}

int64_t sys_thread_start(handle_t thread)
{
	struct thread *t;
	int err = get(thread, KOBJ_THREAD, RIGHT_MANAGE, &t);

	if (err)
		return err;
	/* Only a new thread starts, once: the first to move it out of THREAD_NEW starts it. */
	enum thread_state expected = THREAD_NEW;
	if (!__atomic_compare_exchange_n(&t->state, &expected, THREAD_RUNNABLE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		err = -EBUSY;
	else if ((err = thread_start(t)) != 0)
		t->state = THREAD_NEW;
	kobj_put(&t->k);
	return err;
}

/*
 * Sets the user thread pointer (the TLS base: FS on x86_64, TPIDR_EL0,
 * tp) of the calling thread (@thread 0) or of a thread not yet started.
 */
int64_t sys_thread_set_tls(handle_t thread, uint64_t base)
{
	struct thread *self = thread_current(), *t;

	if (!user_range_ok(base, 0))
		return -EINVAL;
	if (thread == 0) {
		arch_thread_set_tls(self, base);
		return 0;
	}
	int err = get(thread, KOBJ_THREAD, RIGHT_MANAGE, &t);
	if (err)
		return err;
	if (t == self || t->state == THREAD_NEW)
		arch_thread_set_tls(t, base);
	else
		err = -EBUSY;	/* running elsewhere: its own code sets it */
	kobj_put(&t->k);
	return err;
}

/*
 * Names the 32-bit user word that the exit of the caller (@thread 0) or of a
 * thread not yet started clears and futex-wakes, as Linux's
 * CLONE_CHILD_CLEARTID does; 0 names none.
 */
int64_t sys_thread_set_clear_tid(handle_t thread, vaddr_t addr)
{
	struct thread *self = thread_current(), *t;

	if (addr % 4 || (addr && !user_range_ok(addr, 4)))
		return -EINVAL;
	if (thread == 0) {
		self->clear_tid = addr;
		return 0;
	}
	int err = get(thread, KOBJ_THREAD, RIGHT_MANAGE, &t);
	if (err)
		return err;
	if (t->proc != self->proc)
		err = -EINVAL;	/* the word lives in the caller's address space */
	else if (t == self || t->state == THREAD_NEW)
		t->clear_tid = addr;
	else
		err = -EBUSY;
	kobj_put(&t->k);
	return err;
}

/*
 * Names the user stack [@base, @base + @size) of the caller (@thread 0) or
 * of a thread of its process not yet started: the thread's exit, however it
 * comes, unmaps it (size 0: nothing).
 */
int64_t sys_thread_set_stack(handle_t thread, vaddr_t base, uint64_t size)
{
	struct thread *self = thread_current(), *t = self;
	int err = 0;

	if ((base | size) % PAGE_SIZE || (size && !user_range_ok(base, size)))
		return -EINVAL;
	if (thread && (err = get(thread, KOBJ_THREAD, RIGHT_MANAGE, &t)))
		return err;
	if (t != self && t->state != THREAD_NEW)
		err = -EBUSY;
	else if (t->proc != self->proc)
		err = -EINVAL;	/* the range is in the caller's address space */
	if (!err) {
		t->ustack_base = size ? base : 0;
		t->ustack_size = size;
	}
	if (thread)
		kobj_put(&t->k);
	return err;
}

int64_t sys_thread_exit(int64_t status)
{
	thread_exit(status);
}

int64_t sys_thread_yield(void)
{
	sched_yield();
	return 0;
}

int64_t sys_thread_kill(handle_t thread)
{
	struct thread *t;
	int err = get(thread, KOBJ_THREAD, RIGHT_MANAGE, &t);

	if (err)
		return err;
	thread_kill(t);
	kobj_put(&t->k);
	return 0;
}

int64_t sys_thread_redirect(handle_t thread, uint64_t entry, uint64_t flags)
{
	struct thread *t;

	if (!entry || !user_range_ok(entry, 1) || (flags & ~(uint64_t)VR_REDIRECT_ONSTACK))
		return -EINVAL;
	int err = get(thread, KOBJ_THREAD, RIGHT_MANAGE, &t);
	if (err)
		return err;
	if (t->state == THREAD_DEAD)
		err = -ESRCH;
	else
		thread_redirect(t, entry, flags & VR_REDIRECT_ONSTACK);
	kobj_put(&t->k);
	return err;
}

int64_t sys_thread_id(handle_t thread, uint64_t *id)
{
	struct thread *t;

	if (thread == 0) {
		*id = thread_current()->id;
		return 0;
	}
	int err = get(thread, KOBJ_THREAD, 0, &t);
	if (err)
		return err;
	*id = t->id;
	err = t->state == THREAD_DEAD ? -ESRCH : 0;
	kobj_put(&t->k);
	return err;
}

int64_t sys_thread_wait(handle_t thread, uint64_t *status)
{
	struct thread *t;
	int err = get(thread, KOBJ_THREAD, 0, &t);

	if (err)
		return err;
	int64_t st = 0, r = thread_wait(t, &st);
	kobj_put(&t->k);
	*status = (uint64_t)st;
	return r;
}

int64_t sys_thread_set_priority(handle_t thread, uint64_t priority)
{
	struct thread *t;
	int err = get(thread, KOBJ_THREAD, RIGHT_MANAGE, &t);

	if (err)
		return err;
	/* Takes effect when it is next queued; user threads may not outrank the kernel's own. */
	if (priority >= PRIO_LEVELS - 1)
		err = -EINVAL;
	else if (t->state == THREAD_NEW)
		t->prio = (unsigned)priority;
	else
		err = -EBUSY;
	kobj_put(&t->k);
	return err;
}

int64_t sys_thread_set_affinity(handle_t thread, uint64_t cpu)
{
	struct thread *t;
	int err = get(thread, KOBJ_THREAD, RIGHT_MANAGE, &t);

	if (err)
		return err;
	if (cpu >= ncpus_online)
		err = -EINVAL;
	else if (t->state == THREAD_NEW)
		t->affinity = (int)cpu;
	else
		err = -EBUSY;
	kobj_put(&t->k);
	return err;
}

int64_t sys_thread_sleep(uint64_t ns)
{
	return sched_sleep(ns);
}

int64_t sys_thread_self_cpu(uint64_t *cpu)
{
	*cpu = this_cpu()->id;
	return 0;
}

int64_t sys_clock_get(uint64_t *ns)
{
	*ns = arch_time_ns();
	return 0;
}
