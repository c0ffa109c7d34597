/*
 * x86_64: the redirection frame as a handler's uc_mcontext (musl's gregs)
 * and back; fpregs points at px_sig_entry's fxsave area, as Linux's points
 * into its signal frame, and fxrstor loads what the handler left there.
 */
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#include <veridian/uframe_arch.h>

/* Declared where signal.c uses them. */
void px_uc_from_frame(ucontext_t *uc, const struct vr_uframe *f, void *fp);
void px_uc_to_frame(struct vr_uframe *f, void *fp, const ucontext_t *uc);

void px_uc_from_frame(ucontext_t *uc, const struct vr_uframe *f, void *fp)
{
	greg_t *g = uc->uc_mcontext.gregs;

	g[REG_R8] = (greg_t)f->r8, g[REG_R9] = (greg_t)f->r9, g[REG_R10] = (greg_t)f->r10;
	g[REG_R11] = (greg_t)f->r11, g[REG_R12] = (greg_t)f->r12, g[REG_R13] = (greg_t)f->r13;
	g[REG_R14] = (greg_t)f->r14, g[REG_R15] = (greg_t)f->r15, g[REG_RDI] = (greg_t)f->rdi;
	g[REG_RSI] = (greg_t)f->rsi, g[REG_RBP] = (greg_t)f->rbp, g[REG_RBX] = (greg_t)f->rbx;
	g[REG_RDX] = (greg_t)f->rdx, g[REG_RAX] = (greg_t)f->rax, g[REG_RCX] = (greg_t)f->rcx;
	g[REG_RSP] = (greg_t)f->rsp, g[REG_RIP] = (greg_t)f->rip, g[REG_EFL] = (greg_t)f->rflags;
	uc->uc_mcontext.fpregs = fp;
}

/* What the handler changed goes back; the kernel's sigreturn keeps only the user flags. */
void px_uc_to_frame(struct vr_uframe *f, void *fp, const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;

	f->r8 = (uint64_t)g[REG_R8], f->r9 = (uint64_t)g[REG_R9], f->r10 = (uint64_t)g[REG_R10];
	f->r11 = (uint64_t)g[REG_R11], f->r12 = (uint64_t)g[REG_R12], f->r13 = (uint64_t)g[REG_R13];
	f->r14 = (uint64_t)g[REG_R14], f->r15 = (uint64_t)g[REG_R15], f->rdi = (uint64_t)g[REG_RDI];
	f->rsi = (uint64_t)g[REG_RSI], f->rbp = (uint64_t)g[REG_RBP], f->rbx = (uint64_t)g[REG_RBX];
	f->rdx = (uint64_t)g[REG_RDX], f->rax = (uint64_t)g[REG_RAX], f->rcx = (uint64_t)g[REG_RCX];
	f->rsp = (uint64_t)g[REG_RSP], f->rip = (uint64_t)g[REG_RIP], f->rflags = (uint64_t)g[REG_EFL];
	/* A handler that pointed fpregs elsewhere (another context's) gets that state. */
	if (uc->uc_mcontext.fpregs && (void *)uc->uc_mcontext.fpregs != fp)
		memcpy(fp, uc->uc_mcontext.fpregs, 512);
}
