/* x86_64 instructions and registers used by the arch code. */
#pragma once

#include <kernel/mm.h>
#include <kernel/types.h>
#include <arch/regs.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}

static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

#define MSR_EFER 0xc0000080
#define EFER_SCE (1u << 0)
#define EFER_NXE (1u << 11)
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102	/* swapgs exchanges it with the GS base */

/* The boot page tables map the first 4 GiB at PHYS_MAP_BASE. */
#define BOOT_DIRECT_MAP_LIMIT GiB(4)

/* Interrupt vectors: exceptions below 32, then device lines, then the local APIC's own. */
#define VEC_LINE_BASE 0x30
#define MAX_LINES (0xe0 - VEC_LINE_BASE)
#define VEC_TIMER 0xf0
#define VEC_IPI 0xf1
#define VEC_SPURIOUS 0xff

/* What the ACPI tables say about the interrupt controllers and the HPET (acpi.c). */
#define MAX_IOAPICS 8
#define MAX_IRQ_OVERRIDES 16

struct irq_override {
	uint8_t isa_irq;
	uint32_t gsi;
	uint16_t flags;		/* MPS INTI flags: polarity in bits 0-1, trigger in bits 2-3 */
};

struct x86_platform {
	paddr_t lapic;		/* local APIC registers, the same address on every CPU */
	paddr_t hpet;		/* 0 when there is no HPET table */
	unsigned nioapics;
	struct {
		paddr_t base;
		unsigned gsi_base;
	} ioapics[MAX_IOAPICS];
	unsigned noverrides;
	struct irq_override overrides[MAX_IRQ_OVERRIDES];
};

extern struct x86_platform platform;

/* Boot steps, called in order by x86_boot(). */
void serial_init(void);
void idt_init(void);
void acpi_init(const void *rsdp_copy, uint32_t len);
void paging_init(void);
void cpu_tables_load(unsigned cpu_id);
#define IST_FATAL 1	/* the TSS stack of the double fault, NMI and machine check */
void hpet_init(void);
void lapic_init(void);
void ioapic_init(void);
void smp_reserve_trampoline(void);

/* Loads the shared IDT on this CPU. */
void idt_load(void);

/* Readies this CPU for user mode: FPU/SSE, the system-call MSRs, SMEP/SMAP (thread.c). */
void cpu_user_mode_init(void);

/*
 * Makes @top this CPU's stack for traps from user mode (TSS.rsp0), and
 * @uregs, the user_regs at its top, where system calls save the user's
 * registers (syscall_entry starts its stack there).
 */
static inline void cpu_set_kernel_stack(void *top, void *uregs)
{
	__asm__ volatile("movq %0, %%gs:%c2\n\t"
			 "movq %1, %%gs:%c3" ::"r"(top), "r"(uregs), "i"(PERCPU_TSS_RSP0),
			 "i"(PERCPU_SYSCALL_REGS)
			 : "memory");
}

/* Returns the direct-map address of device registers at @pa, mapped uncached. Boot only:
 * it flushes no other CPU's TLB. */
void *mmio_map(paddr_t pa);

/* Busy-waits @ns nanoseconds on the HPET. */
void delay_ns(uint64_t ns);

void lapic_eoi(void);
/* Sends INIT and two STARTUP IPIs: the CPU starts in real mode at @entry (a page below 1 MiB). */
void lapic_start_cpu(uint32_t apic_id, paddr_t entry);

/* Called for an interrupt on a device line's vector: masks the line, EOIs, tells generic code. */
void ioapic_line_fired(unsigned line);

/* The device line (GSI) that ISA IRQ @irq arrives on, after the MADT's overrides. */
unsigned isa_irq_line(unsigned irq);
