/*
 * The GICv3 interrupt controller: the distributor for device lines (SPIs),
 * one redistributor per CPU for its SGIs and PPIs, and each CPU's interface
 * through the ICC_* system registers.
 */
#include <kernel/cpu.h>
#include <kernel/errno.h>

#include "aarch64.h"

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000
#define GICD_CTLR_ENABLE (UL(1) << 0 | UL(1) << 1) /* both groups, in either security view */
#define GICD_CTLR_ARE (UL(1) << 4)
#define GICD_CTLR_RWP (UL(1) << 31)

/* A redistributor is an RD frame (control) and an SGI frame (SGI and PPI registers). */
#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_CTLR_RWP (UL(1) << 3)
#define GICR_TYPER_VLPIS (UL(1) << 1)
#define GICR_TYPER_LAST (UL(1) << 4)
#define GICR_WAKER_SLEEP (UL(1) << 1)
#define GICR_WAKER_ASLEEP (UL(1) << 2)

#define ICC_CTLR_EOIMODE (UL(1) << 1)
#define INTID_SPURIOUS 1020
#define PRIORITY 0xa0a0a0a0u

static volatile uint8_t *gicd, *gicr;
static unsigned nlines;

static volatile uint32_t *reg(volatile uint8_t *base, unsigned off)
{
	return (volatile uint32_t *)(base + off);
}

static void wait_rwp(volatile uint8_t *base, unsigned off, uint32_t rwp)
{
	while (*reg(base, off) & rwp)
		;
}

/* An MPIDR (or a struct cpu's arch_id) as Aff3.Aff2.Aff1.Aff0 in 32 bits. */
static uint32_t affinity32(uint64_t mpidr)
{
	return ((mpidr >> 8) & 0xff000000) | (mpidr & 0xffffff);
}

/*
 * Every interrupt goes to Group 1 (IRQs) at one priority, disabled. The CPU
 * interface runs with EOImode 1: writing EOIR only drops the priority, so a
 * device line stays active, and so silent, until arch_irq_line_ack.
 */
void gic_init(paddr_t dist, uint64_t dist_size, paddr_t redist, uint64_t redist_size)
{
	gicd = mmu_map_device(dist, dist_size);
	gicr = mmu_map_device(redist, redist_size);
	if (!gicd || !gicr) {
		gicd = NULL;
		return;
	}
	*reg(gicd, GICD_CTLR) = 0;
	wait_rwp(gicd, GICD_CTLR, GICD_CTLR_RWP);
	unsigned intids = MIN(32 * ((*reg(gicd, GICD_TYPER) & 0x1f) + 1), INTID_SPURIOUS);
	for (unsigned i = 32; i < intids; i += 32) {
		*reg(gicd, GICD_ICENABLER + i / 8) = ~0u;
		*reg(gicd, GICD_ICACTIVER + i / 8) = ~0u;
		*reg(gicd, GICD_IGROUPR + i / 8) = ~0u;
	}
	for (unsigned i = 32; i < intids; i += 4)
		*reg(gicd, GICD_IPRIORITYR + i) = PRIORITY;
	wait_rwp(gicd, GICD_CTLR, GICD_CTLR_RWP);
	*reg(gicd, GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_ENABLE;
	wait_rwp(gicd, GICD_CTLR, GICD_CTLR_RWP);
	nlines = intids - 32;
}

/* This CPU's redistributor: the frame whose GICR_TYPER names our affinity. */
static volatile uint8_t *this_redist(void)
{
	uint32_t me = affinity32(read_sysreg(mpidr_el1));

	for (volatile uint8_t *rd = gicr;; rd += 0x20000) {
		uint64_t typer = *(volatile uint64_t *)(rd + GICR_TYPER);
		if (typer >> 32 == me)
			return rd;
		if (typer & GICR_TYPER_LAST)
			return NULL;
		/* GICv4 redistributors have two more frames, for virtual LPIs. */
		if (typer & GICR_TYPER_VLPIS)
			rd += 0x20000;
	}
}

void gic_cpu_init(void)
{
	volatile uint8_t *rd = gicd ? this_redist() : NULL;

	if (!rd)
		return;
	*reg(rd, GICR_WAKER) &= ~GICR_WAKER_SLEEP;
	while (*reg(rd, GICR_WAKER) & GICR_WAKER_ASLEEP)
		;
	*reg(rd, GICR_SGI + GICD_ICENABLER) = ~0u;
	wait_rwp(rd, GICR_CTLR, GICR_CTLR_RWP);
	*reg(rd, GICR_SGI + GICD_IGROUPR) = ~0u;
	for (unsigned i = 0; i < 32; i += 4)
		*reg(rd, GICR_SGI + GICD_IPRIORITYR + i) = PRIORITY;
	*reg(rd, GICR_SGI + GICD_ISENABLER) = 1u << IPI_SGI;

	write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | 1);
	isb();
	write_sysreg(icc_pmr_el1, 0xff);
	write_sysreg(icc_bpr1_el1, 0);
	write_sysreg(icc_ctlr_el1, ICC_CTLR_EOIMODE);
	write_sysreg(icc_igrpen1_el1, 1);
	isb();
}

/* Enables an SGI or PPI (INTID below 32) on this CPU. */
void gic_enable_private(unsigned intid)
{
	volatile uint8_t *rd = gicd ? this_redist() : NULL;

	if (rd && intid < 32)
		*reg(rd, GICR_SGI + GICD_ISENABLER) = 1u << intid;
}

/* Takes one interrupt; called from the IRQ vector with interrupts masked. */
void gic_handle_irq(void)
{
	unsigned intid = read_sysreg(icc_iar1_el1) & 0xffffff;

	if (intid >= INTID_SPURIOUS)
		return;
	write_sysreg(icc_eoir1_el1, intid);
	if (intid >= 32) {
		irq_line_handler(intid - 32);
		return;
	}
	if (intid == IPI_SGI)
		ipi_handler();
	else if (intid == timer_intid)
		timer_handle();
	write_sysreg(icc_dir_el1, intid);
}

void arch_send_ipi(struct cpu *target)
{
	uint64_t aff = target->arch_id, aff0 = aff & 0xff;
	uint64_t sgi = ((aff >> 32) & 0xff) << 48 | ((aff >> 16) & 0xff) << 32 | (aff0 >> 4) << 44 |
		       (uint64_t)IPI_SGI << 24 | ((aff >> 8) & 0xff) << 16 | 1u << (aff0 & 15);

	/* What we wrote before must be visible to the target when it takes the IPI. */
	__asm__ volatile("dsb ish" ::: "memory");
	write_sysreg(icc_sgi1r_el1, sgi);
	isb();
}

/* Device line n is SPI n, INTID 32 + n. */
int arch_irq_line_enable(unsigned line, struct cpu *target)
{
	if (line >= nlines)
		return -EINVAL;
	unsigned intid = line + 32;
	/* IROUTER takes the affinity fields where MPIDR has them (Aff3 at bit 32). */
	*(volatile uint64_t *)(gicd + GICD_IROUTER + 8 * intid) = target->arch_id & 0xff00ffffffull;
	*reg(gicd, GICD_ISENABLER + intid / 32 * 4) = 1u << (intid % 32);
	return 0;
}

void arch_irq_line_disable(unsigned line)
{
	unsigned intid = line + 32;

	if (line >= nlines)
		return;
	*reg(gicd, GICD_ICENABLER + intid / 32 * 4) = 1u << (intid % 32);
	wait_rwp(gicd, GICD_CTLR, GICD_CTLR_RWP);
}

/* Deactivates the line; the distributor does it for whichever CPU took it. */
void arch_irq_line_ack(unsigned line)
{
	unsigned intid = line + 32;

	if (line < nlines)
		*reg(gicd, GICD_ICACTIVER + intid / 32 * 4) = 1u << (intid % 32);
}

unsigned arch_irq_line_count(void)
{
	return nlines;
}
