/*
 * The console UART as the root task's user-space driver sees it, per
 * architecture (roottask/<arch>/uart.c): which device line it raises, its
 * receive side (the console driver in console.c) and a way to make it raise
 * and drop its transmit interrupt (the in-guest interrupt test). The kernel
 * keeps writing to the transmit register. On a finished system devmgr learns
 * the device from ACPI or the device tree; here the root task knows QEMU's
 * machines.
 */
#pragma once

#include <veridian/vr.h>

struct uart {
	unsigned line;				/* the interrupt line irq_bind takes */
	int64_t (*open)(handle_t resource);	/* reaches the registers; 0 or -errno */
	void (*rx_on)(void);			/* enables the receive interrupt */
	size_t (*rx)(char *buf, size_t max);	/* takes the bytes received (at most @max) */
	void (*rx_done)(void);			/* clears the receive interrupt once drained */
	void (*tx_raise)(void);			/* makes the transmit interrupt fire */
	void (*tx_quiet)(void);			/* disables and clears it again */
};

extern const struct uart uart;

/* Maps one page of device memory at @paddr through the root resource. */
int64_t uart_map(handle_t resource, uint64_t paddr, volatile void **regs);
