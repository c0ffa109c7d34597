/*
 * In-kernel test of a PCIe INTx line: QEMU's edu device (-device edu, which
 * the one-socket riscv64 boots add; their judge requires the "pci: edu"
 * line, so the test cannot pass there without the device) raises INTA when
 * told to. Not on the NUMA boot: there QEMU wires PCIe to the second PLIC,
 * whose supervisor interrupts QEMU 7.2 connects to no hart (docs/ARCHITECTURE.md).
 */
#include <kernel/cpu.h>
#include <kernel/ktest.h>
#include <kernel/mm.h>
#include <kernel/printk.h>
#include <arch/riscv.h>
#include "irqwait.h"

#define EDU_VENDOR_DEVICE 0x11e81234u
#define EDU_ID 0x00
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_BAR0 0x10
#define PCI_INTERRUPT 0x3c	/* line (byte 0), pin (byte 1) */


static volatile uint32_t *config(unsigned slot, unsigned offset)
{
	return (volatile uint32_t *)((uint8_t *)phys_to_virt(riscv_pci.ecam) + (slot << 15) + offset);
}

static volatile uint32_t *edu_reg(unsigned offset)
{
	return (volatile uint32_t *)((uint8_t *)phys_to_virt(riscv_pci.mmio) + offset);
}

/* Raised, the line fires once and stays in service; lowered and acked, it stays quiet. */
static const char *fire_ack(unsigned line, struct cpu *target)
{
	uint64_t n = fired(line);

	KCHECK(arch_irq_line_enable(line, target) == 0, "enabling line %u for CPU %u failed", line,
	       target->id);
	*edu_reg(EDU_IRQ_RAISE) = 1;
	KCHECK(wait_fired(line, n + 1, 10000000000ull) == n + 1, "line %u did not fire", line);
	KCHECK(*edu_reg(EDU_IRQ_STATUS) == 1, "edu interrupt status %#x", *edu_reg(EDU_IRQ_STATUS));
	/* Still raised: in service until its ack, so no second interrupt. */
	KCHECK(wait_fired(line, n + 2, 30000000) == n + 1, "line %u fired before its ack", line);
	*edu_reg(EDU_IRQ_ACK) = 1;
	arch_irq_line_ack(line);
	KCHECK(wait_fired(line, n + 2, 30000000) == n + 1, "line %u fired after it was lowered", line);
	return NULL;
}

KTEST(irq_line_pci_intx)
{
	KCHECK(riscv_pci.ecam && riscv_pci.mmio, "no PCIe host in the device tree");
	unsigned slot = 0;
	while (slot < 32 && *config(slot, 0) != EDU_VENDOR_DEVICE)
		slot++;
	if (slot == 32) {
		kprintf("pci: no edu device\n");
		return NULL;
	}
	unsigned pin = *config(slot, PCI_INTERRUPT) >> 8 & 0xff;
	KCHECK(pin >= 1 && pin <= 4, "edu has interrupt pin %u", pin);
	unsigned line = riscv_pci.intx[slot % 4][pin - 1];
	KCHECK(line > 0 && line < arch_irq_line_count() && line < 256,
	       "no usable line for slot %u pin %u (line %u)", slot, pin, line);
	/* Its 1 MiB of registers at the start of the 32-bit window; memory decoding and INTx on. */
	*config(slot, PCI_BAR0) = (uint32_t)riscv_pci.mmio;
	uint32_t cmd = *config(slot, PCI_COMMAND) & 0xffff;
	*config(slot, PCI_COMMAND) = (cmd | PCI_COMMAND_MEMORY) & ~PCI_COMMAND_INTX_DISABLE;
	KCHECK((*edu_reg(EDU_ID) & 0xff) == 0xed, "edu identification %#x", *edu_reg(EDU_ID));
	kprintf("pci: edu at slot %u, INTx line %u, PLIC %u\n", slot, line, plic_index(line));
	const char *err = NULL;
	for (unsigned i = 0; i < ncpus_online && !err; i++) {
		err = fire_ack(line, &cpus[i]);
		*edu_reg(EDU_IRQ_ACK) = ~0u;
		arch_irq_line_disable(line);
	}
	return err;
}
