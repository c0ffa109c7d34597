/*
 * The x86_64 system-call and IPC register ABI (libveridian's syscall_arch.h
 * and ipc_arch.h agree), inline because every system call uses it.
 */
#pragma once

#include <arch/regs.h>

/* syscall with rax = number, rdi, rsi, rdx, r10, r8, r9 = arguments; rax = status, rdx = value. */
static inline uint64_t arch_syscall_nr(const struct user_regs *r)
{
	return r->f.rax;
}

static inline uint64_t arch_syscall_arg(const struct user_regs *r, unsigned i)
{
	switch (i) {
	case 0: return r->f.rdi;
	case 1: return r->f.rsi;
	case 2: return r->f.rdx;
	case 3: return r->f.r10;
	case 4: return r->f.r8;
	case 5: return r->f.r9;
	}
	return 0;
}

static inline void arch_syscall_set_result(struct user_regs *r, int64_t status, uint64_t value)
{
	r->f.rax = (uint64_t)status;
	r->f.rdx = value;
}

static inline vaddr_t arch_uregs_pc(const struct user_regs *r)
{
	return r->f.rip;
}

/* The system-call instruction (syscall: 0f 05), for sched_tick's kernel time. */
#define ARCH_SYSCALL_INSN_LEN 2
static inline bool arch_is_syscall_insn(const uint8_t *insn)
{
	return insn[0] == 0x0f && insn[1] == 0x05;
}

/* The message registers: rsi (the tag), r10, r8, r9, r12, r13, r14, r15. */
static inline void arch_msg_get(const struct user_regs *r, uint64_t msg[8])
{
	const struct trap_frame *f = &r->f;

	msg[0] = f->rsi, msg[1] = f->r10, msg[2] = f->r8, msg[3] = f->r9;
	msg[4] = f->r12, msg[5] = f->r13, msg[6] = f->r14, msg[7] = f->r15;
}

static inline void arch_msg_set(struct user_regs *r, const uint64_t msg[8])
{
	struct trap_frame *f = &r->f;

	f->rsi = msg[0], f->r10 = msg[1], f->r8 = msg[2], f->r9 = msg[3];
	f->r12 = msg[4], f->r13 = msg[5], f->r14 = msg[6], f->r15 = msg[7];
}

/*
 * GS points at this CPU's struct x86_cpu, whose first word points to its
 * struct cpu (gdt.c). volatile: a thread that migrates must not reuse an
 * earlier CPU's value.
 */
struct cpu;
static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}
