/* The riscv64 trap dispatch: interrupts and breakpoints resume; other traps are fatal for now. */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/trap.h>
#include <arch/riscv.h>

/* Laid out by trap_entry.S. */
struct trap_frame {
	uint64_t x[32]; /* x[0] is unused; x[2] is sp at the trap, x[8] is s0 (fp) */
	uint64_t sepc, sstatus, scause, stval;
};

#define SCAUSE_INTERRUPT (1ul << 63)
#define CAUSE_BREAKPOINT 3

static const char *const names[16] = {
    [0] = "instruction address misaligned",
    [1] = "instruction access fault",
    [2] = "illegal instruction",
    [3] = "breakpoint",
    [4] = "load address misaligned",
    [5] = "load access fault",
    [6] = "store address misaligned",
    [7] = "store access fault",
    [8] = "environment call from U-mode",
    [9] = "environment call from S-mode",
    [11] = "environment call from M-mode",
    [12] = "instruction page fault",
    [13] = "load page fault",
    [15] = "store page fault",
};

/* The exceptions whose stval holds the faulting address. */
#define ADDRESS_CAUSES                                                                             \
	(1u << 0 | 1u << 1 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 7 | 1u << 12 | 1u << 13 | 1u << 15)

/* Taken with interrupts masked (the trap cleared sstatus.SIE); the handlers keep it so. */
static void interrupt(struct trap_frame *f, uint64_t irq)
{
	switch (irq) {
	case IRQ_S_SOFT:
		/* Cleared first: an IPI sent while the handler runs must not be lost. */
		csr_clear(sip, SIP_SSIP);
		ipi_handler();
		return;
	case IRQ_S_TIMER: timer_interrupt(); return;
	case IRQ_S_EXT: plic_interrupt(); return;
	}
	panic_at(f->sepc, f->x[8], "unexpected interrupt %lu", irq);
}

void riscv_trap(struct trap_frame *f)
{
	uint64_t cause = f->scause;

	if (cause == CAUSE_BREAKPOINT) {
		/* sepc points at the ebreak: step over it (2 bytes for a compressed c.ebreak). */
		uint16_t insn = *(const uint16_t *)f->sepc;
		trap_breakpoint(f->sepc);
		f->sepc += (insn & 3) == 3 ? 4 : 2;
		return;
	}
	if (cause & SCAUSE_INTERRUPT) {
		interrupt(f, cause & ~SCAUSE_INTERRUPT);
		return;
	}
	const char *name = cause < 16 && names[cause] ? names[cause] : "exception";
	if (cause < 16 && (ADDRESS_CAUSES >> cause & 1))
		panic_at(f->sepc, f->x[8], "%s at 0x%016lx (scause %lu)", name, f->stval, cause);
	panic_at(f->sepc, f->x[8], "%s (scause %lu, stval %#lx)", name, cause, f->stval);
}
