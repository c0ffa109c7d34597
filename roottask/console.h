/*
 * The console's input: the root task's UART driver (console.c) and the
 * per-architecture receive side of the console UART (roottask/<arch>/uart.c).
 */
#pragma once

#include <veridian/vr.h>

struct console_uart {
	unsigned line;				/* the interrupt line irq_bind takes */
	int64_t (*open)(handle_t resource);	/* reaches the registers; 0 or an error */
	void (*rx_on)(void);			/* enables the receive interrupt */
	size_t (*rx)(char *buf, size_t max);	/* takes the bytes received (at most @max) */
	void (*rx_done)(void);			/* clears the receive interrupt once drained */
};

extern const struct console_uart console_uart;

/* Starts the driver thread, which hands what is typed to the vfs server (VFS_CONSOLE_INPUT). */
int64_t console_start(void);
