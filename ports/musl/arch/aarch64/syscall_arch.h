/* aarch64 system calls for musl on VeridianOS: all through the seam; no vDSO. */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

#include "vr_syscall_seam.h"

#define IPC_64 0
