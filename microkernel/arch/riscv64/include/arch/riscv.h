/* riscv64 internals shared by the files of microkernel/arch/riscv64/ (not for generic code). */
#pragma once

#include <kernel/fdt.h>
#include <kernel/types.h>

#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"r"((uint64_t)(bits)))

#define SSTATUS_SIE (1u << 1)

/* An SBI call's result: error is 0 on success (negative SBI_ERR_* otherwise). */
struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(long eid, long fid, long arg0, long arg1);
void sbi_console_putchar(char c);
/* "OpenSBI v1.1 (SBI v1.0)", from the SBI base extension. */
const char *sbi_firmware_name(void);
/* Machine-level CSRs that S-mode can only learn through SBI. */
long sbi_mvendorid(void);
long sbi_marchid(void);
long sbi_mimpid(void);

/* Physical address of the kernel image's first byte (KERNEL_VMA), set before paging is on. */
extern paddr_t kernel_phys;
/* Runs with paging off: builds the boot page tables and returns the satp value. */
uint64_t riscv_early_paging(void);
void riscv_drop_identity(void);

void console_init(const struct fdt *f);
void cpu_model_init(const struct fdt *f, unsigned long hartid);
