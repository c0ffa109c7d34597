/*
 * The per-CPU block that GS points at in the kernel, with each CPU's segment
 * descriptors and task-state segment. Each CPU needs its own TSS (it holds
 * that CPU's kernel stack for traps from user mode), and so its own GDT to
 * point at it; the IDT is shared.
 */
#include <kernel/cpu.h>
#include <arch/cpu.h>

/* The selectors; user data precedes user code because sysret derives both from one base. */
#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_TSS 0x28
#define GDT_ENTRIES 7	/* null, kernel code/data, user data/code, TSS (two slots) */

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];	/* stacks for traps raising the privilege to rings 0-2 */
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

/*
 * The GS base in kernel mode. Its first word makes arch_this_cpu() one load;
 * the next two let syscall_entry, which has no free register, find its stack
 * (the running user thread's user_regs, at the top of its kernel stack).
 */
struct x86_cpu {
	struct cpu *cpu;
	uint64_t syscall_regs;	/* the running user thread's uregs */
	uint64_t user_rsp;	/* syscall_entry's scratch */
	uint64_t gdt[GDT_ENTRIES];
	struct tss tss;
} __attribute__((aligned(64)));

_Static_assert(__builtin_offsetof(struct x86_cpu, syscall_regs) == PERCPU_SYSCALL_REGS, "regs.h");
_Static_assert(__builtin_offsetof(struct x86_cpu, user_rsp) == PERCPU_USER_RSP, "regs.h");
_Static_assert(__builtin_offsetof(struct x86_cpu, tss.rsp[0]) == PERCPU_TSS_RSP0, "regs.h");

static struct x86_cpu x86_cpus[MAX_CPUS];

static const uint64_t segments[] = {
	0,
	0x00af9a000000ffff,	/* kernel code, 64-bit */
	0x00cf92000000ffff,	/* kernel data */
	0x00cff2000000ffff,	/* user data */
	0x00affa000000ffff,	/* user code, 64-bit */
};

static void set_tss_descriptor(uint64_t *d, const struct tss *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	d[0] = limit | (base & 0xffffff) << 16 | 0x89ull << 40 | (base >> 24 & 0xff) << 56;
	d[1] = base >> 32;
}

/* Builds CPU @cpu_id's GDT and TSS and loads them, with the IDT, on the calling CPU, and
 * readies it for user mode. Clears the GS base, so it comes before arch_set_this_cpu(). */
void cpu_tables_load(unsigned cpu_id)
{
	struct x86_cpu *x = &x86_cpus[cpu_id];

	for (unsigned i = 0; i < ARRAY_SIZE(segments); i++)
		x->gdt[i] = segments[i];
	set_tss_descriptor(&x->gdt[SEL_TSS / 8], &x->tss);
	x->tss.iomap_base = sizeof(x->tss);	/* no I/O permission bitmap yet */

	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr = {sizeof(x->gdt) - 1, (uint64_t)x->gdt};
	/* A far return reloads CS; the data segments take the kernel data selector or null. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\tmovl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(SEL_KERNEL_CODE), "i"(SEL_KERNEL_DATA), "r"(SEL_TSS)
			 : "rax", "memory");
	idt_load();
	cpu_user_mode_init();
}

void arch_set_this_cpu(struct cpu *c)
{
	struct x86_cpu *x = &x86_cpus[c->id];

	x->cpu = c;
	c->arch = x;
	wrmsr(MSR_GS_BASE, (uint64_t)x);
}

