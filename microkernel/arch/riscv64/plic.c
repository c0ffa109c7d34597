/*
 * Device interrupt lines through the PLICs: a line is a PLIC source, routed to
 * one hart's S-mode context. A claimed source stays in service (the PLIC does
 * not deliver it again) until arch_irq_line_ack() completes it. Every PLIC of
 * the device tree is used (QEMU's virt machine makes one per socket, i.e. per
 * NUMA node, and wires the UART to socket 0's, virtio and PCIe to socket
 * 1's): their sources are numbered one after the other, PLIC k's source s
 * being line first[k] + s, in device-tree order, so that the first PLIC's
 * lines are its sources.
 */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <arch/riscv.h>

#define MAX_LINES 1024 /* the lines of all PLICs; 0 (source 0 of each) means none */
#define MAX_PLICS 8

/* Register offsets: per source, per context (hart and privilege level). */
#define PRIORITY(src) (4 * (src))
#define ENABLE(ctx, src) (0x2000 + 0x80 * (ctx) + 4 * ((src) / 32))
#define THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx) (0x200004 + 0x1000 * (ctx))

/* One PLIC: its registers, its phandle, its lines first .. first + nsrc - 1 (sources 0 .. nsrc - 1). */
struct plic {
	volatile uint8_t *regs;
	uint32_t phandle;
	unsigned first, nsrc;
	/* The S-mode context of each hart id here; -1: it does not reach that hart. */
	int16_t hart_context[MAX_CPUS];
};

static struct plic plics[MAX_PLICS];
static unsigned nplics, nlines;
/* The context each line is routed to (in its own PLIC), -1 for none. */
static int16_t line_context[MAX_LINES] = {[0 ... MAX_LINES - 1] = -1};
/* Guards line_context and the enable words, which 32 sources share. */
static struct spinlock lock = SPINLOCK_INIT;

static volatile uint32_t *reg(const struct plic *p, uint32_t offset)
{
	return (volatile uint32_t *)(p->regs + offset);
}

static int context_of(const struct plic *p, uint64_t hartid)
{
	return hartid < MAX_CPUS ? p->hart_context[hartid] : -1;
}

/* The PLIC of @line and its source there; NULL for no line (a source 0 included). */
static struct plic *plic_of(unsigned line, unsigned *src)
{
	for (unsigned k = 0; k < nplics; k++)
		if (line >= plics[k].first && line < plics[k].first + plics[k].nsrc) {
			*src = line - plics[k].first;
			return *src ? &plics[k] : NULL;
		}
	return NULL;
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
static void find_contexts(const struct fdt *f, int node, struct plic *p)
{
	uint32_t len;
	const uint8_t *e = fdt_prop(f, node, "interrupts-extended", &len);

	for (unsigned i = 0; i < MAX_CPUS; i++)
		p->hart_context[i] = -1;
	for (unsigned ctx = 0; e && 8 * (ctx + 1) <= len; ctx++) {
		long hart = hart_of_intc(f, fdt_read_cells(e + 8 * ctx, 1));
		if (fdt_read_cells(e + 8 * ctx + 4, 1) == IRQ_S_EXT && hart >= 0 && hart < MAX_CPUS)
			p->hart_context[hart] = (int16_t)ctx;
	}
}

/* Adds the PLIC of device-tree node @node (a child of @soc), if it is one and there is room. */
static void add_plic(const struct fdt *f, int soc, int node)
{
	uint32_t len, rlen, plen;
	const void *ndev = fdt_prop(f, node, "riscv,ndev", &len);
	const void *r = fdt_prop(f, node, "reg", &rlen);
	const void *ph = fdt_prop(f, node, "phandle", &plen);
	unsigned ac = fdt_address_cells(f, soc);

	if (!ndev || len != 4 || !r || rlen < 4 * ac || nplics == MAX_PLICS || !fdt_is_enabled(f, node))
		return;
	unsigned nsrc = (unsigned)fdt_read_cells(ndev, 1) + 1;
	if (nlines + nsrc > MAX_LINES) {
		kprintf("plic: %s left out: more than %u lines\n", fdt_name(f, node), MAX_LINES);
		return;
	}
	struct plic *p = &plics[nplics++];
	p->regs = phys_to_virt(fdt_read_cells(r, ac));
	p->phandle = ph && plen == 4 ? (uint32_t)fdt_read_cells(ph, 1) : 0;
	p->first = nlines;
	p->nsrc = nsrc;
	nlines += nsrc;
	find_contexts(f, node, p);
}

/* The line of source @src of the PLIC with phandle @parent, or 0. */
static unsigned line_of(uint32_t parent, unsigned src)
{
	for (unsigned k = 0; k < nplics; k++)
		if (plics[k].phandle == parent && src && src < plics[k].nsrc)
			return plics[k].first + src;
	return 0;
}

struct riscv_pci riscv_pci;

/*
 * The PCIe host (pci-host-ecam-generic): its ECAM, its 32-bit memory window
 * and the lines of its INTx pins. Its interrupt-map has one entry per slot
 * (mod 4, as interrupt-map-mask 0x1800 keeps) and pin: PCI address (3
 * cells), pin, PLIC phandle, source (a PLIC has no address cells).
 */
static void find_pci(const struct fdt *f, int soc)
{
	int pci = riscv_fdt_find(f, "pci-host-ecam-generic");
	uint32_t rlen, glen, mlen;
	const uint8_t *r = pci == FDT_NONE ? NULL : fdt_prop(f, pci, "reg", &rlen);
	const uint8_t *g = r ? fdt_prop(f, pci, "ranges", &glen) : NULL;
	const uint8_t *map = g ? fdt_prop(f, pci, "interrupt-map", &mlen) : NULL;
	unsigned ac = fdt_address_cells(f, soc);

	if (!map || rlen < 4 * ac)
		return;
	/* ranges: PCI address (3 cells, space code in the first), CPU address, size (2 cells). */
	for (uint32_t at = 0; at + 4 * (5 + ac) <= glen; at += 4 * (5 + ac))
		if ((fdt_read_cells(g + at, 1) >> 24 & 3) == 2 && !riscv_pci.mmio)
			riscv_pci.mmio = fdt_read_cells(g + at + 12, ac);
	for (uint32_t at = 0; at + 24 <= mlen; at += 24) {
		unsigned slot = (unsigned)fdt_read_cells(map + at, 1) >> 11 & 3;
		unsigned pin = (unsigned)fdt_read_cells(map + at + 12, 1);
		if (pin >= 1 && pin <= 4)
			riscv_pci.intx[slot][pin - 1] = line_of((uint32_t)fdt_read_cells(map + at + 16, 1),
								(unsigned)fdt_read_cells(map + at + 20, 1));
	}
	riscv_pci.ecam = fdt_read_cells(r, ac);
}

unsigned plic_index(unsigned line)
{
	for (unsigned k = 0; k < nplics; k++)
		if (line >= plics[k].first && line < plics[k].first + plics[k].nsrc)
			return k;
	return nplics;
}

/* Without a PLIC there are no lines: arch_irq_line_count() stays 0. */
void plic_init(const struct fdt *f)
{
	int soc = fdt_path(f, "/soc");

	for (int n = FDT_NONE; soc != FDT_NONE && (n = fdt_next_child(f, soc, n)) != FDT_NONE;)
		if (fdt_is_compatible(f, n, "riscv,plic0") || fdt_is_compatible(f, n, "sifive,plic-1.0.0"))
			add_plic(f, soc, n);
	/* The UART's source (console.c) is a line of the PLIC its interrupt-parent names. */
	int uart = riscv_fdt_find(f, "ns16550a");
	uint32_t len;
	const void *parent = uart == FDT_NONE ? NULL : fdt_prop(f, uart, "interrupt-parent", &len);
	if (parent && len == 4)
		console_uart_line = line_of((uint32_t)fdt_read_cells(parent, 1), console_uart_line);
	find_pci(f, soc);
	if (nplics > 1)
		kprintf("plic: %u PLICs, %u lines\n", nplics, nlines);
}

/* Nothing is enabled for this hart until a line is routed to it; the threshold lets all through. */
void plic_hart_init(unsigned long hartid)
{
	for (unsigned k = 0; k < nplics; k++) {
		struct plic *p = &plics[k];
		int ctx = context_of(p, hartid);
		if (ctx < 0)
			continue;
		for (unsigned src = 0; src < p->nsrc; src += 32)
			*reg(p, ENABLE(ctx, src)) = 0;
		*reg(p, THRESHOLD(ctx)) = 0;
	}
}

/* Claims the highest-priority pending source of each PLIC reaching this hart, left in service. */
void plic_interrupt(void)
{
	uint64_t hartid = this_cpu()->arch_id;

	for (unsigned k = 0; k < nplics; k++) {
		int ctx = context_of(&plics[k], hartid);
		uint32_t src = ctx < 0 ? 0 : *reg(&plics[k], CLAIM(ctx));
		if (src && src < plics[k].nsrc)
			irq_line_handler(plics[k].first + src);
	}
}

static void set_enable(struct plic *p, int ctx, unsigned src, bool on)
{
	uint32_t bit = 1u << (src % 32), word = *reg(p, ENABLE(ctx, src));

	*reg(p, ENABLE(ctx, src)) = on ? word | bit : word & ~bit;
}

/*
 * A PLIC reaches only the harts of its socket (QEMU gives each NUMA node one):
 * a line asked for elsewhere goes to the first online hart it reaches.
 */
static int reachable_context(const struct plic *p, struct cpu *target)
{
	int ctx = context_of(p, target->arch_id);

	for (unsigned i = 0; ctx < 0 && i < ncpus_online; i++)
		ctx = cpus[i].online ? context_of(p, cpus[i].arch_id) : -1;
	return ctx;
}

int arch_irq_line_enable(unsigned line, struct cpu *target)
{
	unsigned src;
	struct plic *p = plic_of(line, &src);
	int ctx = p ? reachable_context(p, target) : -1;

	if (ctx < 0)
		return -EINVAL;
	unsigned long s = spin_lock_irqsave(&lock);
	if (line_context[line] >= 0)
		set_enable(p, line_context[line], src, false);
	line_context[line] = (int16_t)ctx;
	set_enable(p, ctx, src, true);
	*reg(p, PRIORITY(src)) = 1;
	spin_unlock_irqrestore(&lock, s);
	return 0;
}

/* Completes the line first: the PLIC ignores a completion for a line its context has disabled. */
void arch_irq_line_disable(unsigned line)
{
	unsigned src;
	struct plic *p = plic_of(line, &src);

	if (!p)
		return;
	unsigned long s = spin_lock_irqsave(&lock);
	int ctx = line_context[line];
	if (ctx >= 0) {
		*reg(p, PRIORITY(src)) = 0;
		*reg(p, CLAIM(ctx)) = src;
		set_enable(p, ctx, src, false);
		line_context[line] = -1;
	}
	spin_unlock_irqrestore(&lock, s);
}

/* Completes in the line's own context: the PLIC ignores a completion where the line is disabled. */
void arch_irq_line_ack(unsigned line)
{
	unsigned src;
	struct plic *p = plic_of(line, &src);
	int ctx = p ? __atomic_load_n(&line_context[line], __ATOMIC_RELAXED) : -1;

	if (ctx >= 0)
		*reg(p, CLAIM(ctx)) = src;
}

unsigned arch_irq_line_count(void)
{
	return nlines;
}
