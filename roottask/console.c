/*
 * The console's input driver: a thread of the root task (which holds the root
 * resource, so nothing needs handing over) owns the UART's receive side. It
 * binds the UART's line to a notification, drains the receive FIFO when it
 * fires and hands the bytes to the vfs server (VFS_CONSOLE_INPUT on the admin
 * capability), whose /dev/console line discipline echoes and edits them. The
 * kernel keeps the transmit side: its printing and vr_debug_write are untouched.
 * The wait also times out now and then and drains anyway, so an edge lost
 * between draining and the ack (x86's ISA line is edge-triggered) only delays.
 */
#include "../posix/proto/vfs.h"
#include "console.h"
#include "posix.h"
#include "utest.h"

#define POLL_NS 100000000ull /* the fallback drain */

static handle_t irq, notification;

static void hand_over(const char *buf, size_t n)
{
	uint64_t m[8] = {VR_TAG(VFS_CONSOLE_INPUT, 7), n};

	memcpy(&m[2], buf, n);
	vr_ipc_call(posix_vfs_admin, m);
}

static uint64_t console_input(uint64_t unused)
{
	char buf[VFS_CONSOLE_INPUT_MAX];
	uint64_t bits;
	size_t n;

	for (;;) {
		while ((n = uart.rx(buf, sizeof(buf))))
			hand_over(buf, n);
		uart.rx_done();
		vr_irq_ack(irq);
		vr_notify_wait(notification, POLL_NS, &bits);
	}
	return 0;
}

int64_t console_start(void)
{
	handle_t t;
	int64_t err;

	if (!posix_vfs_admin)
		return -VR_ENOSYS;
	if ((err = uart.open(root_info->resource)) || (err = vr_notify_create(&notification)))
		goto fail;
	if ((err = vr_irq_bind(root_info->resource, uart.line, notification, 1, &irq)))
		goto fail;
	uart.rx_on();
	if (!(err = vr_thread_spawn(console_input, 0, &t)))
		return 0;
fail:
	vr_printf("console: no input driver (%ld): the console cannot be typed at\n", (long)err);
	return err;
}
