/* The NS16550A's receive side at 0x10000000 (QEMU virt): PLIC source 10. The kernel keeps writing to THR. */
#include "../console.h"

#define UART 0x10000000ull
#define RBR 0
#define IER 1
#define LSR 5
#define LSR_DATA 1

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

static void rx_on(void)
{
	regs[IER] = 1;
}

static size_t rx(char *buf, size_t max)
{
	size_t n = 0;

	while (n < max && (regs[LSR] & LSR_DATA))
		buf[n++] = (char)regs[RBR];
	return n;
}

static void rx_done(void)
{
}

const struct console_uart console_uart = {10, open_uart, rx_on, rx, rx_done};
