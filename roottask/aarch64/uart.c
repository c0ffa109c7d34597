/* The PL011 at 0x09000000 (QEMU virt): line 1 (SPI 1), mapped from its device memory. */
#include "../uart.h"

#define PL011 0x09000000ull
#define DR 0x00
#define FR 0x18
#define IMSC 0x38
#define ICR 0x44
#define FR_RXFE (1u << 4)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)

static volatile uint32_t *regs;

static int64_t open_uart(handle_t resource)
{
	return uart_map(resource, PL011, (volatile void **)&regs);
}

static void rx_on(void)
{
	regs[ICR / 4] = INT_RX | INT_RT;
	regs[IMSC / 4] |= INT_RX | INT_RT;
}

static size_t rx(char *buf, size_t max)
{
	size_t n = 0;

	while (n < max && !(regs[FR / 4] & FR_RXFE))
		buf[n++] = (char)(regs[DR / 4] & 0xff);
	return n;
}

static void rx_done(void)
{
	regs[ICR / 4] = INT_RX | INT_RT;
}

/* Sending a byte raises the transmit interrupt (QEMU sends it at once). */
static void tx_raise(void)
{
	regs[ICR / 4] = INT_TX;
	regs[IMSC / 4] |= INT_TX;
	regs[DR / 4] = '\n';
}

static void tx_quiet(void)
{
	regs[IMSC / 4] &= ~INT_TX;
	regs[ICR / 4] = INT_TX;
}

const struct uart uart = {1, open_uart, rx_on, rx, rx_done, tx_raise, tx_quiet};
