/* Generic entry points that the architecture trap code calls. */
#pragma once

#include <kernel/types.h>

/* A breakpoint instruction was executed in kernel mode; execution resumes after it. */
void trap_breakpoint(uintptr_t pc);

/* Number of kernel breakpoints taken so far (for the self test). */
uint64_t trap_breakpoint_count(void);
