/*
 * Exception handling. From EL1: interrupts go to the GIC, breakpoints resume,
 * anything else panics. From EL0: faults and exceptions go to the generic
 * handlers, interrupts to the GIC (vectors.S takes system calls directly).
 */
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/trap.h>

#include <arch/regs.h>

#include "aarch64.h"

/* Laid out by vectors.S. */
struct trap_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};
_Static_assert(sizeof(struct trap_frame) == 272, "vectors.S saves 272 bytes");

/* The vector table has four groups (by where the CPU was) of four entries (by kind). */
enum { KIND_SYNC, KIND_IRQ, KIND_FIQ, KIND_SERROR };

#define EC_UNKNOWN 0x00
#define EC_FP_ACCESS 0x07
#define EC_ILLEGAL_STATE 0x0e
#define EC_SYSREG 0x18
#define EC_IABT_LOW 0x20
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_SP_ALIGN 0x26
#define EC_FP_EXC64 0x2c
#define EC_BRK64 0x3c
#define ESR_WNR (1u << 6)
/* Fault status codes 0x00-0x0f: address size, translation, access flag and permission faults. */
#define FSC_PERMISSION_MAX 0x0f
#define FSC_ALIGNMENT 0x21
#define HLT_SEMIHOSTING 0xd45e0000u /* hlt #0xf000 */

static const char *const origins[4] = {"EL1 with SP_EL0", "EL1", "EL0 (AArch64)", "EL0 (AArch32)"};

static const char *class_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "undefined instruction";
	case 0x07: return "FP/SIMD access";
	case 0x0e: return "illegal execution state";
	case 0x15: return "svc";
	case 0x18: return "system register trap";
	case 0x20:
	case 0x21: return "instruction abort";
	case 0x22: return "PC alignment fault";
	case 0x24:
	case 0x25: return "data abort";
	case 0x26: return "SP alignment fault";
	case 0x2f: return "SError";
	case 0x3c: return "brk in unreachable code";
	}
	return "exception";
}

/* FAR_EL1 holds the faulting address only for aborts and PC alignment faults. */
static bool has_far(unsigned ec)
{
	return ec >= 0x20 && ec <= 0x25;
}

void trap_dispatch(struct trap_frame *tf, unsigned kind);

void trap_dispatch(struct trap_frame *tf, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
	unsigned ec = esr >> 26;
	const char *origin = origins[kind / 4];
	bool from_kernel = kind / 4 == 1;

	/* In the kernel, interrupts are unmasked only in arch_idle. */
	if (kind % 4 == KIND_IRQ && from_kernel) {
		gic_handle_irq();
		return;
	}
	if (kind % 4 != KIND_SYNC) {
		static const char *const kinds[] = {"", "IRQ", "FIQ", "SError"};
		panic_at(tf->elr, tf->x[29], "unexpected %s from %s (ESR %#010lx)", kinds[kind % 4],
			 origin, esr);
	}
	/* Only arch_breakpoint()'s brk #0; the compiler puts brk #1 where code must never run. */
	if (ec == EC_BRK64 && from_kernel && (esr & 0xffff) == 0) {
		trap_breakpoint(tf->elr);
		tf->elr += 4;
		return;
	}
	/* Semihosting is off: let arch_exit() go on to arch_halt(). */
	if (ec == EC_UNKNOWN && from_kernel && *(const uint32_t *)tf->elr == HLT_SEMIHOSTING) {
		tf->elr += 4;
		return;
	}
	if (has_far(ec))
		panic_at(tf->elr, tf->x[29], "%s at FAR %#018lx (ESR %#010lx) from %s",
			 class_name(ec), far, esr, origin);
	panic_at(tf->elr, tf->x[29], "%s, class %#x (ESR %#010lx) from %s", class_name(ec), ec, esr,
		 origin);
}

/* What a synchronous exception from EL0 other than svc and page faults means. */
static enum user_exception user_exception_kind(unsigned ec, uint64_t esr)
{
	switch (ec) {
	case EC_UNKNOWN:
	case EC_ILLEGAL_STATE:
	case EC_SYSREG: return UEXC_ILLEGAL_INSTRUCTION;
	case EC_BRK64: return UEXC_BREAKPOINT;
	case EC_PC_ALIGN:
	case EC_SP_ALIGN: return UEXC_ALIGNMENT;
	case EC_DABT_LOW:
	case EC_IABT_LOW: return (esr & 0x3f) == FSC_ALIGNMENT ? UEXC_ALIGNMENT : UEXC_OTHER;
	case EC_FP_EXC64: return UEXC_ARITHMETIC;
	}
	return UEXC_OTHER;
}

static void user_sync(struct user_regs *r, uint64_t esr, uint64_t far)
{
	unsigned ec = esr >> 26;
	bool fault = (ec == EC_IABT_LOW || ec == EC_DABT_LOW) && (esr & 0x3f) <= FSC_PERMISSION_MAX;
	unsigned access = ec == EC_IABT_LOW ? PROT_EXEC : esr & ESR_WNR ? PROT_WRITE : PROT_READ;

	if (fault)
		user_fault_handler(r, far, access);
	else if (ec == EC_FP_ACCESS && aarch64_fp_trap(r))
		return; /* loaded: the instruction runs again */
	else
		user_exception_handler(r, user_exception_kind(ec, esr), esr);
}

void user_trap(struct user_regs *r, unsigned kind);

/* Called by vectors.S for each exception from EL0 but svc, on the kernel stack below @r. */
void user_trap(struct user_regs *r, unsigned kind)
{
	uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);

	switch (kind % 4) {
	case KIND_SYNC: user_sync(r, esr, far); break;
	case KIND_IRQ: gic_handle_irq(); break;
	case KIND_FIQ: panic_at(r->pc, 0, "unexpected FIQ from EL0 (ESR %#010lx)", esr);
	/* An SError is asynchronous, but most likely the running thread's doing. */
	case KIND_SERROR: user_exception_handler(r, UEXC_OTHER, esr); break;
	}
	trap_exit_to_user(r);
}
