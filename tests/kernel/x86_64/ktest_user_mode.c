/*
 * x86_64's user-mode test program (ktest_user_common.c runs it): it runs in
 * ring 3 and checks that system calls (sysret), interrupts (iret) and thread
 * switches keep every register it can see (the 15 general registers, DF and AC,
 * xmm0-15, MXCSR, the x87 control word, and the FS and GS bases where the CPU
 * lets user code set them), that it may read the TSC, and that each kind of
 * fault and exception ends the process as it should. Also x86_64's own checks
 * of the user register file and of port I/O.
 */
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/mm.h>
#include <kernel/process.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/vmo.h>
#include <arch/cpu.h>

#include "../ktest_user.h"
#include "syscall_defs.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define ROUNDS 20
#define SPIN 2000
#define CR4_FSGSBASE (1u << 16)

/* Each thread's slot in the data page: what its registers must hold, and its results. */
struct slot {
	uint64_t gpr[16];	/* in the order of GPRS; gpr[11] (r12) is the slot's address */
	uint64_t xmm[16][2];
	uint32_t mxcsr;
	uint16_t fcw, unused;
	uint64_t tmp[2];
	uint64_t status, sum, tsc[2], rounds, spins;
	uint64_t bases, fs, gs;	/* with FSGSBASE: the FS and GS bases it sets */
	uint8_t pad[32];
};

#define S_XMM 128
#define S_MXCSR 384
#define S_FCW 388
#define S_TMP 392
#define S_STATUS 408
#define S_SUM 416
#define S_TSC 424
#define S_ROUNDS 440
#define S_SPINS 448
#define S_BASES 456
#define S_FS 464
#define S_GS 472
_Static_assert(sizeof(struct slot) * UT_MAX_THREADS == PAGE_SIZE, "slots fill the page");
_Static_assert(__builtin_offsetof(struct slot, xmm) == S_XMM, "S_XMM");
_Static_assert(__builtin_offsetof(struct slot, mxcsr) == S_MXCSR, "S_MXCSR");
_Static_assert(__builtin_offsetof(struct slot, fcw) == S_FCW, "S_FCW");
_Static_assert(__builtin_offsetof(struct slot, tmp) == S_TMP, "S_TMP");
_Static_assert(__builtin_offsetof(struct slot, status) == S_STATUS, "S_STATUS");
_Static_assert(__builtin_offsetof(struct slot, sum) == S_SUM, "S_SUM");
_Static_assert(__builtin_offsetof(struct slot, tsc) == S_TSC, "S_TSC");
_Static_assert(__builtin_offsetof(struct slot, rounds) == S_ROUNDS, "S_ROUNDS");
_Static_assert(__builtin_offsetof(struct slot, spins) == S_SPINS, "S_SPINS");
_Static_assert(__builtin_offsetof(struct slot, bases) == S_BASES, "S_BASES");
_Static_assert(__builtin_offsetof(struct slot, fs) == S_FS, "S_FS");
_Static_assert(__builtin_offsetof(struct slot, gs) == S_GS, "S_GS");

#define GPRS "rax,rbx,rcx,rdx,rsi,rdi,rbp,r8,r9,r10,r11,r12,r13,r14,r15"
#define XMMS "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"

/* @body for each general register \r, with up_i its index in slot.gpr (r12 holds the slot). */
#define FOR_EACH_GPR(body) ".set up_i, 0\n.irp r, " GPRS "\n" body ".set up_i, up_i + 1\n.endr\n"
#define LOAD_GPRS FOR_EACH_GPR("	movq 8 * up_i(%r12), %\\r\n")
#define CHECK_GPRS FOR_EACH_GPR("	cmpq 8 * up_i(%r12), %\\r\n	jne up_fail\n")
#define RDTSC_TO(off) \
	"	rdtsc\n	shlq $32, %rdx\n	orq %rdx, %rax\n	movq %rax, " off "(%r12)\n"

/*
 * up_main(slot): r12 holds the slot. It yields until the word at UT_GO_VA is
 * set (the process lives while a started thread runs, so all must be started
 * before any ends). A system call first: debug_args(1..6)
 * must leave everything but rax, rcx, rdx and r11 alone. Then every register
 * takes the slot's values, and the thread yields ROUNDS times, checking all
 * of them SPIN times after each yield (ticks interrupt it meanwhile). It
 * exits with 0 if every register survived, 1 if not. The other entries each
 * commit one fault.
 */
__asm__(".pushsection .rodata\n"
	".balign 16\n"
	"up_start:\n"
	"up_main:\n"
	"	movq %rdi, %r12\n"
	"up_wait:\n"
	"	cmpq $0, " STR(UT_GO_VA) "\n"
	"	jne up_go\n"
	"	movl $" STR(SYS_THREAD_YIELD) ", %eax\n"
	"	syscall\n"
	"	jmp up_wait\n"
	"up_go:\n"
	RDTSC_TO(STR(S_TSC))
	LOAD_GPRS
	"	movl $1, %edi\n"
	"	movl $2, %esi\n"
	"	movl $3, %edx\n"
	"	movl $4, %r10d\n"
	"	movl $5, %r8d\n"
	"	movl $6, %r9d\n"
	"	movl $" STR(SYS_DEBUG_ARGS) ", %eax\n"
	"	syscall\n"
	"	movq %rax, " STR(S_STATUS) "(%r12)\n"
	"	movq %rdx, " STR(S_SUM) "(%r12)\n"
	"	cmpq $1, %rdi\n	jne up_fail\n"
	"	cmpq $2, %rsi\n	jne up_fail\n"
	"	cmpq $4, %r10\n	jne up_fail\n"
	"	cmpq $5, %r8\n	jne up_fail\n"
	"	cmpq $6, %r9\n	jne up_fail\n"
	"	cmpq 8 * 1(%r12), %rbx\n	jne up_fail\n"
	"	cmpq 8 * 6(%r12), %rbp\n	jne up_fail\n"
	"	cmpq 8 * 12(%r12), %r13\n	jne up_fail\n"
	"	cmpq 8 * 13(%r12), %r14\n	jne up_fail\n"
	"	cmpq 8 * 14(%r12), %r15\n	jne up_fail\n"
	"	ldmxcsr " STR(S_MXCSR) "(%r12)\n"
	"	fldcw " STR(S_FCW) "(%r12)\n"
	".irp n, " XMMS "\n"
	"	movdqu " STR(S_XMM) " + 16 * \\n(%r12), %xmm\\n\n"
	".endr\n"
	"	pushfq\n"
	"	orq $0x40400, (%rsp)\n"	/* AC and DF */
	"	popfq\n"
	"	cmpq $0, " STR(S_BASES) "(%r12)\n"
	"	je 3f\n"
	"	movq " STR(S_FS) "(%r12), %rax\n"
	"	wrfsbase %rax\n"
	"	movq " STR(S_GS) "(%r12), %rax\n"
	"	wrgsbase %rax\n"
	"3:\n"
	"	movq $" STR(ROUNDS) ", " STR(S_ROUNDS) "(%r12)\n"
	"1:	movl $" STR(SYS_THREAD_YIELD) ", %eax\n"
	"	syscall\n"
	LOAD_GPRS
	"	movq $" STR(SPIN) ", " STR(S_SPINS) "(%r12)\n"
	"2:\n"
	CHECK_GPRS
	"	pushq %rax\n"
	".irp n, " XMMS "\n"
	"	movdqu %xmm\\n, " STR(S_TMP) "(%r12)\n"
	"	movq " STR(S_TMP) "(%r12), %rax\n"
	"	cmpq " STR(S_XMM) " + 16 * \\n(%r12), %rax\n"
	"	jne up_fail\n"
	"	movq " STR(S_TMP) " + 8(%r12), %rax\n"
	"	cmpq " STR(S_XMM) " + 16 * \\n + 8(%r12), %rax\n"
	"	jne up_fail\n"
	".endr\n"
	"	stmxcsr " STR(S_TMP) "(%r12)\n"
	"	movl " STR(S_TMP) "(%r12), %eax\n"
	"	cmpl " STR(S_MXCSR) "(%r12), %eax\n"
	"	jne up_fail\n"
	"	fnstcw " STR(S_TMP) "(%r12)\n"
	"	movzwl " STR(S_TMP) "(%r12), %eax\n"
	"	cmpw " STR(S_FCW) "(%r12), %ax\n"
	"	jne up_fail\n"
	"	pushfq\n"
	"	popq %rax\n"
	"	andl $0x40400, %eax\n"
	"	cmpl $0x40400, %eax\n"
	"	jne up_fail\n"
	"	cmpq $0, " STR(S_BASES) "(%r12)\n"
	"	je 4f\n"
	"	rdfsbase %rax\n"
	"	cmpq " STR(S_FS) "(%r12), %rax\n"
	"	jne up_fail\n"
	"	rdgsbase %rax\n"
	"	cmpq " STR(S_GS) "(%r12), %rax\n"
	"	jne up_fail\n"
	"4:\n"
	"	popq %rax\n"
	"	decq " STR(S_SPINS) "(%r12)\n"
	"	jnz 2b\n"
	"	decq " STR(S_ROUNDS) "(%r12)\n"
	"	jnz 1b\n"
	RDTSC_TO(STR(S_TSC) " + 8")
	"	xorl %edi, %edi\n"
	"	jmp up_exit\n"
	"up_fail:\n"
	"	movl $1, %edi\n"
	"up_exit:\n"
	"	cld\n"
	"	movl $" STR(SYS_THREAD_EXIT) ", %eax\n"
	"	syscall\n"
	"	ud2\n"
	"up_read_unmapped:\n"
	"	movq 0x1000, %rax\n"
	"up_write_code:\n"
	"	leaq up_start(%rip), %rax\n"
	"	movq %rax, (%rax)\n"
	"up_exec_data:\n"
	"	jmp *%rdi\n"
	"up_read_kernel:\n"
	"	movabsq $0xffffffff80000000, %rax\n"
	"	movq (%rax), %rax\n"
	"up_exec_kernel:\n"
	"	movabsq $0xffffffff80000000, %rax\n"
	"	jmp *%rax\n"
	"up_noncanonical:\n"
	"	movabsq $0x8000000000000000, %rax\n"
	"	movq (%rax), %rax\n"
	"up_undefined:\n"
	"	ud2\n"
	"up_int3:\n"
	"	int3\n"
	"up_privileged:\n"
	"	hlt\n"
	"up_port:\n"
	"	inb $0x80, %al\n"
	"up_divide:\n"
	"	xorl %ecx, %ecx\n"
	"	divl %ecx\n"
	"up_end:\n"
	".popsection\n");

extern const char up_start[], up_main[], up_read_unmapped[], up_write_code[], up_exec_data[],
	up_read_kernel[], up_exec_kernel[], up_noncanonical[], up_undefined[], up_int3[],
	up_privileged[], up_port[], up_divide[], up_end[];

/* Register values of thread @i: different in every thread and every register. */
static void fill(void *slot, unsigned i)
{
	struct slot *s = slot;

	for (unsigned r = 0; r < 15; r++)
		s->gpr[r] = 0x0101010101010101ull * (r + 1) ^ (uint64_t)i << 56;
	s->gpr[11] = UT_SLOT_VA(i, sizeof(*s));	/* r12 */
	for (unsigned n = 0; n < 16; n++) {
		s->xmm[n][0] = 0xa5a5a5a500000000ull | n << 8 | i;
		s->xmm[n][1] = ~s->xmm[n][0];
	}
	s->mxcsr = 0x1f80 | (i & 3) << 13;	/* all exceptions masked, a rounding mode of its own */
	s->fcw = 0x037f | (i & 3) << 10;
	s->bases = read_cr4() & CR4_FSGSBASE;
	s->fs = 0x0000123400000000ull | i << 12;
	s->gs = 0x0000567800000000ull | i << 12;
}

static const char *check(const void *slot, unsigned i)
{
	const struct slot *s = slot;

	KCHECK(s->status == 0 && s->sum == 91, "thread %u: debug_args(1..6): status %ld, sum %lu",
	       i, (int64_t)s->status, s->sum);
	KCHECK(s->tsc[1] > s->tsc[0], "thread %u: rdtsc in user mode: %lu, then %lu", i, s->tsc[0],
	       s->tsc[1]);
	return NULL;
}

static const struct user_fault faults[] = {
	{up_read_unmapped, "a read of an unmapped page", -EFAULT},
	{up_write_code, "a write to read-only code", -EFAULT},
	{up_exec_data, "a jump into non-executable data", -EFAULT},
	{up_read_kernel, "a read of kernel memory", -EFAULT},
	{up_exec_kernel, "a jump into kernel code", -EFAULT},
	{up_noncanonical, "a non-canonical address", -EINVAL},
	{up_undefined, "an undefined instruction", -EINVAL},
	{up_int3, "an int3", -EINVAL},
	{up_privileged, "a privileged instruction", -EINVAL},
	{up_port, "port I/O", -EINVAL},
	{up_divide, "a division by zero", -EINVAL},
};

const struct user_program user_program = {
	.start = up_start,
	.end = up_end,
	.main = up_main,
	.slot_size = sizeof(struct slot),
	.fill = fill,
	.check = check,
	.faults = faults,
	.nfaults = ARRAY_SIZE(faults),
};

/* The IPC message registers are libveridian's (ipc_arch.h): rsi (tag), r10, r8, r9, r12-r15. */
KTEST(user_mode_message_registers)
{
	struct user_regs r;
	uint64_t msg[MSG_REGS], back[MSG_REGS];

	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < MSG_REGS; i++)
		msg[i] = 0x100 + i;
	arch_msg_set(&r, msg);
	const uint64_t *at[MSG_REGS] = {&r.f.rsi, &r.f.r10, &r.f.r8, &r.f.r9,
					&r.f.r12, &r.f.r13, &r.f.r14, &r.f.r15};
	for (unsigned i = 0; i < MSG_REGS; i++)
		KCHECK(*at[i] == msg[i], "word %u is not in its register", i);
	KCHECK(!r.f.rax && !r.f.rdi && !r.f.rdx, "rax, rdi or rdx written");
	arch_msg_get(&r, back);
	KCHECK(memcmp(msg, back, sizeof(msg)) == 0, "arch_msg_get differs from arch_msg_set");
	return NULL;
}

/* The last page below the non-canonical hole stays unmapped: sysret must never return there. */
KTEST(user_mode_top_page_refused)
{
	struct process *p = process_create();
	struct vmo *v = vmo_create_anon(PAGE_SIZE);
	vaddr_t va = 0x00007ffffffff000ull;

	KCHECK(p && v, "no memory");
	int err = vm_map(p, v, &va, 0, PAGE_SIZE, PROT_READ | PROT_EXEC, PROT_READ | PROT_EXEC);
	vmo_put(v);
	process_kill(p, 0);
	process_put(p);
	KCHECK(err == -EINVAL, "mapping the last canonical page gave %d", err);
	return NULL;
}

KTEST(ioport_access_checks)
{
	uint64_t v = 0;

	KCHECK(arch_ioport_access(0x10000, 1, &v, false) == -EINVAL, "port 0x10000 accepted");
	KCHECK(arch_ioport_access(0xfffe, 4, &v, false) == -EINVAL, "ports past 0xffff accepted");
	KCHECK(arch_ioport_access(0x3f8, 3, &v, false) == -EINVAL, "width 3 accepted");
	KCHECK(arch_ioport_access(0x3f8, 8, &v, false) == -EINVAL, "width 8 accepted");
	/* COM1's line status register: reading it changes nothing; the transmitter is idle. */
	KCHECK(arch_ioport_access(0x3fd, 1, &v, false) == 0 && (v & 0x20), "COM1 LSR %#lx", v);
	return NULL;
}
