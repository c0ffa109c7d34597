/* In-kernel test of x86_64 device interrupt lines, with COM1's transmit-empty interrupt. */
#include <kernel/cpu.h>
#include <kernel/ktest.h>
#include <arch/cpu.h>

#define COM1 0x3f8
#define UART_IER 1
#define UART_IIR 2
#define IER_THR_EMPTY 0x02
#define ISA_IRQ_COM1 4
/* How long a line that should fire may take (a loaded host holds vCPUs back), and one that should not. */
#define FIRE_NS 10000000000ull
#define QUIET_NS 100000000ull

extern uint64_t irq_line_counts[256];

/* Idles until @line has fired more than @n times, or for @ns; returns its count. */
static uint64_t wait_count(unsigned line, uint64_t n, uint64_t ns)
{
	uint64_t start = arch_time_ns();

	while (__atomic_load_n(&irq_line_counts[line], __ATOMIC_RELAXED) <= n &&
	       arch_time_ns() - start < ns)
		arch_idle();
	return __atomic_load_n(&irq_line_counts[line], __ATOMIC_RELAXED);
}

/* Enabling the interrupt while the transmitter is empty makes the UART raise its line anew. */
static void uart_raise(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_IER, IER_THR_EMPTY);
}

static void uart_quiet(void)
{
	outb(COM1 + UART_IER, 0);
	(void)inb(COM1 + UART_IIR);	/* Reading IIR clears a pending transmit-empty interrupt. */
}

KTEST(irq_line_fires_once_until_ack)
{
	unsigned line = isa_irq_line(ISA_IRQ_COM1);

	KCHECK(line < arch_irq_line_count(), "COM1's line %u, but only %u lines", line,
	       arch_irq_line_count());
	uint64_t before = irq_line_counts[line];
	KCHECK(arch_irq_line_enable(line, this_cpu()) == 0, "enabling line %u failed", line);

	/* Nothing may print until the UART is quiet: each byte sent would raise the line again. */
	uart_raise();
	uint64_t fired = wait_count(line, before, FIRE_NS);
	uart_raise();
	uint64_t held = wait_count(line, fired, QUIET_NS);
	arch_irq_line_ack(line);
	uart_raise();
	uint64_t again = wait_count(line, held, FIRE_NS);
	uart_quiet();
	arch_irq_line_disable(line);

	KCHECK(fired == before + 1, "line %u fired %lu times, not once", line, fired - before);
	KCHECK(held == fired, "line %u fired again before its ack", line);
	KCHECK(again == held + 1, "line %u fired %lu times after its ack", line, again - held);
	return NULL;
}
