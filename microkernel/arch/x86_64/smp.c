/*
 * Starting the secondary CPUs: INIT-SIPI-SIPI into the real-mode trampoline
 * (trampoline.S), copied to a low page reserved at boot. The trampoline runs
 * on a temporary root that also maps its page at its physical address; the
 * root is freed once the new CPU runs on the kernel's own.
 */
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <arch/cpu.h>

/* The data at tr_args in trampoline.S. */
struct trampoline_args {
	uint16_t pad0, gdt_limit;	/* gdt_limit and gdt_base: the operand of lgdt */
	uint32_t gdt_base;
	uint32_t jump_offset;		/* jump_offset and jump_selector: a far pointer */
	uint16_t jump_selector, pad1;
	uint32_t cr0, cr3, cr4, efer;
	uint64_t stack, cpu, entry;
};

extern const char ap_trampoline[], ap_trampoline_end[], tr_long_mode[], tr_gdt[], tr_args[];

#define LOW_MEMORY_END 0x100000	/* what real mode reaches */
#define TRAMPOLINE_GDT_SIZE (3 * 8)
#define SEL_CODE64 0x08
#define ARRIVAL_TIMEOUT_NS 10000000000ull	/* 10 s: a loaded host holds vCPUs back */

static paddr_t trampoline;

/* Set by a starting CPU once it no longer needs the trampoline or its root. */
static bool arrived;

/* True when [pa, pa + PAGE_SIZE) is usable RAM that no other region claims. */
static bool page_is_free(paddr_t pa)
{
	bool usable = false;

	for (unsigned i = 0; i < boot_info.nregions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type != MEM_USABLE && r->base < pa + PAGE_SIZE && pa < r->base + r->size)
			return false;
		if (r->type == MEM_USABLE && r->base <= pa && pa + PAGE_SIZE <= r->base + r->size)
			usable = true;
	}
	return usable;
}

/* Runs before kmain normalizes the memory map, so the frame allocator never sees the page. */
void smp_reserve_trampoline(void)
{
	for (paddr_t pa = PAGE_SIZE; pa < LOW_MEMORY_END && !trampoline; pa += PAGE_SIZE)
		if (page_is_free(pa))
			trampoline = pa;
	if (trampoline)
		boot_add_region(trampoline, PAGE_SIZE, MEM_RESERVED);
	else
		kprintf("smp: no free page below 1 MiB; secondary CPUs stay off\n");
}

/* The first C code of a secondary CPU: onto the kernel's tables, then its own descriptor
 * tables, struct cpu and local APIC. */
static noreturn void ap_main(struct cpu *c)
{
	write_cr3(arch_kernel_root());
	cpu_tables_load(c->id);
	arch_set_this_cpu(c);
	lapic_init();
	__atomic_store_n(&arrived, true, __ATOMIC_RELEASE);
	cpu_secondary_entry(c);
}

static void fill_args(struct trampoline_args *args, paddr_t root, struct cpu *c, void *stack_top)
{
	args->gdt_limit = TRAMPOLINE_GDT_SIZE - 1;
	args->gdt_base = (uint32_t)(trampoline + (tr_gdt - ap_trampoline));
	args->jump_offset = (uint32_t)(trampoline + (tr_long_mode - ap_trampoline));
	args->jump_selector = SEL_CODE64;
	/* The new CPU gets the boot CPU's control registers (NXE included), on @root. */
	args->cr0 = (uint32_t)read_cr0();
	args->cr3 = (uint32_t)root;
	args->cr4 = (uint32_t)read_cr4();
	args->efer = (uint32_t)rdmsr(MSR_EFER);
	args->stack = (uint64_t)stack_top;
	args->cpu = (uint64_t)c;
	args->entry = (uint64_t)ap_main;
}

int arch_cpu_start(struct cpu *c, void *stack_top)
{
	paddr_t root;

	/* Only xAPIC ids fit the ICR's destination field. */
	if (!trampoline || c->arch_id > 0xff)
		return -EINVAL;
	if (arch_aspace_create(&root) != 0)
		return -ENOMEM;
	/* Paging comes on while the trampoline still runs at its physical address; the CPU
	 * writes there too, setting the accessed bits of the trampoline's GDT. */
	if (arch_page_map(root, trampoline, trampoline, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) {
		arch_aspace_destroy(root);
		return -ENOMEM;
	}
	char *page = phys_to_virt(trampoline);
	memcpy(page, ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
	fill_args((struct trampoline_args *)(page + (tr_args - ap_trampoline)), root, c, stack_top);

	__atomic_store_n(&arrived, false, __ATOMIC_RELAXED);
	lapic_start_cpu((uint32_t)c->arch_id, trampoline);
	uint64_t deadline = arch_time_ns() + ARRIVAL_TIMEOUT_NS;
	while (!__atomic_load_n(&arrived, __ATOMIC_ACQUIRE))
		if (arch_time_ns() > deadline)
			return -ETIMEDOUT;	/* The root stays: the CPU may still use it. */
	arch_aspace_destroy(root);
	return 0;
}
