/* The x86_64 interrupt descriptor table and exception dispatch. */
#include <kernel/arch.h>
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
static struct idt_entry idt[256];

static const char *const names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack fault", "general protection fault",
	"page fault", "reserved", "x87 error", "alignment check", "machine check",
	"SIMD error", "virtualization", "control protection",
};

void idt_init(void)
{
	for (int v = 0; v < 32; v++) {
		uint64_t a = vector_table[v];
		idt[v] = (struct idt_entry){
			.offset_lo = (uint16_t)a,
			.selector = KERNEL_CS,
			.type = GATE_INTERRUPT,
			.offset_mid = (uint16_t)(a >> 16),
			.offset_hi = (uint32_t)(a >> 32),
		};
	}
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed idtr = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void x86_trap(struct trap_frame *f)
{
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
