/*
 * Signal frames carry the FP registers: a SIGILL handler finds the value
 * the interrupted code held in an FP register in its ucontext (x86_64:
 * uc_mcontext.fpregs, the fxsave layout; aarch64: the fpsimd_context record
 * in __reserved; riscv64: the D-extension state), changes it, and steps
 * over the illegal instruction; after the handler returns, the interrupted
 * code reads the changed value from that register. Also with the handler on
 * an alternate signal stack. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define TEST_NAME "sigfpregs"
#include "check.h"

static volatile int handled;
static volatile double seen;

#if defined(__x86_64__)
/* xmm0 holds @in across ud2 (2 bytes); what xmm0 holds after it is returned. */
static double across_fault(double in)
{
	double out;

	__asm__ volatile("movsd %1, %%xmm0\n\tud2\n\tmovsd %%xmm0, %0"
			 : "=m"(out)
			 : "m"(in)
			 : "xmm0");
	return out;
}

static double fp_get(ucontext_t *uc)
{
	double d;

	memcpy(&d, &uc->uc_mcontext.fpregs->_xmm[0], sizeof(d));
	return d;
}

static void fp_set(ucontext_t *uc, double d)
{
	memcpy(&uc->uc_mcontext.fpregs->_xmm[0], &d, sizeof(d));
}

static void skip(ucontext_t *uc)
{
	uc->uc_mcontext.gregs[REG_RIP] += 2;
}
#elif defined(__aarch64__)
/* d0 holds @in across udf #0 (4 bytes). */
static double across_fault(double in)
{
	double out;

	__asm__ volatile("ldr d0, %1\n\tudf #0\n\tstr d0, %0" : "=m"(out) : "m"(in) : "v0");
	return out;
}

static struct fpsimd_context *fpsimd(ucontext_t *uc)
{
	struct _aarch64_ctx *h = (struct _aarch64_ctx *)(void *)uc->uc_mcontext.__reserved;

	while (h->magic && h->magic != FPSIMD_MAGIC)
		h = (struct _aarch64_ctx *)(void *)((char *)h + h->size);
	return h->magic ? (struct fpsimd_context *)h : NULL;
}

static double fp_get(ucontext_t *uc)
{
	struct fpsimd_context *c = fpsimd(uc);
	double d = -1;

	if (c)
		memcpy(&d, &c->vregs[0], sizeof(d));
	return d;
}

static void fp_set(ucontext_t *uc, double d)
{
	struct fpsimd_context *c = fpsimd(uc);

	if (c)
		memcpy(&c->vregs[0], &d, sizeof(d));
}

static void skip(ucontext_t *uc)
{
	uc->uc_mcontext.pc += 4;
}
#elif defined(__riscv) && __riscv_xlen == 64
/* fa0 (f10) holds @in across an illegal instruction (4 bytes: no compressed form). */
static double across_fault(double in)
{
	double out;

	__asm__ volatile(".option push\n\t.option norvc\n\t"
			 "fld fa0, %1\n\t.word 0\n\tfsd fa0, %0\n\t.option pop"
			 : "=m"(out)
			 : "m"(in)
			 : "fa0");
	return out;
}

static double fp_get(ucontext_t *uc)
{
	double d;

	memcpy(&d, &uc->uc_mcontext.__fpregs.__d.__f[10], sizeof(d));
	return d;
}

static void fp_set(ucontext_t *uc, double d)
{
	memcpy(&uc->uc_mcontext.__fpregs.__d.__f[10], &d, sizeof(d));
}

static void skip(ucontext_t *uc)
{
	uc->uc_mcontext.__gregs[0] += 4;
}
#else
#error "sigfpregs: no FP register check for this architecture"
#endif

static void on_ill(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)si;
	handled = sig;
	seen = fp_get(uc);
	fp_set(uc, seen * 4);
	skip(uc);
}

static void check_fault(const char *how)
{
	handled = 0;
	seen = 0;
	double out = across_fault(1.25);
	CHECK(handled == SIGILL, "%s: the handler ran (%d)", how, handled);
	CHECK(seen == 1.25, "%s: the handler saw %g in the context, not 1.25", how, seen);
	CHECK(out == 5.0, "%s: after the handler the register holds %g, not 5", how, out);
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_ill;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGILL, &sa, NULL) == 0, "sigaction");
	check_fault("on the stack");
	check_fault("again");

	stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16};
	CHECK(ss.ss_sp && sigaltstack(&ss, NULL) == 0, "sigaltstack");
	sa.sa_flags |= SA_ONSTACK;
	CHECK(sigaction(SIGILL, &sa, NULL) == 0, "sigaction SA_ONSTACK");
	check_fault("on the alternate stack");
	return failures != 0;
}
