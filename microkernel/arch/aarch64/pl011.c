/* The console: an ARM PL011 UART, left configured by the firmware (QEMU needs no setup). */
#include <kernel/arch.h>

#include <arch/pl011.h>

#include "aarch64.h"

volatile uint32_t *pl011_regs;
int pl011_line = -1;

void pl011_init(volatile void *base)
{
	pl011_regs = base;
}

void arch_console_putc(char c)
{
	if (!pl011_regs)
		return;
	while (pl011_regs[UARTFR / 4] & UARTFR_TXFF)
		;
	pl011_regs[UARTDR / 4] = (uint8_t)c;
}
