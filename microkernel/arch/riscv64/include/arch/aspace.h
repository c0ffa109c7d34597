/* arch_aspace_switch, inline: every IPC round trip between two processes does it twice. */
#pragma once

/* satp for @root: Sv48 (mode 9), no ASID, the root's page number. */
static inline uint64_t arch_aspace_token(paddr_t root)
{
	return 9ull << 60 | root >> 12;
}

/* No ASIDs yet: a switch flushes every translation. */
static inline void arch_aspace_switch(uint64_t satp)
{
	__asm__ volatile("csrw satp, %0\n\tsfence.vma" ::"r"(satp) : "memory");
}

struct ioport_set;

/* No port space: nothing to switch (arch_io_supported says -EOPNOTSUPP). */
static inline void arch_io_switch(const struct ioport_set *io)
{
	(void)io;
}
