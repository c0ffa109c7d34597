/* In-kernel test of a device interrupt line: the UART transmit-empty interrupt via the PLIC. */
#include <kernel/cpu.h>
#include <kernel/ktest.h>
#include <arch/riscv.h>
#include "irqwait.h"

#define UART_IER 1
#define IER_THR_EMPTY 0x02

/* Turning the interrupt on while the holding register is empty makes the UART raise its line. */
static void uart_raise(void)
{
	console_uart[UART_IER] = 0;
	console_uart[UART_IER] = IER_THR_EMPTY;
}

/* Nothing may print in here: each byte sent would re-raise the transmit-empty interrupt. */
static const char *fire_hold_ack_refire(unsigned line, struct cpu *target)
{
	uint64_t n = fired(line);

	KCHECK(arch_irq_line_enable(line, target) == 0, "enabling line %u for CPU %u failed", line,
	       target->id);
	uart_raise();
	KCHECK(wait_fired(line, n + 1, 10000000000ull) == n + 1, "line %u did not fire", line);
	/* Raised again, it stays in service until its ack; then, still raised, it fires again. */
	uart_raise();
	KCHECK(wait_fired(line, n + 2, 30000000) == n + 1, "line %u fired before its ack", line);
	arch_irq_line_ack(line);
	KCHECK(wait_fired(line, n + 2, 10000000000ull) == n + 2, "line %u did not fire after its ack",
	       line);
	return NULL;
}

KTEST(irq_line_uart_fire_ack)
{
	unsigned line = console_uart_line;

	KCHECK(console_uart && line > 0 && line < arch_irq_line_count() && line < 256,
	       "no usable UART line (line %u of %u)", line, arch_irq_line_count());
	/* Every CPU as the target: a PLIC that cannot reach it routes the line to one it can. */
	const char *err = NULL;
	for (unsigned i = 0; i < ncpus_online && !err; i++) {
		err = fire_hold_ack_refire(line, &cpus[i]);
		/* Whatever happened, leave the UART quiet and the line off (which completes it). */
		console_uart[UART_IER] = 0;
		arch_irq_line_disable(line);
	}
	return err;
}
