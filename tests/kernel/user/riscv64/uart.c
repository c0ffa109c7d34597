/* The NS16550A at 0x10000000 (QEMU virt): PLIC source 10, mapped from its device memory. */
#include "../uart.h"

#define UART 0x10000000ull
#define IER 1
#define IIR 2

static volatile uint8_t *regs;

static int64_t open_uart(handle_t resource)
{
	handle_t vmo;
	uint64_t at;
	int64_t err = vr_vmo_create_phys(resource, UART, VR_PAGE, &vmo);

	if (!err)
		err = vr_vm_map(vr_self, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at);
	if (!err)
		regs = (volatile uint8_t *)(uintptr_t)at;
	return err;
}

/* Enabling the transmit-empty interrupt while the transmitter is empty raises it anew. */
static void raise(void)
{
	regs[IER] = 0;
	regs[IER] = 2;
}

static void quiet(void)
{
	regs[IER] = 0;
	(void)regs[IIR];
}

const struct test_uart test_uart = {10, open_uart, raise, quiet};
