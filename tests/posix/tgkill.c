/*
 * Thread ids across processes: the main thread's id is the pid, another
 * thread's is no pid; tgkill from another process reaches the named thread
 * (its handler runs there, and says its gettid), and the main thread by
 * the pid; a tid with the wrong pid is ESRCH. Each is done ROUNDS times,
 * and tgkill to a thread of our own as well: the signal is sent right as
 * the thread comes back from the write that reported it and goes to wait in
 * a read, which a redirection that came during the write's return used to
 * miss (the kernel dropped its PENDING_INTR there; the read then waited
 * for ever).
 * Nothing waits for time to pass. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "tgkill"
#include "check.h"
#include "child.h"

#define ROUNDS 16

static int report, go;	/* the child's pipes: to the parent, from the parent */

static int tid(void)
{
	return (int)syscall(SYS_gettid);
}

/* Says which thread took the signal: its number and its tid. */
static void on_sig(int sig)
{
	int m[2] = {sig, tid()};
	int e = errno;

	(void)!write(report, m, sizeof(m));
	errno = e;
}

/* One byte from the parent; a read the signal interrupts is tried again. */
static void wait_go(void)
{
	char c;

	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
}

/* Reports its id, then waits for the parent's byte, ROUNDS times. */
static void *thread_main(void *arg)
{
	int m[2] = {0, tid()};
	sigset_t none;

	(void)arg;
	/* SIGUSR1 open here only: the parent's tgkill, whenever it comes, runs its handler here. */
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		CHECK(write(report, m, sizeof(m)) == sizeof(m), "report the thread's id");
		wait_go();
	}
	return NULL;
}

/*
 * One round of @whom's side: the thread's report (@want its first word; its
 * tid is *t, or goes there when *t is 0), a tgkill of it (process @pid) with
 * @sig, the handler's report from that thread, and the byte that lets it go
 * on. @up and @down are the pipes from and to it.
 */
static void round_of(const char *whom, int up, int down, pid_t pid, int want, int *t, int sig)
{
	int m[2] = {0, 0};

	CHECK(read(up, m, sizeof(m)) == sizeof(m) && m[0] == want, "%s: its report %d", whom, m[0]);
	if (!*t)
		*t = m[1];
	CHECK(want != 0 || m[1] == *t, "%s: thread id %d, then %d", whom, *t, m[1]);
	CHECK(syscall(SYS_tgkill, pid, *t, sig) == 0, "%s: tgkill: errno %d", whom, errno);
	CHECK(read(up, m, sizeof(m)) == sizeof(m), "%s: the handler's report", whom);
	CHECK(m[0] == sig && m[1] == *t, "%s: signal %d taken by thread %d, wanted %d by %d", whom,
	      m[0], m[1], sig, *t);
	CHECK(write(down, "t", 1) == 1, "%s: let the thread go on", whom);
}

/* tgkill of a thread of our own, as it goes from its report to its read. */
static void same_process(void)
{
	int up[2], down[2], t = 0;
	pthread_t th;

	CHECK(pipe(up) == 0 && pipe(down) == 0, "pipes");
	report = up[1], go = down[0];
	CHECK(pthread_create(&th, NULL, thread_main, NULL) == 0, "pthread_create");
	for (int i = 0; i < ROUNDS; i++)
		round_of("our thread", up[0], down[1], getpid(), 0, &t, SIGUSR1);
	CHECK(t > 0 && t != getpid(), "our thread's id %d", t);
	CHECK(pthread_join(th, NULL) == 0, "pthread_join");
	close(up[0]), close(up[1]), close(down[0]), close(down[1]);
}

/* The child: a second thread, SIGUSR1 blocked in the main thread, handlers report. */
static int child(void)
{
	pthread_t t;
	sigset_t usr1;
	struct sigaction sa = {.sa_handler = on_sig};

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	CHECK(tid() == getpid(), "the main thread's id %d is not the pid %d", tid(), (int)getpid());
	CHECK(pthread_create(&t, NULL, thread_main, NULL) == 0, "pthread_create");
	CHECK(pthread_join(t, NULL) == 0, "pthread_join");
	/* SIGUSR2 to the main thread comes while it waits here. */
	for (int i = 0; i < ROUNDS; i++) {
		int m[2] = {-1, 0};
		CHECK(write(report, m, sizeof(m)) == sizeof(m), "report the join");
		wait_go();
	}
	return failures;
}

int main(void)
{
	int up[2], down[2], m[2] = {0, 0}, t = 0, main_tid;
	struct sigaction sa = {.sa_handler = on_sig};

	CHECK(tid() == getpid(), "our main thread's id %d, pid %d", tid(), (int)getpid());
	sigaction(SIGUSR1, &sa, NULL);
	same_process();
	CHECK(pipe(up) == 0 && pipe(down) == 0, "pipes");
	pid_t pid = fork();
	if (pid == 0) {
		close(up[0]), close(down[1]);
		report = up[1], go = down[0];
		_exit(child());
	}
	CHECK(pid > 0, "fork");
	close(up[1]), close(down[0]);
	CHECK(read(up[0], m, sizeof(m)) == sizeof(m) && m[0] == 0, "the child's thread id");
	t = m[1];
	CHECK(t > 0 && t != pid && t != getpid(), "the child's thread id %d (child %d)", t, (int)pid);
	/* The wrong process for that thread: no such thread. */
	CHECK(syscall(SYS_tgkill, getpid(), t, SIGUSR1) == -1 && errno == ESRCH,
	      "tgkill of the child's thread as ours: errno %d", errno);
	CHECK(syscall(SYS_tgkill, pid, t, SIGUSR1) == 0, "tgkill of the child's thread: errno %d",
	      errno);
	CHECK(read(up[0], m, sizeof(m)) == sizeof(m), "the handler's report");
	CHECK(m[0] == SIGUSR1 && m[1] == t, "signal %d taken by thread %d, wanted %d by %d", m[0], m[1],
	      SIGUSR1, t);
	CHECK(write(down[1], "t", 1) == 1, "let the thread go on");
	for (int i = 1; i < ROUNDS; i++)
		round_of("the child's thread", up[0], down[1], pid, 0, &t, SIGUSR1);
	/* The main thread, by the pid, once the thread is joined. */
	main_tid = pid;
	for (int i = 0; i < ROUNDS; i++)
		round_of("the child's main thread", up[0], down[1], pid, -1, &main_tid, SIGUSR2);
	check_exit(pid, 0, "child");
	printf("tgkill: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
