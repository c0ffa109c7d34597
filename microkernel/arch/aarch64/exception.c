/* Exception handling: interrupts go to the GIC, breakpoints resume; anything else panics. */
#include <kernel/panic.h>
#include <kernel/trap.h>

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
#define EC_BRK64 0x3c
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

	/* Interrupts are unmasked only in arch_idle, so they come from EL1. */
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
