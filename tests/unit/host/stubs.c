/*
 * Host stand-ins for the few kernel services generic code calls: the console,
 * panic (which a test can catch with EXPECT_PANIC), interrupt masking and the
 * per-CPU record. Physical addresses are host addresses (PHYS_MAP_BASE is 0).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <kernel/cpu.h>
#include <kernel/ioport.h>
#include <kernel/panic.h>
#include <kernel/printk.h>

#include "stubs.h"

struct cpu cpus[MAX_CPUS];
unsigned ncpus_online;
jmp_buf *panic_catcher;
int panics_caught;

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void kvprintf(const char *fmt, va_list ap)
{
	vfprintf(stderr, fmt, ap);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	if (panic_catcher) {
		panics_caught++;
		longjmp(*panic_catcher, 1);
	}
	va_start(ap, fmt);
	fprintf(stderr, "PANIC: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

unsigned long arch_irq_save(void)
{
	return 0;
}

void arch_irq_restore(unsigned long state)
{
	(void)state;
}

static struct cpu *current_cpu = &cpus[0];

struct cpu *arch_this_cpu(void)
{
	return current_cpu;
}

void arch_set_this_cpu(struct cpu *c)
{
	current_cpu = c;
}

/*
 * I/O-port capabilities (kern/ioport.c): host tables track no ports
 * (cap_table.io is NULL), so only ioport_changed is ever reached, after an
 * I/O-port object's capability changes, which no host test makes.
 */
void ioport_changed(void)
{
}

int ioport_room(const struct ioport_set *set, const struct kobject *port)
{
	(void)set, (void)port;
	return 0;
}

void ioport_hold(struct ioport_set *set, const struct kobject *port, int delta)
{
	(void)set, (void)port, (void)delta;
}
