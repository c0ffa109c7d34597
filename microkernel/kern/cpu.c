/* Per-CPU records, and what every CPU does on the timer tick and on an IPI. */
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/sched.h>

struct cpu cpus[MAX_CPUS];
unsigned ncpus_online;

/* Fills cpus[] from the boot information and makes the boot CPU's record current. */
void cpu_init(void)
{
	unsigned n = MIN(boot_info.ncpus, MAX_CPUS);

	for (unsigned i = 0; i < n; i++) {
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

#define KSTACK_ORDER 2	/* 16 KiB */

noreturn void cpu_secondary_entry(struct cpu *c)
{
	arch_set_this_cpu(c);
	sched_init_secondary();
	arch_timer_init();
	/* Counted first: smp_start, seeing it online, returns a count that has it. */
	__atomic_fetch_add(&ncpus_online, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	sched_idle_loop();
}

/*
 * Starts the secondary CPUs one after the other. Each CPU that comes online
 * takes the next record, cpus[1], cpus[2], ...: a CPU that fails to start
 * leaves no hole, so cpus[0 .. ncpus_online - 1] are exactly the online
 * CPUs whatever the firmware's ids are (sparse APIC ids, MPIDRs or hart
 * ids, harts that cannot be started). The scheduler, affinities and
 * system_info count on that. The wait for each CPU is bounded; one that did
 * not arrive in time ends the start-up, since it may still arrive later and
 * take its record then. The records from ncpus_online on are no CPUs.
 */
unsigned smp_start(void)
{
	unsigned n = MIN(boot_info.ncpus, MAX_CPUS), next = 1;

	for (unsigned i = 1; i < n; i++) {
		struct cpu *c = &cpus[next];
		uint64_t arch_id = cpus[i].arch_id;
		unsigned node = cpus[i].node;
		c->arch_id = arch_id, c->node = node;
		paddr_t stack = frame_alloc(KSTACK_ORDER, 0);
		if (!stack) {
			kprintf("smp: no memory for CPU %u's stack\n", next);
			break;
		}
		void *top = (char *)phys_to_virt(stack) + (FRAME_SIZE << KSTACK_ORDER);
		int err = arch_cpu_start(c, top);
		if (err == -ETIMEDOUT) {
			/*
			 * It may still arrive later (a loaded host can hold a vCPU back for
			 * seconds): it keeps its stack and its record, and no further CPU is
			 * started, since the next one's start-up data (x86_64: the one
			 * trampoline) would be what this one finds when it runs.
			 */
			kprintf("smp: CPU %u (id %#lx) did not start in time: no more CPUs started\n",
				next, arch_id);
			break;
		}
		if (err) {
			/* It never ran: the next CPU takes its record. */
			kprintf("smp: CPU id %#lx did not start: %d\n", arch_id, err);
			frame_free(stack, KSTACK_ORDER);
			continue;
		}
		/* Wait for it, boundedly: a CPU that never arrives must not hang the boot. */
		uint64_t deadline = arch_time_ns() + 10000000000ull;
		while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) && arch_time_ns() < deadline)
			;
		if (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
			kprintf("smp: CPU %u (id %#lx) did not come online: no more CPUs started\n", next,
				arch_id);
			break;
		}
		next++;
	}
	return __atomic_load_n(&ncpus_online, __ATOMIC_ACQUIRE);
}

void timer_tick(void)
{
	struct cpu *c = this_cpu();

	c->ticks++;
	thread_check_stack(c->current);
	if (c->idle)
		sched_tick();
}

void ipi_handler(void)
{
	struct cpu *c = this_cpu();

	c->ipis++;
	vm_serve_shootdown(c);
}
