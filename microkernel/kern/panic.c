/* panic(): the last words of the kernel, with a symbolized backtrace. */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/frame.h>
#include <kernel/ksyms.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/thread.h>

/* Status handed to arch_exit() so the test harness can tell a panic from a failed test. */
#define PANIC_EXIT_STATUS 3

static int panicking;

const char *ksym_lookup(uintptr_t addr, uintptr_t *offset)
{
	uint64_t lo = 0, hi = ksym_count;

	if (ksym_count == 0 || addr < ksyms[0].addr)
		return NULL;
	/* The last symbol whose address is <= addr. */
	while (hi - lo > 1) {
		uint64_t mid = (lo + hi) / 2;
		if (ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - ksyms[lo].addr;
	return ksym_names + ksyms[lo].name;
}

/* Linker-script symbols bounding the loaded kernel image (boot stacks live in its .bss). */
extern char __kernel_start[], __kernel_end[];

/* Whether [lo, hi) lies on the running thread's kernel stack (idle threads have none of their own). */
static bool on_thread_stack(uintptr_t lo, uintptr_t hi)
{
	struct thread *t = ncpus_online ? thread_current() : NULL;
	uintptr_t top = t ? (uintptr_t)t->kstack_top : 0;

	return top && lo >= top - (FRAME_SIZE << KSTACK_ORDER) && hi <= top;
}

/*
 * A frame record is followed only when it lies inside the kernel image (the
 * boot stacks) or on the running thread's kernel stack, so a corrupt frame
 * pointer ends the backtrace instead of faulting inside panic.
 */
static bool frame_ok(uintptr_t fp)
{
	uintptr_t lo = fp + ARCH_FRAME_PREV_OFFSET, hi = fp + ARCH_FRAME_PC_OFFSET + 8;

	return (fp & 7) == 0 && lo < hi &&
	       ((lo >= (uintptr_t)__kernel_start && hi <= (uintptr_t)__kernel_end) ||
		on_thread_stack(lo, hi));
}

int backtrace_walk(uintptr_t fp, void (*fn)(uintptr_t pc, void *arg), void *arg, int max)
{
	int depth = 0;

	while (depth < max && frame_ok(fp)) {
		uintptr_t pc = *(const uintptr_t *)(fp + ARCH_FRAME_PC_OFFSET);
		uintptr_t prev = *(const uintptr_t *)(fp + ARCH_FRAME_PREV_OFFSET);
		if (pc == 0)
			break;
		fn(pc, arg);
		depth++;
		/* Stacks grow down, so callers' frames lie strictly higher. */
		if (prev <= fp)
			break;
		fp = prev;
	}
	return depth;
}

/* Prints @pc, named after the function that contains @at. */
static void print_frame(int *n, uintptr_t pc, uintptr_t at)
{
	uintptr_t off;
	const char *name = ksym_lookup(at, &off);

	if (name)
		kprintf("  #%d %p %s+%#lx\n", (*n)++, (void *)pc, name, off + (pc - at));
	else
		kprintf("  #%d %p ?\n", (*n)++, (void *)pc);
}

/*
 * A return address follows its call, and when the callee is noreturn that call
 * may be the caller's last instruction: the byte before the return address
 * names the caller, the return address itself may name the next function.
 */
static void print_return(uintptr_t pc, void *arg)
{
	print_frame(arg, pc, pc - 1);
}

static noreturn void vpanic_at(uintptr_t pc, uintptr_t fp, const char *fmt, va_list ap)
{
	if (panicking++)
		arch_halt();
	printk_break_lock();
	kprintf("\nPANIC: ");
	kvprintf(fmt, ap);
	kprintf("\nbacktrace:\n");
	int n = 0;
	if (pc)
		print_frame(&n, pc, pc);
	backtrace_walk(fp, print_return, &n, 32);
	kprintf("end of backtrace; system halted\n");
	arch_exit(PANIC_EXIT_STATUS);
}

noreturn void panic_at(uintptr_t pc, uintptr_t fp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic_at(pc, fp, fmt, ap);
}

noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic_at(0, (uintptr_t)__builtin_frame_address(0), fmt, ap);
}
