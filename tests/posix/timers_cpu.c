/*
 * The timers beyond ITIMER_REAL and SIGEV_SIGNAL: timer_create with
 * SIGEV_THREAD (musl's own thread calls the function with sigev_value, again
 * for a periodic timer, and no more after timer_delete) and SIGEV_THREAD_ID
 * (the signal goes to the thread named, si_code SI_TIMER); ITIMER_VIRTUAL
 * (not while sleeping, but while spinning in user mode), ITIMER_PROF,
 * getitimer's remaining CPU time going down, a CLOCK_PROCESS_CPUTIME_ID
 * timer, the thread CPU clocks (a spinning thread's CLOCK_THREAD_CPUTIME_ID
 * timer fires while a waiting thread's, on its pthread_getcpuclockid clock,
 * does not; a periodic one again and again; a thread that ended) and bad
 * arguments. Only "it happened" is checked, never how long it took; every
 * wait gives up after 10 s (the thread clocks': after 5 s of CPU time).
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

/* The thread CPU clocks' test: each signal's count, and who took it with which si_value. */
static volatile sig_atomic_t t_hits[_NSIG], t_tid[_NSIG], t_value[_NSIG], t_code[_NSIG];

static void on_tsig(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	t_hits[sig]++;
	t_tid[sig] = gettid();
	t_value[sig] = info->si_value.sival_int;
	t_code[sig] = info->si_code;
}

static long long clock_ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return -1;
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Spins until t_hits[@sig] reaches @n or the calling thread used 5 s of CPU time; whether it did.
 */
static int spin_cpu_until(int sig, int n)
{
	long long now = clock_ns(CLOCK_THREAD_CPUTIME_ID), end = now + 5000000000LL;
	double wall = now_s() + 120; /* only against a clock that never moves */

	/* A clock that does not work (-1) gives up at once. */
	while (t_hits[sig] < n && now >= 0 && now < end && now_s() < wall) {
		spin();
		now = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	}
	return t_hits[sig] >= n;
}

static timer_t thread_timer(clockid_t c, int sig, int value, int tid)
{
	struct sigevent sev;
	timer_t t = 0;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = tid ? SIGEV_THREAD_ID : SIGEV_SIGNAL;
	sev.sigev_signo = sig;
	sev.sigev_value.sival_int = value;
	sev.sigev_notify_thread_id = tid;
	CHECK(timer_create(c, &sev, &t) == 0, "timer_create on clock %d: errno %d", (int)c, errno);
	return t;
}

static void arm(timer_t t, long value_ns, long interval_ns)
{
	struct itimerspec its = {{0, interval_ns}, {0, value_ns}};

	CHECK(timer_settime(t, 0, &its, NULL) == 0, "timer_settime: errno %d", errno);
}

static volatile int sleeper_ready, spinner_tid, spinner_done, spinner_go;
static int sleeper_pipe[2];
static long long spinner_at_fire, spinner_armed_at, spinner_end;

/* Waits without using CPU time (in a read of an empty pipe) until told. */
static void *sleeper(void *arg)
{
	char c;

	(void)arg;
	__atomic_store_n(&sleeper_ready, 1, __ATOMIC_SEQ_CST);
	while (read(sleeper_pipe[0], &c, 1) == -1 && errno == EINTR)
		;
	return NULL;
}

/*
 * Arms its own CLOCK_THREAD_CPUTIME_ID timer (100 ms, SIGUSR1 to itself),
 * spins until it fires, then a periodic one (20 ms) until it fired 3 times;
 * then waits to be told to end.
 */
static void *spinner(void *arg)
{
	int sig2 = SIGRTMIN + 2;

	(void)arg;
	__atomic_store_n(&spinner_tid, gettid(), __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&spinner_go, __ATOMIC_SEQ_CST))
		sleep_ms(5);
	timer_t t = thread_timer(CLOCK_THREAD_CPUTIME_ID, SIGUSR1, 41, gettid());
	spinner_armed_at = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	arm(t, 100000000, 0);
	CHECK(spin_cpu_until(SIGUSR1, 1), "CLOCK_THREAD_CPUTIME_ID: the spinning thread's signal");
	spinner_at_fire = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	timer_delete(t);

	t = thread_timer(CLOCK_THREAD_CPUTIME_ID, sig2, 42, gettid());
	arm(t, 20000000, 20000000);
	struct itimerspec cur;
	CHECK(timer_gettime(t, &cur) == 0 && cur.it_interval.tv_nsec == 20000000,
	      "timer_gettime: a thread CPU timer's interval");
	CHECK(spin_cpu_until(sig2, 3),
	      "CLOCK_THREAD_CPUTIME_ID: a periodic timer fired 3 times (%d)", (int)t_hits[sig2]);
	CHECK(timer_getoverrun(t) >= 0, "timer_getoverrun: errno %d", errno);
	CHECK(timer_delete(t) == 0, "timer_delete");
	spinner_end = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	__atomic_store_n(&spinner_done, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&spinner_go, __ATOMIC_SEQ_CST) != 2)
		sleep_ms(5);
	return NULL;
}

static void test_thread_clock(void)
{
	struct sigaction sa;
	pthread_t a, b;
	clockid_t ca = 0, cb = 0;
	int sig2 = SIGRTMIN + 2;

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO;
	sa.sa_sigaction = on_tsig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(sig2, &sa, NULL);

	long long self = clock_ns(CLOCK_THREAD_CPUTIME_ID),
		  proc = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(self >= 0 && proc >= self, "clock_gettime: the thread's %lld, the process's %lld",
	      self, proc);
	struct timespec res;
	CHECK(clock_getres(CLOCK_THREAD_CPUTIME_ID, &res) == 0, "clock_getres: errno %d", errno);
	spin();
	CHECK(clock_ns(CLOCK_THREAD_CPUTIME_ID) >= self, "the thread's CPU time went back");

	CHECK(pipe(sleeper_pipe) == 0, "pipe");
	CHECK(pthread_create(&b, NULL, sleeper, NULL) == 0, "pthread_create (sleeper)");
	CHECK(pthread_create(&a, NULL, spinner, NULL) == 0, "pthread_create (spinner)");
	while (!__atomic_load_n(&sleeper_ready, __ATOMIC_SEQ_CST) ||
	       !__atomic_load_n(&spinner_tid, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	CHECK(pthread_getcpuclockid(a, &ca) == 0 && pthread_getcpuclockid(b, &cb) == 0,
	      "pthread_getcpuclockid");
	CHECK(clock_ns(ca) >= 0 && clock_ns(cb) >= 0, "clock_gettime of another thread's clock");

	/*
	 * Armed once the sleeper waits (its clock stands still): 20 ms of its time is far less than
	 * the spinner's 100 ms, so a timer counting any other thread's time would fire.
	 */
	long long b0, b1 = clock_ns(cb);
	for (int i = 0; i < 500; i++) {
		b0 = b1;
		sleep_ms(20);
		if ((b1 = clock_ns(cb)) == b0)
			break;
	}
	timer_t tb = thread_timer(cb, SIGUSR2, 43, 0);
	arm(tb, 20000000, 0);
	long long b_before = clock_ns(cb);
	timer_t late = thread_timer(ca, SIGUSR2, 44, 0);
	arm(late, 900000000, 0); /* after the spinner's end: never */
	__atomic_store_n(&spinner_go, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&spinner_done, __ATOMIC_SEQ_CST))
		sleep_ms(5);
	long long b_after = clock_ns(cb);

	CHECK(t_hits[SIGUSR1] == 1 && t_tid[SIGUSR1] == spinner_tid,
	      "CLOCK_THREAD_CPUTIME_ID: one signal (%d) in the spinner (%d, not %d)",
	      (int)t_hits[SIGUSR1], (int)t_tid[SIGUSR1], spinner_tid);
	CHECK(t_value[SIGUSR1] == 41 && t_code[SIGUSR1] == SI_TIMER, "SI_TIMER (%d), value (%d)",
	      (int)t_code[SIGUSR1], (int)t_value[SIGUSR1]);
	CHECK(spinner_at_fire >= spinner_armed_at + 100000000,
	      "it fired at %lld ns of the thread's clock, armed at %lld for 100 ms",
	      spinner_at_fire, spinner_armed_at);
	CHECK(t_hits[sig2] >= 3 && t_tid[sig2] == spinner_tid && t_value[sig2] == 42,
	      "the periodic timer: %d signals, in %d, value %d", (int)t_hits[sig2],
	      (int)t_tid[sig2], (int)t_value[sig2]);
	long long a_now = clock_ns(ca);
	CHECK(a_now >= spinner_end, "the spinner's clock from another thread: %lld < %lld", a_now,
	      spinner_end);

	CHECK(t_hits[SIGUSR2] == 0, "a waiting thread's CPU-time timer fired (value %d)",
	      (int)t_value[SIGUSR2]);
	CHECK(b_after == b_before, "a waiting thread's CPU time went from %lld to %lld", b_before,
	      b_after);
	struct itimerspec cur;
	CHECK(timer_gettime(tb, &cur) == 0 && (cur.it_value.tv_sec || cur.it_value.tv_nsec),
	      "timer_gettime: the waiting thread's timer still armed");
	CHECK(timer_delete(tb) == 0, "timer_delete");

	/* A thread that ended: its clock is gone (EINVAL), its timer reads as disarmed, setting it
	 * is ESRCH, as Linux's. Its end is seen a little after pthread_join: wait for it. */
	__atomic_store_n(&spinner_go, 2, __ATOMIC_SEQ_CST);
	pthread_join(a, NULL);
	struct timespec ts;
	for (int i = 0; i < 500 && clock_gettime(ca, &ts) == 0; i++)
		sleep_ms(10);
	errno = 0;
	CHECK(clock_gettime(ca, &ts) == -1 && errno == EINVAL,
	      "clock_gettime of a thread that ended: errno %d", errno);
	CHECK(timer_gettime(late, &cur) == 0 && !cur.it_value.tv_sec && !cur.it_value.tv_nsec,
	      "timer_gettime: the ended thread's timer disarmed");
	struct itimerspec its = {{0, 0}, {1, 0}};
	errno = 0;
	CHECK(timer_settime(late, 0, &its, NULL) == -1 && errno == ESRCH,
	      "timer_settime: the ended thread's timer: errno %d", errno);
	CHECK(timer_delete(late) == 0, "timer_delete: the ended thread's timer");
	struct sigevent sev;
	timer_t t;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_NONE;
	errno = 0;
	CHECK(timer_create(ca, &sev, &t) == -1 && errno == EINVAL,
	      "timer_create on an ended thread's clock: errno %d", errno);
	CHECK(t_hits[SIGUSR2] == 0, "the ended thread's timer fired");

	/* Clocks of no thread of ours (pid 0 would be the caller: the root task's child has none).
	 */
	int other = getppid() > 0 ? getppid() : 1;
	errno = 0;
	CHECK(timer_create((clockid_t)((-0x7ffffff0 - 1) * 8U + 6), &sev, &t) == -1 &&
		  errno == EINVAL,
	      "timer_create: no such thread's clock: errno %d", errno);
	errno = 0;
	CHECK(timer_create((clockid_t)((-other - 1) * 8U + 6), &sev, &t) == -1 && errno == EINVAL,
	      "timer_create: another process's thread's clock: errno %d", errno);
	errno = 0;
	CHECK(clock_gettime((clockid_t)((-other - 1) * 8U + 6), &ts) == -1 && errno == EINVAL,
	      "clock_gettime: another process's thread's clock: errno %d", errno);
	errno = 0;
	CHECK(clock_gettime((clockid_t)(-1 * 8 + 7), &ts) == -1 && errno == EINVAL,
	      "clock_gettime: a CPU clock of kind 3: errno %d", errno);

	CHECK(write(sleeper_pipe[1], "x", 1) == 1, "write");
	pthread_join(b, NULL);
	close(sleeper_pipe[0]);
	close(sleeper_pipe[1]);
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
	test_thread_clock();
	test_bad();
	if (!failures)
		printf("timers_cpu: ok\n");
	return failures != 0;
}
