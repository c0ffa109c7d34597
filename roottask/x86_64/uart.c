/* COM1's receive side through port I/O: line 4 (ISA IRQ 4). The kernel keeps writing to THR. */
#include "../console.h"

#define COM1 0x3f8
#define RBR 0
#define IER 1
#define LSR 5
#define LSR_DATA 1

static handle_t res;

static int64_t open_uart(handle_t resource)
{
	res = resource;
	return 0;
}

static void rx_on(void)
{
	vr_ioport_write(res, COM1 + IER, 1, 1);
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

const struct console_uart console_uart = {4, open_uart, rx_on, rx, rx_done};
