/* arch_exit(): ends QEMU through Arm semihosting, which hands the status on as QEMU's exit code. */
#include <kernel/arch.h>

#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

noreturn void arch_exit(int status)
{
	/* On AArch64, SYS_EXIT takes a block {reason, exit code} so the code can be non-zero. */
	uint64_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint64_t)status};
	register uint64_t op __asm__("x0") = SYS_EXIT;
	register uint64_t arg __asm__("x1") = (uint64_t)block;

	/* Without semihosting, hlt is undefined; exception.c skips it and we halt. */
	__asm__ volatile("hlt #0xf000" : "+r"(op) : "r"(arg) : "memory");
	arch_halt();
}
