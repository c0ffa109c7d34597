/*
 * riscv64: the frame thread_redirect writes on the user stack and
 * thread_sigreturn reads (the kernel's <arch/uframe.h>): x1-x31 in x[1..31],
 * the pc in x[0]. The entry runs as entry(frame) with sp = frame; it must
 * not return.
 */
#pragma once

#include <stdint.h>

#define VR_RED_ZONE 0

struct vr_uframe {
	uint64_t x[32];
};

#define VR_UFRAME_PC(f) ((f)->x[0])
#define VR_UFRAME_SP(f) ((f)->x[2])

/* thread_sigreturn's flag: the thread's next interruptible wait ends with -EINTR. */
#define VR_SIGRETURN_INTR 1
/* thread_sigreturn(0, VR_SIGRETURN_DROP): drops a VR_SIGRETURN_INTR no wait has taken yet. */
#define VR_SIGRETURN_DROP 2
