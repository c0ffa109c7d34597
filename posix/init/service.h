/*
 * /sbin/init's services: a service definition as parsed from its file
 * (conf.c), the order they start in (order.c), and what init knows of each
 * while it runs (main.c), and what follows an end (restart.c). conf.c,
 * order.c and restart.c are pure and host-tested
 * (tests/unit/init/).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SVC_MAX 32	 /* services init reads */
#define SVC_NAME_MAX 32	 /* bytes of a name with its NUL */
#define SVC_ARGS_MAX 16	 /* words of exec = */
#define SVC_ENV_MAX 16	 /* assignments of env = */
#define SVC_AFTER_MAX 8	 /* dependencies of after = */
#define SVC_STRINGS 1024 /* bytes of every word of a definition together */
#define SVC_REASON_MAX 96

enum svc_restart { SVC_RESTART_NO, SVC_RESTART_ON_FAILURE, SVC_RESTART_ALWAYS };

/* Where fds 0-2 go: the console (0-2 on /dev/console), init's log (0 /dev/null), or /dev/null. */
enum svc_output { SVC_OUT_LOG, SVC_OUT_CONSOLE, SVC_OUT_NULL };

/* The capabilities a definition may list (caps =): bits. */
enum svc_cap {
	SVC_CAP_CONTROL = 1 << 0, /* fd 3: a connected socket to init's control interface */
};

/*
 * The device capabilities a definition may list (caps =), made from the
 * device resource init holds and given as native handles (vr_spawn.h), in
 * the order listed; INIT_HANDLES in the service's environment names them.
 */
enum svc_dev_kind {
	SVC_DEV_DEVICES, /* "devices": the device resource itself (devmgr's) */
	SVC_DEV_IRQ,	 /* "irq:N": line N bound to a notification: two handles */
	SVC_DEV_MMIO,	 /* "mmio:BASE+LEN": a VMO of that device memory */
	SVC_DEV_IOPORT,	 /* "ioport:BASE+LEN": the I/O ports [BASE, BASE + LEN) (x86_64) */
};

struct svc_dev {
	enum svc_dev_kind kind;
	uint64_t base, len; /* IRQ: base = the line; MMIO, IOPORT: the range */
};

#define SVC_HANDLES_MAX 16    /* native handles of a service: what one posix_spawn carries */
#define SVC_PORTS 0x10000     /* ioport: ports are below 0x10000 */
#define SVC_IRQ_LINE_MAX 1023 /* the kernel's lines are below 1024 */
#define SVC_PAGE 4096	      /* mmio: ranges are whole pages */

/* The handles @d takes: an IRQ's notification is the second. */
static inline unsigned svc_dev_handles(const struct svc_dev *d)
{
	return d->kind == SVC_DEV_IRQ ? 2 : 1;
}

enum svc_state {
	SVC_PENDING, /* not started yet: waiting for its dependencies */
	SVC_RUNNING,
	SVC_BACKOFF, /* ended; started again at restart_at */
	SVC_EXITED,  /* ended and not restarted (status 0, or restart = no) */
	SVC_FAILED,  /* never started (bad definition, dependency), or gave up restarting */
};

struct service {
	/* The definition (conf.c). */
	char name[SVC_NAME_MAX];
	char *argv[SVC_ARGS_MAX + 1]; /* NULL-terminated; argv[0] is the program's path */
	char *envp[SVC_ENV_MAX + 1];
	char *after[SVC_AFTER_MAX + 1];
	enum svc_restart restart;
	unsigned restart_limit;	   /* restarts before giving up; 0: no limit */
	unsigned restart_delay_ms; /* the first restart's delay; it doubles up to 30 s */
	enum svc_output output;
	unsigned caps;			      /* enum svc_cap bits */
	struct svc_dev devs[SVC_HANDLES_MAX]; /* the device capabilities, in the order listed */
	unsigned ndevs, nhandles;	      /* nhandles: what devs[] take together */
	char strings[SVC_STRINGS];	      /* what argv, envp and after point into */
	size_t used;			      /* bytes of strings[] taken */

	/* What init knows of it (main.c; order.c sets state and reason for those that cannot
	 * start). */
	enum svc_state state;
	char reason[SVC_REASON_MAX]; /* why it failed, or how it last ended */
	int pid;		     /* while SVC_RUNNING */
	unsigned restarts;	     /* restarts so far */
	unsigned quick;		     /* ends in a row after a short run: the backoff's exponent */
	uint64_t started_ns, restart_at_ns; /* CLOCK_MONOTONIC */
	int control; /* init's end of the control socket (SVC_CAP_CONTROL), or -1 */
	bool ever_started;
};

/*
 * Parses the definition @text (@len bytes) into @s for a service named
 * @name (its file name without .conf; "name =" may not change it).
 * Lines are "key = value", blank, or comments starting with '#'. Values
 * are words split at blanks; "..." quotes a word (with \" and \\ inside).
 * Returns 0, or -1 with a message in @err (@errlen bytes) naming the line.
 */
int svc_parse(struct service *s, const char *name, const char *text, size_t len, char *err,
	      size_t errlen);

/*
 * The start order of @n services (@s, in file-name order): @order gets
 * the indices of those that can start, each after every service its
 * "after" names, ties in file-name order. A service naming one that does
 * not exist, one in a dependency cycle, or one depending on such a service
 * becomes SVC_FAILED with the reason set and is left out. Returns how many
 * are in @order.
 */
int svc_order(struct service *s, int n, int order[]);

enum svc_next {
	SVC_NEXT_RESTART, /* start it again after the delay */
	SVC_NEXT_DONE,	  /* it exited with status 0 and its policy does not restart it */
	SVC_NEXT_FAILED,  /* it failed and its policy does not restart it */
	SVC_NEXT_GIVE_UP, /* its policy would restart it, but it has used its restart limit */
};

#define SVC_DELAY_MAX_MS 30000 /* the longest restart delay */

/*
 * @s has ended with wait status @wstatus after running @ran_ns: what
 * follows by its policy. always restarts, on-failure unless it exited with
 * status 0, no never; not past restart_limit restarts (0: no limit). A
 * restart counts in s->restarts, and *delay_ms gets its delay:
 * restart_delay_ms, doubled for each end in a row after a run of less than
 * 10 s (s->quick), at most SVC_DELAY_MAX_MS.
 */
enum svc_next svc_after_end(struct service *s, int wstatus, uint64_t ran_ns, unsigned *delay_ms);

/* The index of the service called @name among @n, or -1. */
int svc_find(const struct service *s, int n, const char *name);
