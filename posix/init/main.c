/*
 * /sbin/init: the first POSIX process (pid 1, started by the root task with
 * PROC_SPAWN_INIT). It reads the service definitions (conf.c), starts them
 * in dependency order (order.c), gives each only the capabilities its
 * definition lists, restarts them by their policy with a backoff, reaps
 * orphans, logs to the console and its log file, and answers "status" on
 * the control sockets it hands to services with the control capability
 * (/sbin/initctl). docs/ARCHITECTURE.md, The init system.
 *
 * usage: init [-d DIR] [-l LOG] [-o]
 *   -d  the definitions: DIR/\*.conf (default /etc/services)
 *   -l  the log file (default /tmp/init.log)
 *   -o  once: exit 0 when every service has ended for good and no child is
 *       left (the tests); otherwise init never exits
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devices.h"
#include "service.h"

#define CONF_MAX 4096  /* bytes of a definition file */
#define CONTROL_FD 3   /* the control capability's descriptor in a service */
#define REPLY_MAX 3400 /* a seqpacket record (the vfs takes up to 3456 bytes) */

static struct service svc[SVC_MAX];
static int nsvc, order[SVC_MAX], norder;
static int log_fd = -1;
static int exits[2]; /* the waiter thread writes (pid, wait status) pairs here */

/* The waiter thread sleeps while `spawned` is what it was when it last found no child. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static unsigned spawned;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

enum log_to { LOG_FILE, LOG_BOTH };

/* One line "init: ..." to the log file and, with LOG_BOTH, the console; each in one write. */
static void say(enum log_to to, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n = snprintf(line, sizeof(line), "init: ");

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (log_fd >= 0)
		(void)!write(log_fd, line, (size_t)n);
	if (to == LOG_BOTH)
		(void)!write(1, line, (size_t)n);
}

/* ---- definitions ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_one(const char *dir, const char *file)
{
	char path[512], text[CONF_MAX], name[SVC_NAME_MAX + 8], err[160];
	size_t base = strlen(file) - 5; /* without ".conf" */
	struct service *s = &svc[nsvc];
	ssize_t len = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(name, sizeof(name), "%.*s", (int)(base < SVC_NAME_MAX ? base : SVC_NAME_MAX),
		 file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		len = read(fd, text, sizeof(text));
		close(fd);
	}
	if (len < 0 || len == sizeof(text)) {
		say(LOG_BOTH, "%s: cannot read it (%s)", path,
		    len < 0 ? strerror(errno) : "too long");
		return;
	}
	if (svc_parse(s, name, text, (size_t)len, err, sizeof(err))) {
		if (!s->name[0]) {
			/* Not even a name: nothing can refer to it. */
			say(LOG_BOTH, "%s: %s", path, err);
			return;
		}
		s->state = SVC_FAILED;
		snprintf(s->reason, sizeof(s->reason), "bad definition: %s", err);
	}
	nsvc++;
}

/* Reads DIR/\*.conf in name order into svc[]. */
static void load(const char *dir)
{
	char *names[SVC_MAX + 1];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		say(LOG_BOTH, "%s: %s", dir, strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".conf"))
			continue;
		if (n == SVC_MAX) {
			say(LOG_BOTH, "%s: more than %d services; %s and later are left out", dir,
			    SVC_MAX, e->d_name);
			break;
		}
		if (!(names[n] = strdup(e->d_name)))
			break;
		n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++) {
		load_one(dir, names[i]);
		free(names[i]);
	}
}

/* ---- starting ---- */

static const char *describe(int wstatus, char *buf, size_t len)
{
	if (WIFEXITED(wstatus))
		snprintf(buf, len, "status %d", WEXITSTATUS(wstatus));
	else
		snprintf(buf, len, "signal %d", WTERMSIG(wstatus));
	return buf;
}

static void ended(struct service *s, int wstatus);

/* The file actions for @s's fds 0-2 and its capabilities; @control is the service's end or -1. */
static int actions(struct service *s, posix_spawn_file_actions_t *fa, int control)
{
	int err = 0;

	switch (s->output) {
	case SVC_OUT_CONSOLE:
		err = posix_spawn_file_actions_addopen(fa, 0, "/dev/console", O_RDONLY, 0) ||
		      posix_spawn_file_actions_addopen(fa, 1, "/dev/console", O_WRONLY, 0);
		break;
	case SVC_OUT_LOG:
		/* Without a log file (it could not be opened), /dev/null. */
		err = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0) ||
		      (log_fd >= 0
			   ? posix_spawn_file_actions_adddup2(fa, log_fd, 1)
			   : posix_spawn_file_actions_addopen(fa, 1, "/dev/null", O_WRONLY, 0));
		break;
	case SVC_OUT_NULL:
		err = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0) ||
		      posix_spawn_file_actions_addopen(fa, 1, "/dev/null", O_WRONLY, 0);
		break;
	}
	err = err || posix_spawn_file_actions_adddup2(fa, 1, 2);
	/* Only the capabilities listed: nothing else of init's is open in the child (O_CLOEXEC). */
	if (control >= 0)
		err = err || posix_spawn_file_actions_adddup2(fa, control, CONTROL_FD);
	return err;
}

static void start(struct service *s)
{
	char *envp[SVC_ENV_MAX + 4], **e = envp;
	static char handle_names[768], what[128];
	char names_env[sizeof(handle_names) + 16];
	struct vr_spawn_handle h[SVC_HANDLES_MAX];
	int sv[2] = {-1, -1}, pid, err, nh = 0;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;

	if (!s->envp[0])
		*e++ = "PATH=/bin:/sbin";
	for (char **v = s->envp; *v; v++)
		*e++ = *v;
	/* The device capabilities, made anew for every start. */
	if (s->ndevs) {
		nh = devices_make(s, h, handle_names, sizeof(handle_names), what, sizeof(what));
		if (nh < 0) {
			say(LOG_BOTH, "%s: cannot start: %s", s->name, what);
			s->started_ns = now_ns();
			ended(s, 127 << 8);
			return;
		}
		snprintf(names_env, sizeof(names_env), "INIT_HANDLES=%s", handle_names);
		*e++ = names_env;
	}
	if (s->caps & SVC_CAP_CONTROL) {
		*e++ = "INIT_CONTROL_FD=3";
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
			say(LOG_BOTH, "%s: no control socket (%s)", s->name, strerror(errno));
			sv[0] = sv[1] = -1;
		}
	}
	*e = NULL;
	say(LOG_BOTH, "starting %s%s", s->name, s->restarts ? " again" : "");
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	err = actions(s, &fa, sv[1]) ? ENOMEM : 0;
	if (!err)
		err = vr_spawnattr_sethandles(&attr, h, (unsigned)nh);
	pthread_mutex_lock(&lock);
	if (!err)
		err = posix_spawn(&pid, s->argv[0], &fa, &attr, s->argv, envp);
	if (!err) {
		spawned++;
		pthread_cond_signal(&cond);
	}
	pthread_mutex_unlock(&lock);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	/* The service has its copies (or nothing): init keeps none. */
	devices_close(h, (unsigned)nh);
	if (sv[1] >= 0)
		close(sv[1]);
	s->ever_started = s->ever_started || !err;
	s->started_ns = now_ns();
	if (err) {
		if (sv[0] >= 0)
			close(sv[0]);
		say(LOG_BOTH, "%s: cannot start %s: %s", s->name, s->argv[0], strerror(err));
		ended(s, 127 << 8); /* as a shell reports "not found" */
		return;
	}
	s->state = SVC_RUNNING;
	s->pid = pid;
	s->control = sv[0];
	s->reason[0] = 0;
	say(LOG_FILE, "%s is pid %d", s->name, pid);
}

/* Starts what is due: pending services whose dependencies have started, and restarts whose time
 * came. */
static void start_due(void)
{
	uint64_t now = now_ns();

	for (int k = 0; k < norder; k++) {
		struct service *s = &svc[order[k]];
		if (s->state == SVC_BACKOFF && now >= s->restart_at_ns) {
			start(s);
			continue;
		}
		if (s->state != SVC_PENDING)
			continue;
		bool ready = true;
		for (char **a = s->after; ready && *a; a++) {
			struct service *d = &svc[svc_find(svc, nsvc, *a)];
			if (d->state == SVC_FAILED && !d->ever_started) {
				s->state = SVC_FAILED;
				snprintf(s->reason, sizeof(s->reason), "dependency %s failed", *a);
				say(LOG_BOTH, "%s: %s", s->name, s->reason);
			}
			ready = d->ever_started;
		}
		if (ready && s->state == SVC_PENDING)
			start(s);
	}
}

/* ---- ends ---- */

/* @s has ended with @wstatus: restarted later by its policy, or done. */
static void ended(struct service *s, int wstatus)
{
	char how[32];
	uint64_t now = now_ns();
	unsigned ms;

	describe(wstatus, how, sizeof(how));
	s->pid = 0;
	if (s->control >= 0)
		close(s->control);
	s->control = -1;
	enum svc_next next = svc_after_end(s, wstatus, now - s->started_ns, &ms);

	switch (next) {
	case SVC_NEXT_GIVE_UP:
		s->state = SVC_FAILED;
		snprintf(s->reason, sizeof(s->reason), "gave up after %u restarts (last: %s)",
			 s->restarts, how);
		say(LOG_BOTH, "%s exited (%s); %s", s->name, how, s->reason);
		return;
	case SVC_NEXT_DONE:
	case SVC_NEXT_FAILED:
		s->state = next == SVC_NEXT_DONE ? SVC_EXITED : SVC_FAILED;
		snprintf(s->reason, sizeof(s->reason), "exited (%s)", how);
		say(LOG_BOTH, "%s exited (%s)", s->name, how);
		return;
	case SVC_NEXT_RESTART:
		s->state = SVC_BACKOFF;
		s->restart_at_ns = now + ms * 1000000ull;
		snprintf(s->reason, sizeof(s->reason), "exited (%s)", how);
		if (s->restart_limit)
			say(LOG_BOTH, "%s exited (%s); restart %u/%u in %u ms", s->name, how,
			    s->restarts, s->restart_limit, ms);
		else
			say(LOG_BOTH, "%s exited (%s); restart %u in %u ms", s->name, how,
			    s->restarts, ms);
		return;
	}
}

/* A child has ended: a service, or an orphan that was reparented to init. */
static void child_ended(int pid, int wstatus)
{
	char how[32];

	for (int i = 0; i < nsvc; i++)
		if (svc[i].state == SVC_RUNNING && svc[i].pid == pid) {
			ended(&svc[i], wstatus);
			return;
		}
	say(LOG_FILE, "reaped orphan pid %d (%s)", pid, describe(wstatus, how, sizeof(how)));
}

/* The waiter thread: every wait status goes to the main loop through exits[1]. */
static void *waiter(void *arg)
{
	unsigned seen = 0;

	for (;;) {
		pthread_mutex_lock(&lock);
		while (seen == spawned)
			pthread_cond_wait(&cond, &lock);
		unsigned now = spawned;
		pthread_mutex_unlock(&lock);
		int got[2];
		while ((got[0] = waitpid(-1, &got[1], 0)) > 0 || errno == EINTR)
			if (got[0] > 0)
				(void)!write(exits[1], got, sizeof(got));
		/* No child left: sleep until the main loop starts one after @now. */
		seen = now;
	}
	return arg;
}

/* ---- control ---- */

static const char *state_name(enum svc_state st)
{
	switch (st) {
	case SVC_PENDING: return "pending";
	case SVC_RUNNING: return "running";
	case SVC_BACKOFF: return "restarting";
	case SVC_EXITED: return "exited";
	case SVC_FAILED: return "failed";
	}
	return "?";
}

/* The status table initctl prints: one line per service. */
static size_t status(char *buf, size_t len)
{
	size_t at = (size_t)snprintf(buf, len, "%-12s %-10s %5s %8s  %s\n", "SERVICE", "STATE",
				     "PID", "RESTARTS", "INFO");

	for (int i = 0; i < nsvc && at < len; i++) {
		const struct service *s = &svc[i];
		char pid[12] = "-";
		if (s->state == SVC_RUNNING)
			snprintf(pid, sizeof(pid), "%d", s->pid);
		at += (size_t)snprintf(buf + at, len - at, "%-12s %-10s %5s %8u  %s\n", s->name,
				       state_name(s->state), pid, s->restarts, s->reason);
	}
	return at < len ? at : len - 1;
}

/* A request on @s's control socket (poll said @revents): answered in one record, never waited for.
 */
static void control(struct service *s, short revents)
{
	char req[64], reply[REPLY_MAX];
	ssize_t n = recv(s->control, req, sizeof(req) - 1, MSG_DONTWAIT);

	if (n < 0 && errno == EAGAIN)
		return;
	/* Nothing with a hang-up: every holder of the other end has closed it. */
	if (n < 0 || (n == 0 && (revents & (POLLHUP | POLLERR)))) {
		close(s->control);
		s->control = -1;
		return;
	}
	req[n] = 0;
	if (n && req[n - 1] == '\n')
		req[--n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (req[i] < ' ' || req[i] > '~')
			req[i] = '?';
	if (!strcmp(req, "status"))
		n = (ssize_t)status(reply, sizeof(reply));
	else
		n = snprintf(reply, sizeof(reply), "error: unknown request '%.32s' (status)\n",
			     req);
	send(s->control, reply, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* ---- the main loop ---- */

static bool settled(void)
{
	for (int i = 0; i < nsvc; i++)
		if (svc[i].state == SVC_RUNNING || svc[i].state == SVC_BACKOFF ||
		    svc[i].state == SVC_PENDING)
			return false;
	return true;
}

/* The poll timeout: until the earliest restart, or -1. */
static int timeout_ms(void)
{
	uint64_t now = now_ns(), first = UINT64_MAX;

	for (int i = 0; i < nsvc; i++)
		if (svc[i].state == SVC_BACKOFF && svc[i].restart_at_ns < first)
			first = svc[i].restart_at_ns;
	if (first == UINT64_MAX)
		return -1;
	return first <= now ? 0 : (int)((first - now + 999999) / 1000000);
}

/* In -o mode, once settled: takes what has ended; true when no child is left. */
static bool no_children(void)
{
	int pid, wstatus;

	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
		child_ended(pid, wstatus);
	return pid < 0 && errno == ECHILD;
}

static void loop(bool once)
{
	struct pollfd fds[SVC_MAX + 1];
	int owner[SVC_MAX + 1];

	for (;;) {
		start_due();
		if (once && settled() && no_children())
			return;
		int n = 0;
		fds[n++] = (struct pollfd){.fd = exits[0], .events = POLLIN};
		for (int i = 0; i < nsvc; i++)
			if (svc[i].control >= 0) {
				owner[n] = i;
				fds[n++] = (struct pollfd){.fd = svc[i].control, .events = POLLIN};
			}
		if (poll(fds, (nfds_t)n, timeout_ms()) < 0 && errno != EINTR) {
			say(LOG_BOTH, "poll: %s", strerror(errno));
			sleep(1);
			continue;
		}
		if (fds[0].revents & POLLIN) {
			int got[2];
			if (read(exits[0], got, sizeof(got)) == sizeof(got))
				child_ended(got[0], got[1]);
		}
		for (int k = 1; k < n; k++)
			if (fds[k].revents)
				control(&svc[owner[k]], fds[k].revents);
	}
}

int main(int argc, char **argv)
{
	const char *dir = "/etc/services", *log = "/tmp/init.log";
	bool once = false;
	pthread_t t;
	int c;

	while ((c = getopt(argc, argv, "d:l:o")) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'l': log = optarg; break;
		case 'o': once = true; break;
		default: fprintf(stderr, "usage: init [-d DIR] [-l LOG] [-o]\n"); return 2;
		}
	}
	log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	say(LOG_BOTH, "pid %d, services from %s, log %s", getpid(), dir, log);
	if (log_fd < 0)
		say(LOG_BOTH, "%s: %s (logging to the console only)", log, strerror(errno));
	if (pipe2(exits, O_CLOEXEC) || pthread_create(&t, NULL, waiter, NULL)) {
		say(LOG_BOTH, "cannot start: %s", strerror(errno));
		return 1;
	}
	if (devices_init())
		say(LOG_FILE, "holding the device resource");
	load(dir);
	norder = svc_order(svc, nsvc, order);
	for (int i = 0; i < nsvc; i++)
		if (svc[i].state == SVC_FAILED)
			say(LOG_BOTH, "%s: %s", svc[i].name, svc[i].reason);
	loop(once);
	char table[REPLY_MAX];
	size_t n = status(table, sizeof(table));
	say(LOG_BOTH, "every service has ended");
	if (log_fd >= 0)
		(void)!write(log_fd, table, n);
	return 0;
}
