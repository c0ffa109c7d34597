/*
 * Synchronous IPC on endpoints, and notifications.
 *
 * A message is a tag and up to seven words in registers. The tag says how
 * many words are used (bits 0-3), how many of the last words are handles to
 * pass along (bits 4-5), whether those handles move rather than copy (bit 7),
 * whether a long payload follows in the IPC buffers (bit 6, length in bits
 * 8-20), and carries a 32-bit label (bits 32-63) the kernel does not read.
 */
#pragma once

#include <kernel/kobject.h>
#include <kernel/wait.h>

#define TAG_WORDS(t) ((unsigned)(t) & 0xf)
#define TAG_CAPS(t) ((unsigned)((t) >> 4) & 3)
#define TAG_LONG (1u << 6)
#define TAG_MOVE_CAPS (1u << 7)
#define TAG_LONG_LEN(t) ((unsigned)((t) >> 8) & 0x1fff)
#define IPC_LONG_MAX 4096

struct process;

struct endpoint {
	struct kobject k;
	/* q.lock protects q, recv_waiting and dead. */
	struct wait_queue q;	/* blocked senders, or blocked receivers: never both */
	bool recv_waiting;	/* q holds receivers */
	bool dead;		/* its owner exited: every call fails with -EPIPE */
	struct process *owner;
	struct endpoint *owner_next;	/* the owner's list of endpoints, under its lock */
};

struct notification {
	struct kobject k;
	/* q.lock protects bits and q. */
	struct wait_queue q;
	uint64_t bits;
};

/*
 * A saved reply (kern/reply.c): the caller a server thread set aside with
 * ipc_reply_save, waiting on the object's own queue for the answer.
 */
struct reply {
	struct kobject k;
	/* wait.lock protects wait and caller. */
	struct wait_queue wait;	/* the caller, while it waits */
	struct thread *caller;	/* holds a reference; valid only while parked on wait */
};

struct endpoint *endpoint_create(struct process *owner);

/* Marks every endpoint of a dying process dead, failing its waiters with -EPIPE. */
void endpoints_owner_exit(struct process *p);

/* Fails every call waiting for a reply from @t (which is exiting) with -EPIPE. */
void ipc_thread_exit(struct thread *t);

/* The rare ends of an architecture's fast path in assembly (kern/ipc.c). */
int64_t ipc_fast_call_killed(struct thread *self, struct thread *r, struct endpoint *ep);
int64_t ipc_fast_recv_intr(struct thread *self, struct thread *cl, struct endpoint *ep);

/* The label of exception messages (see uapi/veridian/rootinfo.h for their words). */
#define EXCEPTION_LABEL 0xe0000000u

struct user_regs;

/* Exception message word 1: 0 a page fault, 1 + enum user_exception otherwise. */
#define EXC_KIND_FAULT 0
/* A VM_FILE mapping's page past its file's end (uapi's VR_EXC_PAST_EOF). */
#define EXC_KIND_PAST_EOF 6

/*
 * Reports a fault of the current thread to its process's exception endpoint
 * and waits for the answer; true when the handler says to resume.
 */
bool exception_raise(struct user_regs *r, uint64_t kind, uint64_t addr, uint64_t detail);

/* Creates a reply object with no caller; NULL when memory is exhausted. */
struct reply *reply_create(void);

/*
 * Makes @caller (blocked, on no queue; the object takes over the reference
 * passed in) wait on @r, which has none yet. A caller being killed is woken
 * at once with -EINTR and leaves @r with no one to answer.
 */
void reply_park(struct reply *r, struct thread *caller);

/*
 * Takes @r's caller off its queue and returns it, with the reference, or
 * NULL when there is none or it left. Whoever gets it must end its call.
 */
struct thread *reply_take(struct reply *r);

/*
 * Whether @r's caller no longer waits (killed, or its wait was interrupted):
 * handle_info's HANDLE_INFO_GONE, so a server can drop a saved request before
 * it performs it.
 */
bool reply_caller_gone(struct reply *r);
#define HANDLE_INFO_GONE (1ull << 16)	/* uapi's VR_HANDLE_INFO_GONE */

struct notification *notification_create(void);
void notification_signal(struct notification *n, uint64_t bits);
