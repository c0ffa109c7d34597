/*
 * The scheduler. Each CPU has a run queue (struct cpu.rq) of threads at 32
 * fixed priorities; the highest non-empty level runs, round robin within a
 * level. A thread's state changes under the run-queue lock of the CPU it is
 * queued on, except the RUNNING -> BLOCKED step, which the thread itself
 * takes under the lock of the wait queue it joins.
 *
 * A woken thread may be picked by one CPU while another is still switching
 * away from it; thread.on_cpu stays set until that switch has saved its
 * context (sched_finish_switch), and the new CPU waits for it.
 */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/process.h>
#include <kernel/sched.h>

/* Threads in timed waits, sorted by deadline. Lock order: wait queue, then timer_lock. */
static struct spinlock timer_lock = SPINLOCK_INIT;
static struct thread *timers;
/* timers' first deadline (UINT64_MAX when empty), for the tick to read without timer_lock. */
static uint64_t timers_first = UINT64_MAX;

static void timers_changed(void)
{
	__atomic_store_n(&timers_first, timers ? timers->sleep_until : UINT64_MAX, __ATOMIC_RELAXED);
}

static void rq_push(struct runqueue *rq, struct thread *t)
{
	unsigned p = t->prio;

	t->rq_next = NULL;
	t->rq_prev = rq->tail[p];
	if (rq->tail[p])
		rq->tail[p]->rq_next = t;
	else
		rq->head[p] = t;
	rq->tail[p] = t;
	rq->bitmap |= 1u << p;
	rq->nr++;
}

static void rq_remove(struct runqueue *rq, struct thread *t)
{
	unsigned p = t->prio;

	if (t->rq_prev)
		t->rq_prev->rq_next = t->rq_next;
	else
		rq->head[p] = t->rq_next;
	if (t->rq_next)
		t->rq_next->rq_prev = t->rq_prev;
	else
		rq->tail[p] = t->rq_prev;
	if (!rq->head[p])
		rq->bitmap &= ~(1u << p);
	t->rq_next = t->rq_prev = NULL;
	rq->nr--;
}

/*
 * A thread whose context another CPU has not finished saving (on_cpu) is
 * not picked, except @prev itself: two CPUs each waiting to switch to the
 * other's outgoing thread would wait for each other for ever.
 */
static bool pickable(const struct thread *t, const struct thread *prev)
{
	return t == prev || !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE);
}

static struct thread *rq_pop(struct runqueue *rq, const struct thread *prev)
{
	for (uint32_t levels = rq->bitmap; levels;) {
		int p = 31 - __builtin_clz(levels);
		for (struct thread *t = rq->head[p]; t; t = t->rq_next)
			if (pickable(t, prev)) {
				rq_remove(rq, t);
				return t;
			}
		levels &= ~(1u << p);
	}
	return NULL;
}

static unsigned rq_top_prio(const struct runqueue *rq)
{
	return rq->bitmap ? 31 - __builtin_clz(rq->bitmap) : 0;
}

/*
 * Chooses a CPU for a thread that has none yet: its affinity, else the least
 * loaded. cpus[0 .. ncpus_online - 1] are the online CPUs (smp_start).
 */
static struct cpu *place(struct thread *t)
{
	unsigned n = __atomic_load_n(&ncpus_online, __ATOMIC_ACQUIRE);

	if (t->affinity >= 0 && (unsigned)t->affinity < n && cpus[t->affinity].online)
		return &cpus[t->affinity];
	if (t->cpu)
		return t->cpu;
	struct cpu *best = this_cpu();
	for (unsigned i = 0; i < n; i++)
		if (cpus[i].online && cpus[i].rq.nr < best->rq.nr)
			best = &cpus[i];
	return best;
}

void sched_enqueue(struct thread *t)
{
	struct cpu *c = place(t);
	unsigned long s = spin_lock_irqsave(&c->rq.lock);

	t->cpu = c;
	t->state = THREAD_RUNNABLE;
	rq_push(&c->rq, t);
	struct thread *cur = c->current;
	bool preempt = !cur || cur == c->idle || t->prio > cur->prio;
	spin_unlock_irqrestore(&c->rq.lock, s);
	if (preempt) {
		c->need_resched = true;
		if (c != this_cpu())
			arch_send_ipi(c);
	}
}

/* Takes a runnable thread from the busiest other CPU, if any has one to spare. */
static struct thread *steal(struct cpu *self)
{
	struct cpu *victim = NULL;

	for (unsigned i = 0; i < ncpus_online; i++)
		if (&cpus[i] != self && cpus[i].rq.nr > 0 && (!victim || cpus[i].rq.nr > victim->rq.nr))
			victim = &cpus[i];
	/* A busy victim is skipped: an idle CPU must not queue behind its scheduler. */
	if (!victim || !spin_trylock(&victim->rq.lock))
		return NULL;
	struct thread *t = NULL;
	for (int p = 31; p >= 0 && !t; p--)
		for (struct thread *x = victim->rq.head[p]; x; x = x->rq_next)
			if (x->affinity < 0 && pickable(x, NULL)) {
				t = x;
				break;
			}
	if (t) {
		rq_remove(&victim->rq, t);
		t->cpu = self;
	}
	spin_unlock(&victim->rq.lock);
	return t;
}

void schedule(void)
{
	unsigned long s = arch_irq_save();
	struct cpu *c = this_cpu();
	struct thread *prev = c->current, *next;

	c->need_resched = false;
	spin_lock(&c->rq.lock);
	if (prev->state == THREAD_RUNNING && prev != c->idle) {
		prev->state = THREAD_RUNNABLE;
		rq_push(&c->rq, prev);
	}
	next = rq_pop(&c->rq, prev);
	spin_unlock(&c->rq.lock);
	if (!next)
		next = steal(c);
	if (!next)
		next = c->idle;
	if (next == prev) {
		prev->state = THREAD_RUNNING;
	} else {
		/* Taken off a run queue, it may still be leaving another CPU. */
		while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
			;
		sched_switch_direct(c, next);
	}
	arch_irq_restore(s);
}

void sched_switch_to(struct thread *next)
{
	unsigned long s = arch_irq_save();
	struct cpu *c = this_cpu();

	if (!sched_can_switch_to(c, next)) {
		sched_enqueue(next);
		schedule();
	} else {
		sched_switch_direct(c, next);
	}
	arch_irq_restore(s);
}

void sched_finish_switch(void)
{
	sched_finish_switch_inline(this_cpu());
}

void sched_yield(void)
{
	schedule();
}

unsigned sched_runnable(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ncpus_online; i++)
		n += __atomic_load_n(&cpus[i].rq.nr, __ATOMIC_RELAXED);
	return n;
}

noreturn void sched_idle_loop(void)
{
	struct cpu *c = this_cpu();

	for (;;) {
		arch_irq_save();
		if (c->need_resched || c->rq.nr)
			schedule();
		else
			arch_idle();
	}
}

void sched_exit_to_user(void)
{
	struct cpu *c = this_cpu();

	if (c->need_resched)
		schedule();
}

/*
 * The load averages, as Linux's: every LOAD_INTERVAL seconds the threads
 * running or runnable are folded into three exponentially decaying
 * averages (1, 5 and 15 minutes), fixed point with LOAD_SHIFT bits.
 */
#define LOAD_INTERVAL 5
#define LOAD_SHIFT 11
static uint64_t load_avg[3];

static void load_sample(void)
{
	static const uint64_t decay[3] = {1884, 2014, 2037};	/* 2^11 / e^(5 s / 1, 5, 15 min) */
	uint64_t active = sched_active() << LOAD_SHIFT;

	for (int i = 0; i < 3; i++) {
		uint64_t a = load_avg[i] * decay[i] + active * ((1 << LOAD_SHIFT) - decay[i]);
		__atomic_store_n(&load_avg[i], a >> LOAD_SHIFT, __ATOMIC_RELAXED);
	}
}

uint64_t sched_load(unsigned which)
{
	return which < 3 ? __atomic_load_n(&load_avg[which], __ATOMIC_RELAXED) : 0;
}

unsigned sched_active(void)
{
	unsigned n = sched_runnable();

	for (unsigned i = 0; i < ncpus_online; i++) {
		struct thread *cur = __atomic_load_n(&cpus[i].current, __ATOMIC_RELAXED);
		n += cur && cur != cpus[i].idle;
	}
	return n;
}

/*
 * Whether the tick that interrupted user thread @t came as it returned from
 * a system call: the kernel runs with interrupts masked, so a tick that
 * fell due while it served the call is taken at the first user instruction
 * after it. Such a tick is the kernel's time (Linux's stime). Reads the
 * instruction through the page tables: no lock, and a page going away
 * meanwhile only makes the guess wrong.
 */
static bool tick_after_syscall(const struct thread *t)
{
	uint8_t insn[ARCH_SYSCALL_INSN_LEN];
	vaddr_t va = arch_uregs_pc(t->uregs) - ARCH_SYSCALL_INSN_LEN;
	paddr_t pa;

	for (unsigned i = 0; i < ARCH_SYSCALL_INSN_LEN; i++) {
		if (!arch_page_query(t->proc->root, va + i, &pa, NULL))
			return false;
		insn[i] = *(const volatile uint8_t *)phys_to_virt(pa);
	}
	return arch_is_syscall_insn(insn);
}

/* Runs on each tick with interrupts masked: round robin and timed waits. */
void sched_tick(void)
{
	struct cpu *c = this_cpu();
	struct thread *cur = c->current;

	if (cur && cur != c->idle) {
		/* CPU time, sampled as Linux's is: the tick goes to whoever it interrupted. */
		if (cur->proc) {
			uint64_t t = __atomic_add_fetch(&cur->proc->ticks, 1, __ATOMIC_RELAXED);
			uint64_t own = __atomic_add_fetch(&cur->ticks, 1, __ATOMIC_RELAXED);
			if (cur->uregs && tick_after_syscall(cur)) {
				__atomic_add_fetch(&cur->proc->kticks, 1, __ATOMIC_RELAXED);
				__atomic_add_fetch(&cur->kticks, 1, __ATOMIC_RELAXED);
			}
			if (__atomic_load_n(&cur->proc->alarm.at, __ATOMIC_RELAXED))
				alarm_tick(&cur->proc->alarm, t);
			if (__atomic_load_n(&cur->alarm.at, __ATOMIC_RELAXED))
				alarm_tick(&cur->alarm, own);
		}
		if (cur->slice)
			cur->slice--;
		if (!cur->slice && c->rq.nr && rq_top_prio(&c->rq) >= cur->prio)
			c->need_resched = true;
	} else {
		c->idle_ticks++;
		/* Idle: look for work here or, once a tick, on busier CPUs (steal()). */
		if (c->rq.nr || sched_runnable())
			c->need_resched = true;
	}
	sched_timers(arch_time_ns());
	if (c->id == 0 && c->ticks % (LOAD_INTERVAL * TICK_HZ) == 0)
		load_sample();
}

/* Creates the idle thread of the calling CPU around the stack it runs on. */
static void idle_init(void)
{
	struct cpu *c = this_cpu();
	struct thread *idle = thread_create_idle();

	if (!idle)
		panic("no memory for CPU %u's idle thread", c->id);
	idle->cpu = c;
	idle->state = THREAD_RUNNING;
	idle->on_cpu = true;
	c->idle = c->current = idle;
}

void sched_init(void)
{
	idle_init();
}

void sched_init_secondary(void)
{
	idle_init();
}

void wq_init(struct wait_queue *q)
{
	*q = (struct wait_queue)WAIT_QUEUE_INIT;
}

void wq_timer_remove(struct thread *t)
{
	spin_lock(&timer_lock);
	if (t->sleep_until) {
		struct thread **pp = &timers;
		while (*pp && *pp != t)
			pp = &(*pp)->rq_next;
		if (*pp)
			*pp = t->rq_next;
		t->rq_next = NULL;
		t->sleep_until = 0;
		timers_changed();
	}
	spin_unlock(&timer_lock);
}

/* Makes @t (on @q, whose lock the caller holds) runnable with a result. */
static void wake(struct wait_queue *q, struct thread *t, int64_t status, uint64_t value)
{
	wq_unpark(q, t);
	t->wake_status = status;
	t->wake_value = value;
	sched_enqueue(t);
}

int64_t wq_wait(struct wait_queue *q, unsigned long irq, uint64_t deadline_ns)
{
	return wq_wait_switch(q, irq, deadline_ns, NULL);
}

int64_t wq_wait_switch(struct wait_queue *q, unsigned long irq, uint64_t deadline_ns,
		       struct thread *next)
{
	struct thread *t = thread_current();

	t->wake_status = 0;
	t->state = THREAD_BLOCKED;
	wq_park(q, t);
	/*
	 * thread_kill and thread_redirect set t->pending, then look for the
	 * queue to take @t off; this parks, then looks at t->pending: one of the
	 * two sees the other.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint8_t pending = __atomic_load_n(&t->pending, __ATOMIC_RELAXED);
	if (pending & PENDING_KILL || ((pending & PENDING_WAKES) && !q->no_intr)) {
		thread_intr_taken(t);
		wq_unpark(q, t);
		t->state = THREAD_RUNNING;
		spin_unlock_irqrestore(&q->lock, irq);
		if (next)
			sched_enqueue(next);
		return -EINTR;
	}
	if (deadline_ns) {
		/* Timed threads are linked by rq_next, unused while blocked. */
		spin_lock(&timer_lock);
		t->sleep_until = deadline_ns;
		struct thread **pp = &timers;
		while (*pp && (*pp)->sleep_until <= deadline_ns)
			pp = &(*pp)->rq_next;
		t->rq_next = *pp;
		*pp = t;
		timers_changed();
		spin_unlock(&timer_lock);
	}
	spin_unlock(&q->lock);
	if (next)
		sched_switch_to(next);
	else
		schedule();
	arch_irq_restore(irq);
	return t->wake_status;
}

struct thread *wq_take(struct wait_queue *q)
{
	struct thread *t = q->head;

	if (t)
		wq_unpark(q, t);
	return t;
}

void wq_wake_thread(struct wait_queue *q, struct thread *t, int64_t status, uint64_t value)
{
	wake(q, t, status, value);
}

struct thread *wq_wake_one(struct wait_queue *q, int64_t status, uint64_t value)
{
	struct thread *t = q->head;

	if (t)
		wake(q, t, status, value);
	return t;
}

unsigned wq_wake_all(struct wait_queue *q, int64_t status, uint64_t value)
{
	unsigned n = 0;

	while (q->head) {
		wake(q, q->head, status, value);
		n++;
	}
	return n;
}

/* Wakes @t from whatever it waits on with @status; safe against a concurrent wake-up. */
void sched_interrupt_wait(struct thread *t, int64_t status)
{
	struct wait_queue *q = __atomic_load_n(&t->waiting_on, __ATOMIC_ACQUIRE);

	if (!q)
		return;
	unsigned long s = spin_lock_irqsave(&q->lock);
	/*
	 * Claimed with an exchange, not only compared: the answer of an IPC
	 * fast path claims a caller in a reply slot the same way, without the
	 * slot's lock (kern/ipc.c), and only one of the two may have it.
	 */
	struct wait_queue *expected = q;	/* a failed exchange overwrites it; q stays for the unlock */
	if (__atomic_compare_exchange_n(&t->waiting_on, &expected, NULL, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		wake(q, t, status, 0);
	spin_unlock_irqrestore(&q->lock, s);
}

void sched_timers(uint64_t now)
{
	for (;;) {
		if (__atomic_load_n(&timers_first, __ATOMIC_RELAXED) > now)
			return;
		spin_lock(&timer_lock);
		struct thread *t = timers;
		if (!t || t->sleep_until > now) {
			spin_unlock(&timer_lock);
			return;
		}
		/* Unlink it here, then wake it outside timer_lock (lock order). */
		timers = t->rq_next;
		t->rq_next = NULL;
		t->sleep_until = 0;
		timers_changed();
		kobj_get(&t->k);
		spin_unlock(&timer_lock);
		sched_interrupt_wait(t, -ETIMEDOUT);
		kobj_put(&t->k);
	}
}

static struct wait_queue sleepers = WAIT_QUEUE_INIT;

int64_t sched_sleep(uint64_t ns)
{
	unsigned long s = spin_lock_irqsave(&sleepers.lock);
	int64_t r = wq_wait(&sleepers, s, arch_time_ns() + (ns ? ns : 1));

	return r == -ETIMEDOUT ? 0 : r;
}
