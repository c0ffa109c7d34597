/* kmain: the architecture-neutral start of the kernel. */
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/frame.h>
#include <kernel/memmap.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
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
	frame_init();
	cpu_init();
	sched_init();
	kprintf("frames: %lu free of %lu\n", frame_free_count(), frame_total_count());
	arch_timer_init();
	kprintf("smp: %u of %u CPUs online\n", smp_start(), boot_info.ncpus);

	size_t len;
	const char *crash = boot_cmdline_get("crash", &len);
	if (crash)
		crash_test(crash, len);

	int failed = selftest_run();
	kprintf("selftest: %s\n", failed ? "FAILED" : "passed");

	if (boot_cmdline_is("mode", "bench"))
		bench_run();
	if (boot_cmdline_is("mode", "test") || boot_cmdline_is("mode", "bench")) {
		kprintf("veridian: exiting with status %d\n", failed ? 1 : 0);
		arch_exit(failed ? 1 : 0);
	}
	kprintf("VeridianOS is up. Nothing else runs yet; the CPU idles.\n");
	sched_idle_loop();
}
