/*
 * In-kernel tests of user mode on every architecture: they load the
 * architecture's hand-written program (ktest_user.h) into a process, run its
 * threads and check how they and the process end.
 */
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/process.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/thread.h>
#include <kernel/vmo.h>

#include "ktest_user.h"

_Static_assert(UT_STACK_SIZE * UT_MAX_THREADS < PAGE_SIZE, "the stacks stay above UT_GO_VA");

/* A process with the program at UT_CODE_VA and @slots (or zeroes) at UT_DATA_VA, or NULL. */
static struct process *load(struct vmo **data, const void *slots)
{
	const struct user_program *up = &user_program;
	size_t code_size = ALIGN_UP((size_t)(up->end - up->start), PAGE_SIZE);
	struct process *p = process_create();
	struct vmo *code = vmo_create_anon(code_size);
	vaddr_t cva = UT_CODE_VA, dva = UT_DATA_VA;

	*data = vmo_create_anon(2 * PAGE_SIZE);
	int err = p && code && *data ? 0 : -ENOMEM;
	if (!err)
		err = vmo_write_kernel(code, 0, up->start, up->end - up->start);
	if (!err && slots)
		err = vmo_write_kernel(*data, 0, slots, PAGE_SIZE);
	if (!err)
		err = vm_map(p, code, &cva, 0, code_size, PROT_READ | PROT_EXEC,
			     PROT_READ | PROT_EXEC);
	if (!err)
		err = vm_map(p, *data, &dva, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			     PROT_READ | PROT_WRITE);
	if (code)
		vmo_put(code);
	if (err && p) {
		process_kill(p, err);
		process_put(p);
	}
	if (err && *data)
		vmo_put(*data);
	return err ? NULL : p;
}

/* Starts thread @i of @p at @entry with its slot as argument; NULL if it cannot. */
static struct thread *start(struct process *p, const char *entry, unsigned i)
{
	const struct user_program *up = &user_program;
	struct thread *t = thread_create_user(p, UT_CODE_VA + (entry - up->start), UT_STACK_TOP(i),
					      UT_SLOT_VA(i, up->slot_size));

	if (t && thread_start(t) != 0) {
		kobj_put(&t->k);
		t = NULL;
	}
	return t;
}

/* Waits up to 30 s for @p to exit, then kills it (a fault handled as the wrong kind loops). */
static int64_t finish(struct process *p)
{
	uint64_t deadline = arch_time_ns() + 30000000000ull;
	int64_t status;

	while (!__atomic_load_n(&p->exited, __ATOMIC_ACQUIRE) && arch_time_ns() < deadline)
		sched_sleep(1000000);
	if (!p->exited)
		process_kill(p, -ETIMEDOUT);
	process_wait(p, &status);
	return status;
}

/* Whether the thread and process counts fall back to @threads and @procs within a second. */
static bool settled(uint64_t threads, uint64_t procs)
{
	uint64_t deadline = arch_time_ns() + 1000000000ull;

	/* Reaping follows the switch away from a dead thread, on its CPU. */
	while ((thread_count() != threads || process_count() != procs) && arch_time_ns() < deadline)
		sched_sleep(1000000);
	return thread_count() == threads && process_count() == procs;
}

/* The exit status of @t, which it drops; -1 if there is none. */
static int64_t thread_status(struct thread *t)
{
	int64_t status = -1;

	if (t) {
		if (thread_wait(t, &status) != 0)
			status = -1;
		kobj_put(&t->k);
	}
	return status;
}

/*
 * Twice as many threads as CPUs, each with its own register values, switch
 * (yields and ticks) among each other and move between CPUs (stealing).
 */
KTEST(user_mode_registers_survive)
{
	const struct user_program *up = &user_program;
	static uint8_t slots[PAGE_SIZE];
	uint64_t threads = thread_count(), procs = process_count();
	unsigned n = MIN(2 * ncpus_online, UT_MAX_THREADS);
	struct thread *t[UT_MAX_THREADS];
	int64_t status[UT_MAX_THREADS];
	struct vmo *data;

	memset(slots, 0, sizeof(slots));
	for (unsigned i = 0; i < n && up->fill; i++)
		up->fill(slots + i * up->slot_size, i);
	struct process *p = load(&data, slots);
	KCHECK(p, "no memory for the process");
	for (unsigned i = 0; i < n; i++)
		t[i] = start(p, up->main, i);
	uint64_t go = 1;
	vmo_write_kernel(data, UT_GO_VA - UT_DATA_VA, &go, sizeof(go));
	int64_t pstatus = finish(p);
	for (unsigned i = 0; i < n; i++)
		status[i] = thread_status(t[i]);
	vmo_read_kernel(data, 0, slots, sizeof(slots));
	vmo_put(data);
	process_put(p);
	KCHECK(pstatus == 0, "the process exited with %ld", pstatus);
	for (unsigned i = 0; i < n; i++) {
		KCHECK(t[i], "thread %u did not start", i);
		KCHECK(status[i] == 0, "thread %u saw its registers change (status %ld)", i,
		       status[i]);
		const char *why = up->check ? up->check(slots + i * up->slot_size, i) : NULL;
		if (why)
			return why;
	}
	KCHECK(settled(threads, procs), "threads or processes leaked");
	return NULL;
}

KTEST(user_mode_faults_and_exceptions)
{
	const struct user_program *up = &user_program;
	uint64_t threads = thread_count(), procs = process_count();

	for (size_t i = 0; i < up->nfaults; i++) {
		const struct user_fault *f = &up->faults[i];
		struct vmo *data;
		struct process *p = load(&data, NULL);
		KCHECK(p, "no memory for the process");
		struct thread *t = start(p, f->entry, 0);
		int64_t status = finish(p);
		thread_status(t);
		vmo_put(data);
		process_put(p);
		KCHECK(t, "the thread did not start");
		KCHECK(status == f->status, "%s: process status %ld, want %ld", f->what, status,
		       f->status);
	}
	KCHECK(settled(threads, procs), "threads or processes leaked");
	return NULL;
}

/*
 * The hang of user_mode_registers_survive: a thread not yet started when its
 * process's only running thread ended it can no longer start, and waiting
 * for it fails at once instead of blocking for ever. Its kernel stack goes
 * with the process, though a reference keeps the thread.
 */
KTEST(user_mode_unstarted_thread_of_ended_process)
{
	const struct user_program *up = &user_program;
	const struct user_fault *f = &up->faults[0];
	uint64_t threads = thread_count(), procs = process_count();
	struct vmo *data;
	struct process *p = load(&data, NULL);

	KCHECK(p, "no memory for the process");
	struct thread *late = thread_create_user(p, UT_CODE_VA, UT_STACK_TOP(1),
						 UT_SLOT_VA(1, up->slot_size));
	struct thread *t = start(p, f->entry, 0);
	int64_t status = finish(p), late_status = 0;
	int start_err = late ? thread_start(late) : 0;
	int wait_err = late ? thread_wait(late, &late_status) : 0;
	bool stack_gone = late && !late->kstack;
	thread_status(t);
	if (late)
		kobj_put(&late->k);
	vmo_put(data);
	process_put(p);
	KCHECK(t && late, "no memory for the threads");
	KCHECK(status == f->status, "%s: process status %ld, want %ld", f->what, status, f->status);
	KCHECK(start_err == -ESRCH, "starting it gave %d", start_err);
	KCHECK(wait_err == -ESRCH, "waiting for it gave %d", wait_err);
	KCHECK(stack_gone, "its kernel stack outlived the process");
	KCHECK(settled(threads, procs), "threads or processes leaked");
	return NULL;
}
