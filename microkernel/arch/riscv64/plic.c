/*
 * Device interrupt lines through the PLIC: a line is a PLIC source, routed to
 * one hart's S-mode context. A claimed source stays in service (the PLIC does
 * not deliver it again) until arch_irq_line_ack() completes it. Only the first
 * PLIC of the device tree is used: on QEMU's multi-socket (NUMA) machines,
 * socket 0's, which has the platform devices such as the UART.
 */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/spinlock.h>
#include <arch/riscv.h>

#define MAX_LINES 1024 /* the PLIC numbers sources 1..1023; 0 means none */

/* Register offsets: per source, per context (hart and privilege level). */
#define PRIORITY(line) (4 * (line))
#define ENABLE(ctx, line) (0x2000 + 0x80 * (ctx) + 4 * ((line) / 32))
#define THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx) (0x200004 + 0x1000 * (ctx))

static volatile uint8_t *plic;
static unsigned nlines; /* lines are 1..nlines - 1 */
/* The S-mode context of each hart id, and the context each line is routed to; -1 for none. */
static int16_t hart_context[MAX_CPUS] = {[0 ... MAX_CPUS - 1] = -1};
static int16_t line_context[MAX_LINES] = {[0 ... MAX_LINES - 1] = -1};
/* Guards line_context and the enable words, which 32 lines share. */
static struct spinlock lock = SPINLOCK_INIT;

static volatile uint32_t *reg(uint32_t offset)
{
	return (volatile uint32_t *)(plic + offset);
}

static int context_of(uint64_t hartid)
{
	return hartid < MAX_CPUS ? hart_context[hartid] : -1;
}

/* The hart id of the CPU whose interrupt-controller node has @phandle, or -1. */
static long hart_of_intc(const struct fdt *f, uint64_t phandle)
{
	int cpus = fdt_path(f, "/cpus"), cpu = FDT_NONE;
	unsigned ac = fdt_address_cells(f, cpus);

	while ((cpu = fdt_next_child(f, cpus, cpu)) != FDT_NONE) {
		uint32_t rlen, plen;
		const void *hart = fdt_prop(f, cpu, "reg", &rlen);
		for (int intc = FDT_NONE; (intc = fdt_next_child(f, cpu, intc)) != FDT_NONE;) {
			const void *ph = fdt_prop(f, intc, "phandle", &plen);
			if (ph && plen == 4 && fdt_read_cells(ph, 1) == phandle && hart &&
			    rlen >= 4 * ac)
				return (long)fdt_read_cells(hart, ac);
		}
	}
	return -1;
}

/* interrupts-extended lists one (hart controller, cause) pair per context, in context order. */
static void find_contexts(const struct fdt *f, int node)
{
	uint32_t len;
	const uint8_t *p = fdt_prop(f, node, "interrupts-extended", &len);

	for (unsigned ctx = 0; p && 8 * (ctx + 1) <= len; ctx++) {
		long hart = hart_of_intc(f, fdt_read_cells(p + 8 * ctx, 1));
		if (fdt_read_cells(p + 8 * ctx + 4, 1) == IRQ_S_EXT && hart >= 0 && hart < MAX_CPUS)
			hart_context[hart] = (int16_t)ctx;
	}
}

static bool init_from(const struct fdt *f, const char *compat)
{
	int node = riscv_fdt_find(f, compat);
	paddr_t base;
	uint64_t size;
	uint32_t len;
	const void *ndev = node == FDT_NONE ? NULL : fdt_prop(f, node, "riscv,ndev", &len);

	if (!ndev || len != 4 || !fdt_find_reg(f, compat, &base, &size))
		return false;
	plic = phys_to_virt(base);
	find_contexts(f, node);
	nlines = MIN((unsigned)fdt_read_cells(ndev, 1) + 1, MAX_LINES);
	return true;
}

/* Without a PLIC there are no lines: arch_irq_line_count() stays 0. */
void plic_init(const struct fdt *f)
{
	if (!init_from(f, "riscv,plic0"))
		init_from(f, "sifive,plic-1.0.0");
}

/* Nothing is enabled for this hart until a line is routed to it; the threshold lets all through. */
void plic_hart_init(unsigned long hartid)
{
	int ctx = context_of(hartid);

	if (!plic || ctx < 0)
		return;
	for (unsigned line = 0; line < nlines; line += 32)
		*reg(ENABLE(ctx, line)) = 0;
	*reg(THRESHOLD(ctx)) = 0;
}

/* Claims the highest-priority pending line and leaves it in service for its owner to ack. */
void plic_interrupt(void)
{
	int ctx = context_of(this_cpu()->arch_id);
	uint32_t line = ctx < 0 ? 0 : *reg(CLAIM(ctx));

	if (line)
		irq_line_handler(line);
}

static void set_enable(int ctx, unsigned line, bool on)
{
	uint32_t bit = 1u << (line % 32), word = *reg(ENABLE(ctx, line));

	*reg(ENABLE(ctx, line)) = on ? word | bit : word & ~bit;
}

/*
 * A PLIC reaches only the harts of its socket (QEMU gives each NUMA node one):
 * a line asked for elsewhere goes to the first online hart it reaches.
 */
static int reachable_context(struct cpu *target)
{
	int ctx = context_of(target->arch_id);

	for (unsigned i = 0; ctx < 0 && i < ncpus_online; i++)
		ctx = cpus[i].online ? context_of(cpus[i].arch_id) : -1;
	return ctx;
}

int arch_irq_line_enable(unsigned line, struct cpu *target)
{
	int ctx = reachable_context(target);

	if (line == 0 || line >= nlines || ctx < 0)
		return -EINVAL;
	unsigned long s = spin_lock_irqsave(&lock);
	if (line_context[line] >= 0)
		set_enable(line_context[line], line, false);
	line_context[line] = (int16_t)ctx;
	set_enable(ctx, line, true);
	*reg(PRIORITY(line)) = 1;
	spin_unlock_irqrestore(&lock, s);
	return 0;
}

/* Completes the line first: the PLIC ignores a completion for a line its context has disabled. */
void arch_irq_line_disable(unsigned line)
{
	if (line == 0 || line >= nlines)
		return;
	unsigned long s = spin_lock_irqsave(&lock);
	int ctx = line_context[line];
	if (ctx >= 0) {
		*reg(PRIORITY(line)) = 0;
		*reg(CLAIM(ctx)) = line;
		set_enable(ctx, line, false);
		line_context[line] = -1;
	}
	spin_unlock_irqrestore(&lock, s);
}

/* Completes in the line's own context: the PLIC ignores a completion where the line is disabled. */
void arch_irq_line_ack(unsigned line)
{
	int ctx = line < nlines ? __atomic_load_n(&line_context[line], __ATOMIC_RELAXED) : -1;

	if (ctx >= 0)
		*reg(CLAIM(ctx)) = line;
}

unsigned arch_irq_line_count(void)
{
	return nlines;
}
