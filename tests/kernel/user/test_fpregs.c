/*
 * The FP/SIMD registers are each thread's own, whichever way the kernel moves
 * them (lazily on aarch64 and riscv64: docs/ARCHITECTURE.md). Threads fill
 * every register and the rounding mode with values of their own, yield to
 * each other hundreds of times, and must find them unchanged: threads bound
 * to one CPU (every switch between them is a switch of FP state on that CPU)
 * and threads free to move, which idle CPUs steal (their state then follows
 * them to another CPU; how often that happened is printed, not checked: it
 * depends on timing). The part in assembly is <arch>/fpregs.c.
 */
#include "../../../roottask/utest.h"

/*
 * Fills the FP/SIMD registers and rounding mode from @seed, makes @rounds
 * thread_yield calls (every 32nd a thread_sleep to the next tick, which
 * gives idle CPUs the chance to steal), and returns how many registers
 * differ afterwards;
 * *moves counts the times thread_self_cpu changed between the yields.
 */
uint64_t fp_fill_yield_check(uint64_t seed, uint64_t rounds, uint64_t *moves);

#define PINNED 3
#define FREE_PER_CPU 2
#define MAX_THREADS (PINNED + FREE_PER_CPU * 64)
#define ROUNDS 300

static uint64_t moves[MAX_THREADS];

static uint64_t fp_worker(uint64_t i)
{
	/* Distinct in every thread and every register; i % 4 picks the rounding mode. */
	uint64_t seed = (i + 1) * 0x0101010100010000ull + i;

	/* Unequal lengths: CPUs whose threads are done go idle and steal the others. */
	return fp_fill_yield_check(seed, ROUNDS * (1 + i % 4), &moves[i]);
}

UTEST(fp_registers_across_switches_and_cpus)
{
	uint64_t ncpus = info(INFO_CPUS), n = PINNED + FREE_PER_CPU * (ncpus < 64 ? ncpus : 64);
	uint64_t moved = 0, bad;
	handle_t t[MAX_THREADS];

	for (uint64_t i = 0; i < n; i++) {
		moves[i] = 0;
		/* The first PINNED share the last CPU; the scheduler places the others. */
		int cpu = i < PINNED ? (int)(ncpus - 1) : -1;
		UCHECK(vr_thread_create_on(fp_worker, i, cpu, &t[i]) == 0, "create thread %lu", i);
	}
	for (uint64_t i = 0; i < n; i++)
		vr_thread_start(t[i]);
	/* The main thread's own registers take part too. */
	uint64_t mine = fp_fill_yield_check(0x5eed000000000003ull, ROUNDS, &bad);
	uint64_t failed = n, failed_st = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t st = ~0ull;
		if ((vr_thread_wait(t[i], &st) != 0 || st != 0) && failed == n)
			failed = i, failed_st = st;
		vr_handle_close(t[i]);
		if (i >= PINNED)
			moved += moves[i];
	}
	UCHECK(mine == 0, "the main thread: %lu FP registers changed", mine);
	for (uint64_t i = 0; i < PINNED; i++)
		UCHECK(moves[i] == 0, "thread %lu bound to CPU %lu moved", i, ncpus - 1);
	UCHECK(failed == n, "thread %lu: %lu FP registers changed", failed, failed_st);
	vr_printf("fp_registers: %lu threads, %lu moves between CPUs seen\n", n + 1, moved);
	return NULL;
}
