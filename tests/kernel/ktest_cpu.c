/* In-kernel tests of time, the periodic tick, secondary CPUs and inter-processor interrupts. */
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/ktest.h>

static uint64_t wait_ns(uint64_t ns)
{
	uint64_t start = arch_time_ns();

	while (arch_time_ns() - start < ns)
		arch_idle();
	return arch_time_ns() - start;
}

KTEST(time_monotonic)
{
	uint64_t a = arch_time_ns(), b = arch_time_ns();

	KCHECK(b >= a, "time went back: %lu then %lu", a, b);
	return NULL;
}

KTEST(timer_ticks)
{
	/*
	 * The tick keeps coming: 3 of them (5 at 100 Hz take 50 ms, but a loaded
	 * host can hold the vCPU back and merge missed ticks, so no rate is
	 * checked; 10 s without 3 ticks is a timer that stopped).
	 */
	uint64_t t0 = this_cpu()->ticks, took = 0;

	while (this_cpu()->ticks - t0 < 3 && took < 10000000000ull)
		took += wait_ns(10000000);
	KCHECK(this_cpu()->ticks - t0 >= 3, "%lu ticks in %lu ns", this_cpu()->ticks - t0, took);
	return NULL;
}

KTEST(smp_all_cpus_online)
{
	KCHECK(ncpus_online == boot_info.ncpus, "%u of %u CPUs online", ncpus_online, boot_info.ncpus);
	for (unsigned i = 0; i < ncpus_online; i++)
		KCHECK(cpus[i].online && cpus[i].id == i, "cpus[%u] not set up", i);
	/* Every CPU's tick runs. */
	uint64_t before[MAX_CPUS];
	for (unsigned i = 0; i < ncpus_online; i++)
		before[i] = __atomic_load_n(&cpus[i].ticks, __ATOMIC_RELAXED);
	/* Until each has ticked (10 s at most: a loaded host may hold a vCPU back). */
	for (uint64_t took = 0; took < 10000000000ull;) {
		unsigned ticked = 0;
		for (unsigned i = 0; i < ncpus_online; i++)
			ticked += __atomic_load_n(&cpus[i].ticks, __ATOMIC_RELAXED) > before[i];
		if (ticked == ncpus_online)
			break;
		took += wait_ns(10000000);
	}
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
