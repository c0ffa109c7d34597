/* arch_aspace_switch, inline: every IPC round trip between two processes does it twice. */
#pragma once

static inline void arch_aspace_switch(paddr_t root)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(root) : "memory");
}
