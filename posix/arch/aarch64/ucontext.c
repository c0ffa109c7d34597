/* aarch64: the redirection frame as a handler's uc_mcontext (musl's sigcontext) and back. */
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#include <veridian/uframe_arch.h>

/* Declared where signal.c uses them. */
void px_uc_from_frame(ucontext_t *uc, const struct vr_uframe *f);
void px_uc_to_frame(struct vr_uframe *f, const ucontext_t *uc);

void px_uc_from_frame(ucontext_t *uc, const struct vr_uframe *f)
{
	memcpy(uc->uc_mcontext.regs, f->x, sizeof(f->x));
	uc->uc_mcontext.sp = f->sp;
	uc->uc_mcontext.pc = f->pc;
	uc->uc_mcontext.pstate = f->pstate;
}

/* What the handler changed goes back; the kernel's sigreturn keeps only NZCV of pstate. */
void px_uc_to_frame(struct vr_uframe *f, const ucontext_t *uc)
{
	memcpy(f->x, uc->uc_mcontext.regs, sizeof(f->x));
	f->sp = uc->uc_mcontext.sp;
	f->pc = uc->uc_mcontext.pc;
	f->pstate = uc->uc_mcontext.pstate;
}
