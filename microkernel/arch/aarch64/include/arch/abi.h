/*
 * The aarch64 system-call and IPC register ABI (libveridian's syscall_arch.h
 * and ipc_arch.h agree), inline because every system call uses it.
 */
#pragma once

#include <arch/regs.h>

/* svc #0 with x8 = number, x0-x5 = arguments; x0 = status and x1 = value come back. */
static inline uint64_t arch_syscall_nr(const struct user_regs *r)
{
	return r->x[8];
}

static inline uint64_t arch_syscall_arg(const struct user_regs *r, unsigned i)
{
	return i < 6 ? r->x[i] : 0;
}

static inline void arch_syscall_set_result(struct user_regs *r, int64_t status, uint64_t value)
{
	r->x[0] = (uint64_t)status;
	r->x[1] = value;
}

static inline vaddr_t arch_uregs_pc(const struct user_regs *r)
{
	return r->pc;
}

/* The system-call instruction (svc #imm), for sched_tick's kernel time. */
#define ARCH_SYSCALL_INSN_LEN 4
static inline bool arch_is_syscall_insn(const uint8_t *insn)
{
	uint32_t w = (uint32_t)insn[0] | (uint32_t)insn[1] << 8 | (uint32_t)insn[2] << 16 |
		     (uint32_t)insn[3] << 24;

	return (w & 0xffe0001fu) == 0xd4000001u;
}

/* The message registers: x2 (tag), x3-x7, x9, x10 (x8 holds the call number). */
static inline void arch_msg_get(const struct user_regs *r, uint64_t msg[8])
{
	msg[0] = r->x[2], msg[1] = r->x[3], msg[2] = r->x[4], msg[3] = r->x[5];
	msg[4] = r->x[6], msg[5] = r->x[7], msg[6] = r->x[9], msg[7] = r->x[10];
}

static inline void arch_msg_set(struct user_regs *r, const uint64_t msg[8])
{
	r->x[2] = msg[0], r->x[3] = msg[1], r->x[4] = msg[2], r->x[5] = msg[3];
	r->x[6] = msg[4], r->x[7] = msg[5], r->x[9] = msg[6], r->x[10] = msg[7];
}

/* TPIDR_EL1 holds this CPU's struct cpu. volatile: a thread that migrates must re-read it. */
struct cpu;
static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(c));
	return c;
}
