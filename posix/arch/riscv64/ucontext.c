/* riscv64: the redirection frame as a handler's uc_mcontext (musl's __gregs: pc, then x1..x31) and back. */
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#include <veridian/uframe_arch.h>

/* Declared where signal.c uses them. */
void px_uc_from_frame(ucontext_t *uc, const struct vr_uframe *f);
void px_uc_to_frame(struct vr_uframe *f, const ucontext_t *uc);

void px_uc_from_frame(ucontext_t *uc, const struct vr_uframe *f)
{
	memcpy(uc->uc_mcontext.__gregs, f->x, sizeof(f->x));
}

void px_uc_to_frame(struct vr_uframe *f, const ucontext_t *uc)
{
	memcpy(f->x, uc->uc_mcontext.__gregs, sizeof(f->x));
}
