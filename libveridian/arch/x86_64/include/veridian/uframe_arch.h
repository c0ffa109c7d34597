/*
 * x86_64: the frame thread_redirect writes below the red zone of the user
 * stack and thread_sigreturn reads (the kernel's <arch/uframe.h>). The entry
 * runs as entry(frame) just called, rsp = frame - 8; it must not return.
 * sigreturn takes only CF PF AF ZF SF OF DF AC of rflags.
 */
#pragma once

#include <stdint.h>

#define VR_RED_ZONE 128

struct vr_uframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t rip, rflags, rsp;
};

#define VR_UFRAME_PC(f) ((f)->rip)
#define VR_UFRAME_SP(f) ((f)->rsp)

/* thread_sigreturn's flag: the thread's next interruptible wait ends with -EINTR. */
#define VR_SIGRETURN_INTR 1
/* thread_sigreturn(0, VR_SIGRETURN_DROP): drops a VR_SIGRETURN_INTR no wait has taken yet. */
#define VR_SIGRETURN_DROP 2
