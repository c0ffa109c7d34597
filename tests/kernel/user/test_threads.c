/* Threads: every CPU used, preemption of a spinning thread, futexes. */
#include "../../../roottask/utest.h"

static uint64_t report_cpu(uint64_t arg)
{
	uint64_t cpu = ~0ull;

	vr_thread_self_cpu(&cpu);
	return cpu;
}

UTEST(threads_on_all_cpus)
{
	uint64_t n = info(INFO_CPUS);
	handle_t t[64];

	UCHECK(n >= 1 && n <= 64, "%lu CPUs", n);
	for (uint64_t i = 0; i < n; i++) {
		UCHECK(vr_thread_create_on(report_cpu, 0, (int)i, &t[i]) == 0, "create on CPU %lu", i);
		UCHECK(vr_thread_start(t[i]) == 0, "start");
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t cpu = ~0ull;
		UCHECK(vr_thread_wait(t[i], &cpu) == 0, "wait");
		vr_handle_close(t[i]);
		UCHECK(cpu == i, "thread bound to CPU %lu ran on %lu", i, cpu);
	}
	return NULL;
}

static volatile uint64_t stop_spinning, progress;

static uint64_t spin(uint64_t arg)
{
	while (!stop_spinning)
		;
	return 0;
}

static uint64_t make_progress(uint64_t arg)
{
	for (int i = 0; i < 1000; i++)
		progress++;
	return 1;
}

UTEST(preemption_spinner_cannot_starve)
{
	handle_t a, b;
	uint64_t cpu = info(INFO_CPUS) > 1 ? 1 : 0, st = 0;

	stop_spinning = 0;
	progress = 0;
	/* Both on one CPU at the same priority: only the tick can let the second one run. */
	UCHECK(vr_thread_create_on(spin, 0, (int)cpu, &a) == 0, "create spinner");
	UCHECK(vr_thread_create_on(make_progress, 0, (int)cpu, &b) == 0, "create worker");
	vr_thread_start(a);
	vr_thread_start(b);
	/* Give it two seconds; a scheduler without preemption never runs the worker. */
	for (int i = 0; i < 2000 && progress < 1000; i++)
		vr_thread_sleep(1000000);
	uint64_t seen = progress;
	stop_spinning = 1;
	int64_t err = vr_thread_wait(b, &st);
	vr_thread_wait(a, &st);
	vr_handle_close(a);
	vr_handle_close(b);
	UCHECK(err == 0 && seen == 1000, "the worker made %lu of 1000 steps beside a spinner", seen);
	return NULL;
}

static uint32_t futex_word;

static uint64_t futex_waker(uint64_t arg)
{
	vr_thread_sleep(5000000);
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
	uint64_t woken = 0;
	vr_futex_wake(&futex_word, 10, &woken);
	return woken;
}

UTEST(futex_wait_wake_timeout)
{
	handle_t t;
	uint64_t woken = 0;

	futex_word = 0;
	UCHECK(vr_futex_wait(&futex_word, 5, 0) == -VR_EAGAIN, "mismatched value did not return EAGAIN");
	UCHECK(vr_futex_wait(&futex_word, 0, 3000000) == -VR_ETIMEDOUT, "timeout did not expire");
	UCHECK(vr_futex_wait((uint32_t *)0x1000, 0, 0) == -VR_EFAULT, "bad address accepted");
	UCHECK(vr_futex_wait((uint32_t *)((uintptr_t)&futex_word + 2), 0, 0) == -VR_EINVAL,
	       "misaligned address accepted");
	UCHECK(vr_futex_wait(&futex_word, 1ull << 32, 0) == -VR_EINVAL, "64-bit value accepted");
	UCHECK(vr_thread_spawn(futex_waker, 0, &t) == 0, "spawn waker");
	int64_t r = 0;
	while (__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST) == 0) {
		r = vr_futex_wait(&futex_word, 0, 0);
		if (r && r != -VR_EAGAIN)
			break;
	}
	vr_thread_wait(t, &woken);
	vr_handle_close(t);
	UCHECK(r == 0 || r == -VR_EAGAIN, "futex_wait returned %ld", r);
	UCHECK(futex_word == 1, "never woken");
	return NULL;
}

/* Two thread-pointer targets; on x86_64 the first word points to itself (the TLS ABI's rule). */
/*
 * A futex in memory two processes share is one futex: the child maps the
 * VMO at another address than the parent and waits; the parent's wake must
 * find it (futexes are named by physical address, not by process and address).
 */
#define SHARED_PARENT 0x31000000ull
#define SHARED_CHILD 0x32004000ull

static uint64_t shared_waiter(uint64_t arg)
{
	volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)SHARED_CHILD;

	__atomic_store_n(&w[1], 1, __ATOMIC_SEQ_CST);
	int64_t r = vr_futex_wait((uint32_t *)&w[0], 0, 3000000000ull);
	return r == 0 ? 7 : r == -VR_ETIMEDOUT ? 99 : 98;
}

UTEST(futex_shared_between_processes)
{
	handle_t vmo, proc;
	uint64_t at, woken = 0, ns0, ns;

	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo");
	UCHECK(vr_vm_map(vr_self, vmo, SHARED_PARENT, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at) == 0,
	       "map");
	volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)at;
	UCHECK(vr_spawn_prepare(&vr_self_image, &proc) == 0, "spawn");
	UCHECK(vr_vm_map(proc, vmo, SHARED_CHILD, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at) == 0,
	       "map in the child");
	UCHECK(vr_spawn_start(proc, shared_waiter, 0) == 0, "start");
	while (!__atomic_load_n(&w[1], __ATOMIC_SEQ_CST))
		vr_thread_yield();
	/* The child may not be asleep yet: wake until one thread is woken (for at most 2 s). */
	vr_clock_get(&ns0);
	do {
		UCHECK(vr_futex_wake((uint32_t *)&w[0], 1, &woken) == 0, "futex_wake");
		if (!woken)
			vr_thread_sleep(1000000);
		vr_clock_get(&ns);
	} while (!woken && ns - ns0 < 2000000000ull);
	int64_t status = reap(proc);
	vr_vm_unmap(vr_self, SHARED_PARENT, VR_PAGE);
	vr_handle_close(vmo);
	UCHECK(woken == 1, "the parent's wake found %lu waiters", woken);
	UCHECK(status == 7, "the child's wait ended with %ld (99: timed out)", status);
	UCHECK(vr_futex_wake((uint32_t *)0x1000, 1, &woken) == -VR_EFAULT, "wake of a bad address");
	return NULL;
}

static uint64_t tls_a[4] __attribute__((aligned(16))), tls_b[4] __attribute__((aligned(16)));

static uint64_t report_tls(uint64_t arg)
{
	for (int i = 0; i < 3; i++)
		vr_thread_yield();
	vr_thread_sleep(1000000);
	return vr_tls_self();
}

UTEST(thread_tls_for_self_and_new_threads)
{
	handle_t t;
	uint64_t got = 0;

	tls_a[0] = (uint64_t)(uintptr_t)tls_a;
	tls_b[0] = (uint64_t)(uintptr_t)tls_b;
	UCHECK(vr_thread_set_tls(0, (uint64_t)(uintptr_t)tls_a) == 0, "set own TLS");
	UCHECK(vr_tls_self() == (uint64_t)(uintptr_t)tls_a, "own TLS reads %#lx", vr_tls_self());
	/* A new thread gets its own before it starts; both survive switches and sleeps. */
	UCHECK(vr_thread_create_on(report_tls, 0, -1, &t) == 0, "create");
	UCHECK(vr_thread_set_tls(t, (uint64_t)(uintptr_t)tls_b) == 0, "set new thread's TLS");
	UCHECK(vr_thread_start(t) == 0, "start");
	for (int i = 0; i < 3; i++)
		vr_thread_yield();
	UCHECK(vr_thread_wait(t, &got) == 0, "wait");
	UCHECK(got == (uint64_t)(uintptr_t)tls_b, "new thread saw TLS %#lx", got);
	UCHECK(vr_tls_self() == (uint64_t)(uintptr_t)tls_a, "own TLS changed to %#lx", vr_tls_self());
	/* Bad requests: a kernel address, a thread that ran already, a forged handle. */
	UCHECK(vr_thread_set_tls(0, 0xffff800000000000ull) == -VR_EINVAL, "kernel address accepted");
	UCHECK(vr_thread_set_tls(t, (uint64_t)(uintptr_t)tls_b) == -VR_EBUSY, "exited thread");
	UCHECK(vr_thread_set_tls(t ^ 0x5a5a000000, 0) == -VR_EBADF, "forged handle");
	vr_handle_close(t);
	UCHECK(vr_thread_set_tls(0, 0) == 0, "reset own TLS");
	return NULL;
}

/* Where the thread's stack is: the address of a local, told through @arg. */
static uint64_t note_stack(uint64_t arg)
{
	volatile uint64_t local = 0;

	__atomic_store_n((uint64_t *)(uintptr_t)arg, (uint64_t)(uintptr_t)&local, __ATOMIC_RELEASE);
	return local;
}

static uint64_t note_stack_and_spin(uint64_t arg)
{
	note_stack(arg);
	for (;;)
		vr_thread_yield();
	return 0;
}

/* Whether the page holding @addr is still mapped: vm_protect answers -ENOMEM for a hole. */
static bool page_mapped(uint64_t addr)
{
	return vr_vm_protect(vr_self, addr & ~4095ull, 4096, VR_PROT_READ | VR_PROT_WRITE) == 0;
}

/* vr_thread_spawn's stacks were never unmapped: every thread left 64 KiB behind. */
UTEST(thread_stack_unmapped_at_exit)
{
	handle_t t;
	uint64_t at = 0, st;

	/* A thread that returns. */
	UCHECK(vr_thread_spawn(note_stack, (uint64_t)(uintptr_t)&at, &t) == 0, "spawn");
	UCHECK(vr_thread_wait(t, &st) == 0, "wait");
	vr_handle_close(t);
	UCHECK(at != 0, "the thread told no stack address");
	UCHECK(!page_mapped(at), "the stack at %#lx of an ended thread is still mapped", at);
	/* A thread that is killed. */
	at = 0;
	UCHECK(vr_thread_spawn(note_stack_and_spin, (uint64_t)(uintptr_t)&at, &t) == 0, "spawn");
	while (!__atomic_load_n(&at, __ATOMIC_ACQUIRE))
		vr_thread_yield();
	UCHECK(page_mapped(at), "the stack at %#lx of a running thread is not mapped", at);
	UCHECK(vr_thread_kill(t) == 0, "kill");
	vr_thread_wait(t, &st);
	UCHECK(!page_mapped(at), "the stack at %#lx of a killed thread is still mapped", at);
	/* Bad requests: unaligned, a kernel range, a started thread, a forged handle. */
	UCHECK(vr_thread_set_stack(0, 4095, 4096) == -VR_EINVAL, "unaligned base accepted");
	UCHECK(vr_thread_set_stack(0, 0xffff800000000000ull, 4096) == -VR_EINVAL,
	       "kernel range accepted");
	UCHECK(vr_thread_set_stack(t, 0x10000, 4096) == -VR_EBUSY, "ended thread accepted");
	UCHECK(vr_thread_set_stack(t ^ 0x5a5a000000, 0x10000, 4096) == -VR_EBADF, "forged handle");
	vr_handle_close(t);
	UCHECK(vr_thread_set_stack(0, 0, 0) == 0, "clearing the caller's own");
	return NULL;
}

/* A thread created, given a stack and closed without ever starting kept its stack mapped. */
UTEST(thread_stack_unmapped_when_never_started)
{
	handle_t t, other;
	uint64_t st, size = 4 * VR_PAGE;
	uint8_t *stack = vr_map_anon(size, VR_PROT_READ | VR_PROT_WRITE);

	UCHECK(stack, "map");
	uint64_t base = (uint64_t)(uintptr_t)stack;
	UCHECK(vr_thread_create(vr_self, (uint64_t)(uintptr_t)note_stack, base + size - 16, 0, &t) == 0,
	       "create");
	UCHECK(vr_thread_set_stack(t, base, size) == 0, "set_stack");
	/* A second handle keeps the thread, and its stack, alive. */
	UCHECK(vr_handle_derive(t, 0x3ff, &other) == 0, "derive");
	vr_handle_close(t);
	UCHECK(page_mapped(base) && page_mapped(base + size - VR_PAGE),
	       "the stack at %#lx went with a handle, not with the thread", base);
	vr_handle_close(other);
	UCHECK(!page_mapped(base) && !page_mapped(base + size - VR_PAGE),
	       "the stack at %#lx of a closed, never started thread is still mapped", base);
	/* One started after all loses it at its end, as before. */
	uint64_t at = 0;
	UCHECK(vr_thread_create_on(note_stack, (uint64_t)(uintptr_t)&at, -1, &t) == 0, "create_on");
	UCHECK(vr_thread_start(t) == 0, "start");
	UCHECK(vr_thread_wait(t, &st) == 0, "wait");
	vr_handle_close(t);
	UCHECK(at && !page_mapped(at), "the stack at %#lx of an ended thread is still mapped", at);
	return NULL;
}
