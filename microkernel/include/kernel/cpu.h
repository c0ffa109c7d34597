/* Per-CPU state. Each CPU reaches its own struct cpu through arch_this_cpu(). */
#pragma once

#include <kernel/arch.h>
#include <kernel/spinlock.h>

#define MAX_CPUS 64

struct thread;

/* A CPU's run queue: one FIFO per priority and a bitmap of the non-empty ones. */
struct runqueue {
	struct spinlock lock;
	struct thread *head[32], *tail[32];
	uint32_t bitmap;
	unsigned nr;		/* runnable threads queued here */
};

struct cpu {
	/* Set once at boot. */
	unsigned id;		/* index in cpus[] */
	uint64_t arch_id;	/* APIC id / MPIDR affinity / hart id */
	unsigned node;		/* NUMA node */
	void *arch;		/* architecture-private per-CPU data */

	struct runqueue rq;

	/* Written by this CPU only. */
	struct thread *current;
	struct thread *idle;
	struct thread *switched_from;	/* the thread this CPU just left (kern/sched.c) */
	volatile bool need_resched;
	/*
	 * TLB shootdowns (kern/vm.c): other CPUs count tlb_asked up; this CPU
	 * flushes and raises tlb_done to the count it read before flushing.
	 */
	uint64_t tlb_asked, tlb_done;
	uint64_t ticks;
	uint64_t idle_ticks;	/* ticks that found this CPU idle (its idle thread running) */
	uint64_t ipis;
	volatile bool online;

	/*
	 * The per-CPU frame cache (kern/frame.c): this CPU's, but another CPU
	 * that runs out of memory drains it, under frame_cache_lock.
	 */
	struct spinlock frame_cache_lock;
	unsigned nframes_cached;
	paddr_t frame_cache[64];
};

extern struct cpu cpus[MAX_CPUS];
extern unsigned ncpus_online;

static inline struct cpu *this_cpu(void)
{
	return arch_this_cpu();
}

/* Sets up cpus[] from boot_info and makes cpus[0] the running (boot) CPU's. */
void cpu_init(void);

/* Called by the architecture on each secondary CPU once it runs C on its own stack. */
noreturn void cpu_secondary_entry(struct cpu *c);

/* Called by the architecture's tick and IPI handlers, with interrupts masked. */
void timer_tick(void);
void ipi_handler(void);

#define TICK_HZ 100

/* Starts every secondary CPU the firmware described; returns how many came online. */
unsigned smp_start(void);
