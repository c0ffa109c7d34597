/* In-kernel test of device interrupt lines on a real device: the PL011's transmit interrupt. */
#include <kernel/cpu.h>
#include <kernel/ktest.h>

#include <arch/pl011.h>

/* Kept by kern/cpu.c's irq_line_handler. */
extern uint64_t irq_line_counts[256];

/* Idles up to @ns for the line's count to pass @count; returns the count then. */
static uint64_t wait_count(unsigned line, uint64_t count, uint64_t ns)
{
	uint64_t start = arch_time_ns();

	while (__atomic_load_n(&irq_line_counts[line], __ATOMIC_RELAXED) <= count &&
	       arch_time_ns() - start < ns)
		arch_idle();
	return __atomic_load_n(&irq_line_counts[line], __ATOMIC_RELAXED);
}

KTEST(irq_line_uart_tx)
{
	int line = pl011_line;
	volatile uint32_t *uart = pl011_regs;

	KCHECK(uart && line >= 0 && line < 256, "no PL011 line in the device tree");
	KCHECK((unsigned)line < arch_irq_line_count(), "line %d of %u", line,
	       arch_irq_line_count());
	uint64_t n = irq_line_counts[line];
	uart[UARTICR / 4] = UART_INT_TX;
	uart[UARTIMSC / 4] |= UART_INT_TX;
	KCHECK(arch_irq_line_enable(line, this_cpu()) == 0, "enabling line %d failed", line);

	/* Sending a byte raises the transmit interrupt: QEMU's UART sends it at once. */
	arch_console_putc('\n');
	KCHECK(wait_count(line, n, 10000000000ull) == n + 1, "line %d did not fire", line);
	/* The UART still asserts it, but the line stays in service until acknowledged. */
	KCHECK(uart[UARTRIS / 4] & UART_INT_TX, "the UART dropped its interrupt by itself");
	KCHECK(wait_count(line, n + 1, 30000000) == n + 1, "line fired again before the ack");

	/* Quiet device, then ack: nothing; the device raises it again: it fires again. */
	uart[UARTICR / 4] = UART_INT_TX;
	arch_irq_line_ack(line);
	KCHECK(wait_count(line, n + 1, 30000000) == n + 1, "line fired with the device quiet");
	arch_console_putc('\n');
	KCHECK(wait_count(line, n + 1, 10000000000ull) == n + 2, "line did not fire after the ack");

	uart[UARTIMSC / 4] &= ~UART_INT_TX;
	uart[UARTICR / 4] = UART_INT_TX;
	arch_irq_line_ack(line);
	arch_irq_line_disable(line);
	return NULL;
}
