/* I/O-port capabilities where there is no port space: ioport_create says so. */
#include "../../../../roottask/utest.h"

UTEST(ioport_create_unsupported)
{
	handle_t port;

	UCHECK(vr_ioport_create(root_info->resource, 0x3f8, 8, &port) == -VR_EOPNOTSUPP,
	       "ioport_create did not answer -EOPNOTSUPP");
	UCHECK(vr_ioport_create(root_info->resource ^ 0x5a5a000000ull, 0x3f8, 8, &port) == -VR_EBADF,
	       "a forged resource");
	return NULL;
}
