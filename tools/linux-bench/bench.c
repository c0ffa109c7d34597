/*
 * The /init of the Linux comparison boot (`make bench-linux`): the nearest Linux
 * equivalents of VeridianOS's benchmarks, on raw system calls without a libc.
 *
 * Under QEMU -icount shift=0 virtual time advances one nanosecond per retired
 * instruction, so CLOCK_MONOTONIC differences are instruction counts. Each
 * result is printed as `bench <name> <arch> <instructions-per-op>`, the format
 * of `make bench`; then the machine powers off so that QEMU exits.
 *
 * The architecture's system call numbers, trap instruction and entry point come
 * from arch/<arch>/sys.h, chosen by the include path.
 */
#include <stddef.h>
#include <stdint.h>

/* posix_spawn's clone (sys.h's spawn_exec): CLONE_VM | CLONE_VFORK | SIGCHLD. */
#define SPAWN_CLONE_FLAGS (0x100 | 0x4000 | 17)

#include "sys.h"

#define PAGE 4096

enum {
	CLOCK_MONOTONIC = 1,
	PROT_READ = 1,
	PROT_WRITE = 2,
	MAP_SHARED = 0x01,
	MAP_PRIVATE = 0x02,
	MAP_ANONYMOUS = 0x20,
	MADV_NOHUGEPAGE = 15,
	FUTEX_WAIT = 0,
	FUTEX_WAKE = 1,
	SIGCHLD = 17,
	AT_FDCWD = -100,
	O_RDONLY = 0,
	O_RDWR = 2,
	O_CREAT = 0100,
	O_TRUNC = 01000,
	AF_UNIX = 1,
	SOCK_STREAM = 1,
};

#define REBOOT_MAGIC1 0xfee1deadL
#define REBOOT_MAGIC2 672274793L
#define REBOOT_CMD_POWER_OFF 0x4321fedcL

/*
 * Every measurement is repeated and the smallest count kept: the instructions
 * of timer ticks and of kernel threads on other CPUs advance the same virtual
 * clock, and they can only ever add to a run.
 */
#define REPEAT 3

/* Round trips the ping-pong benchmarks run before they start the clock. */
#define WARMUP_ROUNDS 16

struct timespec {
	long tv_sec;
	long tv_nsec;
};

struct utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

/* A page shared with the child processes (MAP_SHARED survives the fork). */
static volatile int *shared;

/* The cost of reading the clock once, subtracted from every interval. */
static uint64_t clock_overhead;

/* clang may emit calls to these for structure copies even when freestanding. */
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

static long sys(long n, long a, long b, long c)
{
	return syscall6(n, a, b, c, 0, 0, 0);
}

/* Output: one line is assembled and written with a single write(). */

static char line[512];
static size_t line_len;

static void out(const char *s)
{
	while (*s && line_len < sizeof(line) - 1)
		line[line_len++] = *s++;
}

static void out_u64(uint64_t v)
{
	char digits[21];
	int i = 0;

	do {
		digits[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i && line_len < sizeof(line) - 1)
		line[line_len++] = digits[--i];
}

static void out_end(void)
{
	line[line_len++] = '\n';
	sys(NR_write, 1, (long)line, (long)line_len);
	line_len = 0;
}

static void fail(const char *what, long err)
{
	out("linux-bench error ");
	out(what);
	out(" ");
	out_u64((uint64_t)-err);
	out_end();
}

/* Prints a per-operation count with two decimals, like the kernel's bench lines. */
static void report(const char *name, uint64_t total, uint64_t ops)
{
	uint64_t hundredths = total * 100 / ops;

	out("bench ");
	out(name);
	out(" " ARCH_NAME " ");
	out_u64(hundredths / 100);
	out(".");
	if (hundredths % 100 < 10)
		out("0");
	out_u64(hundredths % 100);
	out_end();
}

/* Time, in nanoseconds of virtual time, that is in retired instructions. */

static uint64_t now(void)
{
	struct timespec ts;

	sys(NR_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t since(uint64_t t0)
{
	uint64_t d = now() - t0;

	return d > clock_overhead ? d - clock_overhead : 0;
}

static void calibrate_clock(void)
{
	clock_overhead = UINT64_MAX;
	for (int i = 0; i < 100; i++) {
		uint64_t t0 = now();
		uint64_t d = now() - t0;

		if (d < clock_overhead)
			clock_overhead = d;
	}
}

/* Processes. */

static long fork_process(void)
{
	return syscall6(NR_clone, SIGCHLD, 0, 0, 0, 0, 0);
}

static __attribute__((noreturn)) void exit_now(int status)
{
	for (;;)
		sys(NR_exit_group, status, 0, 0);
}

static void reap(long pid)
{
	int status;

	sys(NR_wait4, pid, (long)&status, 0);
}

/* Binds the calling process, and so the children it forks later, to the CPUs in mask. */
static long pin(uint64_t mask)
{
	return sys(NR_sched_setaffinity, 0, sizeof(mask), (long)&mask);
}

static void *map_anon(size_t len, long flags)
{
	long p =
	    syscall6(NR_mmap, 0, (long)len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	return p < 0 && p > -4096 ? NULL : (void *)p;
}

/* The benchmarks. Each returns the instructions its n operations took, or UINT64_MAX. */

static uint64_t bench_calib_loop(uint64_t n)
{
	uint64_t t0 = now();

	calib_loop(n);
	return since(t0);
}

static uint64_t bench_getppid(uint64_t n)
{
	uint64_t t0 = now();

	for (uint64_t i = 0; i < n; i++)
		syscall0(NR_getppid);
	return since(t0);
}

/* Hands the turn to the other side: sets its word and wakes it. */
static void futex_give(volatile int *word)
{
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	sys(NR_futex, (long)word, FUTEX_WAKE, 1);
}

/* Waits until this side's word is set, then clears it. */
static void futex_take(volatile int *word)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 0)
		sys(NR_futex, (long)word, FUTEX_WAIT, 0);
	__atomic_store_n(word, 0, __ATOMIC_RELAXED);
}

/* Two processes taking turns through two futex words on a shared page. */
static uint64_t bench_futex_pingpong(uint64_t n)
{
	volatile int *ping = &shared[0], *pong = &shared[1];
	uint64_t t0 = 0, t;

	*ping = *pong = 0;
	long pid = fork_process();
	if (pid < 0)
		return fail("fork", pid), UINT64_MAX;
	if (pid == 0) {
		for (uint64_t i = 0; i < n + WARMUP_ROUNDS; i++) {
			futex_take(ping);
			futex_give(pong);
		}
		exit_now(0);
	}
	for (uint64_t i = 0; i < n + WARMUP_ROUNDS; i++) {
		if (i == WARMUP_ROUNDS)
			t0 = now();
		futex_give(ping);
		futex_take(pong);
	}
	t = since(t0);
	reap(pid);
	return t;
}

/*
 * Two processes passing one byte back and forth: the parent writes @pw and
 * reads @pr, the child reads @cr and writes @cw.
 */
static uint64_t pingpong(uint64_t n, int pw, int pr, int cr, int cw)
{
	uint64_t t0 = 0, t;
	char c = 0;

	long pid = fork_process();
	if (pid < 0)
		return fail("fork", pid), UINT64_MAX;
	if (pid == 0) {
		for (uint64_t i = 0; i < n + WARMUP_ROUNDS; i++) {
			sys(NR_read, cr, (long)&c, 1);
			sys(NR_write, cw, (long)&c, 1);
		}
		exit_now(0);
	}
	for (uint64_t i = 0; i < n + WARMUP_ROUNDS; i++) {
		if (i == WARMUP_ROUNDS)
			t0 = now();
		sys(NR_write, pw, (long)&c, 1);
		sys(NR_read, pr, (long)&c, 1);
	}
	t = since(t0);
	reap(pid);
	return t;
}

/* Through two pipes. */
static uint64_t bench_pipe_pingpong(uint64_t n)
{
	int there[2], back[2];
	long err;

	if ((err = sys(NR_pipe2, (long)there, 0, 0)) || (err = sys(NR_pipe2, (long)back, 0, 0)))
		return fail("pipe2", err), UINT64_MAX;
	uint64_t t = pingpong(n, there[1], back[0], there[0], back[1]);
	for (int i = 0; i < 2; i++) {
		sys(NR_close, there[i], 0, 0);
		sys(NR_close, back[i], 0, 0);
	}
	return t;
}

/* Through an AF_UNIX stream socket pair. */
static uint64_t bench_unix_pingpong(uint64_t n)
{
	int sv[2];
	long err = syscall6(NR_socketpair, AF_UNIX, SOCK_STREAM, 0, (long)sv, 0, 0);

	if (err)
		return fail("socketpair", err), UINT64_MAX;
	uint64_t t = pingpong(n, sv[0], sv[0], sv[1], sv[1]);
	sys(NR_close, sv[0], 0, 0);
	sys(NR_close, sv[1], 0, 0);
	return t;
}

static uint64_t bench_getpid(uint64_t n)
{
	uint64_t t0 = now();

	for (uint64_t i = 0; i < n; i++)
		syscall0(NR_getpid);
	return since(t0);
}

#define BENCH_FILE "/tmp/bench.file"

/* A 4 KiB file on tmpfs, made once (mount_tmp). */
static long bench_file_fd = -1;

static long mount_tmp(void)
{
	static char page[PAGE];
	long err;

	sys(NR_mkdirat, AT_FDCWD, (long)"/tmp", 0755);
	if ((err = syscall6(NR_mount, (long)"tmpfs", (long)"/tmp", (long)"tmpfs", 0, 0, 0)))
		return fail("mount tmpfs", err), err;
	bench_file_fd = syscall6(NR_openat, AT_FDCWD, (long)BENCH_FILE, O_CREAT | O_RDWR | O_TRUNC,
				 0644, 0, 0);
	if (bench_file_fd < 0)
		return fail("create " BENCH_FILE, bench_file_fd), bench_file_fd;
	if ((err = sys(NR_write, bench_file_fd, (long)page, PAGE)) != PAGE)
		return fail("write " BENCH_FILE, err), -1;
	return 0;
}

static uint64_t bench_open_close(uint64_t n)
{
	uint64_t t0 = now();

	for (uint64_t i = 0; i < n; i++)
		sys(NR_close, syscall6(NR_openat, AT_FDCWD, (long)BENCH_FILE, O_RDONLY, 0, 0, 0), 0, 0);
	return since(t0);
}

static uint64_t bench_read_4k(uint64_t n)
{
	static char page[PAGE];
	uint64_t t0 = now();

	for (uint64_t i = 0; i < n; i++)
		if (syscall6(NR_pread64, bench_file_fd, (long)page, PAGE, 0, 0, 0) != PAGE)
			return fail("pread64", -5), UINT64_MAX;
	return since(t0);
}

/* posix_spawn (musl's way, sys.h) of this program with the argument "exit", and wait4(). */
static uint64_t bench_posix_spawn(uint64_t n)
{
	static char arg0[] = "/init", arg1[] = "exit";
	static char *const argv[] = {arg0, arg1, NULL};
	static char *const envp[] = {NULL};
	uint64_t t0 = now();

	for (uint64_t i = 0; i < n; i++) {
		long pid = spawn_exec("/init", argv, envp);
		if (pid < 0)
			return fail("clone", pid), UINT64_MAX;
		reap(pid);
	}
	return since(t0);
}

/*
 * Two processes on one CPU calling sched_yield. The child counts its yields
 * on the shared page, so the result is per yield even if the scheduler lets a
 * yield return without switching.
 */
static uint64_t child_yields;

static uint64_t bench_yield(uint64_t n)
{
	volatile int *stop = &shared[0], *count = &shared[1];

	*stop = 0;
	*count = 0;
	long pid = fork_process();
	if (pid < 0)
		return fail("fork", pid), UINT64_MAX;
	if (pid == 0) {
		while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
			syscall0(NR_sched_yield);
			__atomic_store_n(count, *count + 1, __ATOMIC_RELAXED);
		}
		exit_now(0);
	}
	while (*count < WARMUP_ROUNDS)
		syscall0(NR_sched_yield);
	int c0 = *count;
	uint64_t t0 = now();
	for (uint64_t i = 0; i < n; i++)
		syscall0(NR_sched_yield);
	uint64_t t = since(t0);
	child_yields = (uint64_t)(*count - c0);
	*stop = 1;
	reap(pid);
	return t;
}

/* First writes to the pages of a fresh private anonymous mapping, 4 KiB pages only. */
static uint64_t bench_page_fault(uint64_t pages)
{
	volatile char *p = map_anon(pages * PAGE, MAP_PRIVATE);

	if (!p)
		return fail("mmap", 12), UINT64_MAX;
	/* Debian's kernels default to transparent huge pages "always". */
	sys(NR_madvise, (long)p, (long)(pages * PAGE), MADV_NOHUGEPAGE);
	uint64_t t0 = now();
	for (uint64_t i = 0; i < pages; i++)
		p[i * PAGE] = 1;
	uint64_t t = since(t0);
	sys(NR_munmap, (long)p, (long)(pages * PAGE), 0);
	return t;
}

/* fork() of this small static program, the child's exit, and wait4() in the parent. */
static uint64_t bench_spawn(uint64_t n)
{
	uint64_t t0 = now();

	for (uint64_t i = 0; i < n; i++) {
		long pid = fork_process();
		if (pid < 0)
			return fail("fork", pid), UINT64_MAX;
		if (pid == 0)
			exit_now(0);
		reap(pid);
	}
	return since(t0);
}

/*
 * Runs fn once briefly to warm caches and the translation cache, then REPEAT
 * times over n items, and reports the smallest count per operation.
 */
static void measure(const char *name, uint64_t (*fn)(uint64_t), uint64_t n, uint64_t ops_per_n)
{
	uint64_t best = UINT64_MAX;

	if (fn(n / 10 + 1) == UINT64_MAX)
		return;
	for (int i = 0; i < REPEAT; i++) {
		uint64_t t = fn(n);
		if (t < best)
			best = t;
	}
	report(name, best, n * ops_per_n);
}

/* The yield count depends on the child's count, so it keeps its own loop. */
static void measure_yield(uint64_t n)
{
	uint64_t best = UINT64_MAX, yields = 1;

	if (bench_yield(n / 10 + 1) == UINT64_MAX)
		return;
	for (int i = 0; i < REPEAT; i++) {
		uint64_t t = bench_yield(n);
		uint64_t y = n + child_yields;
		if (best == UINT64_MAX || t * yields < best * y) {
			best = t;
			yields = y;
		}
	}
	report("ctx_switch_yield", best, yields);
}

/* Describes the machine: kernel release, CPUs, and how it mitigates two CPU flaws. */
static int describe(void)
{
	static const char *const flaws[] = {"meltdown", "spectre_v2"};
	struct utsname u;
	uint64_t mask = 0;
	int cpus = 0;
	char text[200];

	sys(NR_uname, (long)&u, 0, 0);
	sys(NR_sched_getaffinity, 0, sizeof(mask), (long)&mask);
	for (uint64_t m = mask; m; m &= m - 1)
		cpus++;
	out("linux-bench kernel ");
	out(u.release);
	out(" cpus ");
	out_u64((uint64_t)cpus);
	out_end();

	if (syscall6(NR_mount, (long)"sysfs", (long)"/sys", (long)"sysfs", 0, 0, 0) != 0)
		return cpus;
	for (size_t i = 0; i < sizeof(flaws) / sizeof(flaws[0]); i++) {
		char path[80] = "/sys/devices/system/cpu/vulnerabilities/";
		size_t len = 0;

		while (path[len])
			len++;
		for (const char *s = flaws[i]; *s; s++)
			path[len++] = *s;
		path[len] = 0;
		long fd = syscall6(NR_openat, AT_FDCWD, (long)path, O_RDONLY, 0, 0, 0);
		if (fd < 0)
			continue;
		long got = sys(NR_read, fd, (long)text, sizeof(text) - 1);
		sys(NR_close, fd, 0, 0);
		if (got <= 0)
			continue;
		text[got] = 0;
		if (text[got - 1] == '\n')
			text[got - 1] = 0;
		out("linux-bench ");
		out(flaws[i]);
		out(": ");
		out(text);
		out_end();
	}
	return cpus;
}

__attribute__((noreturn, used)) void start(long *sp)
{
	/* argc > 1: the child of posix_spawn_wait, which only exits. */
	if (sp[0] > 1)
		exit_now(0);
	int cpus = describe();

	/*
	 * Let the boot's asynchronous work die down. With sleep=off an idle
	 * machine's virtual clock jumps ahead, so this costs no real time.
	 */
	struct timespec nap = {0, 200 * 1000 * 1000};
	sys(NR_nanosleep, (long)&nap, 0, 0);

	shared = map_anon(PAGE, MAP_SHARED);
	if (!shared) {
		fail("mmap", 12);
		goto off;
	}
	/* Everything runs on one CPU, like the VeridianOS benchmarks' client and server. */
	long err = pin(1ul << (cpus > 1 ? 1 : 0));
	if (err)
		fail("sched_setaffinity", err);
	calibrate_clock();

	measure("calib_loop", bench_calib_loop, 1000000, 1);
	measure("null_syscall", bench_getppid, 20000, 1);
	measure("futex_pingpong", bench_futex_pingpong, 5000, 2);
	measure("pipe_pingpong", bench_pipe_pingpong, 5000, 2);
	measure_yield(5000);
	measure("page_fault_anon", bench_page_fault, 2048, 1);
	measure("proc_spawn_exit", bench_spawn, 100, 1);
	/* The POSIX benchmarks of tests/bench/posix_bench.c. */
	measure("getpid", bench_getpid, 20000, 1);
	measure("unix_socket_pingpong", bench_unix_pingpong, 5000, 2);
	measure("posix_spawn_wait", bench_posix_spawn, 100, 1);
	if (mount_tmp() == 0) {
		measure("open_close", bench_open_close, 2000, 1);
		measure("read_4k_tmpfs", bench_read_4k, 2000, 1);
	}
	out("linux-bench done");
	out_end();
off:
	sys(NR_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_CMD_POWER_OFF);
	exit_now(1);
}
