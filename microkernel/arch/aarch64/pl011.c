/* The console: an ARM PL011 UART, left configured by the firmware (QEMU needs no setup). */
#include <kernel/arch.h>

#include "aarch64.h"

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTFR_TXFF (1u << 5)

static volatile uint32_t *uart;

void pl011_init(volatile void *base)
{
	uart = base;
}

void arch_console_putc(char c)
{
	if (!uart)
		return;
	while (uart[UARTFR / 4] & UARTFR_TXFF)
		;
	uart[UARTDR / 4] = (uint8_t)c;
}
