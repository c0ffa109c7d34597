/*
 * The CPU-time side of /proc that ps and top read: /proc/<pid>/stat's utime,
 * cutime and starttime (a busy child's CPU time grows and is its parent's
 * cutime once reaped), stime with times() and getrusage() (a child making
 * system calls has kernel time, its parent's cstime once reaped), /proc/stat (cpu lines, btime, processes,
 * procs_running), /proc/uptime and /proc/loadavg. Nothing waits for a clock:
 * the busy child spins until its own utime has grown. Exits with the number
 * of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "proctimes"
#include "check.h"

static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(fd);
	return (ssize_t)n;
}

/* Field @field (1-based, as proc(5) numbers them) of /proc/<pid>/stat, or -1. */
static long long stat_field(int pid, int field)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (slurp(path, buf, sizeof(buf)) <= 0)
		return -1;
	/* The command name may hold spaces: count from its closing parenthesis (field 2). */
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	for (int f = 3; f <= field; f++) {
		while (*p == ' ')
			p++;
		if (f == field)
			return strtoll(p, NULL, 10);
		while (*p && *p != ' ')
			p++;
	}
	return -1;
}

#define UTIME 14
#define STIME 15
#define CUTIME 16
#define CSTIME 17
#define STARTTIME 22

static long long cpu_time(int pid)
{
	long long u = stat_field(pid, UTIME), s = stat_field(pid, STIME);

	return u < 0 || s < 0 ? -1 : u + s;
}

static volatile unsigned long sink;

/* Spins until our own CPU time (utime + stime) reaches @ticks. */
static void burn_until(long long ticks)
{
	while (cpu_time(getpid()) < ticks)
		for (int i = 0; i < 100000; i++)
			sink += (unsigned long)i;
}

static void check_busy_child(void)
{
	int to_parent[2], to_child[2];
	char c;

	CHECK(pipe(to_parent) == 0 && pipe(to_child) == 0, "pipe");
	long long my_start = stat_field(getpid(), STARTTIME);
	CHECK(my_start >= 0, "our starttime (%lld)", my_start);
	pid_t pid = fork();
	if (pid == 0) {
		burn_until(3);
		CHECK(write(to_parent[1], "a", 1) == 1, "write");
		/* Then more, once the parent has looked. */
		CHECK(read(to_child[0], &c, 1) == 1, "read");
		long long now = cpu_time(getpid());
		burn_until(now + 3);
		_exit(failures);
	}
	CHECK(read(to_parent[0], &c, 1) == 1, "child burnt 3 ticks");
	long long first = cpu_time(pid), start = stat_field(pid, STARTTIME);
	CHECK(first >= 3, "the busy child's utime + stime >= 3 ticks (%lld)", first);
	CHECK(start >= my_start, "the child started after us (%lld >= %lld)", start, my_start);
	CHECK(stat_field(pid, CUTIME) == 0 && stat_field(pid, CSTIME) == 0, "the child reaped nobody");
	CHECK(write(to_child[1], "b", 1) == 1, "write");
	long long before = stat_field(getpid(), CUTIME) + stat_field(getpid(), CSTIME);
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "busy child's checks");
	long long after = stat_field(getpid(), CUTIME) + stat_field(getpid(), CSTIME);
	CHECK(after >= before + first + 3, "our cutime + cstime took the child's (%lld -> %lld, child %lld+3)",
	      before, after, first);
	close(to_parent[0]), close(to_parent[1]), close(to_child[0]), close(to_child[1]);
}

/* Ticks of a struct timeval (USER_HZ 100, as clock_t's). */
static long long tv_ticks(struct timeval tv)
{
	return (long long)tv.tv_sec * 100 + tv.tv_usec / 10000;
}

/*
 * A child that mostly makes system calls: its kernel time grows (times,
 * getrusage and /proc/<pid>/stat's stime agree), and once reaped it is our
 * cstime (times, getrusage RUSAGE_CHILDREN). It calls until it has 3 ticks
 * of kernel time, so nothing waits for a clock (3000 ticks of CPU time
 * without: a failure).
 */
static void check_kernel_time(void)
{
	int to_parent[2], to_child[2];
	char c;

	CHECK(pipe(to_parent) == 0 && pipe(to_child) == 0, "pipe");
	pid_t pid = fork();
	if (pid == 0) {
		struct tms t;
		struct rusage ru;
		do {
			for (int i = 0; i < 1000; i++)
				sched_yield();
			CHECK(times(&t) != (clock_t)-1, "times");
		} while (t.tms_stime < 3 && t.tms_utime + t.tms_stime < 3000);
		CHECK(t.tms_stime >= 3, "a child making system calls: stime %ld, utime %ld",
		      (long)t.tms_stime, (long)t.tms_utime);
		CHECK(getrusage(RUSAGE_SELF, &ru) == 0, "getrusage");
		CHECK(tv_ticks(ru.ru_stime) + 1 >= t.tms_stime && tv_ticks(ru.ru_utime) + 1 >= t.tms_utime,
		      "getrusage's times (%lld, %lld) and times' (%ld, %ld)", tv_ticks(ru.ru_utime),
		      tv_ticks(ru.ru_stime), (long)t.tms_utime, (long)t.tms_stime);
		CHECK(write(to_parent[1], "a", 1) == 1, "write");
		CHECK(read(to_child[0], &c, 1) == 1, "read");
		_exit(failures);
	}
	CHECK(read(to_parent[0], &c, 1) == 1, "the child made its calls");
	long long stime = stat_field(pid, STIME);
	CHECK(stime >= 3, "the child's /proc stime %lld", stime);
	CHECK(write(to_child[1], "b", 1) == 1, "write");
	int status;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the calling child's checks");
	struct tms t;
	struct rusage ru;
	CHECK(times(&t) != (clock_t)-1 && t.tms_cstime >= stime, "our cstime %ld, the child's stime %lld",
	      (long)t.tms_cstime, stime);
	CHECK(getrusage(RUSAGE_CHILDREN, &ru) == 0 && tv_ticks(ru.ru_stime) + 1 >= stime,
	      "getrusage(RUSAGE_CHILDREN) stime %lld, the child's %lld", tv_ticks(ru.ru_stime), stime);
	CHECK(getrusage(42, &ru) == -1 && errno == EINVAL, "getrusage of nobody: errno %d", errno);
	close(to_parent[0]), close(to_parent[1]), close(to_child[0]), close(to_child[1]);
}

static void check_stat(void)
{
	char buf[8192];
	unsigned long long v[10] = {0};
	int cpus = 0;
	long long btime = -1, processes = -1, running = -1;

	CHECK(slurp("/proc/stat", buf, sizeof(buf)) > 0, "read /proc/stat");
	int n = sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
		       &v[5], &v[6], &v[7]);
	CHECK(n == 8, "the first line: cpu and 8 numbers or more (%d)", n);
	CHECK(v[0] + v[1] + v[2] + v[3] > 0, "some CPU time counted");
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		int k;
		if (sscanf(line, "cpu%d ", &k) == 1 && k == cpus)
			cpus++;
		sscanf(line, "btime %lld", &btime);
		sscanf(line, "processes %lld", &processes);
		sscanf(line, "procs_running %lld", &running);
	}
	CHECK(cpus >= 1, "cpu0, cpu1 ... lines (%d)", cpus);
	CHECK(btime >= 0, "btime (%lld)", btime);
	CHECK(processes >= 2, "processes made (%lld)", processes);
	CHECK(running >= 1, "procs_running: at least the reader (%lld)", running);
}

static void check_uptime_loadavg(void)
{
	char buf[256];
	double up = -1, idle = -1, l1 = -1, l5 = -1, l15 = -1;
	int run = -1, total = -1, last = -1;

	CHECK(slurp("/proc/uptime", buf, sizeof(buf)) > 0, "read /proc/uptime");
	CHECK(sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0 && idle >= 0, "uptime %s", buf);
	long long start = stat_field(getpid(), STARTTIME);
	CHECK(start >= 0 && start <= (long long)(up * 100) + 100, "starttime %lld within uptime %f", start, up);
	CHECK(slurp("/proc/loadavg", buf, sizeof(buf)) > 0, "read /proc/loadavg");
	CHECK(sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &total, &last) == 6, "loadavg %s",
	      buf);
	CHECK(l1 >= 0 && l5 >= 0 && l15 >= 0 && run >= 1 && total >= run && last >= 1,
	      "loadavg values %s", buf);
}

int main(void)
{
	check_busy_child();
	check_kernel_time();
	check_stat();
	check_uptime_loadavg();
	printf("proctimes: %s (%d failed)\n", failures ? "FAIL" : "PASS", failures);
	return failures;
}
