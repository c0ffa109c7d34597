/*
 * aarch64: the redirection frame as a handler's uc_mcontext (musl's
 * sigcontext) and back, with the FP/SIMD registers px_sig_entry saved
 * (q0-q31, fpcr, fpsr) as Linux's fpsimd_context record, the first in
 * __reserved, followed by the terminating empty record.
 */
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#include <veridian/uframe_arch.h>

/* Declared where signal.c uses them. */
void px_uc_from_frame(ucontext_t *uc, const struct vr_uframe *f, void *fp);
void px_uc_to_frame(struct vr_uframe *f, void *fp, const ucontext_t *uc);

/* px_sig_entry's save area. */
struct fp_area {
	__uint128_t q[32];
	uint64_t fpcr, fpsr;
};

void px_uc_from_frame(ucontext_t *uc, const struct vr_uframe *f, void *fp)
{
	struct fpsimd_context *c = (struct fpsimd_context *)(void *)uc->uc_mcontext.__reserved;
	const struct fp_area *a = fp;
	struct _aarch64_ctx *end = (struct _aarch64_ctx *)(c + 1);

	memcpy(uc->uc_mcontext.regs, f->x, sizeof(f->x));
	uc->uc_mcontext.sp = f->sp;
	uc->uc_mcontext.pc = f->pc;
	uc->uc_mcontext.pstate = f->pstate;
	c->head.magic = FPSIMD_MAGIC;
	c->head.size = sizeof(*c);
	c->fpsr = (unsigned)a->fpsr;
	c->fpcr = (unsigned)a->fpcr;
	memcpy(c->vregs, a->q, sizeof(c->vregs));
	end->magic = end->size = 0;
}

/* What the handler changed goes back; the kernel's sigreturn keeps only NZCV of pstate. */
void px_uc_to_frame(struct vr_uframe *f, void *fp, const ucontext_t *uc)
{
	const struct fpsimd_context *c =
	    (const struct fpsimd_context *)(const void *)uc->uc_mcontext.__reserved;
	struct fp_area *a = fp;

	memcpy(f->x, uc->uc_mcontext.regs, sizeof(f->x));
	f->sp = uc->uc_mcontext.sp;
	f->pc = uc->uc_mcontext.pc;
	f->pstate = uc->uc_mcontext.pstate;
	/* A handler that removed the record leaves the FP state as it was. */
	if (c->head.magic == FPSIMD_MAGIC && c->head.size == sizeof(*c)) {
		a->fpsr = c->fpsr;
		a->fpcr = c->fpcr;
		memcpy(a->q, c->vregs, sizeof(a->q));
	}
}
