/* arch_aspace_switch, inline: every IPC round trip between two processes does it twice. */
#pragma once

/* CR3 is the root itself. */
static inline uint64_t arch_aspace_token(paddr_t root)
{
	return root;
}

static inline void arch_aspace_switch(uint64_t root)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(root) : "memory");
}
