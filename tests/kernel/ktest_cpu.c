/* In-kernel tests of time, the periodic tick, secondary CPUs and inter-processor interrupts. */
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/ktest.h>

/*
 * A loaded host can hold a vCPU off for tens of milliseconds, so the tick
 * tests wait for the ticks they expect, up to this long, rather than for a
 * fixed time: only a timer that does not tick fails them.
 */
#define TICK_WAIT_LIMIT_NS 10000000000ull

/* Whether every online CPU ticked since @before. */
static bool all_ticked(const uint64_t *before)
{
	for (unsigned i = 0; i < ncpus_online; i++)
		if (__atomic_load_n(&cpus[i].ticks, __ATOMIC_RELAXED) == before[i])
			return false;
	return true;
}

KTEST(time_monotonic)
{
	uint64_t a = arch_time_ns(), b = arch_time_ns();

	KCHECK(b >= a, "time went back: %lu then %lu", a, b);
	return NULL;
}

KTEST(timer_ticks)
{
	struct cpu *c = this_cpu();
	uint64_t t0 = __atomic_load_n(&c->ticks, __ATOMIC_RELAXED), start = arch_time_ns();

	/* 3 ticks take 20-30 ms at 100 Hz. */
	while (__atomic_load_n(&c->ticks, __ATOMIC_RELAXED) - t0 < 3 &&
	       arch_time_ns() - start < TICK_WAIT_LIMIT_NS)
		arch_idle();
	uint64_t ticks = __atomic_load_n(&c->ticks, __ATOMIC_RELAXED) - t0;
	KCHECK(ticks >= 3, "%lu ticks in %lu ns", ticks, arch_time_ns() - start);
	return NULL;
}

KTEST(smp_all_cpus_online)
{
	KCHECK(ncpus_online == boot_info.ncpus, "%u of %u CPUs online", ncpus_online, boot_info.ncpus);
	for (unsigned i = 0; i < ncpus_online; i++)
		KCHECK(cpus[i].online && cpus[i].id == i, "cpus[%u] not set up", i);
	/* Every CPU's tick runs. */
	uint64_t before[MAX_CPUS], start = arch_time_ns();
	for (unsigned i = 0; i < ncpus_online; i++)
		before[i] = __atomic_load_n(&cpus[i].ticks, __ATOMIC_RELAXED);
	while (!all_ticked(before) && arch_time_ns() - start < TICK_WAIT_LIMIT_NS)
		arch_idle();
	for (unsigned i = 0; i < ncpus_online; i++)
		KCHECK(__atomic_load_n(&cpus[i].ticks, __ATOMIC_RELAXED) > before[i],
		       "CPU %u's timer does not tick", i);
	return NULL;
}

KTEST(ipi_reaches_each_cpu)
{
	for (unsigned i = 0; i < ncpus_online; i++) {
		/* The test may run on any CPU: it cannot take its own IPI with interrupts masked. */
		if (&cpus[i] == this_cpu())
			continue;
		uint64_t before = __atomic_load_n(&cpus[i].ipis, __ATOMIC_RELAXED);
		arch_send_ipi(&cpus[i]);
		uint64_t start = arch_time_ns();
		while (__atomic_load_n(&cpus[i].ipis, __ATOMIC_RELAXED) == before &&
		       arch_time_ns() - start < 1000000000ull)
			;
		KCHECK(cpus[i].ipis > before, "CPU %u did not take an IPI", i);
	}
	return NULL;
}
