/*
 * The per-architecture hooks. Every architecture under microkernel/arch/<arch>/
 * implements all of these; generic code reaches the hardware only through them.
 * <arch/defs.h> (chosen by include path) supplies the constants: ARCH_NAME,
 * PAGE_SIZE, KERNEL_VMA, PHYS_MAP_BASE and the frame-record layout.
 */
#pragma once

#include <kernel/types.h>
#include <arch/defs.h>

/* Writes one byte to the early serial console; usable from the first instruction of kmain. */
void arch_console_putc(char c);

/* Stops this CPU for good with interrupts masked. */
noreturn void arch_halt(void);

/*
 * Leaves the machine: under QEMU, ends the emulator with a status the test
 * harness can read (isa-debug-exit, semihosting, SBI system reset). Status 0
 * means success. Falls back to arch_halt() where the platform cannot exit.
 */
noreturn void arch_exit(int status);

/* Waits for the next interrupt with the CPU halted (hlt / wfi). */
void arch_wait_for_interrupt(void);

/* Executes the architecture's breakpoint instruction; the trap code reports it
 * through trap_breakpoint() and resumes after it. */
void arch_breakpoint(void);

/* A monotonically increasing counter that counts retired instructions exactly
 * when QEMU runs with -icount shift=0. */
uint64_t arch_cycles(void);

/* A short description of the CPU model, for the banner (may be "unknown"). */
const char *arch_cpu_model(void);
