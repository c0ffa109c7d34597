/*
 * User-space benchmarks. Under QEMU -icount shift=0 the cycle counter counts
 * retired instructions, so each line is instructions per operation:
 *   bench <name> <arch> <instructions-per-op>
 */
#include "utest.h"

static void report(const char *name, uint64_t total, uint64_t ops)
{
	uint64_t hundredths = total * 100 / ops;

	vr_printf("bench %s %s %lu.%02lu\n", name, VR_ARCH, hundredths / 100, hundredths % 100);
}

static void bench_null_syscall(void)
{
	const uint64_t n = 20000;

	vr_null();
	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++)
		vr_null();
	report("null_syscall", vr_cycles() - t0, n);
}

/* The other side of the IPC benchmarks: a server process answering at once. */
static uint64_t echo_server(uint64_t ep)
{
	static char buffer[VR_PAGE] __attribute__((aligned(VR_PAGE)));
	uint64_t m[8];

	vr_ipc_buffer_set((uint64_t)(uintptr_t)buffer);
	int64_t got = vr_ipc_recv(ep, m);	/* the caller's badge (>= 0) or an error */
	while (got >= 0 && VR_TAG_LABEL(m[0]) != 99)
		got = vr_ipc_reply_recv(ep, m);
	return 0;
}

static void bench_ipc(void)
{
	static char buffer[VR_PAGE] __attribute__((aligned(VR_PAGE)));
	handle_t ep, proc, given;
	const uint64_t n = 5000;
	uint64_t m[8];

	if (vr_endpoint_create(&ep) || vr_spawn_prepare(&vr_self_image, &proc) ||
	    vr_process_handle_give(proc, ep, VR_RIGHT_RECV, &given))
		return;
	/* Client and server on one CPU: the round trip is two direct switches. */
	vr_spawn_start(proc, echo_server, given);
	vr_ipc_buffer_set((uint64_t)(uintptr_t)buffer);
	for (int i = 0; i < 100; i++) {
		m[0] = VR_TAG(1, 2);
		vr_ipc_call(ep, m);
	}
	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++) {
		m[0] = VR_TAG(1, 2);
		m[1] = i;
		vr_ipc_call(ep, m);
	}
	report("ipc_call_reply", vr_cycles() - t0, n);
	t0 = vr_cycles();
	for (uint64_t i = 0; i < n / 5; i++) {
		m[0] = VR_TAG(1, 0) | VR_TAG_LONG(VR_PAGE);
		vr_ipc_call(ep, m);
	}
	report("ipc_call_reply_4k", vr_cycles() - t0, n / 5);
	m[0] = VR_TAG(99, 0);
	vr_ipc_call(ep, m);
	reap(proc);
	vr_handle_close(ep);
}

static handle_t ping_n, pong_n;

static uint64_t ponger(uint64_t rounds)
{
	uint64_t bits;

	for (uint64_t i = 0; i < rounds; i++) {
		vr_notify_wait(ping_n, 0, &bits);
		vr_notify_signal(pong_n, 1);
	}
	return 0;
}

static void bench_notify(void)
{
	const uint64_t n = 5000;
	handle_t t;
	uint64_t bits, st, cpu = 0;

	vr_thread_self_cpu(&cpu);
	vr_notify_create(&ping_n);
	vr_notify_create(&pong_n);
	vr_thread_create_on(ponger, n, (int)cpu, &t);
	vr_thread_start(t);
	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++) {
		vr_notify_signal(ping_n, 1);
		vr_notify_wait(pong_n, 0, &bits);
	}
	/* Two signals and two waits per round trip: report one signal-and-switch. */
	report("notify_switch", vr_cycles() - t0, 2 * n);
	vr_thread_wait(t, &st);
	vr_handle_close(t);
	vr_handle_close(ping_n);
	vr_handle_close(pong_n);
}

static uint64_t yielder(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		vr_thread_yield();
	return 0;
}

static void bench_yield(void)
{
	const uint64_t n = 5000;
	handle_t a, b;
	uint64_t st;

	/* Two threads bound to one CPU yielding to each other: each yield is a switch. */
	vr_thread_create_on(yielder, n, 1 % (int)info(INFO_CPUS), &a);
	vr_thread_create_on(yielder, n, 1 % (int)info(INFO_CPUS), &b);
	uint64_t t0 = vr_cycles();
	vr_thread_start(a);
	vr_thread_start(b);
	vr_thread_wait(a, &st);
	vr_thread_wait(b, &st);
	report("ctx_switch_yield", vr_cycles() - t0, 2 * n);
	vr_handle_close(a);
	vr_handle_close(b);
}

static void bench_page_fault(void)
{
	const uint64_t pages = 2048;
	volatile char *p = vr_map_anon(pages * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE);

	if (!p)
		return;
	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < pages; i++)
		p[i * VR_PAGE] = 1;
	report("page_fault_anon", vr_cycles() - t0, pages);
	vr_unmap((void *)p, pages * VR_PAGE);
}

static uint64_t nothing(uint64_t arg)
{
	return 0;
}

static void bench_spawn(void)
{
	const uint64_t n = 50;

	reap(spawn(nothing, 0));	/* load the shared segments once */
	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++)
		reap(spawn(nothing, 0));
	report("proc_spawn_exit", vr_cycles() - t0, n);
}

/*
 * fork, the child's one thread running nothing, exit and wait, for a process
 * with 4 MiB of written memory: what POSIX fork()+_exit()+wait() will cost
 * the kernel, less the proc server.
 */
static void bench_fork(void)
{
	const uint64_t n = 20, size = 4ull << 20;
	volatile char *p = vr_map_anon(size, VR_PROT_READ | VR_PROT_WRITE);

	if (!p)
		return;
	for (uint64_t i = 0; i < size; i += VR_PAGE)
		p[i] = 1;
	reap(fork_run(nothing, 0));
	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++)
		reap(fork_run(nothing, 0));
	report("process_fork_exit_4m", vr_cycles() - t0, n);
	vr_unmap((void *)p, size);
}

void run_benchmarks(void)
{
	bench_null_syscall();
	bench_ipc();
	bench_notify();
	bench_yield();
	bench_page_fault();
	bench_spawn();
	bench_fork();
}
