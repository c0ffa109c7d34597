/* What the per-architecture console UARTs (roottask/<arch>/uart.c) share. */
#include "uart.h"

int64_t uart_map(handle_t resource, uint64_t paddr, volatile void **regs)
{
	handle_t vmo;
	uint64_t at;
	int64_t err = vr_vmo_create_phys(resource, paddr, VR_PAGE, &vmo);

	if (!err)
		err = vr_vm_map(vr_self, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &at);
	if (!err)
		*regs = (volatile void *)(uintptr_t)at;
	return err;
}
