/*
 * Calls into the SBI firmware (OpenSBI on QEMU): identification, a console
 * of last resort, the timer, IPIs, starting harts and system reset.
 */
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <arch/riscv.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_HSM 0x48534d
#define SBI_IMPL_OPENSBI 1

/* Function ids of the base extension. */
#define BASE_SPEC_VERSION 0
#define BASE_IMPL_ID 1
#define BASE_IMPL_VERSION 2
#define BASE_MVENDORID 4
#define BASE_MARCHID 5
#define BASE_MIMPID 6

/* System Reset: its one function takes a reset type and a reason. */
#define SRST_SYSTEM_RESET 0
#define SRST_TYPE_SHUTDOWN 0
#define SRST_REASON_NONE 0
#define SRST_REASON_FAILURE 1

struct sbiret sbi_call(long eid, long fid, long arg0, long arg1, long arg2)
{
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = arg1;
	register long a2 __asm__("a2") = arg2;
	register long a6 __asm__("a6") = fid;
	register long a7 __asm__("a7") = eid;

	__asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
	return (struct sbiret){a0, a1};
}

void sbi_console_putchar(char c)
{
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0, 0);
}

long sbi_mvendorid(void)
{
	return sbi_call(SBI_EXT_BASE, BASE_MVENDORID, 0, 0, 0).value;
}

long sbi_marchid(void)
{
	return sbi_call(SBI_EXT_BASE, BASE_MARCHID, 0, 0, 0).value;
}

long sbi_mimpid(void)
{
	return sbi_call(SBI_EXT_BASE, BASE_MIMPID, 0, 0, 0).value;
}

const char *sbi_firmware_name(void)
{
	static const char *const impls[] = {"BBL", "OpenSBI", "Xvisor", "KVM", "RustSBI", "Diosix"};
	static char name[64];
	struct sbiret spec = sbi_call(SBI_EXT_BASE, BASE_SPEC_VERSION, 0, 0, 0);

	/* SBI v0.1 has no base extension: only the legacy calls exist. */
	if (spec.error)
		return "SBI v0.1";
	unsigned long id = sbi_call(SBI_EXT_BASE, BASE_IMPL_ID, 0, 0, 0).value;
	unsigned long ver = sbi_call(SBI_EXT_BASE, BASE_IMPL_VERSION, 0, 0, 0).value;
	unsigned long major = spec.value >> 24 & 0x7f, minor = spec.value & 0xffffff;

	/* Each implementation encodes its version its own way; OpenSBI's is major.minor. */
	if (id == SBI_IMPL_OPENSBI)
		ksnprintf(name, sizeof(name), "OpenSBI v%lu.%lu (SBI v%lu.%lu)", ver >> 16,
			  ver & 0xffff, major, minor);
	else
		ksnprintf(name, sizeof(name), "%s %#lx (SBI v%lu.%lu)",
			  id < ARRAY_SIZE(impls) ? impls[id] : "SBI", ver, major, minor);
	return name;
}

void sbi_set_timer(uint64_t when)
{
	sbi_call(SBI_EXT_TIME, 0, (long)when, 0, 0);
}

/* The IPI extension takes a hart mask relative to a base hart id: here one hart. */
void sbi_send_ipi(unsigned long hartid)
{
	sbi_call(SBI_EXT_IPI, 0, 1, (long)hartid, 0);
}

long sbi_hart_start(unsigned long hartid, paddr_t start, unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, (long)hartid, (long)start, (long)opaque).error;
}

noreturn void arch_exit(int status)
{
	/*
	 * OpenSBI shuts QEMU down through its test device with "pass" whatever the
	 * reason, so QEMU's exit code carries no status: the serial log tells.
	 */
	sbi_call(SBI_EXT_SRST, SRST_SYSTEM_RESET, SRST_TYPE_SHUTDOWN,
		 status ? SRST_REASON_FAILURE : SRST_REASON_NONE, 0);
	sbi_call(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
	arch_halt();
}
