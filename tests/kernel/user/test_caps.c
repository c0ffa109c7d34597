/* Capability misuse from user space: forged, stale, revoked and under-privileged handles. */
#include "../../../roottask/utest.h"

UTEST(caps_million_forged_handles_rejected)
{
	uint64_t s = 0x9e3779b97f4a7c15ull, inf;
	int accepted = 0;

	for (int i = 0; i < 1000000; i++) {
		uint64_t h = rnd(&s);
		if (h == vr_self || h == root_info->resource || h == root_info->image)
			continue;
		if (vr_handle_info(h, &inf) != -VR_EBADF)
			accepted++;
	}
	UCHECK(accepted == 0, "%d forged handles accepted", accepted);
	UCHECK(vr_handle_info(vr_self, &inf) == 0, "a real handle was rejected");
	return NULL;
}

UTEST(caps_rights_enforced)
{
	handle_t vmo, ro;
	uint64_t addr;
	char buf[16] = "x";

	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_handle_derive(vmo, VR_RIGHT_READ | VR_RIGHT_MAP, &ro) == 0, "derive");
	UCHECK(vr_vmo_write(ro, buf, 0, 1) == -VR_EACCES, "write through a read-only handle");
	UCHECK(vr_vmo_read(ro, buf, 0, 1) == 0, "read through it");
	UCHECK(vr_vm_map(vr_self, ro, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE, &addr) == -VR_EACCES,
	       "writable mapping of a read-only handle");
	handle_t again;
	UCHECK(vr_handle_derive(ro, VR_RIGHT_READ, &again) == -VR_EACCES, "derive without DUPLICATE");
	UCHECK(vr_vmo_size(vr_self, &addr) == -VR_EINVAL, "a process handle used as a VMO");
	vr_handle_close(ro);
	vr_handle_close(vmo);
	return NULL;
}

UTEST(caps_use_after_close_and_revoke)
{
	handle_t vmo, child, grandchild;
	uint64_t size;

	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_handle_derive(vmo, 0x3ff, &child) == 0, "derive");
	UCHECK(vr_handle_derive(child, VR_RIGHT_READ, &grandchild) == 0, "derive again");
	UCHECK(vr_handle_revoke(vmo) == 0, "revoke");
	UCHECK(vr_vmo_size(child, &size) == -VR_EBADF, "child survived revoke");
	UCHECK(vr_vmo_size(grandchild, &size) == -VR_EBADF, "grandchild survived revoke");
	UCHECK(vr_vmo_size(vmo, &size) == 0 && size == VR_PAGE, "revoke removed the root itself");
	UCHECK(vr_handle_close(vmo) == 0, "close");
	UCHECK(vr_vmo_size(vmo, &size) == -VR_EBADF, "used after close");
	UCHECK(vr_handle_close(vmo) == -VR_EBADF, "closed twice");
	return NULL;
}
