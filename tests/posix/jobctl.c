/*
 * Job control: SIGSTOP stops a child (waitpid with WUNTRACED sees
 * WIFSTOPPED, and it really does not run: a counter it keeps in shared
 * memory stays put), SIGCONT continues it (WCONTINUED, WIFCONTINUED), with
 * SIGCHLD to the parent (CLD_STOPPED, CLD_CONTINUED) unless SA_NOCLDSTOP; a
 * child stops itself with raise(SIGTSTP); a child stopped while blocked in
 * a read of a pipe stays stopped when the data comes and finishes the read
 * after SIGCONT; waitid reports stops and continues; a stopped child is
 * killed by SIGKILL. On a pseudo-terminal: tcsetpgrp's errors, a
 * background group's read stops it with SIGTTIN (EIO when SIGTTIN is
 * ignored), its write with TOSTOP stops it with SIGTTOU, and its tcsetpgrp
 * too unless SIGTTOU is blocked. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define TEST_NAME "jobctl"
#include "check.h"
#include "child.h"

#define FAILS(expr, err) CHECK((expr) == -1 && errno == (err), #expr " should fail with " #err)

static volatile unsigned long *counter;	/* shared with the children */
static volatile sig_atomic_t chld_code, chld_count;

static void on_chld(int sig, siginfo_t *info, void *uc)
{
	(void)sig, (void)uc;
	chld_code = info->si_code;
	chld_count++;
}

static void catch_chld(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
}

static void block_chld(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(how, &set, NULL);
}

static bool chld_pending(void)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, SIGCHLD);
}

/* Whether the counter stays put for 50 ms (a running child moves it by millions). */
static bool frozen(void)
{
	unsigned long before = *counter;

	usleep(50000);
	return *counter == before;
}

static pid_t spinner(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			(*counter)++;
	}
	while (*counter == 0)
		usleep(1000);
	return pid;
}

static void stop_and_continue(void)
{
	int st = 0;

	*counter = 0;
	catch_chld(0);
	block_chld(SIG_BLOCK);
	pid_t pid = spinner();
	CHECK(pid > 0, "fork");
	CHECK(waitpid(pid, &st, WNOHANG | WUNTRACED) == 0, "a running child has nothing to report");
	CHECK(kill(pid, SIGSTOP) == 0, "kill SIGSTOP");
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	      "WIFSTOPPED with SIGSTOP: %#x", st);
	CHECK(frozen(), "a stopped child ran");
	CHECK(waitpid(pid, &st, WNOHANG | WUNTRACED) == 0, "a stop is reported once");
	CHECK(chld_pending(), "no SIGCHLD for the stop");
	chld_code = 0;
	block_chld(SIG_UNBLOCK);
	CHECK(chld_code == CLD_STOPPED, "SIGCHLD's si_code %d for the stop", (int)chld_code);
	block_chld(SIG_BLOCK);
	/* Stopped twice is stopped once. */
	CHECK(kill(pid, SIGSTOP) == 0 && waitpid(pid, &st, WNOHANG | WUNTRACED) == 0,
	      "a second SIGSTOP was reported again");
	CHECK(kill(pid, SIGCONT) == 0, "kill SIGCONT");
	CHECK(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st), "WIFCONTINUED: %#x", st);
	/* Linux sends it when the child runs again, which may be after the wait saw it. */
	for (int i = 0; i < 2000 && !chld_pending(); i++)
		usleep(1000);
	CHECK(chld_pending(), "no SIGCHLD for the continue");
	chld_code = 0;
	block_chld(SIG_UNBLOCK);
	CHECK(chld_code == CLD_CONTINUED, "SIGCHLD's si_code %d for the continue", (int)chld_code);
	unsigned long before = *counter;
	while (*counter == before)
		usleep(1000);
	/* A stopped child is killed by SIGKILL, with no continue. */
	CHECK(kill(pid, SIGSTOP) == 0 && waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st), "stop again");
	CHECK(kill(pid, SIGKILL) == 0, "kill SIGKILL");
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "a stopped child killed: %#x", st);
	signal(SIGCHLD, SIG_DFL);
}

static void no_cld_stop(void)
{
	int st = 0;

	*counter = 0;
	catch_chld(SA_NOCLDSTOP);
	block_chld(SIG_BLOCK);
	pid_t pid = spinner();
	CHECK(kill(pid, SIGSTOP) == 0 && waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st),
	      "stop: %#x", st);
	CHECK(!chld_pending(), "SIGCHLD for a stop with SA_NOCLDSTOP");
	CHECK(kill(pid, SIGCONT) == 0 && waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st),
	      "continue: %#x", st);
	CHECK(!chld_pending(), "SIGCHLD for a continue with SA_NOCLDSTOP");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	CHECK(chld_pending(), "no SIGCHLD for the end with SA_NOCLDSTOP");
	signal(SIGCHLD, SIG_DFL);
	block_chld(SIG_UNBLOCK);
}

static void stops_itself(void)
{
	int st = 0;
	siginfo_t info;
	int go[2];
	char c = 0;

	CHECK(pipe(go) == 0, "pipe");
	pid_t pid = fork();
	if (pid == 0) {
		/* A group of its own whose parent is in another group of the session: not orphaned. */
		setpgid(0, 0);
		close(go[1]);
		raise(SIGTSTP);
		/* Only after the continue, and once the parent has seen it (an exit would hide it). */
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(42);
	}
	close(go[0]);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP,
	      "raise(SIGTSTP) stops: %#x", st);
	CHECK(kill(pid, SIGCONT) == 0, "kill SIGCONT");
	memset(&info, 0, sizeof(info));
	CHECK(waitid(P_PID, pid, &info, WCONTINUED) == 0 && info.si_pid == pid &&
		      info.si_code == CLD_CONTINUED,
	      "waitid WCONTINUED: code %d", info.si_code);
	close(go[1]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42, "exit: %#x", st);
	/* waitid with WSTOPPED; an ignored SIGTSTP does not stop. */
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGTSTP, SIG_IGN);
		raise(SIGTSTP);
		raise(SIGTTIN);
		_exit(7);
	}
	memset(&info, 0, sizeof(info));
	CHECK(waitid(P_PID, pid, &info, WSTOPPED) == 0 && info.si_code == CLD_STOPPED &&
		      info.si_status == SIGTTIN,
	      "waitid WSTOPPED: code %d status %d", info.si_code, info.si_status);
	kill(pid, SIGCONT);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7, "exit: %#x", st);
}

static void stopped_in_read(void)
{
	int in[2], out[2], st = 0;
	char c = 0;

	CHECK(pipe(in) == 0 && pipe(out) == 0, "pipes");
	pid_t pid = fork();
	if (pid == 0) {
		char b;
		close(in[1]);
		close(out[0]);
		if (write(out[1], "r", 1) != 1 || read(in[0], &b, 1) != 1)
			_exit(1);
		_exit(write(out[1], &b, 1) == 1 ? 0 : 2);
	}
	close(in[0]);
	close(out[1]);
	CHECK(read(out[0], &c, 1) == 1 && c == 'r', "the child is about to read");
	/* Whether it is in the read yet or not, it stops; then the data comes. */
	CHECK(kill(pid, SIGSTOP) == 0 && waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st),
	      "stop: %#x", st);
	CHECK(write(in[1], "x", 1) == 1, "write to the stopped reader");
	struct pollfd p = {out[0], POLLIN, 0};
	CHECK(poll(&p, 1, 100) == 0, "a stopped child went on after its read");
	CHECK(kill(pid, SIGCONT) == 0, "kill SIGCONT");
	CHECK(read(out[0], &c, 1) == 1 && c == 'x', "the read completed after the continue: %c", c);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit: %#x", st);
	close(in[1]);
	close(out[0]);
}

/* ---- the terminal side, in a session of its own with a pseudo-terminal ---- */

static int master, slave;

/* A child of the leader in a background group of its own; returns its pid. */
static pid_t background(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		failures = 0;
		fn();
		fflush(stdout);
		_exit(failures > 100 ? 100 : failures);
	}
	setpgid(pid, pid);	/* as a shell does: either call makes it (one fails on VeridianOS: done) */
	return pid;
}

static void reads(void)
{
	char c;

	CHECK(read(slave, &c, 1) == 1 && c == 'i', "the read after the continue: %c", c);
}

static void writes(void)
{
	CHECK(write(slave, "o", 1) == 1, "the write after the continue");
}

static void sets_pgrp(void)
{
	CHECK(tcsetpgrp(slave, getpgrp()) == 0, "tcsetpgrp after the continue");
}

static void reads_ignoring(void)
{
	char c;

	signal(SIGTTIN, SIG_IGN);
	FAILS(read(slave, &c, 1), EIO);
}

static void sets_pgrp_blocking(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTTOU);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK(tcsetpgrp(slave, getpgrp()) == 0, "tcsetpgrp with SIGTTOU blocked");
}

/* As a shell does: SIGTTOU blocked, since the leader may be in the background now. */
static void take_foreground(void)
{
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGTTOU);
	sigprocmask(SIG_BLOCK, &set, &old);
	CHECK(tcsetpgrp(slave, getpgrp()) == 0, "take the foreground back");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Runs @fn in a background child, which must stop with @sig, then gets the foreground and finishes. */
static void stops_with(void (*fn)(void), int sig)
{
	int st = 0;
	pid_t pid = background(fn);

	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == sig,
	      "stopped with %d: %#x", sig, st);
	CHECK(tcsetpgrp(slave, pid) == 0, "give the child the foreground");
	CHECK(kill(pid, SIGCONT) == 0, "kill SIGCONT");
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "exit: %#x", st);
	failures += WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	take_foreground();
}

/* Runs @fn in a background child that must not stop. */
static void finishes(void (*fn)(void))
{
	int st = 0;
	pid_t pid = background(fn);

	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFEXITED(st), "exit: %#x", st);
	failures += WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	take_foreground();
}

static void terminal_leader(void)
{
	struct termios t;
	char buf[8];
	pid_t me = getpid();

	CHECK(setsid() == me, "setsid");
	master = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0, "posix_openpt");
	slave = open(ptsname(master), O_RDWR);
	CHECK(slave >= 0 && tcgetsid(slave) == me, "the leader's open takes the terminal");
	/* tcsetpgrp's errors. */
	FAILS(tcsetpgrp(slave, -1), EINVAL);
	FAILS(tcsetpgrp(slave, 0x3ffffff), ESRCH);	/* no such group */
	FAILS(tcsetpgrp(slave, getpgid(getppid())), EPERM);	/* a group of another session */
	int m2 = posix_openpt(O_RDWR | O_NOCTTY), s2 = -1;
	if (m2 >= 0 && grantpt(m2) == 0 && unlockpt(m2) == 0)
		s2 = open(ptsname(m2), O_RDWR | O_NOCTTY);
	CHECK(s2 >= 0, "a second pair");
	FAILS(tcsetpgrp(s2, me), ENOTTY);	/* not our controlling terminal */
	FAILS(tcsetpgrp(0x7fff, me), EBADF);
	CHECK(tcgetpgrp(slave) == me, "tcgetpgrp %d", (int)tcgetpgrp(slave));
	/* Byte by byte, no echo: what the master types is what the slave reads. */
	CHECK(tcgetattr(slave, &t) == 0, "tcgetattr");
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0, "raw mode");
	/* The background's read, write with TOSTOP and tcsetpgrp stop it. */
	CHECK(write(master, "i", 1) == 1, "type a byte");
	stops_with(reads, SIGTTIN);
	finishes(writes);	/* without TOSTOP a background write goes */
	CHECK(read(master, buf, sizeof(buf)) == 1 && buf[0] == 'o', "the master reads it");
	CHECK(tcgetattr(slave, &t) == 0, "tcgetattr");
	t.c_lflag |= TOSTOP;
	CHECK(tcsetattr(slave, TCSANOW, &t) == 0, "TOSTOP");
	stops_with(writes, SIGTTOU);
	CHECK(read(master, buf, sizeof(buf)) == 1 && buf[0] == 'o', "the master reads it");
	stops_with(sets_pgrp, SIGTTOU);
	finishes(sets_pgrp_blocking);
	finishes(reads_ignoring);
}

int main(void)
{
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(counter != MAP_FAILED, "mmap shared");
	if (counter == MAP_FAILED)
		return 1;
	/* Each part says when it starts: a hang shows where. */
	static const struct {
		const char *name;
		void (*fn)(void);
	} parts[] = {{"stop and continue", stop_and_continue}, {"SA_NOCLDSTOP", no_cld_stop},
		     {"raise(SIGTSTP)", stops_itself}, {"stopped in a read", stopped_in_read}};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		printf("jobctl: %s\n", parts[i].name);
		fflush(stdout);
		parts[i].fn();
	}
	printf("jobctl: the terminal\n");
	fflush(stdout);
	in_child(terminal_leader);
	printf("jobctl: %s (%d failed)\n", failures ? "FAIL" : "PASS", failures);
	return failures;
}
