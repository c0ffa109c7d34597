/* The NS16550A at 0x10000000 (QEMU virt): PLIC source 10, mapped from its device memory. */
#include "../uart.h"

#define UART 0x10000000ull
#define RBR 0
#define IER 1
#define IIR 2
#define LSR 5
#define LSR_DATA 1
#define IER_RX 1
#define IER_TX_EMPTY 2

static volatile uint8_t *regs;

static int64_t open_uart(handle_t resource)
{
	return uart_map(resource, UART, (volatile void **)&regs);
}

static void rx_on(void)
{
	regs[IER] = IER_RX;
}

static size_t rx(char *buf, size_t max)
{
	size_t n = 0;

	while (n < max && (regs[LSR] & LSR_DATA))
		buf[n++] = (char)regs[RBR];
	return n;
}

static void rx_done(void)
{
}

/* Enabling the transmit-empty interrupt while the transmitter is empty raises it anew. */
static void tx_raise(void)
{
	regs[IER] = 0;
	regs[IER] = IER_TX_EMPTY;
}

static void tx_quiet(void)
{
	regs[IER] = 0;
	(void)regs[IIR];
}

const struct uart uart = {10, open_uart, rx_on, rx, rx_done, tx_raise, tx_quiet};
