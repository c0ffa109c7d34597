/*
 * The root task: the first user process, started by the kernel with the root
 * resource. In test mode it runs the in-guest test suite and ends the run
 * with system_exit; in bench mode it runs the benchmarks.
 */
#include "console.h"
#include "posix.h"
#include "utest.h"

extern const struct utest __start_utests[], __stop_utests[];
extern const struct utest __start_posix_utests[], __stop_posix_utests[];

struct rootinfo *root_info;
static char fail_msg[256];

const char *utest_fail(const char *fmt, ...)
{
	va_list ap;
	int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

	va_start(ap, fmt);
	kvsnprintf(fail_msg, sizeof(fail_msg), fmt, ap);
	va_end(ap);
	return fail_msg;
}

handle_t spawn(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	handle_t p;

	return vr_spawn(&vr_self_image, fn, arg, &p) == 0 ? p : 0;
}

/* The first function of a forked child: its own process is handle 0 (the parent's handles are not its). */
struct fork_start {
	uint64_t (*fn)(uint64_t);
	uint64_t arg;
};

static uint64_t fork_entry(uint64_t start)
{
	const struct fork_start *s = (const struct fork_start *)(uintptr_t)start;

	vr_self = 0;
	return s->fn(s->arg);
}

void _vr_thread_start(void);

handle_t fork_run(uint64_t (*fn)(uint64_t), uint64_t arg)
{
	const size_t size = 4 * VR_PAGE;
	uint64_t *stack = vr_map_anon(size, VR_PROT_READ | VR_PROT_WRITE);
	handle_t p = 0, t;

	if (!stack)
		return 0;
	/* (function, argument) on top, as _vr_thread_start pops them; the fork_start below. */
	uint64_t *top = stack + size / 8 - 4;
	top[0] = (uint64_t)(uintptr_t)fork_entry;
	top[1] = (uint64_t)(uintptr_t)&top[2];
	top[2] = (uint64_t)(uintptr_t)fn;
	top[3] = arg;
	if (vr_process_create(0, &p) != 0)
		p = 0;
	/* The child's copy of the stack is its own: ours can go right after. */
	if (p && (vr_process_fork(0, p) != 0 ||
		  vr_process_start(p, (uint64_t)(uintptr_t)_vr_thread_start, (uint64_t)(uintptr_t)top, 0, &t) != 0)) {
		vr_handle_close(p);
		p = 0;
	}
	if (p)
		vr_handle_close(t);
	vr_unmap(stack, size);
	return p;
}

int64_t reap(handle_t process)
{
	uint64_t status = 0;
	int64_t err = vr_process_wait(process, &status);

	vr_handle_close(process);
	return err ? err : (int64_t)status;
}

uint64_t info(uint64_t what)
{
	uint64_t v = 0;

	vr_system_info(what, &v);
	return v;
}

void settle(void)
{
	uint64_t threads = 0, procs = 0, caps = 0;

	/*
	 * Capabilities too: a server closes a dead client's handles after the
	 * process itself is gone (the vfs at its session's end), which a
	 * capability count taken then would see (seen on aarch64 -cpu max).
	 */
	for (int i = 0; i < 200 && (info(INFO_THREADS) != threads || info(INFO_PROCESSES) != procs ||
				    info(INFO_CAPS) != caps);
	     i++) {
		threads = info(INFO_THREADS);
		procs = info(INFO_PROCESSES);
		caps = info(INFO_CAPS);
		vr_thread_sleep(2000000);
	}
}

uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Runs the tests in [@first, @end); *total counts them. Returns the failures. */
static int run_range(const struct utest *first, const struct utest *end, int *total)
{
	int failed = 0;

	for (const struct utest *t = first; t < end; t++, (*total)++) {
		const char *err = t->fn();
		if (err)
			vr_printf("ktest user_%s FAIL: %s\n", t->name, err);
		else
			vr_printf("ktest user_%s PASS\n", t->name);
		failed += err != NULL;
	}
	return failed;
}

/* The native tests first, then the POSIX servers and the tests that use them (see UTEST_POSIX). */
static int run_tests(void)
{
	int total = 0, failed = run_range(__start_utests, __stop_utests, &total);

	posix_boot();
	failed += run_range(__start_posix_utests, __stop_posix_utests, &total);
	vr_printf("utest summary: %d passed, %d failed\n", total - failed, failed);
	return failed;
}

/* The POSIX benchmarks: /bin/posix-bench (tests/bench/) through the servers. */
static void run_posix_benchmarks(void)
{
	const char *const argv[] = {"/bin/posix-bench", NULL};
	const char *const envp[] = {"PATH=/bin", NULL};
	int status = -1;
	int64_t pid = posix_boot();

	if (pid == 0)
		pid = posix_spawn_console(argv[0], argv, envp);
	if (pid > 0)
		pid = posix_wait(pid, &status);
	if (pid <= 0 || status != 0)
		vr_printf("bench: /bin/posix-bench did not run (%ld, status %#x)\n", (long)pid, status);
}

/*
 * Ext mode: the external test suites (docs/EXTERNAL-TESTS.md). /ext/run.sh
 * runs them (the subset make test runs; all of them with ext=full, make
 * test-ext-full) and prints a line per test case, which the host judges
 * against the expected-pass lists (tests/qemu/boots.py); its status says only
 * that it ran.
 */
static int run_external(void)
{
	const char *const subset[] = {"sh", "/ext/run.sh", "--subset", "/ext", "/tmp/ext", NULL};
	const char *const all[] = {"sh", "/ext/run.sh", "/ext", "/tmp/ext", NULL};
	const char *const *argv = strstr(root_info->cmdline, "ext=full") ? all : subset;
	const char *const envp[] = {"PATH=/bin", "HOME=/", NULL};
	int status = -1;
	int64_t pid = posix_boot();

	if (pid == 0)
		pid = posix_spawn_console("/bin/sh", argv, envp);
	if (pid > 0)
		pid = posix_wait(pid, &status);
	vr_printf("ext: /ext/run.sh ended (%ld, status %#x)\n", (long)pid, status);
	return pid > 0 && status == 0 ? 0 : 1;
}

/*
 * Run mode: the POSIX servers, the console's input driver (console.c) and
 * /sbin/init as pid 1, which starts the services of /etc/services (the
 * console shell among them). Init does not exit; if it ever does, it is
 * started again after a second.
 */
__attribute__((noreturn)) static void run_init(void)
{
	const char *const argv[] = {"/sbin/init", NULL};
	const char *const envp[] = {"PATH=/bin:/sbin", NULL};
	handle_t n;
	uint64_t bits;
	int status = 0;

	vr_notify_create(&n);
	if (posix_boot() == 0 && console_start() == 0) {
		vr_printf("VeridianOS is up: /sbin/init starts the services.\n");
		for (;;) {
			int64_t pid = posix_spawn_init(argv[0], argv, envp);
			if (pid > 0)
				pid = posix_wait(pid, &status);
			vr_printf("root: /sbin/init ended (%ld, wait status %#x)\n", (long)pid, status);
			vr_notify_wait(n, 1000000000ull, &bits);
		}
	}
	vr_printf("VeridianOS is up, without init.\n");
	for (;;)
		vr_notify_wait(n, 0, &bits);
}

static bool mode_is(const char *mode)
{
	char want[32];

	vr_snprintf(want, sizeof(want), "mode=%s", mode);
	return strstr(root_info->cmdline, want) != NULL;
}

__attribute__((noreturn)) void vr_root_main(struct rootinfo *ri)
{
	root_info = ri;
	vr_self = ri->self;
	vr_self_image = (struct vr_image){ri->image, ri->image_size};
	vr_printf("root: the root task runs (%lu CPUs, %lu of %lu frames free)\n", info(INFO_CPUS),
		  info(INFO_FREE_FRAMES), info(INFO_TOTAL_FRAMES));
	if (mode_is("test")) {
		int failed = run_tests();
		vr_system_exit(ri->resource, failed || ri->kernel_test_failures ? 1 : 0);
	}
	if (mode_is("ext"))
		vr_system_exit(ri->resource, run_external());
	if (mode_is("bench")) {
		/* tools/qemu.py boots twice: bench=native on 4 CPUs, bench=posix on one. */
		if (!strstr(ri->cmdline, "bench=posix"))
			run_benchmarks();
		if (!strstr(ri->cmdline, "bench=native"))
			run_posix_benchmarks();
		vr_system_exit(ri->resource, 0);
	}
	run_init();
}
