/* Temporary, until the descriptor table (fd.c) arrives: no descriptor to hand on. */
#include "fd.h"

int px_fd_list(struct proc_fd *out, int max)
{
	return 0;
}
