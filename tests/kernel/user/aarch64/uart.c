/* The PL011 at 0x09000000 (QEMU virt): line 1 (SPI 1), mapped from its device memory. */
#include "../uart.h"

#define PL011 0x09000000ull
#define DR 0x00
#define IMSC 0x38
#define ICR 0x44
#define INT_TX (1u << 5)

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

/* Sending a byte raises the transmit interrupt (QEMU sends it at once). */
static void raise(void)
{
	regs[ICR / 4] = INT_TX;
	regs[IMSC / 4] |= INT_TX;
	regs[DR / 4] = '\n';
}

static void quiet(void)
{
	regs[IMSC / 4] &= ~INT_TX;
	regs[ICR / 4] = INT_TX;
}

const struct test_uart test_uart = {1, open_uart, raise, quiet};
