/*
 * The in-kernel self test: checks, on the running machine, the pieces the
 * rest of the kernel stands on. Each test returns NULL on success or a
 * message saying what was wrong.
 */
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/ktest.h>
#include <kernel/memmap.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/trap.h>

static char msg[160];

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			ksnprintf(msg, sizeof(msg), __VA_ARGS__); \
			return msg; \
		} \
	} while (0)

static const char *test_format(void)
{
	char buf[64];
	int n;

	n = ksnprintf(buf, sizeof(buf), "%d|%5u|%-4x|%08lX|%s|%c", -42, 7u, 0xabu, 0xdeadbeefUL,
		      "ok", '!');
	CHECK(strcmp(buf, "-42|    7|ab  |DEADBEEF|ok|!") == 0, "got \"%s\"", buf);
	CHECK(n == (int)strlen(buf), "length %d", n);
	n = ksnprintf(buf, 4, "%s", "truncated");
	CHECK(n == 9 && strcmp(buf, "tru") == 0, "truncation gave %d \"%s\"", n, buf);
	ksnprintf(buf, sizeof(buf), "%ld %#lx", (long)INT64_MIN, (unsigned long)UINT64_MAX);
	CHECK(strcmp(buf, "-9223372036854775808 0xffffffffffffffff") == 0, "got \"%s\"", buf);
	return NULL;
}

static const char *test_string(void)
{
	char a[32] = "abcdefghijklmnopqrstuvwxyz";

	memmove(a + 2, a, 10);
	CHECK(memcmp(a, "ababcdefghijmnop", 16) == 0, "memmove forward overlap");
	memmove(a, a + 2, 10);
	CHECK(memcmp(a, "abcdefghijij", 12) == 0, "memmove backward overlap");
	memset(a, 'x', 3);
	CHECK(a[0] == 'x' && a[2] == 'x' && a[3] == 'd', "memset");
	CHECK(strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && strcmp("", "") == 0, "strcmp");
	CHECK(strncmp("abcX", "abcY", 3) == 0 && strlen("hello") == 5, "strncmp/strlen");
	return NULL;
}

static const char *test_memory_map(void)
{
	const struct boot_info *bi = &boot_info;
	uint64_t usable = memmap_total(bi->regions, bi->nregions, MEM_USABLE);
	uint64_t kernel = memmap_total(bi->regions, bi->nregions, MEM_KERNEL);

	CHECK(bi->nregions > 0, "no memory regions");
	CHECK(usable >= MiB(16), "only %lu KiB usable", usable >> 10);
	CHECK(kernel > 0, "the kernel image is not in the map");
	for (unsigned i = 1; i < bi->nregions; i++)
		CHECK(bi->regions[i - 1].base + bi->regions[i - 1].size <= bi->regions[i].base,
		      "regions %u and %u overlap or are unsorted", i - 1, i);

	/* Normalizing an overlapping map: reserved must win over usable. */
	struct mem_region r[8] = {
		{0x1000, 0x9000, MEM_USABLE},
		{0x4000, 0x1000, MEM_RESERVED},
		{0x9000, 0x3000, MEM_USABLE},
	};
	unsigned n = memmap_normalize(r, 3, 8);
	CHECK(n == 3 && r[0].base == 0x1000 && r[0].size == 0x3000 && r[1].type == MEM_RESERVED &&
		      r[2].base == 0x5000 && r[2].size == 0x7000,
	      "normalize gave %u regions", n);
	return NULL;
}

static const char *test_breakpoint(void)
{
	uint64_t before = trap_breakpoint_count();

	arch_breakpoint();
	arch_breakpoint();
	CHECK(trap_breakpoint_count() == before + 2, "%lu breakpoints seen, expected 2",
	      trap_breakpoint_count() - before);
	return NULL;
}

static const char *test_cycles(void)
{
	uint64_t a = arch_cycles();
	for (volatile int i = 0; i < 1000; i++)
		;
	uint64_t b = arch_cycles();

	CHECK(b > a, "counter did not advance (%lu -> %lu)", a, b);
	return NULL;
}

/* The self test runs in kmain, or in the first kernel thread (kernel_init) where threads work. */
struct bt_seen {
	bool selftest_run, kmain;
};

static void note_frame(uintptr_t pc, void *arg)
{
	struct bt_seen *s = arg;
	const char *name = ksym_lookup(pc - 1, NULL);	/* the call, not what follows it */

	if (name && strcmp(name, "selftest_run") == 0)
		s->selftest_run = true;
	if (name && (strcmp(name, "kmain") == 0 || strcmp(name, "kernel_init") == 0))
		s->kmain = true;
}

static __noinline const char *test_backtrace(void)
{
	struct bt_seen seen = {0};
	int depth = backtrace_walk((uintptr_t)__builtin_frame_address(0), note_frame, &seen, 32);

	CHECK(depth >= 2, "backtrace depth %d", depth);
	CHECK(seen.selftest_run && seen.kmain, "backtrace misses %s",
	      seen.selftest_run ? "kmain/kernel_init" : "selftest_run");
	return NULL;
}

static const char *test_klog(void)
{
	char buf[64];
	size_t n = klog_read(0, buf, sizeof(buf) - 1);

	buf[n] = '\0';
	CHECK(n > 0 && strstr(buf, "VeridianOS"), "log starts with \"%s\"", buf);
	return NULL;
}

static const char *test_cmdline(void)
{
	const char *saved = boot_info.cmdline;
	size_t len = 0;

	boot_info.cmdline = " a=1 mode=test  key=value";
	const char *v = boot_cmdline_get("key", &len);
	bool ok = v && len == 5 && strncmp(v, "value", 5) == 0 && boot_cmdline_is("mode", "test") &&
		  !boot_cmdline_get("mod", NULL) && !boot_cmdline_get("missing", NULL);
	boot_info.cmdline = saved;
	CHECK(ok, "command-line parsing");
	return NULL;
}

static const struct {
	const char *name;
	const char *(*fn)(void);
} tests[] = {
	{"format", test_format},
	{"string", test_string},
	{"memory_map", test_memory_map},
	{"cmdline", test_cmdline},
	{"breakpoint_trap", test_breakpoint},
	{"cycle_counter", test_cycles},
	{"backtrace", test_backtrace},
	{"klog", test_klog},
};

extern const struct ktest __ktests_start[], __ktests_end[];

const char *ktest_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return msg;
}

static int run_one(const char *name, const char *(*fn)(void))
{
	const char *err = fn();

	if (err)
		kprintf("ktest %s FAIL: %s\n", name, err);
	else
		kprintf("ktest %s PASS\n", name);
	return err != NULL;
}

int selftest_run(void)
{
	int failed = 0, total = 0;

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++, total++)
		failed += run_one(tests[i].name, tests[i].fn);
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++, total++) {
		if (t->broken) {
			kprintf("ktest %s SKIP: known bug: %s\n", t->name, t->broken);
			total--;
			continue;
		}
		failed += run_one(t->name, t->fn);
	}
	kprintf("ktest summary: %d passed, %d failed\n", total - failed, failed);
	return failed;
}

static __noinline noreturn void crash_inner(const char *kind, size_t len)
{
	if (len == 5 && strncmp(kind, "fault", 5) == 0) {
		/* Canonical but never mapped on any architecture: the trap handler must panic. */
		volatile uint64_t *bad = (volatile uint64_t *)0x00007ffffffff000ull;
		kprintf("crash test: reading %p\n", (void *)bad);
		(void)*bad;
		panic("the read of an unmapped address did not fault");
	}
	if (len == 5 && strncmp(kind, "stack", 5) == 0) {
		/* What an overflow leaves behind: the next tick's check must panic. */
		struct thread *t = this_cpu()->current;
		kprintf("crash test: overwriting the end of thread %lu's kernel stack\n", t->id);
		*(volatile uint64_t *)phys_to_virt(t->kstack) = 0;
		arch_irq_enable();	/* the kernel runs with interrupts masked */
		for (;;)
			arch_wait_for_interrupt();
	}
	if (len == 4 && strncmp(kind, "hang", 4) == 0) {
		kprintf("crash test: hanging\n");
		arch_halt();
	}
	panic("deliberate panic (crash=%.*s)", (int)len, kind);
}

noreturn void crash_test(const char *kind, size_t len)
{
	crash_inner(kind, len);
}
