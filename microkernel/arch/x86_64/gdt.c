/*
 * The per-CPU block that GS points at in the kernel, with each CPU's segment
 * descriptors and task-state segment. Each CPU needs its own TSS (it holds
 * that CPU's kernel stack for traps from user mode), and so its own GDT to
 * point at it; the IDT is shared. The TSS is followed by the CPU's I/O
 * permission bitmap, that of the process it runs (arch_io_switch).
 */
#include <kernel/cpu.h>
#include <kernel/ioport.h>
#include <kernel/process.h>
#include <kernel/string.h>
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
	/*
	 * The I/O permission bitmap (a set bit denies its port) and the byte
	 * past it, which the CPU reads too and must be all ones. tss.iomap_base
	 * points at it while the running process holds ports (IOMAP_ON), else
	 * past the TSS's limit (IOMAP_OFF: every port denied).
	 */
	uint8_t iomap[IOPORT_SPACE / 8 + 1];
	uint64_t io_active;	/* the stamp of the set in force: 0 none (IOMAP_OFF) */
	uint64_t io_built;	/* the stamp of the set the bitmap holds */
	uint32_t io_bytes;	/* bytes of the bitmap that may have clear bits */
} __attribute__((aligned(64)));

#define IOMAP_ON ((uint16_t)__builtin_offsetof(struct x86_cpu, iomap) - __builtin_offsetof(struct x86_cpu, tss))
#define IOMAP_OFF ((uint16_t)(IOMAP_ON + sizeof(((struct x86_cpu *)0)->iomap)))

_Static_assert(__builtin_offsetof(struct x86_cpu, syscall_regs) == PERCPU_SYSCALL_REGS, "regs.h");
_Static_assert(__builtin_offsetof(struct x86_cpu, user_rsp) == PERCPU_USER_RSP, "regs.h");
_Static_assert(__builtin_offsetof(struct x86_cpu, tss.rsp[0]) == PERCPU_TSS_RSP0, "regs.h");
_Static_assert(__builtin_offsetof(struct x86_cpu, io_active) == PERCPU_IO_ACTIVE, "regs.h");
_Static_assert(__builtin_offsetof(struct x86_cpu, iomap) ==
	       __builtin_offsetof(struct x86_cpu, tss) + sizeof(struct tss), "the bitmap follows the TSS");

static struct x86_cpu x86_cpus[MAX_CPUS];

/*
 * The stacks of the fatal vectors (double fault, NMI, machine check), which
 * the TSS's first IST slot names: a kernel stack that overflowed or a
 * corrupted rsp would fault again while the CPU pushes the frame, and the
 * third fault resets the machine without a word. On its own stack the
 * double fault reaches fatal() and its panic.
 */
#define FATAL_STACK 4096
static uint8_t fatal_stacks[MAX_CPUS][FATAL_STACK] __attribute__((aligned(16)));

static const uint64_t segments[] = {
	0,
	0x00af9a000000ffff,	/* kernel code, 64-bit */
	0x00cf92000000ffff,	/* kernel data */
	0x00cff2000000ffff,	/* user data */
	0x00affa000000ffff,	/* user code, 64-bit */
};

static void set_tss_descriptor(uint64_t *d, const struct tss *tss)
{
	/* The limit takes in the bitmap and its closing byte. */
	uint64_t base = (uint64_t)tss, limit = IOMAP_OFF - 1;

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
	memset(x->iomap, 0xff, sizeof(x->iomap));
	x->tss.iomap_base = IOMAP_OFF;	/* no ports until a process holding some runs */
	x->tss.ist[IST_FATAL - 1] = (uint64_t)&fatal_stacks[cpu_id][FATAL_STACK];

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


/* Clears the bits of ports [base, base + len) in @map. */
static void allow(uint8_t *map, uint32_t base, uint32_t len)
{
	for (uint32_t p = base; p < base + len; p++)
		map[p / 8] &= (uint8_t)~(1u << (p % 8));
}

void x86_io_load(const struct ioport_set *io)
{
	struct x86_cpu *x = arch_this_cpu()->arch;
	uint64_t stamp = __atomic_load_n(&io->stamp, __ATOMIC_ACQUIRE);

	if (!stamp) {
		x->tss.iomap_base = IOMAP_OFF;
		x->io_active = 0;
		return;
	}
	if (stamp != x->io_built) {
		/*
		 * Read without the table's lock: a change meanwhile leaves a new
		 * stamp behind, and its shootdown brings this CPU here again.
		 * Only the bounds are trusted, never a torn range.
		 */
		uint32_t n = MIN(__atomic_load_n(&io->n, __ATOMIC_ACQUIRE), (uint32_t)IOPORT_RANGES);
		uint32_t top = 0;
		memset(x->iomap, 0xff, x->io_bytes);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t base = MIN(io->r[i].base, IOPORT_SPACE);
			uint32_t len = MIN(io->r[i].len, IOPORT_SPACE - base);
			allow(x->iomap, base, len);
			top = MAX(top, (base + len + 7) / 8);
		}
		x->io_bytes = top;
		x->io_built = stamp;
	}
	x->tss.iomap_base = IOMAP_ON;
	x->io_active = stamp;
}

bool x86_io_retry(void)
{
	struct thread *t = this_cpu()->current;
	struct x86_cpu *x = arch_this_cpu()->arch;

	if (!t->proc || __atomic_load_n(&t->proc->io.stamp, __ATOMIC_ACQUIRE) == x->io_active)
		return false;
	x86_io_load(&t->proc->io);
	return true;
}

int arch_io_supported(void)
{
	return 0;
}
