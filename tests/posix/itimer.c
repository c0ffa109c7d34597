/*
 * Timers that send signals: alarm (with sigsuspend, so it cannot come
 * before the wait), a periodic ITIMER_REAL interrupting a read blocked on an
 * empty pipe (EINTR) and counting signals, timer_create with SIGEV_SIGNAL
 * (si_code SI_TIMER, si_value, a relative and an absolute time, taken by
 * sigwaitinfo), SIGEV_NONE, sigtimedwait's timeout, a forked child without
 * its parent's timer, and bad arguments. Only "it happened" is checked,
 * never how long it took; every wait ends after at most 10 s.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEST_NAME "itimer"
#include "check.h"

static volatile sig_atomic_t hits, info_code, info_value;

static void on_alarm(int sig)
{
	(void)sig;
	hits++;
}

static void on_info(int sig, siginfo_t *info, void *uc)
{
	(void)sig, (void)uc;
	hits++;
	info_code = info->si_code;
	info_value = info->si_value.sival_int;
}

static void handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = flags;
	if (flags & SA_SIGINFO)
		sa.sa_sigaction = on_info;
	else
		sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	hits = 0;
}

static void block(int sig, int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(how, &set, NULL);
}

static void periodic(long value_us, long interval_us)
{
	struct itimerval it = {{interval_us / 1000000, interval_us % 1000000},
			       {value_us / 1000000, value_us % 1000000}};

	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer");
}

static void test_alarm(void)
{
	struct itimerval it;
	sigset_t none;

	handle(SIGALRM, on_alarm, 0);
	block(SIGALRM, SIG_BLOCK);
	CHECK(alarm(100) == 0, "alarm: no earlier alarm");
	unsigned left = alarm(1);
	CHECK(left >= 1 && left <= 100, "alarm: what was left of the first (%u)", left);
	CHECK(getitimer(ITIMER_REAL, &it) == 0 && (it.it_value.tv_sec || it.it_value.tv_usec) &&
		  !it.it_interval.tv_sec && !it.it_interval.tv_usec,
	      "getitimer: the alarm is running, once");
	sigemptyset(&none);
	CHECK(sigsuspend(&none) == -1 && errno == EINTR, "sigsuspend until the alarm");
	CHECK(hits == 1, "the alarm's handler ran once (%d)", (int)hits);
	CHECK(alarm(0) == 0, "alarm: none left after it went off");
	CHECK(getitimer(ITIMER_REAL, &it) == 0 && !it.it_value.tv_sec && !it.it_value.tv_usec,
	      "getitimer: disarmed");
	block(SIGALRM, SIG_UNBLOCK);
}

static void test_read_eintr(void)
{
	int p[2];
	char c;

	CHECK(pipe(p) == 0, "pipe");
	handle(SIGALRM, on_alarm, 0);
	/* Again and again until the read is interrupted: it cannot come too early. */
	periodic(100000, 100000);
	errno = 0;
	ssize_t n = read(p[0], &c, 1);
	CHECK(n == -1 && errno == EINTR, "a blocking read interrupted by SIGALRM: EINTR (%zd)", n);
	CHECK(hits >= 1, "the handler ran");
	periodic(0, 0);
	close(p[0]);
	close(p[1]);
}

static void test_periodic(void)
{
	struct itimerval it, old;

	handle(SIGALRM, on_alarm, 0);
	periodic(20000, 20000);
	CHECK(getitimer(ITIMER_REAL, &it) == 0 && it.it_interval.tv_sec == 0 &&
		  it.it_interval.tv_usec == 20000,
	      "getitimer: the interval (%ld)", (long)it.it_interval.tv_usec);
	for (int i = 0; hits < 5 && i < 500; i++)
		pause(); /* each ends with a signal: one missed, the next comes */
	CHECK(hits >= 5, "a periodic timer: 5 signals (%d)", (int)hits);
	memset(&it, 0, sizeof(it));
	CHECK(setitimer(ITIMER_REAL, &it, &old) == 0 && old.it_interval.tv_usec == 20000,
	      "setitimer: disarmed, the old interval told");
	int seen = hits;
	CHECK(getitimer(ITIMER_REAL, &it) == 0 && !it.it_value.tv_sec && !it.it_value.tv_usec,
	      "getitimer: disarmed");
	CHECK(hits == seen, "no signal after disarming");
}

static void test_posix_timers(void)
{
	struct sigevent sev;
	struct itimerspec its, cur;
	timer_t t;
	sigset_t set;
	siginfo_t info;

	/* A periodic one with a handler: SI_TIMER and the sigevent's value. */
	handle(SIGUSR1, NULL, SA_SIGINFO);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_int = 42;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0, "timer_create");
	its = (struct itimerspec){{0, 10000000}, {0, 10000000}};
	CHECK(timer_settime(t, 0, &its, NULL) == 0, "timer_settime");
	CHECK(timer_gettime(t, &cur) == 0 && cur.it_interval.tv_nsec == 10000000 &&
		  cur.it_value.tv_sec == 0,
	      "timer_gettime: armed with its interval");
	for (int i = 0; hits < 3 && i < 1000; i++)
		pause();
	CHECK(hits >= 3, "timer_create: 3 signals (%d)", (int)hits);
	CHECK(info_code == SI_TIMER && info_value == 42, "si_code SI_TIMER (%d), si_value 42 (%d)",
	      (int)info_code, (int)info_value);
	CHECK(timer_getoverrun(t) >= 0, "timer_getoverrun");
	CHECK(timer_delete(t) == 0, "timer_delete");
	errno = 0;
	CHECK(timer_gettime(t, &cur) == -1 && errno == EINVAL, "timer_gettime of a deleted timer");
	errno = 0;
	CHECK(timer_settime(t, 0, &its, NULL) == -1 && errno == EINVAL,
	      "timer_settime of a deleted timer");

	/* An absolute time on CLOCK_REALTIME, the signal blocked and taken by sigwaitinfo. */
	block(SIGUSR2, SIG_BLOCK);
	sev.sigev_signo = SIGUSR2;
	sev.sigev_value.sival_int = 7;
	CHECK(timer_create(CLOCK_REALTIME, &sev, &t) == 0, "timer_create (CLOCK_REALTIME)");
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_nsec += 50000000;
	if (now.tv_nsec >= 1000000000)
		now.tv_sec++, now.tv_nsec -= 1000000000;
	its = (struct itimerspec){{0, 0}, now};
	CHECK(timer_settime(t, TIMER_ABSTIME, &its, NULL) == 0, "timer_settime TIMER_ABSTIME");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	struct timespec cap = {10, 0};
	int sig = sigtimedwait(&set, &info, &cap);
	CHECK(sig == SIGUSR2 && info.si_signo == SIGUSR2 && info.si_code == SI_TIMER &&
		  info.si_value.sival_int == 7,
	      "sigtimedwait took the timer's signal (%d, code %d, value %d)", sig, info.si_code,
	      info.si_value.sival_int);
	CHECK(timer_gettime(t, &cur) == 0 && !cur.it_value.tv_sec && !cur.it_value.tv_nsec,
	      "a one-shot timer is disarmed after it went off");
	CHECK(timer_delete(t) == 0, "timer_delete");

	/* sigtimedwait with nothing to come: EAGAIN. */
	struct timespec short_wait = {0, 10000000};
	errno = 0;
	CHECK(sigtimedwait(&set, &info, &short_wait) == -1 && errno == EAGAIN,
	      "sigtimedwait: EAGAIN after its timeout");
	struct timespec zero = {0, 0};
	errno = 0;
	CHECK(sigtimedwait(&set, &info, &zero) == -1 && errno == EAGAIN,
	      "sigtimedwait: EAGAIN at once with a zero timeout");
	/* A pending one is taken at once, and sigwait takes one too. */
	raise(SIGUSR2);
	CHECK(sigtimedwait(&set, &info, &zero) == SIGUSR2 &&
		  (info.si_code == SI_TKILL || info.si_code == SI_USER),
	      "sigtimedwait: a pending signal at once");
	raise(SIGUSR2);
	CHECK(sigwait(&set, &sig) == 0 && sig == SIGUSR2, "sigwait");
	block(SIGUSR2, SIG_UNBLOCK);

	/* SIGEV_NONE: it runs and sends nothing. */
	sev.sigev_notify = SIGEV_NONE;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0, "timer_create SIGEV_NONE");
	its = (struct itimerspec){{0, 0}, {10, 0}};
	CHECK(timer_settime(t, 0, &its, NULL) == 0, "timer_settime");
	CHECK(timer_gettime(t, &cur) == 0 && (cur.it_value.tv_sec || cur.it_value.tv_nsec) &&
		  cur.it_value.tv_sec <= 10,
	      "timer_gettime: SIGEV_NONE running");
	its = (struct itimerspec){{0, 0}, {0, 0}};
	struct itimerspec old;
	CHECK(timer_settime(t, 0, &its, &old) == 0 && (old.it_value.tv_sec || old.it_value.tv_nsec),
	      "timer_settime: disarmed, the time left told");
	CHECK(timer_delete(t) == 0, "timer_delete");
}

static void test_fork_and_errors(void)
{
	struct itimerval it = {{0, 0}, {10, 0}}, bad = {{0, 0}, {0, 2000000}};
	int status;

	handle(SIGALRM, on_alarm, 0);
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer 10 s");
	pid_t pid = fork();
	if (pid == 0) {
		struct itimerval c;
		_exit(getitimer(ITIMER_REAL, &c) != 0 || c.it_value.tv_sec || c.it_value.tv_usec);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0,
	      "a forked child has no timer");
	CHECK(getitimer(ITIMER_REAL, &it) == 0 && (it.it_value.tv_sec || it.it_value.tv_usec),
	      "the parent's still runs");
	CHECK(alarm(0) > 0, "alarm(0) disarms it");

	errno = 0;
	CHECK(setitimer(ITIMER_REAL, &bad, NULL) == -1 && errno == EINVAL,
	      "setitimer: tv_usec too big");
	timer_t t;
	errno = 0;
	CHECK(timer_create(12345, NULL, &t) == -1 && errno == EINVAL, "timer_create: bad clock");
}

int main(void)
{
	test_alarm();
	test_read_eintr();
	test_periodic();
	test_posix_timers();
	test_fork_and_errors();
	if (!failures)
		printf("itimer: ok\n");
	return failures != 0;
}
