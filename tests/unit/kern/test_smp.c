/* smp_start: the CPUs that come online hold cpus[0 .. ncpus_online - 1], whatever fails. */
// UNIT_SRCS: microkernel/kern/cpu.c microkernel/kern/boot.c
#define UNIT_MAIN
#include "unit.h"

#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <stdint.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/frame.h>
#include <kernel/panic.h>
#include <kernel/printk.h>

/* kernel/sched.h's (it clashes with the host's <sched.h>). */
void sched_init_secondary(void);
noreturn void sched_idle_loop(void);
void sched_tick(void);

/* ---- what cpu.c calls: a secondary CPU is a host thread ---- */
static __thread struct cpu *this;
static uint64_t fail_id = ~0ull, silent_id = ~0ull;	/* start fails / never arrives */
static uint64_t started[MAX_CPUS];
static void *stacks[MAX_CPUS];	/* what the started CPUs keep: freed by the next machine() */
static unsigned nstarted;
static uint64_t fake_ns;

void kprintf(const char *fmt, ...)
{
	(void)fmt;
}

noreturn void panic(const char *fmt, ...)
{
	abort();
}

struct cpu *arch_this_cpu(void)
{
	return this;
}

void arch_set_this_cpu(struct cpu *c)
{
	this = c;
}

void sched_init_secondary(void)
{
}

void arch_timer_init(void)
{
}

noreturn void sched_idle_loop(void)
{
	pthread_exit(NULL);
}

void sched_tick(void)
{
}

void thread_check_stack(struct thread *t)
{
	(void)t;
}

void arch_tlb_flush_all(void)
{
}

void vm_serve_shootdown(struct cpu *self)
{
	(void)self;
}

/* Every reading advances the clock a millisecond: a 10 s wait ends after 10,000 readings. */
uint64_t arch_time_ns(void)
{
	return __atomic_add_fetch(&fake_ns, 1000000, __ATOMIC_RELAXED);
}

paddr_t frame_alloc(unsigned order, enum frame_flags flags)
{
	return (paddr_t)(uintptr_t)aligned_alloc(FRAME_SIZE, FRAME_SIZE << order);
}

void frame_free(paddr_t pa, unsigned order)
{
	free((void *)(uintptr_t)pa);
}

static void *secondary(void *c)
{
	cpu_secondary_entry(c);
}

int arch_cpu_start(struct cpu *c, void *stack_top)
{
	pthread_t t;

	if (c->arch_id == fail_id)
		return -5;	/* -EIO: it never runs */
	stacks[nstarted] = (char *)stack_top - (FRAME_SIZE << 2);
	started[nstarted++] = c->arch_id;
	if (c->arch_id == silent_id)
		return 0;
	if (pthread_create(&t, NULL, secondary, c))
		abort();
	pthread_detach(t);
	/* As x86_64's waits for its trampoline: here until it is online, so no clock is raced. */
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
		sched_yield();
	return 0;
}

/* A machine with CPUs of the firmware ids @ids, the first the boot CPU. */
static void machine(const uint64_t *ids, unsigned n)
{
	for (unsigned i = 0; i < nstarted; i++)
		free(stacks[i]);
	memset(&boot_info, 0, sizeof(boot_info));
	memset(cpus, 0, sizeof(cpus));
	for (unsigned i = 0; i < n; i++)
		boot_add_cpu(ids[i], i < n / 2 ? 0 : 1);
	nstarted = 0;
	cpu_init();
}

static const uint64_t sparse[] = {0, 1, 2, 4, 5, 6};	/* x86_64 APIC ids of 2 sockets x 3 cores */

/* place() and affinities assumed ids 0 .. n-1: a CPU that failed left a hole at its index. */
TEST(smp_start_failed_cpu_leaves_no_hole)
{
	fail_id = 2, silent_id = ~0ull;
	machine(sparse, 6);
	CHECK(smp_start() == 5);
	CHECK(ncpus_online == 5);
	for (unsigned i = 0; i < 5; i++)
		CHECK(cpus[i].online && cpus[i].id == i);
	CHECK(!cpus[5].online);
	CHECK(cpus[2].arch_id == 4 && cpus[3].arch_id == 5 && cpus[4].arch_id == 6);
	CHECK(cpus[3].node == 1 && cpus[1].node == 0);
	CHECK(nstarted == 4);
}

TEST(smp_start_every_cpu_of_sparse_ids)
{
	fail_id = silent_id = ~0ull;
	machine(sparse, 6);
	CHECK(smp_start() == 6);
	for (unsigned i = 0; i < 6; i++)
		CHECK(cpus[i].online && cpus[i].arch_id == sparse[i]);
}

/* One that never arrives: the wait ends, and no CPU after it is started (it may still come). */
TEST(smp_start_wait_is_bounded)
{
	fail_id = ~0ull, silent_id = 4;
	machine(sparse, 6);
	CHECK(smp_start() == 3);
	CHECK(nstarted == 3 && started[2] == 4);
	CHECK(!cpus[3].online && cpus[3].arch_id == 4);
}

/* The boot CPU need not be the firmware's first: it is cpus[0] all the same. */
TEST(smp_start_boot_cpu_not_first)
{
	fail_id = 0, silent_id = ~0ull;
	machine(sparse, 0);
	memset(&boot_info, 0, sizeof(boot_info));
	memset(cpus, 0, sizeof(cpus));
	for (unsigned i = 0; i < 4; i++)
		boot_add_cpu(sparse[i], 0);
	boot_info.boot_cpu = 2;
	nstarted = 0;
	cpu_init();
	CHECK(cpus[0].arch_id == 2);
	/* Firmware CPU 0 (now in the boot CPU's old record) fails to start. */
	CHECK(smp_start() == 3);
	CHECK(cpus[1].arch_id == 1 && cpus[2].arch_id == 4 && cpus[2].online);
	machine(sparse, 0);
}
