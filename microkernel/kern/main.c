/* kmain: the architecture-neutral start of the kernel. */
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/frame.h>
#include <kernel/memmap.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/selftest.h>

#define VERIDIAN_VERSION "0.1.0"

static void print_memory_map(void)
{
	struct boot_info *bi = &boot_info;

	bi->nregions = memmap_normalize(bi->regions, bi->nregions, BOOT_MAX_REGIONS);
	kprintf("memory map (%u regions):\n", bi->nregions);
	for (unsigned i = 0; i < bi->nregions; i++) {
		const struct mem_region *r = &bi->regions[i];
		kprintf("  [0x%016lx-0x%016lx] %s\n", r->base, r->base + r->size - 1,
			memmap_type_name(r->type));
	}
	uint64_t usable = memmap_total(bi->regions, bi->nregions, MEM_USABLE);
	kprintf("memory: %lu KiB usable\n", usable >> 10);
}

int root_start(int kernel_test_failures);

static bool test_or_bench(void)
{
	return boot_cmdline_is("mode", "test") || boot_cmdline_is("mode", "bench");
}

/* The first kernel thread: self tests, benchmarks, then the root task. */
static void kernel_init(void *arg)
{
	size_t len;
	const char *crash = boot_cmdline_get("crash", &len);

	if (crash)
		crash_test(crash, len);
	int failed = 0;
	if (boot_cmdline_is("mode", "bench")) {
		/* make test runs the self tests; a benchmark boot measures a quiet machine. */
		kprintf("selftest: not run in bench mode\n");
		bench_run();
	} else {
		failed = selftest_run();
		kprintf("selftest: %s\n", failed ? "FAILED" : "passed");
	}
	/* The root task ends a test or bench run itself, with system_exit(). */
	if (root_start(failed) == 0)
		return;
	if (test_or_bench()) {
		kprintf("veridian: exiting with status %d\n", failed ? 1 : 0);
		arch_exit(failed ? 1 : 0);
	}
	kprintf("VeridianOS is up, without a root task; the CPUs idle.\n");
}

/* NUMA nodes: the ranges the firmware tied to each node, and which CPUs belong where. */
static void print_numa(void)
{
	unsigned nodes = 0;

	for (unsigned i = 0; i < boot_info.nnuma; i++)
		nodes = MAX(nodes, boot_info.numa[i].node + 1);
	if (!nodes)
		return;
	kprintf("numa: %u nodes\n", nodes);
	for (unsigned i = 0; i < boot_info.nnuma; i++)
		kprintf("  node %u: [0x%016lx-0x%016lx]\n", boot_info.numa[i].node, boot_info.numa[i].base,
			boot_info.numa[i].base + boot_info.numa[i].size - 1);
	for (unsigned i = 0; i < boot_info.ncpus; i++)
		kprintf("  cpu %u (id 0x%lx): node %u\n", i, boot_info.cpu_arch_id[i], boot_info.cpu_node[i]);
}

noreturn void kmain(void)
{
	kprintf("\nVeridianOS %s (%s) booting\n", VERIDIAN_VERSION, ARCH_NAME);
	kprintf("boot: %s, firmware %s, cpu %s\n", boot_info.loader, boot_info.firmware,
		arch_cpu_model());
	kprintf("cmdline: \"%s\"\n", boot_info.cmdline);
	print_memory_map();
	if (boot_info.ncpus == 0)
		boot_add_cpu(0, 0);	/* The firmware described none: there is at least this one. */
	kprintf("cpus: %u\n", boot_info.ncpus);
	print_numa();
	frame_init();
	cpu_init();
	sched_init();
	kprintf("frames: %lu free of %lu\n", frame_free_count(), frame_total_count());
	arch_timer_init();
	kprintf("smp: %u of %u CPUs online\n", smp_start(), boot_info.ncpus);

	struct thread *init = thread_create_kernel(kernel_init, NULL, PRIO_DEFAULT);
	if (!init)
		panic("no memory for the first kernel thread");
	thread_start(init);
	/* From here on this context is the boot CPU's idle thread. */
	sched_idle_loop();
}
