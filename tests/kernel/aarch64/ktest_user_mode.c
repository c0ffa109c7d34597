/*
 * aarch64's user-mode test program (ktest_user_common.c runs it): it runs at
 * EL0 and checks that system calls, traps, interrupts and thread switches
 * keep every register it can see (x0-x30, sp, tpidr_el0, q0-q31, fpcr), that
 * it may read the cycle counter, and that each kind of fault and exception
 * reaches the generic handlers as the right kind. Also aarch64's own check of
 * the message registers.
 */
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/string.h>
#include <kernel/thread.h>

#include "../ktest_user.h"
#include "syscall_defs.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define SLOT_SIZE 64
#define ROUNDS 40
#define SPIN 100

/* Repeats what follows, up to .endr, for each FP/SIMD register number \n. */
#define ALL_Q ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"

/*
 * up_main(slot): x0 is the thread's 64-byte result slot in the data page, and
 * its pattern: q<n> holds {slot + n, ~(slot + n)}. It yields until the word
 * at UT_GO_VA is set, then stores {debug_args status, sum, x2+x3+x4+x5 after
 * the call, cycles, cycles later} in the slot and exits with 0 if every
 * register survived, 1 if not. The other entries each commit one fault.
 */
__asm__(".pushsection .rodata\n"
	".arch_extension simd\n"
	".balign 8\n"
	"up_start:\n"
	"up_main:\n"
	"	mov x20, x0\n"
	"up_wait:\n"
	"	movz x1, #(" STR(UT_GO_VA) " >> 16), lsl #16\n"
	"	movk x1, #(" STR(UT_GO_VA) " & 0xffff)\n"
	"	ldr x1, [x1]\n"
	"	cbnz x1, up_go\n"
	"	mov x8, #" STR(SYS_THREAD_YIELD) "\n"
	"	svc #0\n"
	"	b up_wait\n"
	"up_go:\n"
	"	mov x24, sp\n"
	"	msr tpidr_el0, x20\n"
	"	and x2, x20, #64\n" /* a rounding mode of its own: RMode bit 22 */
	"	lsl x2, x2, #16\n"
	"	msr fpcr, x2\n"
	ALL_Q
	"	add x2, x20, #\\n\n"
	"	mvn x3, x2\n"
	"	mov v\\n\\().d[0], x2\n"
	"	mov v\\n\\().d[1], x3\n"
	".endr\n"
	"	mov x0, #1\n"
	"	mov x1, #2\n"
	"	mov x2, #3\n"
	"	mov x3, #4\n"
	"	mov x4, #5\n"
	"	mov x5, #6\n"
	"	mov x8, #" STR(SYS_DEBUG_ARGS) "\n"
	"	svc #0\n"
	"	stp x0, x1, [x20]\n" /* the data page's first touch: a demand fault */
	"	add x6, x2, x3\n"
	"	add x6, x6, x4\n"
	"	add x6, x6, x5\n"
	"	mrs x7, pmccntr_el0\n"
	"	stp x6, x7, [x20, #16]\n"
	"	mov x22, #" STR(ROUNDS) "\n"
	"1:	mov x8, #" STR(SYS_THREAD_YIELD) "\n"
	"	svc #0\n"
	"	mov x23, #" STR(SPIN) "\n"
	"2:\n"
	ALL_Q
	"	add x2, x20, #\\n\n"
	"	mov x3, v\\n\\().d[0]\n"
	"	cmp x3, x2\n"
	"	b.ne up_fail\n"
	"	mvn x2, x2\n"
	"	mov x3, v\\n\\().d[1]\n"
	"	cmp x3, x2\n"
	"	b.ne up_fail\n"
	".endr\n"
	"	subs x23, x23, #1\n"
	"	b.ne 2b\n"
	"	subs x22, x22, #1\n"
	"	b.ne 1b\n"
	"	mrs x2, fpcr\n"
	"	and x3, x20, #64\n"
	"	lsl x3, x3, #16\n"
	"	cmp x2, x3\n"
	"	b.ne up_fail\n"
	"	mrs x2, tpidr_el0\n"
	"	cmp x2, x20\n"
	"	b.ne up_fail\n"
	"	mov x2, sp\n"
	"	cmp x2, x24\n"
	"	b.ne up_fail\n"
	"	mrs x7, pmccntr_el0\n"
	"	str x7, [x20, #32]\n"
	"	mov x0, #0\n"
	"	b up_exit\n"
	"up_fail:\n"
	"	mov x0, #1\n"
	"up_exit:\n"
	"	mov x8, #" STR(SYS_THREAD_EXIT) "\n"
	"	svc #0\n"
	"	brk #0\n"
	"up_read_unmapped:\n"
	"	mov x1, #0x1000\n"
	"	ldr x2, [x1]\n"
	"up_write_code:\n"
	"	adr x1, up_start\n"
	"	str x1, [x1]\n"
	"up_exec_data:\n"
	"	br x0\n"
	"up_undefined:\n"
	"	udf #0\n"
	"up_brk:\n"
	"	brk #7\n"
	"up_misaligned_pc:\n"
	"	adr x1, up_start\n"
	"	add x1, x1, #2\n"
	"	br x1\n"
	"up_end:\n"
	".popsection\n");

extern const char up_start[], up_main[], up_read_unmapped[], up_write_code[], up_exec_data[],
	up_undefined[], up_brk[], up_misaligned_pc[], up_end[];

_Static_assert(SLOT_SIZE * UT_MAX_THREADS <= PAGE_SIZE, "slots fit the page");

static const char *check(const void *slot, unsigned i)
{
	const uint64_t *s = slot;

	KCHECK(s[0] == 0 && s[1] == 91, "thread %u: debug_args(1..6): status %ld, sum %lu", i,
	       (int64_t)s[0], s[1]);
	KCHECK(s[2] == 18, "thread %u: svc changed x2-x5 (their sum is %lu)", i, s[2]);
	/* Each CPU has its own counter: a thread that moved may see it go back. */
	KCHECK(s[4] != s[3], "thread %u: pmccntr_el0 stood still at %lu", i, s[3]);
	return NULL;
}

static const struct user_fault faults[] = {
	{up_read_unmapped, "a read of an unmapped page", -EFAULT},
	{up_write_code, "a write to read-only code", -EFAULT},
	{up_exec_data, "a jump into non-executable data", -EFAULT},
	{up_undefined, "an undefined instruction", -EINVAL},
	{up_brk, "a brk", -EINVAL},
	{up_misaligned_pc, "a misaligned pc", -EINVAL},
};

const struct user_program user_program = {
	.start = up_start,
	.end = up_end,
	.main = up_main,
	.slot_size = SLOT_SIZE,
	.check = check,
	.faults = faults,
	.nfaults = ARRAY_SIZE(faults),
};

/* The IPC message registers are libveridian's (ipc_arch.h): x2 (tag), x3-x7, x9, x10. */
KTEST(user_mode_message_registers)
{
	static const unsigned reg[MSG_REGS] = {2, 3, 4, 5, 6, 7, 9, 10};
	struct user_regs r;
	uint64_t msg[MSG_REGS], back[MSG_REGS];

	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < MSG_REGS; i++)
		msg[i] = 0x100 + i;
	arch_msg_set(&r, msg);
	for (unsigned i = 0; i < MSG_REGS; i++)
		KCHECK(r.x[reg[i]] == msg[i], "word %u is not in x%u", i, reg[i]);
	KCHECK(!r.x[0] && !r.x[1] && !r.x[8], "x0, x1 or x8 written");
	arch_msg_get(&r, back);
	KCHECK(memcmp(msg, back, sizeof(msg)) == 0, "arch_msg_get differs from arch_msg_set");
	return NULL;
}
