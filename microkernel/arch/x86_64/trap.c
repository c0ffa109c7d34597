/* The x86_64 interrupt descriptor table, exception and interrupt dispatch. */
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/trap.h>
#include <arch/cpu.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

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
#define VEC_BREAKPOINT 3
#define VEC_PAGE_FAULT 14

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

/* Interrupt gates throughout: every trap and interrupt runs with interrupts masked. */
void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t a = v < 32 ? vector_table[v] : (uint64_t)(irq_stubs + 16 * (v - 32));
		idt[v] = (struct idt_entry){
			.offset_lo = (uint16_t)a,
			.selector = KERNEL_CS,
			.type = GATE_INTERRUPT,
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

void x86_trap(struct trap_frame *f)
{
	if (f->vector >= 32) {
		interrupt(f->vector);
		return;
	}
	if (f->vector == VEC_BREAKPOINT) {
		/* int3 is a trap: rip already points after it. */
		trap_breakpoint(f->rip - 1);
		return;
	}
	const char *name = f->vector < 32 && names[f->vector] ? names[f->vector] : "exception";
	if (f->vector == VEC_PAGE_FAULT)
		panic_at(f->rip, f->rbp, "%s at %#lx (error %#lx) rip %#lx", name, read_cr2(),
			 f->error, f->rip);
	panic_at(f->rip, f->rbp, "%s (vector %lu, error %#lx) rip %#lx", name, f->vector, f->error,
		 f->rip);
}
