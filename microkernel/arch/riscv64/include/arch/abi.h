/*
 * The riscv64 system-call and IPC register ABI (libveridian's syscall_arch.h
 * and ipc_arch.h agree), inline because every system call uses it.
 */
#pragma once

#include <arch/regs.h>

/* Register numbers in struct user_regs.x. */
enum {
	REG_SP = 2,
	REG_T0 = 5,
	REG_T1 = 6,
	REG_T2 = 7,
	REG_A0 = 10,
	REG_A1 = 11,
	REG_A2 = 12,
	REG_A3 = 13,
	REG_A4 = 14,
	REG_A5 = 15,
	REG_A6 = 16,
	REG_A7 = 17,
};

/* ecall with a7 = number, a0-a5 = arguments; a0 = status and a1 = value come back. */
static inline uint64_t arch_syscall_nr(const struct user_regs *r)
{
	return r->x[REG_A7];
}

static inline uint64_t arch_syscall_arg(const struct user_regs *r, unsigned i)
{
	return i < 6 ? r->x[REG_A0 + i] : 0;
}

static inline void arch_syscall_set_result(struct user_regs *r, int64_t status, uint64_t value)
{
	r->x[REG_A0] = (uint64_t)status;
	r->x[REG_A1] = value;
}

static inline vaddr_t arch_uregs_pc(const struct user_regs *r)
{
	return r->sepc;
}

/* The system-call instruction (ecall), for sched_tick's kernel time. */
#define ARCH_SYSCALL_INSN_LEN 4
static inline bool arch_is_syscall_insn(const uint8_t *insn)
{
	return insn[0] == 0x73 && !insn[1] && !insn[2] && !insn[3];
}

/* The message registers: a2 (the tag), a3-a6, t0-t2. */
static inline void arch_msg_get(const struct user_regs *r, uint64_t msg[8])
{
	msg[0] = r->x[REG_A2], msg[1] = r->x[REG_A3], msg[2] = r->x[REG_A4];
	msg[3] = r->x[REG_A5], msg[4] = r->x[REG_A6], msg[5] = r->x[REG_T0];
	msg[6] = r->x[REG_T1], msg[7] = r->x[REG_T2];
}

static inline void arch_msg_set(struct user_regs *r, const uint64_t msg[8])
{
	r->x[REG_A2] = msg[0], r->x[REG_A3] = msg[1], r->x[REG_A4] = msg[2];
	r->x[REG_A5] = msg[3], r->x[REG_A6] = msg[4], r->x[REG_T0] = msg[5];
	r->x[REG_T1] = msg[6], r->x[REG_T2] = msg[7];
}

/* In the kernel, tp holds this CPU's struct cpu (the trap entry swaps it with the user's). */
struct cpu;
static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("mv %0, tp" : "=r"(c));
	return c;
}
