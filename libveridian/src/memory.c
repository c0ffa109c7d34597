/* Anonymous memory for this process: a fresh VMO mapped where the kernel chooses. */
#include <veridian/vr.h>

handle_t vr_self;

void *vr_map_anon(size_t size, uint64_t prot)
{
	handle_t vmo;
	uint64_t addr;

	size = (size + VR_PAGE - 1) & ~(size_t)(VR_PAGE - 1);
	if (vr_vmo_create(size, 0, &vmo) < 0)
		return NULL;
	int64_t err = vr_vm_map(vr_self, vmo, 0, 0, size, prot, &addr);
	/* The mapping holds the VMO; the handle is no longer needed. */
	vr_handle_close(vmo);
	return err < 0 ? NULL : (void *)(uintptr_t)addr;
}

int vr_unmap(void *p, size_t size)
{
	size = (size + VR_PAGE - 1) & ~(size_t)(VR_PAGE - 1);
	return (int)vr_vm_unmap(vr_self, (uint64_t)(uintptr_t)p, size);
}
