/*
 * The early console: the device tree's NS16550A UART, reached through the
 * physical map. Before it is found (or without one) bytes go through SBI.
 */
#include <kernel/arch.h>
#include <arch/riscv.h>

#define UART_THR 0
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20

static volatile uint8_t *uart;

/* OpenSBI has set the UART up for its own banner already: finding it is enough. */
void console_init(const struct fdt *f)
{
	paddr_t base;
	uint64_t size;

	if (fdt_find_reg(f, "ns16550a", &base, &size))
		uart = (volatile uint8_t *)(uintptr_t)(PHYS_MAP_BASE + base);
}

void arch_console_putc(char c)
{
	if (!uart) {
		sbi_console_putchar(c);
		return;
	}
	/* Bounded wait: a stuck UART must not hang the kernel. */
	for (int i = 0; i < 100000 && !(uart[UART_LSR] & LSR_THR_EMPTY); i++)
		;
	uart[UART_THR] = (uint8_t)c;
}
