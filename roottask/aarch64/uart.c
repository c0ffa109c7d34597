/* The PL011's receive side at 0x09000000 (QEMU virt): line 1 (SPI 1). The kernel keeps writing to DR. */
#include "../console.h"

#define PL011 0x09000000ull
#define DR 0x00
#define FR 0x18
#define IMSC 0x38
#define ICR 0x44
#define FR_RXFE (1u << 4)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)

static volatile uint32_t *regs;

static int64_t open_uart(handle_t resource)
{
	handle_t vmo;
	uint64_t at;
	int64_t err = vr_vmo_create_phys(resource, PL011, VR_PAGE, &vmo);

	if (!err)
		err = vr_vm_map(vr_self, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at);
	if (!err)
		regs = (volatile uint32_t *)(uintptr_t)at;
	return err;
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

const struct console_uart console_uart = {1, open_uart, rx_on, rx, rx_done};
