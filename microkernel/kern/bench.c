/*
 * Kernel benchmarks. Under QEMU's -icount shift=0 the architecture's cycle
 * counter advances once per retired instruction, so the numbers printed are
 * instructions per operation.
 */
#include <kernel/arch.h>
#include <kernel/frame.h>
#include <kernel/slab.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>

/* Prints a per-operation count with two decimals, without floating point. */
static void report(const char *name, uint64_t total, uint64_t ops)
{
	uint64_t hundredths = total * 100 / ops;

	kprintf("bench %s %s %lu.%02lu\n", name, ARCH_NAME, hundredths / 100, hundredths % 100);
}

/*
 * Calibration: an empty counted loop. Its per-iteration count must equal the
 * number of instructions in the loop body the compiler emitted (2 or 3),
 * which proves the counter counts instructions.
 */
static __noinline void empty_loop(uint64_t n)
{
#pragma clang loop unroll(disable)
	for (uint64_t i = n; i; i--)
		__asm__ volatile("" ::: "memory");
}

static void bench_calibration(void)
{
	const uint64_t n = 1000000;

	empty_loop(1000);	/* Warm up the translation cache. */
	uint64_t base0 = arch_cycles();
	empty_loop(0);
	uint64_t overhead = arch_cycles() - base0;
	uint64_t t0 = arch_cycles();
	empty_loop(n);
	uint64_t total = arch_cycles() - t0;

	report("calib_loop", total - overhead, n);
}

/* One frame_alloc(0) + frame_free: the per-CPU cache's common case. */
static void bench_frames(void)
{
	const uint64_t n = 20000;

	frame_free(frame_alloc(0, 0), 0);
	uint64_t t0 = arch_cycles();
	for (uint64_t i = 0; i < n; i++)
		frame_free(frame_alloc(0, 0), 0);
	report("frame_alloc_free", arch_cycles() - t0, n);

	t0 = arch_cycles();
	for (uint64_t i = 0; i < n / 10; i++)
		frame_free(frame_alloc(4, 0), 4);
	report("frame_alloc_free_64k", arch_cycles() - t0, n / 10);
}

static void bench_slab(void)
{
	const uint64_t n = 20000;

	kfree(kmalloc(64));
	uint64_t t0 = arch_cycles();
	for (uint64_t i = 0; i < n; i++)
		kfree(kmalloc(64));
	report("kmalloc_free_64", arch_cycles() - t0, n);
}

void bench_run(void)
{
	bench_calibration();
	bench_frames();
	bench_slab();
}
