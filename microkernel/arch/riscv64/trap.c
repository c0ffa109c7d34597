/*
 * The riscv64 trap dispatch. In the kernel, interrupts and breakpoints resume
 * and other traps are fatal; traps from user mode go to the generic handlers.
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/trap.h>
#include <arch/regs.h>
#include <arch/riscv.h>

/* Laid out by trap_entry.S. */
struct trap_frame {
	uint64_t x[32]; /* x[0] is unused; x[2] is sp at the trap, x[8] is s0 (fp) */
	uint64_t sepc, sstatus, scause, stval;
};

#define SCAUSE_INTERRUPT (1ul << 63)
#define CAUSE_ILLEGAL_INSTRUCTION 2
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
static void interrupt(uint64_t irq, uint64_t pc, uint64_t fp)
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
	panic_at(pc, fp, "unexpected interrupt %lu", irq);
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
		interrupt(cause & ~SCAUSE_INTERRUPT, f->sepc, f->x[8]);
		return;
	}
	const char *name = cause < 16 && names[cause] ? names[cause] : "exception";
	if (cause < 16 && (ADDRESS_CAUSES >> cause & 1))
		panic_at(f->sepc, f->x[8], "%s at 0x%016lx (scause %lu)", name, f->stval, cause);
	panic_at(f->sepc, f->x[8], "%s (scause %lu, stval %#lx)", name, cause, f->stval);
}

/* The access (enum page_prot) of a page fault or access fault; 0 for other exceptions. */
static unsigned fault_access(uint64_t cause)
{
	switch (cause) {
	case 1:
	case 12: return PROT_EXEC;
	case 5:
	case 13: return PROT_READ;
	case 7:
	case 15: return PROT_WRITE;
	}
	return 0;
}

static enum user_exception exception_kind(uint64_t cause)
{
	switch (cause) {
	case 0:
	case 4:
	case 6: return UEXC_ALIGNMENT;
	case 2: return UEXC_ILLEGAL_INSTRUCTION;
	case 3: return UEXC_BREAKPOINT;
	}
	return UEXC_OTHER;
}

/*
 * A trap from user mode other than a system call (trap_entry.S handles those):
 * interrupts masked, on the kernel stack below @r, every register saved in @r.
 */
noreturn void riscv_user_trap(struct user_regs *r, uint64_t cause, uint64_t stval)
{
	if (cause & SCAUSE_INTERRUPT) {
		interrupt(cause & ~SCAUSE_INTERRUPT, r->sepc, 0);
	} else if (cause == CAUSE_ILLEGAL_INSTRUCTION && riscv_fpu_trap(r)) {
		/* The F/D registers are loaded now: run the instruction again. */
	} else if (fault_access(cause)) {
		user_fault_handler(r, stval, fault_access(cause));
	} else {
		user_exception_handler(r, exception_kind(cause), cause);
	}
	trap_exit_to_user(r);
	arch_return_to_user(r);
}
