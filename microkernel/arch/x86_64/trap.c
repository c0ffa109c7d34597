/* The x86_64 interrupt descriptor table, exception and interrupt dispatch. */
#include <kernel/cpu.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/trap.h>
#include <arch/cpu.h>
#include <arch/regs.h>

struct idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t zero;
} __packed;

#define KERNEL_CS 0x08
#define GATE_INTERRUPT 0x8e	/* present, DPL 0, 64-bit interrupt gate */
#define GATE_USER 0x60		/* DPL 3: user code may raise the vector with int3 / int n */
#define VEC_NMI 2
#define VEC_BREAKPOINT 3
#define VEC_DOUBLE_FAULT 8
#define VEC_GENERAL_PROTECTION 13
#define VEC_PAGE_FAULT 14
#define VEC_MACHINE_CHECK 18
#define PF_WRITE (1u << 1)	/* page-fault error code: a write, an instruction fetch */
#define PF_FETCH (1u << 4)

extern const uint64_t vector_table[32];
extern const char irq_stubs[];	/* 16 bytes per vector from 32 on (vectors.S) */
static struct idt_entry idt[256];

static const char *const names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack fault", "general protection fault",
	"page fault", "reserved", "x87 error", "alignment check", "machine check",
	"SIMD error", "virtualization", "control protection",
};

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

/*
 * Interrupt gates throughout: every trap and interrupt runs with interrupts
 * masked. User code may raise only the breakpoint; any other int n is a #GP.
 * The fatal vectors run on a stack of their own (gdt.c).
 */
void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t a = v < 32 ? vector_table[v] : (uint64_t)(irq_stubs + 16 * (v - 32));
		idt[v] = (struct idt_entry){
			.offset_lo = (uint16_t)a,
			.selector = KERNEL_CS,
			.ist = v == VEC_NMI || v == VEC_DOUBLE_FAULT || v == VEC_MACHINE_CHECK ? IST_FATAL : 0,
			.type = GATE_INTERRUPT | (v == VEC_BREAKPOINT ? GATE_USER : 0),
			.offset_mid = (uint16_t)(a >> 16),
			.offset_hi = (uint32_t)(a >> 32),
		};
	}
	idt_load();
}

static void interrupt(unsigned vector)
{
	if (vector == VEC_SPURIOUS)
		return;		/* A spurious interrupt is not in service: no EOI. */
	if (vector >= VEC_LINE_BASE && vector - VEC_LINE_BASE < arch_irq_line_count()) {
		ioapic_line_fired(vector - VEC_LINE_BASE);
		return;
	}
	/* The tick, IPIs, and stray vectors (a spurious IRQ of the masked PICs) need just the EOI. */
	lapic_eoi();
	if (vector == VEC_TIMER)
		timer_tick();
	else if (vector == VEC_IPI)
		ipi_handler();
}

static noreturn void fatal(struct trap_frame *f)
{
	const char *name = names[f->vector] ? names[f->vector] : "exception";

	if (f->vector == VEC_PAGE_FAULT)
		panic_at(f->rip, f->rbp, "%s at %#lx (error %#lx) rip %#lx", name, read_cr2(),
			 f->error, f->rip);
	panic_at(f->rip, f->rbp, "%s (vector %lu, error %#lx) rip %#lx", name, f->vector, f->error,
		 f->rip);
}

/* A trap in kernel mode: interrupts, the self test's breakpoints; anything else is a bug. */
void x86_trap(struct trap_frame *f)
{
	if (f->vector >= 32)
		interrupt(f->vector);
	else if (f->vector == VEC_BREAKPOINT)
		trap_breakpoint(f->rip - 1);	/* int3 is a trap: rip already points after it */
	else
		fatal(f);
}

static enum user_exception exception_kind(uint64_t vector)
{
	switch (vector) {
	case 0: case 4: case 16: case 19: return UEXC_ARITHMETIC;	/* #DE #OF #MF #XM */
	case 1: case 3: return UEXC_BREAKPOINT;				/* #DB #BP */
	case 6: return UEXC_ILLEGAL_INSTRUCTION;			/* #UD */
	case 17: return UEXC_ALIGNMENT;					/* #AC */
	}
	return UEXC_OTHER;
}

/*
 * A trap from user mode, on the thread's kernel stack below @r, where
 * vectors.S saved every register. The detail of an exception is its vector
 * in the upper half and its error code in the lower.
 */
/*
 * The return to user mode found a non-canonical rip (a syscall instruction
 * at the very end of the lower half, or a handler's bad answer): sysretq and
 * iretq would fault in kernel mode, so it is the thread's general protection
 * fault instead.
 */
noreturn void x86_bad_user_rip(struct user_regs *r)
{
	user_exception_handler(r, UEXC_OTHER, (uint64_t)VEC_GENERAL_PROTECTION << 32);
	trap_exit_to_user(r);
	arch_return_to_user(r);
}

noreturn void x86_user_trap(struct user_regs *r)
{
	struct trap_frame *f = &r->f;

	if (f->vector >= 32)
		interrupt(f->vector);
	else if (f->vector == VEC_NMI || f->vector == VEC_DOUBLE_FAULT || f->vector == VEC_MACHINE_CHECK)
		fatal(f);	/* not the thread's doing */
	else if (f->vector == VEC_PAGE_FAULT)
		user_fault_handler(r, read_cr2(),
				   f->error & PF_WRITE ? PROT_WRITE : f->error & PF_FETCH ? PROT_EXEC : PROT_READ);
	else if (f->vector == VEC_GENERAL_PROTECTION && x86_io_retry())
		;	/* an in or out on ports given a moment ago: run it again */
	else
		user_exception_handler(r, exception_kind(f->vector), f->vector << 32 | (uint32_t)f->error);
	trap_exit_to_user(r);
	arch_return_to_user(r);
}
