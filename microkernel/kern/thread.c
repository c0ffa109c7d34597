/* Thread creation, exit and reaping. */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/ipc.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include <kernel/trap.h>

static struct slab_cache thread_cache;
static struct spinlock init_lock = SPINLOCK_INIT;
static bool cache_ready;
static uint64_t next_id = 1;
static uint64_t alive;

void thread_check_stack(struct thread *t)
{
	if (t && t->kstack && *(uint64_t *)phys_to_virt(t->kstack) != KSTACK_CANARY)
		panic("thread %lu overflowed its kernel stack (%u KiB)", t->id,
		      (unsigned)((FRAME_SIZE << KSTACK_ORDER) / 1024));
}

/* Frees @t's kernel stack (if it still has one), checked a last time: nothing runs on it. */
static void free_stack(struct thread *t)
{
	if (!t->kstack)
		return;
	thread_check_stack(t);
	frame_free(t->kstack, KSTACK_ORDER);
	t->kstack = 0;
}

static void thread_destroy(struct kobject *k)
{
	struct thread *t = (struct thread *)k;

	free_stack(t);
	alarm_drop(&t->alarm);
	/*
	 * A user thread that never ran (thread_reap clears t->proc of one that
	 * did) may still sit on its process's list, and the stack named for it
	 * (thread_set_stack) goes as it would have at its exit. Called outside
	 * every lock: the last reference goes in bury() or after an unlock.
	 */
	if (t->proc) {
		process_drop_unstarted(t->proc, t);
		if (t->ustack_size && !__atomic_load_n(&t->proc->exiting, __ATOMIC_RELAXED))
			vm_unmap(t->proc, t->ustack_base, t->ustack_size);
		process_put(t->proc);
	}
	slab_free(&thread_cache, t);
	__atomic_fetch_sub(&alive, 1, __ATOMIC_RELAXED);
}

static struct thread *thread_alloc(bool with_stack)
{
	unsigned long s = spin_lock_irqsave(&init_lock);

	if (!cache_ready) {
		slab_cache_init(&thread_cache, "thread", sizeof(struct thread));
		cache_ready = true;
	}
	uint64_t id = next_id++;
	spin_unlock_irqrestore(&init_lock, s);

	struct thread *t = slab_alloc(&thread_cache);
	if (!t)
		return NULL;
	if (with_stack) {
		t->kstack = frame_alloc(KSTACK_ORDER, 0);
		if (!t->kstack) {
			slab_free(&thread_cache, t);
			return NULL;
		}
		t->kstack_top = (char *)phys_to_virt(t->kstack) + (FRAME_SIZE << KSTACK_ORDER);
		*(uint64_t *)phys_to_virt(t->kstack) = KSTACK_CANARY;
	}
	kobj_init(&t->k, KOBJ_THREAD, thread_destroy);
	t->id = id;
	t->prio = PRIO_DEFAULT;
	t->affinity = -1;
	t->state = THREAD_NEW;
	t->alarm.lock = (struct spinlock)SPINLOCK_INIT;
	wq_init(&t->exit_wq);
	wq_init(&t->reply_wait);
	t->reply_wait.no_intr = true;	/* its callers are being served */
	__atomic_fetch_add(&alive, 1, __ATOMIC_RELAXED);
	return t;
}

struct thread *thread_create_idle(void)
{
	struct thread *t = thread_alloc(false);

	if (t)
		t->prio = 0;
	return t;
}

/* The first code a new kernel thread runs. */
static void kernel_trampoline(void *arg)
{
	struct thread *t = arg;

	sched_finish_switch();
	t->entry(t->arg);
	thread_exit(0);
}

struct thread *thread_create_kernel(void (*entry)(void *), void *arg, unsigned prio)
{
	struct thread *t = thread_alloc(true);

	if (!t)
		return NULL;
	t->entry = entry;
	t->arg = arg;
	t->prio = MIN(prio, PRIO_LEVELS - 1u);
	arch_thread_init(t, kernel_trampoline, t);
	return t;
}

/* The first code a new user thread runs: into user mode through the common exit path. */
static void user_trampoline(void *arg)
{
	struct thread *t = arg;

	sched_finish_switch();
	trap_exit_to_user(t->uregs);
	arch_return_to_user(t->uregs);
}

struct thread *thread_create_user(struct process *proc, vaddr_t pc, vaddr_t sp, uint64_t arg)
{
	struct thread *t = thread_alloc(true);

	if (!t)
		return NULL;
	/* The user register file sits at the top of the kernel stack, where traps save it. */
	t->uregs = (struct user_regs *)ALIGN_DOWN((uintptr_t)t->kstack_top - sizeof(struct user_regs), 16);
	arch_uregs_init(t->uregs, pc, sp, arg, 0);
	if (process_add_thread(proc, t) < 0) {
		kobj_put(&t->k);
		return NULL;
	}
	arch_thread_init(t, user_trampoline, t);
	return t;
}

int thread_start(struct thread *t)
{
	if (t->proc) {
		int err = process_thread_starting(t->proc);
		if (err)
			return err;
	}
	kobj_get(&t->k);	/* the scheduler's reference, dropped by thread_reap */
	sched_enqueue(t);
	return 0;
}

noreturn void thread_exit(int64_t status)
{
	struct thread *t = thread_current();

	arch_irq_save();
	ipc_thread_exit(t);
	if (t->proc && t->clear_tid)
		futex_clear_and_wake(t->proc, t->clear_tid);
	/* Nothing runs on its user stack any more; a dying process drops it with the rest. */
	if (t->proc && t->ustack_size && !__atomic_load_n(&t->proc->exiting, __ATOMIC_RELAXED))
		vm_unmap(t->proc, t->ustack_base, t->ustack_size);
	if (t->proc)
		process_remove_thread(t->proc, t, status);
	unsigned long s = spin_lock_irqsave(&t->exit_wq.lock);
	t->exit_status = status;
	t->state = THREAD_DEAD;
	wq_wake_all(&t->exit_wq, 0, (uint64_t)status);
	spin_unlock_irqrestore(&t->exit_wq.lock, s);
	schedule();
	panic("a dead thread was scheduled");
}

void thread_reap(struct thread *t)
{
	/* Runs on another thread's stack, so the dead one's stack can go. */
	free_stack(t);
	if (t->proc) {
		process_put(t->proc);
		t->proc = NULL;
	}
	kobj_put(&t->k);
}

void thread_kill(struct thread *t)
{
	/* Pairs with the check after parking in wq_wait_switch and await_reply. */
	__atomic_fetch_or(&t->pending, PENDING_KILL, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sched_interrupt_wait(t, -EINTR);
	struct cpu *c = t->cpu;
	if (c && t->state == THREAD_RUNNING && c != this_cpu())
		arch_send_ipi(c);
}

void thread_end_unstarted(struct thread *t)
{
	unsigned long s = spin_lock_irqsave(&t->exit_wq.lock);

	t->never_ran = true;
	wq_wake_all(&t->exit_wq, -ESRCH, 0);
	spin_unlock_irqrestore(&t->exit_wq.lock, s);
	/* Nothing runs on its stack, and its process refuses to start it now. */
	free_stack(t);
	t->uregs = NULL;
}

int64_t thread_wait(struct thread *t, int64_t *status)
{
	unsigned long s = spin_lock_irqsave(&t->exit_wq.lock);

	if (t->never_ran) {
		spin_unlock_irqrestore(&t->exit_wq.lock, s);
		return -ESRCH;
	}
	if (t->state == THREAD_DEAD) {
		*status = t->exit_status;
		spin_unlock_irqrestore(&t->exit_wq.lock, s);
		return 0;
	}
	if (t == thread_current()) {
		spin_unlock_irqrestore(&t->exit_wq.lock, s);
		return -EINVAL;
	}
	int64_t r = wq_wait(&t->exit_wq, s, 0);
	if (r == 0)
		*status = t->exit_status;
	return r;
}

uint64_t thread_count(void)
{
	return __atomic_load_n(&alive, __ATOMIC_RELAXED);
}
