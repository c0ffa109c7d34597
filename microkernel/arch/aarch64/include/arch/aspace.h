/* arch_aspace_switch, inline: every IPC round trip between two processes does it twice. */
#pragma once

/* No ASIDs yet (all user mappings are ASID 0): a switch drops them from this CPU's TLB. */
/* TTBR0_EL1 is the root itself (ASID 0). */
static inline uint64_t arch_aspace_token(paddr_t root)
{
	return root;
}

static inline void arch_aspace_switch(uint64_t root)
{
	__asm__ volatile("msr ttbr0_el1, %0\n\tisb\n\t"
			 "dsb ishst\n\ttlbi aside1, xzr\n\tdsb nsh\n\tisb" ::"r"(root) : "memory");
}

struct ioport_set;

/* No port space: nothing to switch (arch_io_supported says -EOPNOTSUPP). */
static inline void arch_io_switch(const struct ioport_set *io)
{
	(void)io;
}
