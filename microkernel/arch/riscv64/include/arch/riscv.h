/* riscv64 internals shared by the files of microkernel/arch/riscv64/ (not for generic code). */
#pragma once

#include <kernel/fdt.h>
#include <kernel/types.h>

#define csr_op(op, csr, v) __asm__ volatile(op " " #csr ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_clear(csr, bits) csr_op("csrc", csr, bits)
#define csr_set(csr, bits) csr_op("csrs", csr, bits)
#define csr_write(csr, v) csr_op("csrw", csr, v)
#define csr_read(csr)                                                                              \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_));                                     \
		v_;                                                                                \
	})

#define SSTATUS_SIE (1u << 1)
#define SSTATUS_SPIE (1u << 5)
/* The state of the F/D registers: Off (they trap), Initial, Clean (saved) or Dirty. */
#define SSTATUS_FS (3u << 13)
#define SSTATUS_FS_INITIAL (1u << 13)
#define SSTATUS_FS_CLEAN (2u << 13)
#define SSTATUS_FS_DIRTY (3u << 13)
#define SSTATUS_UXL (3ull << 32)

/* scounteren: U-mode may read cycle, time and instret. */
#define SCOUNTEREN_CY_TM_IR 7u

/* Interrupt numbers (scause without its top bit) and their bits in sie / sip. */
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define SIE_SSIE (1u << IRQ_S_SOFT)
#define SIE_STIE (1u << IRQ_S_TIMER)
#define SIE_SEIE (1u << IRQ_S_EXT)
#define SIP_SSIP SIE_SSIE

/* Sv48 page-table entries and satp. */
#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_G (1u << 5)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
#define PTE_SW_DEVICE (1u << 8) /* RSW bit: PROT_DEVICE, which plain Sv48 cannot express */
#define PTE_PPN_SHIFT 10
#define SATP_MODE_SV48 (9ull << 60)
#define SATP_PPN_MASK ((1ull << 44) - 1)

static inline uint64_t rdtime(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* An SBI call's result: error is 0 on success (negative SBI_ERR_* otherwise). */
struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(long eid, long fid, long arg0, long arg1, long arg2);
void sbi_console_putchar(char c);
/* "OpenSBI v1.1 (SBI v1.0)", from the SBI base extension. */
const char *sbi_firmware_name(void);
/* Machine-level CSRs that S-mode can only learn through SBI. */
long sbi_mvendorid(void);
long sbi_marchid(void);
long sbi_mimpid(void);
/* Raises this hart's timer interrupt once rdtime reaches @when (and clears it until then). */
void sbi_set_timer(uint64_t when);
/* Raises a supervisor software interrupt on hart @hartid. */
void sbi_send_ipi(unsigned long hartid);
/* Starts a stopped hart at physical address @start with a1 = @opaque; returns 0 or an SBI error. */
long sbi_hart_start(unsigned long hartid, paddr_t start, unsigned long opaque);

/* Physical address of the kernel image's first byte (KERNEL_VMA), set before paging is on. */
extern paddr_t kernel_phys;
/* The kernel's satp value (its root page table), which every hart starts on. */
extern uint64_t kernel_satp;
/* Runs with paging off: builds the boot page tables and returns the satp value. */
uint64_t riscv_early_paging(void);
void riscv_drop_identity(void);

/* The first enabled node compatible with @compat (depth-first), or FDT_NONE. */
int riscv_fdt_find(const struct fdt *f, const char *compat);

/* The console UART and its interrupt line (0 when unknown), for the interrupt-line test. */
extern volatile uint8_t *console_uart;
extern unsigned console_uart_line;
void console_init(const struct fdt *f);
void cpu_model_init(const struct fdt *f, unsigned long hartid);

/* The clock and the tick (time.c). */
void time_init(const struct fdt *f);
void timer_interrupt(void);

/* The PLIC (plic.c): found once, then set up on each hart; plic_interrupt takes one line. */
void plic_init(const struct fdt *f);
void plic_hart_init(unsigned long hartid);
void plic_interrupt(void);
/* Which PLIC (0, 1, ... in device-tree order) has @line; the number of PLICs for none. */
unsigned plic_index(unsigned line);

/*
 * QEMU virt's PCIe host as the device tree tells it (plic.c; zeroes when
 * there is none): ECAM, the 32-bit memory window, and the line of each INTx
 * pin (1-4) of a slot (mod 4), for the PCI interrupt-line test.
 */
struct riscv_pci {
	paddr_t ecam, mmio;
	unsigned intx[4][4];
};
extern struct riscv_pci riscv_pci;

/* Opens the calling hart to IPIs and device interrupts (they arrive only in arch_idle). */
void riscv_hart_init(unsigned long hartid);

/* Threads (switch.S, fpu.S): a new thread's first code (arch_switch is in switch.S too). */
struct user_regs;
void riscv_thread_start(void);
void riscv_switch_resume(void);
/* Copy the F/D registers and fcsr to and from @r; fpu_load needs sstatus.FS on. */
void fpu_save(struct user_regs *r);
void fpu_load(const struct user_regs *r);

/* Loads the F/D registers of a thread that trapped on its first use of them (thread.c). */
bool riscv_fpu_trap(struct user_regs *r);
