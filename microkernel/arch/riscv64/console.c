/*
 * The early console: the device tree's NS16550A UART, reached through the
 * physical map. Before it is found (or without one) bytes go through SBI.
 */
#include <kernel/arch.h>
#include <kernel/mm.h>
#include <arch/riscv.h>

#define UART_THR 0
#define UART_LSR 5
#define LSR_THR_EMPTY 0x20

volatile uint8_t *console_uart;
unsigned console_uart_line;

/* OpenSBI has set the UART up for its own banner already: finding it is enough. */
void console_init(const struct fdt *f)
{
	paddr_t base;
	uint64_t size;
	uint32_t len;
	int node = riscv_fdt_find(f, "ns16550a");
	const void *line = node == FDT_NONE ? NULL : fdt_prop(f, node, "interrupts", &len);

	if (fdt_find_reg(f, "ns16550a", &base, &size))
		console_uart = phys_to_virt(base);
	if (line && len == 4)
		console_uart_line = (unsigned)fdt_read_cells(line, 1);
}

void arch_console_putc(char c)
{
	if (!console_uart) {
		sbi_console_putchar(c);
		return;
	}
	/* Bounded wait: a stuck UART must not hang the kernel. */
	for (int i = 0; i < 100000 && !(console_uart[UART_LSR] & LSR_THR_EMPTY); i++)
		;
	console_uart[UART_THR] = (uint8_t)c;
}
