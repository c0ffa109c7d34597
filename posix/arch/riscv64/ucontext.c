/*
 * riscv64: the redirection frame as a handler's uc_mcontext (musl's __gregs:
 * pc, then x1..x31) and back, with the F/D registers px_sig_entry saved
 * (f0-f31, then fcsr) as __fpregs's D-extension state, as Linux gives it.
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
	uint64_t f[32];
	uint64_t fcsr;
};

void px_uc_from_frame(ucontext_t *uc, const struct vr_uframe *f, void *fp)
{
	const struct fp_area *a = fp;

	memcpy(uc->uc_mcontext.__gregs, f->x, sizeof(f->x));
	memcpy(uc->uc_mcontext.__fpregs.__d.__f, a->f, sizeof(a->f));
	uc->uc_mcontext.__fpregs.__d.__fcsr = (unsigned)a->fcsr;
}

void px_uc_to_frame(struct vr_uframe *f, void *fp, const ucontext_t *uc)
{
	struct fp_area *a = fp;

	memcpy(f->x, uc->uc_mcontext.__gregs, sizeof(f->x));
	memcpy(a->f, uc->uc_mcontext.__fpregs.__d.__f, sizeof(a->f));
	a->fcsr = uc->uc_mcontext.__fpregs.__d.__fcsr;
}
