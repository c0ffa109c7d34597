/*
 * aarch64: the frame thread_redirect writes on the user stack and
 * thread_sigreturn reads (the kernel's <arch/uframe.h>). The entry runs as
 * entry(frame) with sp = frame; it must not return. sigreturn takes only
 * NZCV of pstate.
 */
#pragma once

#include <stdint.h>

#define VR_RED_ZONE 0

struct vr_uframe {
	uint64_t x[31];
	uint64_t pc, pstate, sp;
};

#define VR_UFRAME_PC(f) ((f)->pc)
#define VR_UFRAME_SP(f) ((f)->sp)

/* thread_sigreturn's flag: the thread's next interruptible wait ends with -EINTR. */
#define VR_SIGRETURN_INTR 1
/* thread_sigreturn(0, VR_SIGRETURN_DROP): drops a VR_SIGRETURN_INTR no wait has taken yet. */
#define VR_SIGRETURN_DROP 2
