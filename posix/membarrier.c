/*
 * membarrier: the expedited and global barriers as the kernel's membarrier
 * call (every CPU running one of our threads, or every CPU, takes an
 * interrupt before it returns). Registration is this process's alone and
 * only remembered: PRIVATE_EXPEDITED without it is EPERM, as on Linux.
 */
#include <stdbool.h>

#include "posix.h"

/* Linux's commands (linux/membarrier.h). */
#define CMD_QUERY 0
#define CMD_GLOBAL 1
#define CMD_GLOBAL_EXPEDITED 2
#define CMD_REGISTER_GLOBAL_EXPEDITED 4
#define CMD_PRIVATE_EXPEDITED 8
#define CMD_REGISTER_PRIVATE_EXPEDITED 16
#define SUPPORTED                                                                          \
	(CMD_GLOBAL | CMD_GLOBAL_EXPEDITED | CMD_REGISTER_GLOBAL_EXPEDITED | CMD_PRIVATE_EXPEDITED | \
	 CMD_REGISTER_PRIVATE_EXPEDITED)

static bool private_registered;

long px_membarrier(const long *args)
{
	if (args[1])
		return -EINVAL;	/* MEMBARRIER_CMD_FLAG_CPU goes with the rseq commands only */
	switch (args[0]) {
	case CMD_QUERY: return SUPPORTED;
	case CMD_REGISTER_GLOBAL_EXPEDITED: return 0;
	case CMD_REGISTER_PRIVATE_EXPEDITED:
		__atomic_store_n(&private_registered, true, __ATOMIC_RELAXED);
		return 0;
	case CMD_GLOBAL:
	case CMD_GLOBAL_EXPEDITED: return vr_membarrier(1);
	case CMD_PRIVATE_EXPEDITED:
		if (!__atomic_load_n(&private_registered, __ATOMIC_RELAXED))
			return -EPERM;
		return vr_membarrier(0);
	default: return -EINVAL;
	}
}
