/* COM1 through port I/O: line 4 (ISA IRQ 4; QEMU's MADT does not move it). */
#include "../uart.h"

#define COM1 0x3f8
#define RBR 0
#define IER 1
#define IIR 2
#define LSR 5
#define LSR_DATA 1
#define IER_RX 1
#define IER_TX_EMPTY 2

static handle_t res;

static int64_t open_uart(handle_t resource)
{
	res = resource;
	return 0;
}

static void rx_on(void)
{
	vr_ioport_write(res, COM1 + IER, 1, IER_RX);
}

static size_t rx(char *buf, size_t max)
{
	uint64_t v;
	size_t n = 0;

	while (n < max && !vr_ioport_read(res, COM1 + LSR, 1, &v) && (v & LSR_DATA) &&
	       !vr_ioport_read(res, COM1 + RBR, 1, &v))
		buf[n++] = (char)v;
	return n;
}

static void rx_done(void)
{
}

/* Enabling the transmit-empty interrupt while the transmitter is empty raises it anew. */
static void tx_raise(void)
{
	vr_ioport_write(res, COM1 + IER, 1, 0);
	vr_ioport_write(res, COM1 + IER, 1, IER_TX_EMPTY);
}

static void tx_quiet(void)
{
	uint64_t v;

	vr_ioport_write(res, COM1 + IER, 1, 0);
	vr_ioport_read(res, COM1 + IIR, 1, &v);
}

const struct uart uart = {4, open_uart, rx_on, rx, rx_done, tx_raise, tx_quiet};
