/*
 * A user-space driver owns a device interrupt: it binds the console UART's
 * line to a notification, sees it fire, sees it held until acknowledged, and
 * sees the next one after the ack.
 */
#include "../../../roottask/utest.h"
#include "../../../roottask/uart.h"

/* Nothing may print between raise and quiet: each byte sent re-raises the interrupt. */
static const char *drive(handle_t irq, handle_t n)
{
	uint64_t bits = 0;

	uart.tx_raise();
	int64_t r = vr_notify_wait(n, 10000000000ull, &bits);
	UCHECK(r == 0 && bits == 0x4, "no interrupt: wait gave %ld, bits %#lx", r, bits);
	uart.tx_raise();
	r = vr_notify_wait(n, 30000000, &bits);
	UCHECK(r == -VR_ETIMEDOUT, "the line fired again before its ack (%ld, %#lx)", r, bits);
	UCHECK(vr_irq_ack(irq) == 0, "irq_ack failed");
	/* An edge-triggered line (x86 ISA) does not fire again for a condition held across the ack. */
	uart.tx_raise();
	r = vr_notify_wait(n, 10000000000ull, &bits);
	UCHECK(r == 0 && bits == 0x4, "no interrupt after the ack: %ld", r);
	return NULL;
}

UTEST(user_driver_owns_uart_interrupt)
{
	handle_t n, irq, other;

	UCHECK(uart.open(root_info->resource) == 0, "cannot reach the UART");
	UCHECK(vr_notify_create(&n) == 0, "notify_create");
	int64_t err = vr_irq_bind(root_info->resource, uart.line, n, 0x4, &irq);
	UCHECK(err == 0, "irq_bind(line %u) gave %ld", uart.line, err);
	UCHECK(vr_irq_bind(root_info->resource, uart.line, n, 0x4, &other) == -VR_EBUSY,
	       "a line was bound twice");
	UCHECK(vr_irq_bind(vr_self, uart.line, n, 0x4, &other) == -VR_EINVAL,
	       "bound without a resource");
	const char *why = drive(irq, n);
	uart.tx_quiet();
	vr_irq_ack(irq);
	vr_handle_close(irq);	/* unbinds and masks the line */
	vr_handle_close(n);
	return why;
}
