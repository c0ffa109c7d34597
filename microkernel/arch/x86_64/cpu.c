/* x86_64 implementations of the small arch_* hooks. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <arch/cpu.h>

/* QEMU's isa-debug-exit device (tools/qemu.py adds it): QEMU exits with (v << 1) | 1. */
#define DEBUG_EXIT_PORT 0xf4

noreturn void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

noreturn void arch_exit(int status)
{
	outl(DEBUG_EXIT_PORT, (uint32_t)status);
	arch_halt();
}

void arch_wait_for_interrupt(void)
{
	__asm__ volatile("hlt");
}

void arch_breakpoint(void)
{
	__asm__ volatile("int3");
}

uint64_t arch_cycles(void)
{
	uint32_t lo, hi;

	/* Under -icount, QEMU's TSC advances by one per instruction (shift 0). */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

const char *arch_cpu_model(void)
{
	static char brand[49];
	uint32_t *w = (uint32_t *)brand, max, unused;

	if (brand[0])
		return brand;
	cpuid(0x80000000, &max, &unused, &unused, &unused);
	if (max < 0x80000004)
		return "unknown x86_64";
	for (uint32_t i = 0; i < 3; i++)
		cpuid(0x80000002 + i, &w[4 * i], &w[4 * i + 1], &w[4 * i + 2], &w[4 * i + 3]);
	/* Brand strings are often padded with leading spaces. */
	char *p = brand;
	while (*p == ' ')
		p++;
	return p;
}

void arch_idle(void)
{
	/* sti takes effect after the next instruction, so no interrupt slips in before hlt. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

int arch_ioport_access(uint64_t port, uint64_t width, uint64_t *value, bool write)
{
	if ((width != 1 && width != 2 && width != 4) || port > 0x10000 - width)
		return -EINVAL;
	uint16_t p = (uint16_t)port;
	if (write && width == 1)
		outb(p, (uint8_t)*value);
	else if (write && width == 2)
		outw(p, (uint16_t)*value);
	else if (write)
		outl(p, (uint32_t)*value);
	else
		*value = width == 1 ? inb(p) : width == 2 ? inw(p) : inl(p);
	return 0;
}
