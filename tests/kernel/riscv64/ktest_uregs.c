/*
 * In-kernel tests of the riscv64 user register file: the registers the
 * system-call and IPC accessors use must be the ones libveridian's
 * syscall_arch.h and ipc_arch.h put the values in, and fpu.S must give back
 * every F/D register and fcsr.
 */
#include <kernel/ktest.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <arch/riscv.h>

#define SSTATUS_SPP (1u << 8)
#define SSTATUS_SUM (1u << 18)

KTEST(uregs_syscall_and_message_registers)
{
	/* a2, a3, a4, a5, a6, t0, t1, t2 */
	static const unsigned msg_x[MSG_REGS] = {12, 13, 14, 15, 16, 5, 6, 7};
	static struct user_regs r;
	uint64_t msg[MSG_REGS];

	arch_uregs_init(&r, 0x1000, 0x2000, 11, 22);
	KCHECK(r.sepc == 0x1000 && r.x[2] == 0x2000 && r.x[10] == 11 && r.x[11] == 22,
	       "arch_uregs_init: pc %#lx sp %#lx a0 %lu a1 %lu", r.sepc, r.x[2], r.x[10], r.x[11]);
	KCHECK(!(r.sstatus & (SSTATUS_SPP | SSTATUS_SUM)) && (r.sstatus & SSTATUS_SPIE) &&
		   (r.sstatus & SSTATUS_FS),
	       "user sstatus %#lx", r.sstatus);
	for (unsigned i = 0; i < 32; i++)
		r.x[i] = 100 + i;
	KCHECK(arch_syscall_nr(&r) == 117, "the number is not in a7");
	for (unsigned i = 0; i < 6; i++)
		KCHECK(arch_syscall_arg(&r, i) == 110 + i, "argument %u is not in a%u", i, i);
	arch_syscall_set_result(&r, -5, 77);
	KCHECK(r.x[10] == (uint64_t)-5 && r.x[11] == 77 && r.x[12] == 112 && r.x[17] == 117,
	       "results not in a0/a1 only");
	arch_msg_get(&r, msg);
	for (unsigned i = 0; i < MSG_REGS; i++)
		KCHECK(msg[i] == 100 + msg_x[i], "message word %u is not x%u", i, msg_x[i]);
	for (unsigned i = 0; i < MSG_REGS; i++)
		msg[i] = 500 + i;
	arch_msg_set(&r, msg);
	for (unsigned i = 0; i < MSG_REGS; i++)
		KCHECK(r.x[msg_x[i]] == 500 + i, "message word %u not set in x%u", i, msg_x[i]);
	KCHECK(r.x[10] == (uint64_t)-5 && r.x[11] == 77 && r.x[17] == 117,
	       "set more than the message");
	return NULL;
}

/* A kernel thread runs this: no user thread's registers live in the FPU meanwhile. */
KTEST(uregs_fpu_save_load_round_trip)
{
	static struct user_regs a, b;

	for (unsigned i = 0; i < 32; i++)
		a.f[i] = 0x4000000000000000ull + i * 0x123456789ull;
	a.fcsr = 0x65; /* rounding mode 3, flags 5 */
	unsigned long s = arch_irq_save();
	uint64_t fs = csr_read(sstatus) & SSTATUS_FS;
	csr_set(sstatus, SSTATUS_FS);
	fpu_load(&a);
	fpu_save(&b);
	csr_clear(sstatus, SSTATUS_FS);
	csr_set(sstatus, fs);
	arch_irq_restore(s);
	for (unsigned i = 0; i < 32; i++)
		KCHECK(b.f[i] == a.f[i], "f%u came back as %#lx", i, b.f[i]);
	KCHECK(b.fcsr == a.fcsr, "fcsr came back as %#lx", b.fcsr);
	return NULL;
}
