/*
 * The POSIX benchmarks (make bench): the root task runs this program (as
 * /bin/posix-bench in the initrd) through the proc server after its own
 * benchmarks. Under QEMU -icount shift=0 the cycle counter counts retired
 * instructions of the whole machine (all CPUs, as Linux's numbers from make
 * bench-linux are), so each line is instructions per operation, the servers'
 * work included:
 *   bench <name> <arch> <instructions-per-op>
 * Ping-pongs report one direction (half a round trip), as make bench-linux does.
 * With the argument "exit" it exits at once (the child of posix_spawn_wait);
 * with "hold" it writes a byte to fd 1 and waits for the end of fd 0 (the
 * memory measure); /bin/posix-bench-dynamic is the same program dynamically
 * linked. Two lines are not instructions: mem_dynamic_x20 is the KiB of
 * memory (MemFree of /proc/meminfo) each of 20 running dynamic programs
 * takes, mem_dynamic_mmap_lib_x20 the same when each also maps libc.so
 * again as a dynamic linker maps a library ("holdlib").
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <veridian/cycles_arch.h>

extern char **environ;
static const char *self_path;

static void report(const char *name, uint64_t total, uint64_t ops)
{
	uint64_t hundredths = total * 100 / ops;

	printf("bench %s %s %lu.%02lu\n", name, VR_ARCH, (unsigned long)(hundredths / 100),
	       (unsigned long)(hundredths % 100));
	fflush(stdout);
}

static void bench_getpid(void)
{
	const uint64_t n = 20000;
	long sum = 0;

	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++)
		sum += syscall(SYS_getpid);
	report("getpid", vr_cycles() - t0, n);
	if (sum != (long)n * getpid())
		printf("bench: getpid changed\n");
}

static void bench_open_close(void)
{
	const uint64_t n = 500;
	int fd = open("/tmp/bench.file", O_CREAT | O_RDWR | O_TRUNC, 0644);
	static char page[4096];

	if (fd < 0 || write(fd, page, sizeof(page)) != sizeof(page))
		return;
	close(fd);
	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++)
		close(open("/tmp/bench.file", O_RDONLY));
	report("open_close", vr_cycles() - t0, n);
	fd = open("/tmp/bench.file", O_RDONLY);
	t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++)
		if (pread(fd, page, sizeof(page), 0) != sizeof(page))
			return;
	report("read_4k_tmpfs", vr_cycles() - t0, n);
	close(fd);
	unlink("/tmp/bench.file");
}

/* One byte back and forth between this process and a forked child, @n round trips. */
static void pingpong(const char *name, int a[2], int b[2], uint64_t n)
{
	char c = 0;
	pid_t pid = fork();

	if (pid == 0) {
		for (uint64_t i = 0; i < n + 1; i++)
			if (read(a[1], &c, 1) != 1 || write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	if (pid < 0)
		return;
	/* One round first, so both sides are running. */
	if (write(a[0], &c, 1) != 1 || read(b[0], &c, 1) != 1)
		return;
	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++)
		if (write(a[0], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			return;
	report(name, vr_cycles() - t0, 2 * n);
	waitpid(pid, NULL, 0);
}

static void bench_pipe_pingpong(void)
{
	int to[2], from[2];

	if (pipe(to) || pipe(from))
		return;
	/* Parent writes to[1] and reads from[0]; the child reads to[0] and writes from[1]. */
	int a[2] = {to[1], to[0]}, b[2] = {from[0], from[1]};
	pingpong("pipe_pingpong", a, b, 200);
	close(to[0]), close(to[1]), close(from[0]), close(from[1]);
}

static void bench_unix_pingpong(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return;
	int a[2] = {sv[0], sv[1]}, b[2] = {sv[0], sv[1]};
	pingpong("unix_socket_pingpong", a, b, 200);
	close(sv[0]), close(sv[1]);
}

/* posix_spawn of @path (this program, static or dynamically linked) with "exit", then waitpid. */
static int spawn_wait(const char *name, const char *path)
{
	const uint64_t n = 10;
	char *argv[] = {"posix-bench", "exit", NULL};
	pid_t pid;

	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++) {
		if (posix_spawn(&pid, path, NULL, NULL, argv, environ) || waitpid(pid, NULL, 0) != pid)
			return -1;
	}
	report(name, vr_cycles() - t0, n);
	return 0;
}

static void bench_spawn_wait(void)
{
	const uint64_t n = 10;
	pid_t pid;

	if (spawn_wait("posix_spawn_wait", self_path))
		return;
	/* The same program dynamically linked (tools/cc -dynamic): the dynamic linker's start-up. */
	spawn_wait("posix_spawn_wait_dynamic", "/bin/posix-bench-dynamic");
	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < n; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return;
	}
	report("fork_wait", vr_cycles() - t0, n);
}

static uint64_t mem_free_kib(void)
{
	char buf[512];
	unsigned long long kib = 0;
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *at = strstr(buf, "MemFree:");
	if (at)
		sscanf(at + 8, "%llu", &kib);
	return kib;
}

/*
 * MemFree before and while 20 dynamic programs run (each started, then
 * waiting on a pipe), in "hold" or "holdlib" mode: the KiB each takes.
 */
static void bench_dynamic_memory(const char *name, char *mode)
{
	enum { N = 20 };
	char *argv[] = {"posix-bench", mode, NULL};
	int hold[2], ready[2];
	pid_t pid[N];
	char c;
	int started = 0;

	if (pipe(hold) || pipe(ready))
		return;
	uint64_t before = mem_free_kib();
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, hold[0], 0);
	posix_spawn_file_actions_adddup2(&fa, ready[1], 1);
	posix_spawn_file_actions_addclose(&fa, hold[1]);
	posix_spawn_file_actions_addclose(&fa, ready[0]);
	for (; started < N; started++)
		if (posix_spawn(&pid[started], "/bin/posix-bench-dynamic", &fa, NULL, argv, environ))
			break;
	posix_spawn_file_actions_destroy(&fa);
	close(hold[0]);
	close(ready[1]);
	int up = 0;
	while (up < started && read(ready[0], &c, 1) == 1)
		up++;
	uint64_t during = mem_free_kib();
	close(hold[1]);
	for (int i = 0; i < started; i++)
		waitpid(pid[i], NULL, 0);
	close(ready[0]);
	if (up == N && before > during)
		printf("bench %s %s %lu\n", name, VR_ARCH, (unsigned long)((before - during) / N));
	else
		printf("bench: %s: %d of %d started\n", name, up, N);
	fflush(stdout);
}

/* Two threads taking turns through one futex word: 0 = the main thread's turn, 1 = the other's. */
static uint32_t turn;
static const uint64_t futex_rounds = 2000;

static void pass(uint32_t to)
{
	__atomic_store_n(&turn, to, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void await(uint32_t mine)
{
	uint32_t v;

	while ((v = __atomic_load_n(&turn, __ATOMIC_SEQ_CST)) != mine)
		syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void *futex_partner(void *arg)
{
	for (uint64_t i = 0; i < futex_rounds + 1; i++) {
		await(1);
		pass(0);
	}
	return arg;
}

static void bench_futex_pingpong(void)
{
	pthread_t t;

	turn = 0;
	if (pthread_create(&t, NULL, futex_partner, NULL))
		return;
	pass(1);
	await(0);
	uint64_t t0 = vr_cycles();
	for (uint64_t i = 0; i < futex_rounds; i++) {
		pass(1);
		await(0);
	}
	report("futex_pingpong", vr_cycles() - t0, 2 * futex_rounds);
	pthread_join(t, NULL);
}

/*
 * What a dynamic linker does with a library it loads: the whole of libc.so
 * (the biggest library there is) mapped MAP_PRIVATE, PROT_READ|PROT_EXEC,
 * every page read. Kept mapped.
 */
static int map_library(void)
{
	struct stat st;
	int fd = open("/lib/ld-musl-" VR_ARCH ".so.1", O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return 0;
	volatile unsigned char *m =
	    mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 0;
	unsigned sum = 0;
	for (off_t i = 0; i < st.st_size; i += 4096)
		sum += m[i];
	return sum != 1;	/* anything, so the reads happen */
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		return 0;
	if (argc > 1 && (strcmp(argv[1], "hold") == 0 || strcmp(argv[1], "holdlib") == 0)) {
		char c;
		if (strcmp(argv[1], "holdlib") == 0 && !map_library())
			return 1;
		if (write(1, "+", 1) != 1)
			return 1;
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	self_path = argv[0];
	bench_getpid();
	bench_open_close();
	bench_pipe_pingpong();
	bench_unix_pingpong();
	bench_futex_pingpong();
	bench_spawn_wait();
	bench_dynamic_memory("mem_dynamic_x20", "hold");
	bench_dynamic_memory("mem_dynamic_mmap_lib_x20", "holdlib");
	return 0;
}
