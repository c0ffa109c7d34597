/*
 * riscv64's user-mode test program (ktest_user_common.c runs it): it runs in
 * U-mode and checks that system calls, traps, interrupts and thread switches
 * keep every register it can see (x1-x31 with sp, gp and tp, f0-f31, fcsr),
 * that it may read the cycle counter, and that each kind of fault and
 * exception ends the process as it should.
 */
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/types.h>

#include "../ktest_user.h"
#include "syscall_defs.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define ROUNDS 20
#define SPIN 200

/* Each thread's slot in the data page: the registers as its last check saw them, and results. */
struct slot {
	uint64_t seen[32];
	uint64_t status, sum, cycle[2], rounds, spins;
	uint8_t pad[208];
};

#define S_STATUS 256
#define S_SUM 264
#define S_CYCLE 272
#define S_ROUNDS 288
#define S_SPINS 296
#define SLOT_SHIFT 9
_Static_assert(sizeof(struct slot) * UT_MAX_THREADS == PAGE_SIZE, "slots fill the page");
_Static_assert(sizeof(struct slot) == 1u << SLOT_SHIFT, "SLOT_SHIFT");
_Static_assert(__builtin_offsetof(struct slot, status) == S_STATUS, "S_STATUS");
_Static_assert(__builtin_offsetof(struct slot, sum) == S_SUM, "S_SUM");
_Static_assert(__builtin_offsetof(struct slot, cycle) == S_CYCLE, "S_CYCLE");
_Static_assert(__builtin_offsetof(struct slot, rounds) == S_ROUNDS, "S_ROUNDS");
_Static_assert(__builtin_offsetof(struct slot, spins) == S_SPINS, "S_SPINS");

/* Every register but x0 and s11 (x27), which holds the slot. */
#define GPRS "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,28,29,30,31"
#define FPRS "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"

/*
 * The kernel is built without the F and D extensions, so the two moves
 * between integer and FP registers are spelled out: fmv.d.x and fmv.x.d.
 */
#define FMV_D_X(fd, rs) "	.insn r 0x53, 0, 0x79, " fd ", " rs ", x0\n"
#define FMV_X_D(rd, fs) "	.insn r 0x53, 0, 0x71, " rd ", " fs ", x0\n"

/* Register x<n>'s value: n << 32 ^ the slot (s11), different in every register and thread. */
#define PATTERN(reg, n) "	li " reg ", (" n " << 32)\n	xor " reg ", " reg ", s11\n"
#define LOAD_GPRS ".irp n, " GPRS "\n" PATTERN("x\\n", "\\n") ".endr\n"
/* Stores GPRS in the slot, then up_check compares them (it may use every register but s11). */
#define CHECK_GPRS ".irp n, " GPRS "\n	sd x\\n, 8 * \\n(s11)\n.endr\n	jal up_check\n"

/*
 * What an ordinary ecall may clobber (libveridian's syscall_arch.h): a2-a7,
 * t0-t6. Each must come back unchanged (its pattern) or zero, never with a
 * value the kernel left there. CLOBBERED_OK uses a1 (the call's value).
 */
#define SYSCALL_CLOBBERED "12, 13, 14, 15, 16, 17, 5, 6, 7, 28, 29, 30, 31"
#define CLOBBERED_OK(regs)                                                                         \
	".irp n, " regs "\n	beqz x\\n, 9f\n" PATTERN("a1", "\\n") "	bne x\\n, a1, up_fail\n9:\n.endr\n"

/*
 * up_main(slot): s11 holds the slot, f<n> the bits of slot + n, fcsr a
 * rounding mode of its own. It yields until the word at UT_GO_VA is set. A
 * system call first: debug_args(1..6) must leave everything but a0, a1 and
 * the registers an ecall clobbers alone, and those unchanged or zero. Then,
 * ROUNDS times, every register takes its value, the thread yields (the
 * direct path) and checks them so, then SPIN times takes them, waits with them live
 * (ticks interrupt it meanwhile) and checks them. It exits with 0 if every
 * register survived, 1 if not. The other entries each commit one fault.
 */
__asm__(".pushsection .rodata\n"
	".balign 4\n"
	"up_start:\n"
	"up_main:\n"
	"	mv s11, a0\n"
	"up_wait:\n"
	"	li t0, " STR(UT_GO_VA) "\n"
	"	ld t0, 0(t0)\n"
	"	bnez t0, up_go\n"
	"	li a7, " STR(SYS_THREAD_YIELD) "\n"
	"	ecall\n"
	"	j up_wait\n"
	"up_go:\n"
	"	rdcycle t0\n"
	"	sd t0, " STR(S_CYCLE) "(s11)\n"
	"	srli t0, s11, " STR(SLOT_SHIFT) "\n"
	"	andi t0, t0, 3\n"
	"	slli t0, t0, 5\n"
	"	csrw 0x3, t0\n" /* fcsr: frm from the slot's index */
	".irp n, " FPRS "\n"
	"	addi t0, s11, \\n\n"
	FMV_D_X("f\\n", "t0")
	".endr\n"
	LOAD_GPRS
	"	li a0, 1\n"
	"	li a1, 2\n"
	"	li a2, 3\n"
	"	li a3, 4\n"
	"	li a4, 5\n"
	"	li a5, 6\n"
	"	li a7, " STR(SYS_DEBUG_ARGS) "\n"
	"	ecall\n"
	"	sd a0, " STR(S_STATUS) "(s11)\n"
	"	sd a1, " STR(S_SUM) "(s11)\n"
	"	li a0, 3\n	beqz a2, 9f\n	bne a2, a0, up_fail\n9:\n"
	"	li a0, 4\n	beqz a3, 9f\n	bne a3, a0, up_fail\n9:\n"
	"	li a0, 5\n	beqz a4, 9f\n	bne a4, a0, up_fail\n9:\n"
	"	li a0, 6\n	beqz a5, 9f\n	bne a5, a0, up_fail\n9:\n"
	"	li a0, " STR(SYS_DEBUG_ARGS) "\n	beqz a7, 9f\n	bne a7, a0, up_fail\n9:\n"
	CLOBBERED_OK("16, 5, 6, 7, 28, 29, 30, 31")
	".irp n, 10,11," SYSCALL_CLOBBERED "\n" PATTERN("x\\n", "\\n") ".endr\n"
	CHECK_GPRS
	"	li t0, " STR(ROUNDS) "\n"
	"	sd t0, " STR(S_ROUNDS) "(s11)\n"
	"1:\n"
	LOAD_GPRS
	"	li a7, " STR(SYS_THREAD_YIELD) "\n"
	"	ecall\n"
	"	bnez a1, up_fail\n"
	"	li a0, " STR(SYS_THREAD_YIELD) "\n	beqz a7, 9f\n	bne a7, a0, up_fail\n9:\n"
	CLOBBERED_OK("12, 13, 14, 15, 16, 5, 6, 7, 28, 29, 30, 31")
	".irp n, 10,11," SYSCALL_CLOBBERED "\n" PATTERN("x\\n", "\\n") ".endr\n"
	CHECK_GPRS
	"	li t0, " STR(SPIN) "\n"
	"	sd t0, " STR(S_SPINS) "(s11)\n"
	"2:\n"
	LOAD_GPRS
	".rept 100\n	nop\n.endr\n"
	CHECK_GPRS
	"	ld t0, " STR(S_SPINS) "(s11)\n"
	"	addi t0, t0, -1\n"
	"	sd t0, " STR(S_SPINS) "(s11)\n"
	"	bnez t0, 2b\n"
	"	ld t0, " STR(S_ROUNDS) "(s11)\n"
	"	addi t0, t0, -1\n"
	"	sd t0, " STR(S_ROUNDS) "(s11)\n"
	"	bnez t0, 1b\n"
	"	rdcycle t0\n"
	"	sd t0, " STR(S_CYCLE) " + 8(s11)\n"
	"	li a0, 0\n"
	"	j up_exit\n"
	/* The registers CHECK_GPRS stored, then f0-f31 and fcsr, against their values. */
	"up_check:\n"
	".irp n, " GPRS "\n"
	PATTERN("t0", "\\n")
	"	ld t1, 8 * \\n(s11)\n"
	"	bne t0, t1, up_fail\n"
	".endr\n"
	".irp n, " FPRS "\n"
	"	addi t1, s11, \\n\n"
	FMV_X_D("t0", "f\\n")
	"	bne t0, t1, up_fail\n"
	".endr\n"
	"	csrr t0, 0x3\n"
	"	srli t1, s11, " STR(SLOT_SHIFT) "\n"
	"	andi t1, t1, 3\n"
	"	slli t1, t1, 5\n"
	"	bne t0, t1, up_fail\n"
	"	ret\n"
	"up_fail:\n"
	"	li a0, 1\n"
	"up_exit:\n"
	"	li a7, " STR(SYS_THREAD_EXIT) "\n"
	"	ecall\n"
	"	unimp\n"
	"up_read_unmapped:\n"
	"	li t0, 0x1000\n"
	"	ld t1, 0(t0)\n"
	"up_write_code:\n"
	"	auipc t0, 0\n"
	"	sd t0, 0(t0)\n"
	"up_exec_data:\n"
	"	jr a0\n"
	"up_read_kernel:\n"
	"	li t0, 0xffffffff80000000\n"
	"	ld t1, 0(t0)\n"
	"up_exec_kernel:\n"
	"	li t0, 0xffffffff80000000\n"
	"	jr t0\n"
	"up_noncanonical:\n"
	"	li t0, 0x8000000000000000\n"
	"	ld t1, 0(t0)\n"
	"up_undefined:\n"
	"	.4byte 0\n"
	"up_ebreak:\n"
	"	ebreak\n"
	"up_privileged:\n"
	"	csrr t0, sstatus\n"
	"up_misaligned_atomic:\n"
	"	addi t0, a0, 4\n"
	"	amoadd.d t1, t1, (t0)\n"
	"up_end:\n"
	".popsection\n");

extern const char up_start[], up_main[], up_read_unmapped[], up_write_code[], up_exec_data[],
	up_read_kernel[], up_exec_kernel[], up_noncanonical[], up_undefined[], up_ebreak[],
	up_privileged[], up_misaligned_atomic[], up_end[];

static const char *check(const void *slot, unsigned i)
{
	const struct slot *s = slot;

	KCHECK(s->status == 0 && s->sum == 91, "thread %u: debug_args(1..6): status %ld, sum %lu",
	       i, (int64_t)s->status, s->sum);
	/* Each hart has its own counter: a thread that moved may see it go back. */
	KCHECK(s->cycle[1] != s->cycle[0], "thread %u: rdcycle stood still at %lu", i, s->cycle[0]);
	return NULL;
}

static const struct user_fault faults[] = {
	{up_read_unmapped, "a read of an unmapped page", -EFAULT},
	{up_write_code, "a write to read-only code", -EFAULT},
	{up_exec_data, "a jump into non-executable data", -EFAULT},
	{up_read_kernel, "a read of kernel memory", -EFAULT},
	{up_exec_kernel, "a jump into kernel code", -EFAULT},
	{up_noncanonical, "a non-canonical address", -EFAULT},
	{up_undefined, "an undefined instruction", -EINVAL},
	{up_ebreak, "an ebreak", -EINVAL},
	{up_privileged, "a privileged instruction", -EINVAL},
	{up_misaligned_atomic, "a misaligned atomic", -EINVAL},
};

const struct user_program user_program = {
	.start = up_start,
	.end = up_end,
	.main = up_main,
	.slot_size = sizeof(struct slot),
	.check = check,
	.faults = faults,
	.nfaults = ARRAY_SIZE(faults),
};
