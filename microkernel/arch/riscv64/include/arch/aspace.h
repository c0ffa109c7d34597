/* arch_aspace_switch, inline: every IPC round trip between two processes does it twice. */
#pragma once

/* No ASIDs yet: a switch flushes every translation (Sv48: mode 9). */
static inline void arch_aspace_switch(paddr_t root)
{
	__asm__ volatile("csrw satp, %0\n\tsfence.vma" ::"r"(9ull << 60 | root >> 12) : "memory");
}
