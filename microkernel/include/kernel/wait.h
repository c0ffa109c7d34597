/* Wait queues: the one way a thread blocks (see sched.h for the operations). */
#pragma once

#include <kernel/spinlock.h>

struct thread;

struct wait_queue {
	struct spinlock lock;
	struct thread *head, *tail;
	/* Not ended by thread_redirect (a thread's reply_wait: the server is at work). */
	bool no_intr;
};

#define WAIT_QUEUE_INIT {SPINLOCK_INIT, NULL, NULL, false}
