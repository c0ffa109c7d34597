/* Generic handling of the traps the architecture code forwards. */
#include <kernel/trap.h>

static uint64_t breakpoints;

void trap_breakpoint(uintptr_t pc)
{
	(void)pc;
	breakpoints++;
}

uint64_t trap_breakpoint_count(void)
{
	return breakpoints;
}
