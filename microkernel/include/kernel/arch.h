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

/* ---------------------------------------------------------------------------
 * Page tables. A page-table root is named by its physical address. User
 * address spaces share the kernel half; the kernel's own root is the one the
 * boot code built. Page-table pages come from frame_alloc(0, FRAME_ZERO) and
 * are reached through phys_to_virt(). All calls act on 4 KiB pages.
 */

/* Creates an empty user address space; returns 0 or -ENOMEM. */
int arch_aspace_create(paddr_t *root);

/* Frees every page-table page of the user half (not the mapped frames). */
void arch_aspace_destroy(paddr_t root);

/*
 * Maps @va -> @pa with enum page_prot @prot, replacing an existing mapping.
 * Returns 0, -ENOMEM, or -EINVAL for an address outside the user half.
 */
int arch_page_map(paddr_t root, vaddr_t va, paddr_t pa, unsigned prot);

/* Removes the mapping of @va (no-op if none) and flushes it from this CPU's TLB. */
void arch_page_unmap(paddr_t root, vaddr_t va);

/* Looks up @va; returns false when unmapped. */
bool arch_page_query(paddr_t root, vaddr_t va, paddr_t *pa, unsigned *prot);

/*
 * Makes every writable entry of [@start, @end) (page aligned, user half)
 * read-only in one walk, skipping missing tables, and flushes the changed
 * pages from this CPU's TLB; other CPUs need a shootdown (fork's parent).
 */
void arch_range_write_protect(paddr_t root, vaddr_t start, vaddr_t end);

/* Flushes every user translation from this CPU's TLB (for shootdowns). */
void arch_tlb_flush_all(void);

/*
 * Inline, in <arch/aspace.h>: what the hardware loads to switch to @root
 * (kept in struct process, so a switch does not rebuild it), and the switch
 * of this CPU to the address space of such a token:
 *   uint64_t arch_aspace_token(paddr_t root);
 *   void arch_aspace_switch(uint64_t token);
 * and the switch of this CPU's I/O port permissions to those of a process's
 * set (x86_64: its TSS bitmap; a no-op elsewhere), also the shootdown's
 * answer to a change of the set (ioport_settle):
 *   void arch_io_switch(const struct ioport_set *io);
 */
#include <arch/aspace.h>

/* The kernel-only root that idle and kernel threads run on. */
paddr_t arch_kernel_root(void);

/* ---------------------------------------------------------------------------
 * CPUs, interrupts and time.
 */

/*
 * Masks / unmasks interrupts on this CPU, inline in <arch/irq.h>:
 *   unsigned long arch_irq_save(void);	 masks; returns nonzero if they were enabled
 *   void arch_irq_restore(unsigned long state);
 *   void arch_irq_enable(void);
 */
#include <arch/irq.h>

/* Enables interrupts and halts until one arrives, atomically (no lost wake-up). */
void arch_idle(void);

/* This CPU's struct cpu (kept in a register: GS base, TPIDR_EL1, tp); arch_this_cpu() is
 * inline, in <arch/abi.h>. */
struct cpu;
void arch_set_this_cpu(struct cpu *c);

/*
 * Starts secondary CPU @c (c->arch_id names it: APIC id, MPIDR, hart id) on
 * @stack_top; it sets its struct cpu and calls cpu_secondary_entry(c).
 * Returns 0 or a negative error.
 */
int arch_cpu_start(struct cpu *c, void *stack_top);

/* Interrupts another CPU; its handler calls ipi_handler(). */
void arch_send_ipi(struct cpu *target);

/* Starts the periodic tick on this CPU at TICK_HZ; each tick calls timer_tick(). */
void arch_timer_init(void);

/* Nanoseconds since boot, monotonic, the same clock on every CPU. */
uint64_t arch_time_ns(void);

/* ---------------------------------------------------------------------------
 * Threads and user mode. struct arch_thread (<arch/thread.h>) lives inside
 * struct thread; struct user_regs (<arch/regs.h>) is the user register file
 * saved at a trap, found at thread->uregs.
 */
struct thread;
struct user_regs;

/*
 * Prepares @t so that the first arch_switch() to it runs @entry(@arg) on
 * t->kstack_top, with interrupts masked.
 */
void arch_thread_init(struct thread *t, void (*entry)(void *), void *arg);

/*
 * Saves the kernel context of @prev and resumes @next; returns when something
 * switches back to @prev. Also points the CPU's trap stack at next's kernel
 * stack. Called with interrupts masked.
 */
void arch_switch(struct thread *prev, struct thread *next);

/*
 * Sets the user thread pointer (TLS base) of @t, which is the current thread
 * or one that has not started; the value is a user address.
 */
void arch_thread_set_tls(struct thread *t, uint64_t base);

/* Sets up a user register file: entry @pc, stack @sp, first two arguments. */
void arch_uregs_init(struct user_regs *r, vaddr_t pc, vaddr_t sp, uint64_t arg0, uint64_t arg1);

/* Leaves the kernel for user mode with the registers in @r (the current thread's). */
noreturn void arch_return_to_user(struct user_regs *r);

/*
 * Redirection (kern/redirect.c). struct arch_uframe (<arch/uframe.h>) is the
 * user-visible copy of the general registers, pc, stack pointer and flags
 * that thread_redirect writes on the user stack, below ARCH_RED_ZONE bytes,
 * and thread_sigreturn reads back (libveridian's <veridian/uframe_arch.h>
 * has the same layout).
 *   arch_uregs_sp: the user stack pointer in a full register file.
 *   arch_uframe_save: @r (a full register file) into @f.
 *   arch_uframe_load: @f into @r, for the current thread in a system call,
 *     which then leaves through arch_return_to_user: only the flags user
 *     code may set are taken, the rest of the privileged state is the user
 *     mode's; whatever the CPU keeps live during a system call (aarch64's
 *     TPIDR_EL0, riscv64's sstatus) is brought into @r.
 *   arch_uregs_redirect: continue at @entry, as a call of entry(@frame)
 *     with the stack just below @frame.
 */
struct arch_uframe;
vaddr_t arch_uregs_sp(const struct user_regs *r);
void arch_uframe_save(const struct user_regs *r, struct arch_uframe *f);
void arch_uframe_load(struct user_regs *r, const struct arch_uframe *f);
void arch_uregs_redirect(struct user_regs *r, vaddr_t entry, vaddr_t frame);

/*
 * The system-call ABI and the IPC message registers, in <arch/abi.h> as
 * static inline functions (they are on every system call's path):
 *   uint64_t arch_syscall_nr(const struct user_regs *r);
 *   uint64_t arch_syscall_arg(const struct user_regs *r, unsigned i);	 i < 6
 *   void arch_syscall_set_result(struct user_regs *r, int64_t status, uint64_t value);
 *   vaddr_t arch_uregs_pc(const struct user_regs *r);
 *   void arch_msg_get(const struct user_regs *r, uint64_t msg[MSG_REGS]);
 *   void arch_msg_set(struct user_regs *r, const uint64_t msg[MSG_REGS]);
 * The message registers are a tag and seven words (64 bytes) that the ipc_*
 * calls carry in registers in both directions. The architecture chooses the
 * registers (not the system-call number's); libveridian's ipc_arch.h must
 * agree.
 */
#define MSG_REGS 8
#include <arch/abi.h>

/* ---------------------------------------------------------------------------
 * Device interrupt lines, for drivers in user space: x86_64 GSIs through the
 * IOAPIC, aarch64 SPIs on the GICv3 distributor, riscv64 PLIC sources. When a
 * line fires, the arch code leaves it masked (or in service) and calls
 * irq_line_handler(line) with interrupts masked; the line fires again only
 * after arch_irq_line_ack(line).
 */

/* Routes @line to CPU @target and unmasks it; returns 0 or -EINVAL (no such line). */
int arch_irq_line_enable(unsigned line, struct cpu *target);
void arch_irq_line_disable(unsigned line);
void arch_irq_line_ack(unsigned line);

/*
 * Port I/O for user-space drivers (x86_64); @width is 1, 2 or 4. Returns 0,
 * -EINVAL, or -ENOSYS where the architecture has no port I/O.
 */
int arch_ioport_access(uint64_t port, uint64_t width, uint64_t *value, bool write);

/* Whether the architecture has ports for I/O-port capabilities: 0, or -EOPNOTSUPP. */
int arch_io_supported(void);

/* Number of device lines the interrupt controller has (0 before it is set up). */
unsigned arch_irq_line_count(void);

/* Generic: called by the arch code for a device line. */
void irq_line_handler(unsigned line);
