/* The clock (rdtime, at the device tree's timebase frequency) and each hart's periodic tick. */
#include <kernel/cpu.h>
#include <arch/riscv.h>

/* QEMU virt's frequency, for a tree that does not give one. */
#define DEFAULT_TIMEBASE 10000000

static uint64_t timebase = DEFAULT_TIMEBASE;
static uint64_t boot_time;

/* The time CSR counts the platform's one shared mtime, so every hart reads the same clock. */
void time_init(const struct fdt *f)
{
	uint32_t len;
	int cpus = fdt_path(f, "/cpus");
	const void *p = cpus == FDT_NONE ? NULL : fdt_prop(f, cpus, "timebase-frequency", &len);

	if (p && len == 4 && fdt_read_cells(p, 1))
		timebase = fdt_read_cells(p, 1);
	boot_time = rdtime();
}

/* Split in whole seconds and the rest, so that nothing overflows 64 bits. */
uint64_t arch_time_ns(void)
{
	uint64_t t = rdtime() - boot_time;

	return t / timebase * 1000000000 + t % timebase * 1000000000 / timebase;
}

static void set_next_tick(void)
{
	sbi_set_timer(rdtime() + timebase / TICK_HZ);
}

void arch_timer_init(void)
{
	set_next_tick();
	csr_set(sie, SIE_STIE);
}

/* Setting the next deadline also clears the pending timer interrupt. */
void timer_interrupt(void)
{
	set_next_tick();
	timer_tick();
}
