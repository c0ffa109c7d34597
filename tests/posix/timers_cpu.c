/*
 * The timers beyond ITIMER_REAL and SIGEV_SIGNAL: timer_create with
 * SIGEV_THREAD (musl's own thread calls the function with sigev_value, again
 * for a periodic timer, and no more after timer_delete) and SIGEV_THREAD_ID
 * (the signal goes to the thread named, si_code SI_TIMER); ITIMER_VIRTUAL
 * (not while sleeping, but while spinning in user mode), ITIMER_PROF,
 * getitimer's remaining CPU time going down, a CLOCK_PROCESS_CPUTIME_ID
 * timer, and bad arguments. Only "it happened" is checked, never how long it
 * took; every wait gives up after 10 s.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define TEST_NAME "timers_cpu"
#include "check.h"

static volatile sig_atomic_t hits, hit_tid, hit_code, hit_value;

static void on_signal(int sig, siginfo_t *info, void *uc)
{
	(void)sig, (void)uc;
	hits++;
	hit_tid = gettid();
	hit_code = info->si_code;
	hit_value = info->si_value.sival_int;
}

static void handle(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO;
	sa.sa_sigaction = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	hits = hit_tid = hit_code = hit_value = 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000}, left;

	while (nanosleep(&ts, &left) == -1 && errno == EINTR)
		ts = left;
}

/* Burns CPU time in user mode for a while, with no system call. */
static void spin(void)
{
	unsigned long x = 0;

	for (unsigned long i = 0; i < 2000000; i++) {
		x += i;
		__asm__ volatile("" : "+r"(x)); /* kept: the loop is not folded away */
	}
}

/* Spins until *@flag reaches @n or 10 s passed; whether it did. */
static int spin_until(volatile sig_atomic_t *flag, int n)
{
	double end = now_s() + 10;

	while (*flag < n && now_s() < end)
		spin();
	return *flag >= n;
}

static volatile int cb_count, cb_value, cb_stale;
static pthread_t cb_thread;
static __thread int cb_here;

/* musl starts each call with fresh thread-local data: cb_here is 0 every time. */
static void notify(union sigval v)
{
	cb_value = v.sival_int;
	cb_thread = pthread_self();
	if (cb_here++)
		cb_stale = 1;
	__atomic_add_fetch(&cb_count, 1, __ATOMIC_SEQ_CST);
}

static void test_sigev_thread(void)
{
	struct sigevent sev;
	struct itimerspec its = {{0, 10000000}, {0, 10000000}}, cur;
	timer_t t;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = notify;
	sev.sigev_value.sival_int = 77;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0, "timer_create SIGEV_THREAD");
	CHECK(timer_settime(t, 0, &its, NULL) == 0, "timer_settime");
	CHECK(timer_gettime(t, &cur) == 0 && cur.it_interval.tv_nsec == 10000000,
	      "timer_gettime: its interval");
	for (int i = 0; __atomic_load_n(&cb_count, __ATOMIC_SEQ_CST) < 3 && i < 1000; i++)
		sleep_ms(10);
	CHECK(cb_count >= 3, "SIGEV_THREAD: the function ran again and again (%d)", cb_count);
	CHECK(!cb_stale, "SIGEV_THREAD: each call with fresh thread-local data");
	CHECK(cb_value == 77, "SIGEV_THREAD: sigev_value (%d)", cb_value);
	CHECK(cb_count == 0 || !pthread_equal(cb_thread, pthread_self()),
	      "SIGEV_THREAD: in a thread of its own");
	CHECK(timer_getoverrun(t) >= 0, "timer_getoverrun");
	CHECK(timer_delete(t) == 0, "timer_delete");
	/* A call already under way may still end; then none. */
	int seen = __atomic_load_n(&cb_count, __ATOMIC_SEQ_CST);
	sleep_ms(200);
	CHECK(cb_count <= seen + 1, "SIGEV_THREAD: no calls after timer_delete (%d, then %d)", seen,
	      cb_count);
}

static volatile int worker_tid, worker_stop;

static void *worker(void *arg)
{
	(void)arg;
	__atomic_store_n(&worker_tid, gettid(), __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&worker_stop, __ATOMIC_SEQ_CST))
		sleep_ms(5);
	return NULL;
}

static void test_thread_id(void)
{
	struct sigevent sev;
	struct itimerspec its = {{0, 0}, {0, 20000000}};
	pthread_t th;
	timer_t t;

	/* Neither thread blocks it: sent to the process, the main thread would take it. */
	handle(SIGUSR1);
	CHECK(pthread_create(&th, NULL, worker, NULL) == 0, "pthread_create");
	while (!__atomic_load_n(&worker_tid, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_int = 55;
	sev.sigev_notify_thread_id = worker_tid;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0, "timer_create SIGEV_THREAD_ID");
	CHECK(timer_settime(t, 0, &its, NULL) == 0, "timer_settime");
	for (int i = 0; !hits && i < 1000; i++)
		sleep_ms(10);
	CHECK(hits == 1, "SIGEV_THREAD_ID: the handler ran (%d)", (int)hits);
	CHECK(hit_tid == worker_tid, "SIGEV_THREAD_ID: in the thread named (%d, not %d)",
	      (int)hit_tid, worker_tid);
	CHECK(hit_code == SI_TIMER && hit_value == 55, "SIGEV_THREAD_ID: SI_TIMER (%d), value (%d)",
	      (int)hit_code, (int)hit_value);
	CHECK(timer_getoverrun(t) == 0, "timer_getoverrun: none");
	CHECK(timer_delete(t) == 0, "timer_delete");
	__atomic_store_n(&worker_stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(th, NULL);
}

static void set_itimer(int which, long value_us, long interval_us)
{
	struct itimerval it = {{interval_us / 1000000, interval_us % 1000000},
			       {value_us / 1000000, value_us % 1000000}};

	CHECK(setitimer(which, &it, NULL) == 0, "setitimer(%d)", which);
}

static long left_us(int which)
{
	struct itimerval it;

	if (getitimer(which, &it))
		return -1;
	return it.it_value.tv_sec * 1000000 + it.it_value.tv_usec;
}

static void test_virtual(void)
{
	handle(SIGVTALRM);
	set_itimer(ITIMER_VIRTUAL, 50000, 0);
	/* Sleeping takes no user time. */
	sleep_ms(200);
	CHECK(hits == 0, "ITIMER_VIRTUAL: no signal while sleeping (%d)", (int)hits);
	long left = left_us(ITIMER_VIRTUAL);
	CHECK(left > 0, "getitimer: still running after the sleep (%ld)", left);
	CHECK(spin_until(&hits, 1), "ITIMER_VIRTUAL: SIGVTALRM while spinning");
	CHECK(hits == 1 && hit_code == SI_KERNEL, "one SIGVTALRM (%d), SI_KERNEL (%d)", (int)hits,
	      (int)hit_code);
	CHECK(left_us(ITIMER_VIRTUAL) == 0, "getitimer: a one-shot timer is disarmed after it");

	/* The time left goes down as the process spins. */
	set_itimer(ITIMER_VIRTUAL, 100000000, 0);
	long first = left_us(ITIMER_VIRTUAL), later = first;
	double end = now_s() + 10;
	while (later >= first && now_s() < end) {
		spin();
		later = left_us(ITIMER_VIRTUAL);
	}
	CHECK(first > 0 && later > 0 && later < first,
	      "getitimer: less left after spinning (%ld, %ld)", first, later);
	set_itimer(ITIMER_VIRTUAL, 0, 0);
	CHECK(left_us(ITIMER_VIRTUAL) == 0, "getitimer: disarmed");
}

static void test_prof(void)
{
	struct itimerval it;

	handle(SIGPROF);
	set_itimer(ITIMER_PROF, 20000, 20000);
	CHECK(getitimer(ITIMER_PROF, &it) == 0 && it.it_interval.tv_sec == 0 &&
		  it.it_interval.tv_usec == 20000,
	      "getitimer: ITIMER_PROF's interval (%ld)", (long)it.it_interval.tv_usec);
	CHECK(spin_until(&hits, 3), "ITIMER_PROF: 3 SIGPROFs while spinning (%d)", (int)hits);
	struct itimerval zero = {{0, 0}, {0, 0}}, old;
	CHECK(setitimer(ITIMER_PROF, &zero, &old) == 0 && old.it_interval.tv_usec == 20000,
	      "setitimer: disarmed, the old interval told");
	CHECK(left_us(ITIMER_PROF) == 0, "getitimer: ITIMER_PROF disarmed");
}

static void test_cputime_clock(void)
{
	struct sigevent sev;
	struct itimerspec its = {{0, 0}, {0, 30000000}}, cur;
	timer_t t;

	handle(SIGUSR2);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR2;
	sev.sigev_value.sival_int = 9;
	CHECK(timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &t) == 0,
	      "timer_create CLOCK_PROCESS_CPUTIME_ID");
	CHECK(timer_settime(t, 0, &its, NULL) == 0, "timer_settime");
	CHECK(timer_gettime(t, &cur) == 0 && (cur.it_value.tv_sec || cur.it_value.tv_nsec),
	      "timer_gettime: armed");
	CHECK(spin_until(&hits, 1), "CLOCK_PROCESS_CPUTIME_ID: the signal while spinning");
	CHECK(hit_code == SI_TIMER && hit_value == 9, "SI_TIMER (%d), value (%d)", (int)hit_code,
	      (int)hit_value);
	CHECK(timer_delete(t) == 0, "timer_delete");
}

static void test_bad(void)
{
	struct itimerval it = {{0, 0}, {0, 1000000}};
	struct sigevent sev;
	timer_t t;

	errno = 0;
	CHECK(setitimer(ITIMER_VIRTUAL, &it, NULL) == -1 && errno == EINVAL,
	      "setitimer: 1000000 us is EINVAL");
	errno = 0;
	CHECK(setitimer(7, &it, NULL) == -1 && errno == EINVAL, "setitimer: unknown which");
	errno = 0;
	CHECK(getitimer(7, &it) == -1 && errno == EINVAL, "getitimer: unknown which");
	errno = 0;
	CHECK(syscall(SYS_getitimer, ITIMER_PROF, NULL) == -1 && errno == EFAULT,
	      "getitimer: NULL is EFAULT");

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_notify_thread_id = getppid();
	errno = 0;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == -1 && errno == EINVAL,
	      "SIGEV_THREAD_ID: another process's thread");
	sev.sigev_notify_thread_id = 0x7ffffff0;
	errno = 0;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == -1 && errno == EINVAL,
	      "SIGEV_THREAD_ID: no such thread");
	sev.sigev_notify_thread_id = gettid();
	sev.sigev_signo = 0;
	errno = 0;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == -1 && errno == EINVAL,
	      "SIGEV_THREAD_ID: signal 0");
	sev.sigev_signo = 65;
	errno = 0;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == -1 && errno == EINVAL,
	      "SIGEV_THREAD_ID: signal 65");
	sev.sigev_notify = 99;
	sev.sigev_signo = SIGUSR1;
	errno = 0;
	CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == -1 && errno == EINVAL,
	      "timer_create: unknown sigev_notify");
}

int main(void)
{
	test_sigev_thread();
	test_thread_id();
	test_virtual();
	test_prof();
	test_cputime_clock();
	test_bad();
	if (!failures)
		printf("timers_cpu: ok\n");
	return failures != 0;
}
