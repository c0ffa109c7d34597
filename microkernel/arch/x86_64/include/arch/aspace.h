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

#include <kernel/ioport.h>
#include <arch/regs.h>

/* Rebuilds this CPU's I/O permission bitmap from @io and puts it in force (gdt.c). */
void x86_io_load(const struct ioport_set *io);

/*
 * A general protection fault in user mode while this CPU's bitmap is not the
 * running process's (a port it was just given, before the giver's
 * ioport_settle reached this CPU): loads it and says so, and the
 * instruction runs again; false for a fault of the thread's own.
 */
bool x86_io_retry(void);

/* The TSS holds the bitmap of the process running: only a different set reloads it. */
static inline void arch_io_switch(const struct ioport_set *io)
{
	uint64_t active;

	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(active) : "i"(PERCPU_IO_ACTIVE));
	if (__builtin_expect(__atomic_load_n(&io->stamp, __ATOMIC_ACQUIRE) != active, 0))
		x86_io_load(io);
}
