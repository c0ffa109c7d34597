/*
 * Threads and user mode on x86_64: each CPU's user-mode setup, the kernel
 * context, and the user register file as the system-call and IPC ABI sees it
 * (libveridian's syscall_arch.h and ipc_arch.h).
 */
#include <kernel/string.h>
#include <kernel/thread.h>
#include <arch/uframe.h>
#include <arch/cpu.h>
#include <arch/switch.h>

#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_NE (1u << 5)
#define CR4_FSGSBASE (1u << 16)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)
#define CPUID7_FSGSBASE (1u << 0)
#define CPUID7_SMEP (1u << 7)
#define CPUID7_SMAP (1u << 20)

#define RFLAGS_TF (1u << 8)
#define RFLAGS_IF (1u << 9)
#define RFLAGS_DF (1u << 10)
#define RFLAGS_IOPL (3u << 12)
#define RFLAGS_NT (1u << 14)
#define RFLAGS_AC (1u << 18)
#define RFLAGS_FIXED (1u << 1)

/* syscall loads CS from STAR[47:32] (SS = CS + 8); sysret CS = STAR[63:48] + 16, SS = + 8. */
#define STAR_KERNEL 0x08ull
#define STAR_USER (USER_SS - 3 - 8ull)

#define FCW_DEFAULT 0x037f	/* what fninit sets: all x87 exceptions masked */
#define MXCSR_DEFAULT 0x1f80	/* all SSE exceptions masked, round to nearest */

/* Whether user code can set its FS and GS bases (wrfsbase, wrgsbase); else they stay 0. */
bool x86_user_bases;

void syscall_entry(void);
void x86_thread_start(void);
void x86_switch_resume(void);

void cpu_user_mode_init(void)
{
	uint32_t max, b = 0, unused;

	/* The FPU and SSE, with exceptions reported natively (CR0.NE), never trapping (TS, EM). */
	write_cr0((read_cr0() & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	/* The kernel never touches user memory through user addresses (vm.c copies through the
	 * direct map), so it can forbid itself both. */
	cpuid(0, &max, &unused, &unused, &unused);
	if (max >= 7)
		cpuid(7, &unused, &b, &unused, &unused);
	if (b & CPUID7_SMEP)
		cr4 |= CR4_SMEP;
	if (b & CPUID7_SMAP)
		cr4 |= CR4_SMAP;
	x86_user_bases = b & CPUID7_FSGSBASE;
	if (x86_user_bases)
		cr4 |= CR4_FSGSBASE;
	write_cr4(cr4);

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, STAR_USER << 48 | STAR_KERNEL << 32);
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_AC);
}

/*
 * The first switch to @t resumes at x86_switch_resume, which pops zeroed
 * callee-saved registers (r12 = @entry, r13 = @arg) and returns into
 * x86_thread_start. A user thread's kernel stack starts below its register
 * file, which sits at the top.
 */
void arch_thread_init(struct thread *t, void (*entry)(void *), void *arg)
{
	uint64_t *sp = t->uregs ? (uint64_t *)t->uregs : t->kstack_top;

	sp -= 8;
	sp[0] = (uint64_t)x86_switch_resume;
	sp[1] = sp[2] = sp[5] = sp[6] = 0;	/* r15, r14, rbx, rbp */
	sp[3] = (uint64_t)arg;			/* r13 */
	sp[4] = (uint64_t)entry;		/* r12 */
	sp[7] = (uint64_t)x86_thread_start;
	t->arch.sp = (uint64_t)sp;
}

void arch_switch(struct thread *prev, struct thread *next)
{
	x86_switch_user_state(prev, next);
	x86_switch(&prev->arch.sp, next->arch.sp);
}

void arch_thread_set_tls(struct thread *t, uint64_t base)
{
	t->uregs->fs_base = base;
	if (t == thread_current())
		wrmsr(MSR_FS_BASE, base);
}

void arch_uregs_init(struct user_regs *r, vaddr_t pc, vaddr_t sp, uint64_t arg0, uint64_t arg1)
{
	*r = (struct user_regs){
		.f = {.rip = pc, .cs = USER_CS, .rflags = RFLAGS_IF | RFLAGS_FIXED, .rsp = sp,
		      .ss = USER_SS, .rdi = arg0, .rsi = arg1},
		.fpu = {.fcw = FCW_DEFAULT, .mxcsr = MXCSR_DEFAULT},
	};
}

/* ---- redirection (kern/redirect.c) ---- */

/* What user code may change in rflags (popf): the arithmetic flags, DF and AC. */
#define RFLAGS_USER (0x8d5u | RFLAGS_DF | RFLAGS_AC)	/* CF PF AF ZF SF OF */

vaddr_t arch_uregs_sp(const struct user_regs *r)
{
	return r->f.rsp;
}

void arch_uframe_save(const struct user_regs *r, struct arch_uframe *u)
{
	memcpy(u, &r->f, __builtin_offsetof(struct arch_uframe, rip));
	u->rip = r->f.rip;
	u->rflags = r->f.rflags;
	u->rsp = r->f.rsp;
}

void arch_uframe_load(struct user_regs *r, const struct arch_uframe *u)
{
	/* cs and ss stay the user's; a non-canonical rip becomes the thread's fault on the way out. */
	memcpy(&r->f, u, __builtin_offsetof(struct arch_uframe, rip));
	r->f.rip = u->rip;
	r->f.rflags = (u->rflags & RFLAGS_USER) | RFLAGS_IF | RFLAGS_FIXED;
	r->f.rsp = u->rsp;
}

void arch_uregs_redirect(struct user_regs *r, vaddr_t entry, vaddr_t frame)
{
	r->f.rip = entry;
	r->f.rdi = frame;
	r->f.rsp = frame - 8;	/* as after a call: the handler never returns */
	r->f.rflags &= ~(uint64_t)(RFLAGS_DF | RFLAGS_TF);
}
