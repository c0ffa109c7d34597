/* The x86_64 redirection frame (see arch_uframe_save in <kernel/arch.h>): what a handler sees. */
#pragma once

#include <kernel/types.h>

#define ARCH_RED_ZONE 128	/* the System V ABI's, below rsp */

/* The general registers in trap_frame's order, then rip, rflags and rsp. */
struct arch_uframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t rip, rflags, rsp;
};
