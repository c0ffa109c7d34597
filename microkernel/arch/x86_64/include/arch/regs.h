/*
 * The x86_64 trap frame and user register file, and the per-CPU block that
 * GS points at in the kernel. The offsets are shared with vectors.S.
 */
#pragma once

/* The user-mode selectors: data (also the stack) and 64-bit code, at RPL 3. */
#define USER_SS 0x1b
#define USER_CS 0x23

/* struct x86_cpu (gdt.c): the fields reached through %gs. */
#define PERCPU_SYSCALL_REGS 8
#define PERCPU_USER_RSP 16
#define PERCPU_TSS_RSP0 84
#define PERCPU_IO_ACTIVE 8384

/* struct user_regs: where its trap frame starts, and fields of that frame. */
#define UREGS_FRAME 528
#define FRAME_R15 (0 * 8)
#define FRAME_R14 (1 * 8)
#define FRAME_R13 (2 * 8)
#define FRAME_R12 (3 * 8)
#define FRAME_R11 (4 * 8)
#define FRAME_R10 (5 * 8)
#define FRAME_R9 (6 * 8)
#define FRAME_R8 (7 * 8)
#define FRAME_RBP (8 * 8)
#define FRAME_RDI (9 * 8)
#define FRAME_RSI (10 * 8)
#define FRAME_RDX (11 * 8)
#define FRAME_RCX (12 * 8)
#define FRAME_RBX (13 * 8)
#define FRAME_RAX (14 * 8)
#define FRAME_RIP (17 * 8)
#define FRAME_RFLAGS (19 * 8)
#define FRAME_RSP (20 * 8)

#ifndef __ASSEMBLER__
#include <kernel/types.h>

/*
 * What trap_common pushes below the CPU's frame (rip .. ss): the general
 * registers, then the vector and error code (0 where the CPU pushes none).
 */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * The user register file, at the very top of the thread's kernel stack:
 * TSS.rsp0 and the system-call stack point at its end, so the CPU's frame
 * and the registers the entry code pushes land in @f. The FPU/SSE state and
 * the FS/GS bases stay live in the CPU while the thread is in the kernel
 * (which uses neither); arch_switch() moves them here and back.
 */
struct user_regs {
	struct {
		uint16_t fcw;		/* the x87 control word */
		uint8_t unused[22];
		uint32_t mxcsr;		/* the SSE control and status register */
		uint8_t rest[484];
	} fpu __attribute__((aligned(16)));	/* fxsave's format */
	uint64_t fs_base, gs_base;
	struct trap_frame f;
};

_Static_assert(__builtin_offsetof(struct user_regs, f) == UREGS_FRAME, "vectors.S");
_Static_assert(__builtin_offsetof(struct trap_frame, r15) == FRAME_R15, "vectors.S");
_Static_assert(__builtin_offsetof(struct trap_frame, r8) == FRAME_R8, "vectors.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rax) == FRAME_RAX, "vectors.S");
_Static_assert(__builtin_offsetof(struct trap_frame, r11) == FRAME_R11, "vectors.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rcx) == FRAME_RCX, "vectors.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == FRAME_RIP, "vectors.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rflags) == FRAME_RFLAGS, "vectors.S");
_Static_assert(__builtin_offsetof(struct trap_frame, rsp) == FRAME_RSP, "vectors.S");
/* The frame must end exactly at the stack top, which thread.c aligns the file below. */
_Static_assert(sizeof(struct user_regs) % 16 == 0, "user_regs must fill the stack top");
#endif
