/*
 * The checks of init's test set (tests/init/services/, /etc/init-test/ in
 * the initrd), as /libexec/initcheck: "status", "nocap", "orphan",
 * "devices LINE FREE" and "mmio" run as services of init, "spawned" by the
 * root task (proc_spawn_handles); "log FILE" is run by the root task once init is done
 * (tests/kernel/user/posix/test_init.c). Each exits 0 when all its checks
 * hold and prints what failed.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <veridian/vr.h>

#include "init/handles.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "initcheck: FAIL %s: ", #cond);                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, "\n");                                                     \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

extern char **environ;

/* Runs /sbin/initctl with @envp; its output in @out (@len bytes); returns its wait status. */
static int initctl(char *const envp[], char *out, size_t len)
{
	char *const argv[] = {"initctl", "status", NULL};
	posix_spawn_file_actions_t fa;
	int p[2], pid, wstatus = -1;
	size_t at = 0;
	ssize_t n;

	if (pipe(p))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	int err = posix_spawn(&pid, "/sbin/initctl", &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (err) {
		close(p[0]);
		fprintf(stderr, "initcheck: posix_spawn /sbin/initctl: %s\n", strerror(err));
		return -1;
	}
	while (at + 1 < len && (n = read(p[0], out + at, len - at - 1)) > 0)
		at += (size_t)n;
	out[at] = 0;
	close(p[0]);
	if (waitpid(pid, &wstatus, 0) != pid)
		return -1;
	return wstatus;
}

/* The status table's line for @name (its first column), copied into @line; false if none. */
static bool row(const char *table, const char *name, char *line, size_t len)
{
	size_t n = strlen(name);

	for (const char *at = table; at && *at;
	     at = strchr(at, '\n') ? strchr(at, '\n') + 1 : NULL) {
		if (strncmp(at, name, n) || at[n] != ' ')
			continue;
		const char *end = strchr(at, '\n');
		size_t l = end ? (size_t)(end - at) : strlen(at);
		snprintf(line, len, "%.*s", (int)l, at);
		return true;
	}
	return false;
}

static bool has(const char *s, const char *part)
{
	return strstr(s, part) != NULL;
}

/* A service with the control capability: the status table, as initctl prints it. */
static int check_status(void)
{
	char out[4096], line[256], want[64];
	char *const *envp = environ;

	CHECK(getppid() == 1, "parent %d, want init (1)", getppid());
	CHECK(fcntl(3, F_GETFD) == 0, "fd 3 (the control socket) is not open without FD_CLOEXEC");
	int ws = initctl(envp, out, sizeof(out));
	CHECK(ws == 0, "initctl: wait status %#x, output:\n%s", ws, out);
	CHECK(has(out, "SERVICE") && has(out, "STATE") && has(out, "RESTARTS"), "no header:\n%s",
	      out);
	snprintf(want, sizeof(want), "%-12s %-10s %5d %8u", "checker", "running", getpid(), 0u);
	CHECK(row(out, "checker", line, sizeof(line)) && has(line, want), "own row '%s', want '%s'",
	      line, want);
	CHECK(row(out, "missing", line, sizeof(line)) && has(line, "failed") &&
		  has(line, "dependency nosuch is not defined"),
	      "missing: '%s'", line);
	CHECK(row(out, "cyc1", line, sizeof(line)) && has(line, "failed") &&
		  has(line, "in a dependency cycle"),
	      "cyc1: '%s'", line);
	CHECK(row(out, "cyc2", line, sizeof(line)) && has(line, "in a dependency cycle"),
	      "cyc2: '%s'", line);
	CHECK(row(out, "cycdep", line, sizeof(line)) && has(line, "dependency cyc1 failed"),
	      "cycdep: '%s'", line);
	CHECK(row(out, "bad", line, sizeof(line)) && has(line, "failed") &&
		  has(line, "line 2: unknown key 'colour'"),
	      "bad: '%s'", line);
	CHECK(row(out, "crasher", line, sizeof(line)), "no crasher row");
	/* Malformed requests get an error, and init still answers. */
	char big[300];
	memset(big, 0x01, sizeof(big));
	const struct {
		const void *req;
		size_t len;
	} bad[] = {{"bogus", 5}, {big, sizeof(big)}, {"status extra", 12}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ssize_t n = send(3, bad[i].req, bad[i].len, 0);
		CHECK(n == (ssize_t)bad[i].len, "send %zu: %zd", i, n);
		n = recv(3, out, sizeof(out) - 1, 0);
		out[n > 0 ? n : 0] = 0;
		CHECK(n > 0 && !strncmp(out, "error: unknown request '", 24), "request %zu: '%s'",
		      i, out);
	}
	ws = initctl(envp, out, sizeof(out));
	CHECK(ws == 0 && row(out, "checker", line, sizeof(line)), "initctl after bad requests: %#x",
	      ws);
	return failures != 0;
}

/* The type (VR_OBJ_*) and rights of handle @h; 0 if it is none. */
static uint64_t info_of(uint64_t h, uint32_t *rights)
{
	uint64_t info = 0;

	if (vr_handle_info(h, &info))
		return 0;
	*rights = (uint32_t)(info >> 32);
	return info & 0xffff;
}

#define PASS (VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER)
#define DEVCAP_MARK "/tmp/devcap.ran"

/*
 * caps = devices irq:LINE (devcap.conf): the device resource, the IRQ bound
 * to LINE and its notification, named by INIT_HANDLES, with the rights init
 * gives; the IRQ can be acknowledged and its notification polled; the line is
 * taken (by this service's IRQ), another line FREE can be bound with the
 * resource. The first run ends with status 3 (after its checks): its
 * restart must find them all again.
 */
static int check_devices(const char *line, const char *free_line)
{
	char want[64], irq_name[32], notify_name[32];
	const char *names = getenv("INIT_HANDLES");
	uint32_t rights = 0;
	uint64_t bits = 1, other;
	unsigned l = (unsigned)atoi(line), f = (unsigned)atoi(free_line);

	snprintf(want, sizeof(want), "devices irq:%u irq:%u.notify", l, l);
	snprintf(irq_name, sizeof(irq_name), "irq:%u", l);
	snprintf(notify_name, sizeof(notify_name), "irq:%u.notify", l);
	CHECK(names && !strcmp(names, want), "INIT_HANDLES '%s', want '%s'", names ? names : "",
	      want);
	uint64_t res = init_handle("devices"), irq = init_handle(irq_name),
		 n = init_handle(notify_name);
	CHECK(res && irq && n && vr_spawn_handle(3) == 0, "handles %#lx %#lx %#lx", (long)res,
	      (long)irq, (long)n);
	CHECK(info_of(res, &rights) == VR_OBJ_RESOURCE && rights == (VR_RIGHT_MANAGE | PASS),
	      "devices: not the resource (rights %#x)", rights);
	CHECK(info_of(irq, &rights) == VR_OBJ_IRQ && rights == (VR_RIGHT_MANAGE | PASS),
	      "irq: not an IRQ (rights %#x)", rights);
	CHECK(info_of(n, &rights) == VR_OBJ_NOTIFICATION && rights == (VR_RIGHT_RECV | PASS),
	      "notify: not a notification (rights %#x)", rights);
	CHECK(vr_irq_ack(irq) == 0, "irq_ack");
	CHECK(vr_notify_poll(n, &bits) == 0 && bits == 0, "notify_poll: bits %#lx", (long)bits);
	CHECK(vr_notify_signal(n, 1) == -VR_EACCES, "the notification can be signalled");
	/* Binding needs a notification it may signal: its own. */
	uint64_t own = 0;
	CHECK(vr_notify_create(&own) == 0, "notify_create");
	CHECK(vr_irq_bind(res, l, own, 2, &other) == -VR_EBUSY, "line %u is not bound", l);
	int64_t err = vr_irq_bind(res, f, own, 2, &other);
	CHECK(err == 0, "the resource cannot bind line %u: %ld", f, (long)err);
	if (!err)
		vr_handle_close(other);
	vr_handle_close(own);
	int fd = open(DEVCAP_MARK, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return failures ? 1 : fd >= 0 ? 3 : 0;
}

/* caps = mmio:0xfe000000+0x2000 (mmiocap.conf): a VMO of exactly that device memory. */
static int check_mmio(void)
{
	const char *names = getenv("INIT_HANDLES");
	uint64_t vmo = init_handle("mmio:0xfe000000+0x2000"), size = 0, paddr = 0;
	uint32_t rights = 0;

	CHECK(names && !strcmp(names, "mmio:0xfe000000+0x2000"), "INIT_HANDLES '%s'",
	      names ? names : "");
	CHECK(info_of(vmo, &rights) == VR_OBJ_VMO &&
		  rights ==
		      (VR_RIGHT_READ | VR_RIGHT_WRITE | VR_RIGHT_MAP | VR_RIGHT_MANAGE | PASS),
	      "not a VMO (rights %#x)", rights);
	CHECK(vr_vmo_size(vmo, &size) == 0 && size == 0x2000, "size %#lx", (long)size);
	CHECK(vr_vmo_phys_addr(vmo, 0, &paddr) == 0 && paddr == 0xfe000000, "at %#lx", (long)paddr);
	CHECK(vr_spawn_handle(1) == 0, "a second handle");
	return failures != 0;
}

/*
 * Spawned by the root task with one IRQ handle, rights MANAGE only
 * (tests/kernel/user/posix/test_proc.c, proc_spawn_handles).
 */
static int check_spawned(void)
{
	uint32_t rights = 0;

	CHECK(info_of(vr_spawn_handle(0), &rights) == VR_OBJ_IRQ && rights == VR_RIGHT_MANAGE,
	      "handle 0: not the IRQ with MANAGE alone (rights %#x)", rights);
	CHECK(vr_irq_ack(vr_spawn_handle(0)) == 0, "irq_ack");
	CHECK(vr_spawn_handle(1) == 0 && vr_spawn_handle(2) == 0, "more handles");
	return failures != 0;
}

/*
 * Spawned by the root task with sixteen handles, fifteen of them staged
 * ahead of the request (test_proc.c, proc_spawn_stages): the IRQ with MANAGE
 * alone, then fifteen VMOs with READ alone.
 */
static int check_spawned16(void)
{
	uint32_t rights = 0;

	CHECK(info_of(vr_spawn_handle(0), &rights) == VR_OBJ_IRQ && rights == VR_RIGHT_MANAGE,
	      "handle 0: not the IRQ with MANAGE alone (rights %#x)", rights);
	CHECK(vr_irq_ack(vr_spawn_handle(0)) == 0, "irq_ack");
	for (unsigned i = 1; i < 16; i++)
		CHECK(info_of(vr_spawn_handle(i), &rights) == VR_OBJ_VMO && rights == VR_RIGHT_READ,
		      "handle %u: not a VMO with READ alone (rights %#x)", i, rights);
	CHECK(vr_spawn_handle(16) == 0, "a seventeenth handle");
	return failures != 0;
}

#define MANY_MMIO 0xfe002000ull
#define MANY_PAGES 15

/*
 * caps = devices and fifteen one-page mmio ranges from MANY_MMIO (manycaps.conf):
 * sixteen handles, more than one message carries, named in order.
 */
static int check_many(void)
{
	const char *names = getenv("INIT_HANDLES");
	char want[1024] = "devices", name[64];
	uint32_t rights = 0;

	for (unsigned i = 0; i < MANY_PAGES; i++) {
		size_t at = strlen(want);
		snprintf(want + at, sizeof(want) - at, " mmio:%#llx+0x1000",
			 (unsigned long long)(MANY_MMIO + 0x1000ull * i));
	}
	CHECK(names && !strcmp(names, want), "INIT_HANDLES '%s', want '%s'", names ? names : "",
	      want);
	CHECK(info_of(vr_spawn_handle(0), &rights) == VR_OBJ_RESOURCE, "handle 0: no resource");
	for (unsigned i = 0; i < MANY_PAGES; i++) {
		uint64_t vmo = vr_spawn_handle(1 + i), paddr = 0, want_pa = MANY_MMIO + 0x1000ull * i;
		snprintf(name, sizeof(name), "mmio:%#llx+0x1000", (unsigned long long)want_pa);
		CHECK(vmo && init_handle(name) == vmo, "%s: handle %u is not it", name, 1 + i);
		CHECK(info_of(vmo, &rights) == VR_OBJ_VMO && vr_vmo_phys_addr(vmo, 0, &paddr) == 0 &&
			  paddr == want_pa,
		      "handle %u: at %#lx, want %#llx", 1 + i, (long)paddr, (unsigned long long)want_pa);
	}
	CHECK(vr_spawn_handle(16) == 0, "a seventeenth handle");
	return failures != 0;
}

/*
 * In and out, where the architecture has them (tests/init/<arch>/): -1 here,
 * where it has none (portcap is x86_64's only).
 */
__attribute__((weak)) int initcheck_inb(unsigned port)
{
	(void)port;
	return -1;
}

__attribute__((weak)) void initcheck_outb(unsigned port, unsigned v)
{
	(void)port, (void)v;
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/* Whether reading (@out: writing) @port faults: SIGSEGV, caught. */
static bool port_faults(unsigned port, bool out)
{
	struct sigaction sa = {.sa_handler = on_fault}, old;
	bool faulted = true;

	sigaction(SIGSEGV, &sa, &old);
	if (!sigsetjmp(fault_jmp, 1)) {
		if (out)
			initcheck_outb(port, 0);
		else
			initcheck_inb(port);
		faulted = false;
	}
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

#define COM1 0x3f8

/*
 * caps = ioport:0x3f8+8 (portcap.conf, x86_64): an I/O-port capability for
 * COM1's eight ports; with it the service reads COM1's line status with an
 * ordinary inb, and any other port (0x60, 0x80, 0x3f7, 0x400) faults with
 * SIGSEGV; a forked child holds no handles, so not even COM1.
 */
static int check_ports(void)
{
	const char *names = getenv("INIT_HANDLES");
	uint32_t rights = 0;

	CHECK(names && !strcmp(names, "ioport:0x3f8+0x8"), "INIT_HANDLES '%s'", names ? names : "");
	CHECK(info_of(init_handle("ioport:0x3f8+0x8"), &rights) == VR_OBJ_IOPORT &&
		  rights == (VR_RIGHT_READ | VR_RIGHT_WRITE | PASS),
	      "not an I/O-port capability (rights %#x)", rights);
	CHECK(!port_faults(COM1 + 5, false), "inb of COM1's line status faulted");
	CHECK(initcheck_inb(COM1 + 5) & 0x20, "COM1's transmitter is never empty");
	CHECK(!port_faults(COM1 + 7, true), "outb to COM1's scratch register faulted");
	CHECK(port_faults(0x60, false), "inb 0x60 did not fault");
	CHECK(port_faults(0x80, true), "outb 0x80 did not fault");
	CHECK(port_faults(COM1 - 1, false) && port_faults(COM1 + 8, false),
	      "a port next to the range did not fault");
	pid_t pid = fork();
	if (pid == 0) {
		initcheck_inb(COM1 + 5);
		_exit(0);
	}
	int ws = -1;
	CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid && WIFSIGNALED(ws) && WTERMSIG(ws) == SIGSEGV,
	      "a forked child read the port: wait status %#x", ws);
	return failures != 0;
}

/* A service without it: no fd 3, and initctl fails even when told a descriptor. */
static int check_nocap(void)
{
	char out[1024];
	char *const bare[] = {"PATH=/bin:/sbin", NULL};
	char *const forged[] = {"PATH=/bin:/sbin", "INIT_CONTROL_FD=3", NULL};

	CHECK(getppid() == 1, "parent %d, want init (1)", getppid());
	CHECK(fcntl(3, F_GETFD) == -1 && errno == EBADF, "fd 3 is open without the capability");
	CHECK(!getenv("INIT_CONTROL_FD"), "INIT_CONTROL_FD is set");
	/* No native handles either: none in its auxiliary vector, none named. */
	CHECK(!getenv("INIT_HANDLES"), "INIT_HANDLES is set");
	for (unsigned i = 0; i < VR_SPAWN_HANDLES_MAX; i++)
		CHECK(vr_spawn_handle(i) == 0, "it has handle %u", i);
	CHECK(init_handle("devices") == 0, "it has the device resource");
	int ws = initctl(bare, out, sizeof(out));
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 2 && has(out, "no control capability"),
	      "initctl without the capability: %#x '%s'", ws, out);
	ws = initctl(forged, out, sizeof(out));
	CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 2 && has(out, "cannot reach init"),
	      "initctl with a forged INIT_CONTROL_FD: %#x '%s'", ws, out);
	return failures != 0;
}

/*
 * Leaves a child that outlives it: the child waits for the end of a pipe
 * whose only writer is this process, so it asks for its parent only once
 * this process is gone; init must be it, and must reap it.
 */
static int check_orphan(void)
{
	int p[2];

	if (pipe(p))
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		char c;
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		int ppid = getppid();
		if (ppid != 1)
			fprintf(stderr, "initcheck: FAIL the orphan's parent is %d, want 1\n",
				ppid);
		_exit(ppid == 1 ? 0 : 1);
	}
	return 0;
}

/* The log of the run: the order of starts, restarts, failures, exits and the orphan. */
static int check_log(const char *path)
{
	static char log[16384];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, log, sizeof(log) - 1) : -1;

	CHECK(n > 0, "cannot read %s", path);
	if (n <= 0)
		return 1;
	log[n] = 0;
	close(fd);
	const char *must[] = {
	    "init: pid 1, services from /etc/init-test",
	    "init: crasher exited (status 3); restart 1/3 in ",
	    "init: crasher exited (status 3); restart 2/3 in ",
	    "init: crasher exited (status 3); restart 3/3 in ",
	    "init: crasher exited (status 3); gave up after 3 restarts (last: status 3)",
	    "init: missing: dependency nosuch is not defined",
	    "init: cyc1: in a dependency cycle",
	    "init: cyc2: in a dependency cycle",
	    "init: cycdep: dependency cyc1 failed",
	    "init: bad: bad definition: line 2: unknown key 'colour'",
	    "init: base exited (status 0)",
	    "init: dep exited (status 0)",
	    "init: checker exited (status 0)",
	    "init: nocap exited (status 0)",
	    "init: orphan exited (status 0)",
	    "init: every service has ended",
	    "init: holding the device resource",
	    "init: devcap exited (status 3); restart 1/1 in ",
	    "init: devcap exited (status 0)",
	    "init: mmiocap exited (status 0)",
	    "init: badcaps: bad definition: line 2: more than 16 handles ('devices'",
	    "init: manycaps exited (status 0)",
	};
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		CHECK(has(log, must[i]), "no '%s'", must[i]);
	/* The architecture's own services (tests/init/services/<arch>/). */
	if (!access("/etc/init-test/portcap.conf", F_OK))
		CHECK(has(log, "init: portcap exited (status 0)"), "no 'portcap exited (status 0)'");
	const char *never[] = {"starting missing", "starting cyc1", "starting cyc2",
			       "starting cycdep",  "starting bad",  "restart 4/3",
			       "cannot start"};
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		CHECK(!has(log, never[i]), "'%s' happened", never[i]);
	/* Dependency order: base before dep before crasher and checker; base before orphan. */
	const char *base = strstr(log, "init: starting base\n"),
		   *dep = strstr(log, "init: starting dep\n");
	const char *crasher = strstr(log, "init: starting crasher\n");
	const char *checker = strstr(log, "init: starting checker\n");
	const char *orphan = strstr(log, "init: starting orphan\n");
	CHECK(base && dep && crasher && checker && orphan, "a start is missing");
	CHECK(base < dep && dep < crasher && dep < checker && base < orphan,
	      "out of dependency order");
	int starts = 0;
	for (const char *at = log; (at = strstr(at, "init: starting crasher")); at++)
		starts++;
	CHECK(starts == 4, "crasher started %d times, want 4", starts);
	/* The orphan: reaped by init, and it saw init as its parent (status 0). */
	const char *reaped = strstr(log, "init: reaped orphan pid ");
	CHECK(reaped && strstr(reaped, "(status 0)") &&
		  strchr(reaped, '\n') > strstr(reaped, "(status 0)"),
	      "the orphan was not reaped with status 0");
	if (failures)
		fprintf(stderr, "initcheck: the log was:\n%s", log);
	return failures != 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "status"))
		return check_status();
	if (argc == 2 && !strcmp(argv[1], "nocap"))
		return check_nocap();
	if (argc == 2 && !strcmp(argv[1], "orphan"))
		return check_orphan();
	if (argc == 3 && !strcmp(argv[1], "log"))
		return check_log(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "devices"))
		return check_devices(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "mmio"))
		return check_mmio();
	if (argc == 2 && !strcmp(argv[1], "spawned16"))
		return check_spawned16();
	if (argc == 2 && !strcmp(argv[1], "many"))
		return check_many();
	if (argc == 2 && !strcmp(argv[1], "ports"))
		return check_ports();
	if (argc == 2 && !strcmp(argv[1], "spawned"))
		return check_spawned();
	fprintf(stderr,
		"usage: initcheck status|nocap|orphan|devices LINE FREE|mmio|spawned|spawned16|many|ports|log FILE\n");
	return 2;
}
