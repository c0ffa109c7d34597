/* Per-CPU records, and what every CPU does on the timer tick and on an IPI. */
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/printk.h>

struct cpu cpus[MAX_CPUS];
unsigned ncpus_online;

/* Fills cpus[] from the boot information and makes the boot CPU's record current. */
void cpu_init(void)
{
	unsigned n = MIN(boot_info.ncpus, MAX_CPUS);

	for (unsigned i = 0; i < n; i++) {
		cpus[i].self = &cpus[i];
		cpus[i].id = i;
		cpus[i].arch_id = boot_info.cpu_arch_id[i];
		cpus[i].node = boot_info.cpu_node[i];
	}
	/* The boot CPU is cpus[0]: swap records so that ids count from the CPU we run on. */
	unsigned b = boot_info.boot_cpu < n ? boot_info.boot_cpu : 0;
	cpus[b].arch_id = boot_info.cpu_arch_id[0];
	cpus[b].node = boot_info.cpu_node[0];
	cpus[0].arch_id = boot_info.cpu_arch_id[b];
	cpus[0].node = boot_info.cpu_node[b];
	arch_set_this_cpu(&cpus[0]);
	cpus[0].online = true;
	ncpus_online = 1;
}

noreturn void cpu_secondary_entry(struct cpu *c)
{
	arch_set_this_cpu(c);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&ncpus_online, 1, __ATOMIC_RELAXED);
	for (;;)
		arch_idle();
}

void timer_tick(void)
{
	this_cpu()->ticks++;
}

void ipi_handler(void)
{
}

/* Device lines have no owner yet: count them, so tests can see them fire. */
uint64_t irq_line_counts[256];

void irq_line_handler(unsigned line)
{
	if (line < ARRAY_SIZE(irq_line_counts))
		__atomic_fetch_add(&irq_line_counts[line], 1, __ATOMIC_RELAXED);
}
