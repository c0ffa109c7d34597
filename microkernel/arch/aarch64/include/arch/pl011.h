/* The PL011 console UART: its registers, shared by pl011.c and the in-kernel device-line test. */
#pragma once

#include <kernel/types.h>

/* Register offsets in bytes. */
#define UARTDR 0x00
#define UARTFR 0x18
#define UARTIMSC 0x38	/* interrupt mask set/clear: 1 = enabled */
#define UARTRIS 0x3c	/* raw interrupt status */
#define UARTICR 0x44	/* interrupt clear */

#define UARTFR_TXFF (1u << 5)
#define UART_INT_TX (1u << 5)	/* the transmit interrupt's bit in IMSC, RIS and ICR */

/* The registers, or NULL when the device tree named no PL011. */
extern volatile uint32_t *pl011_regs;

/* Its device line (SPI number) from the device tree, or -1. */
extern int pl011_line;
