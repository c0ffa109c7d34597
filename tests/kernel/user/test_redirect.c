/*
 * thread_redirect and thread_sigreturn: a spinning thread on another CPU is
 * sent to a handler with every register kept; interruptible waits end with
 * -EINTR instead (futex, sleep, notify, queued and saved IPC calls, receive)
 * while a call being served is not cut short; a stack with no room is the
 * process's fault; sigreturn takes no privileged bits.
 */
#include "../../../roottask/utest.h"
#include <veridian/uframe_arch.h>
#include "redirect.h"

static volatile uint64_t handled, stop;
static volatile uint64_t seen_pc, seen_sp, seen_frame, seen_flags_ok;
static volatile int forge, sticky;

/* The redirection entry: records the frame, optionally forges it, and goes back. */
static void on_redirect(struct vr_uframe *f)
{
	seen_pc = VR_UFRAME_PC(f);
	seen_sp = VR_UFRAME_SP(f);
	seen_frame = (uint64_t)(uintptr_t)f;
	seen_flags_ok = uframe_sane(f);
	if (forge)
		uframe_forge(f);
	__atomic_fetch_add(&handled, 1, __ATOMIC_SEQ_CST);
	vr_thread_sigreturn(f, sticky ? VR_SIGRETURN_INTR : 0);
	for (;;)
		;	/* not reached: sigreturn fails only for a bad frame pointer */
}

#define ENTRY ((uint64_t)(uintptr_t)on_redirect)
#define KEEP(x) __asm__ volatile("" : "+r"(x))

/*
 * Spins with eight pairs of equal values in registers (the empty asm keeps
 * the compiler from merging them) until told to stop; returns 1 if every
 * pair still agrees, so a register the redirection lost shows.
 */
static uint64_t spinner(uint64_t arg)
{
	uint64_t a = arg, b = arg, c = ~arg, d = ~arg, e = 3, f = 3, g = 5, h = 5;
	uint64_t i = 7, j = 7, k = 11, l = 11, m = 13, n = 13, o = 17, p = 17;

	while (!stop) {
		a = a * 6364136223846793005ull + 1442695040888963407ull;
		b = b * 6364136223846793005ull + 1442695040888963407ull;
		c += a, d += b, e ^= c, f ^= d, g += e >> 3, h += f >> 3;
		i = i * 31 + g, j = j * 31 + h, k ^= i, l ^= j, m += k, n += l, o -= m, p -= n;
		KEEP(a); KEEP(b); KEEP(c); KEEP(d); KEEP(e); KEEP(f); KEEP(g); KEEP(h);
		KEEP(i); KEEP(j); KEEP(k); KEEP(l); KEEP(m); KEEP(n); KEEP(o); KEEP(p);
	}
	return a == b && c == d && e == f && g == h && i == j && k == l && m == n && o == p;
}

/* Waits (up to ~2 s) until handled reaches @n. */
static bool wait_handled(uint64_t n)
{
	for (int i = 0; i < 2000 && handled < n; i++)
		vr_thread_sleep(1000000);
	return handled >= n;
}

UTEST(redirect_spinning_thread_on_another_cpu)
{
	handle_t t;
	uint64_t ok = 0, cpu = info(INFO_CPUS) > 1 ? 1 : 0;

	handled = stop = 0;
	forge = 0;
	UCHECK(vr_thread_create_on(spinner, 0x1234, (int)cpu, &t) == 0, "create");
	UCHECK(vr_thread_start(t) == 0, "start");
	UCHECK(vr_thread_redirect(t, 0, 0) == -VR_EINVAL, "entry 0 was taken");
	UCHECK(vr_thread_redirect(t, ENTRY, 2) == -VR_EINVAL, "an unknown redirect flag was taken");
	UCHECK(vr_thread_sigstack(~0ul << 47, 65536) == -VR_EINVAL, "a kernel-space signal stack was taken");
	UCHECK(vr_thread_redirect(0x1234567, ENTRY, 0) == -VR_EBADF, "a forged thread handle was taken");
	UCHECK(vr_thread_redirect(t, ENTRY, 0) == 0, "redirect");
	bool ran = wait_handled(1);
	/* Twice more: the thread goes on after each sigreturn and can be redirected again. */
	for (int i = 0; ran && i < 2; i++)
		ran = vr_thread_redirect(t, ENTRY, 0) == 0 && wait_handled(2 + i);
	uint64_t frame = seen_frame, sp = seen_sp;
	stop = 1;
	vr_thread_wait(t, &ok);
	vr_handle_close(t);
	UCHECK(ran, "the handler ran %lu of 3 times", handled);
	UCHECK(ok == 1, "the spinner's registers changed across the redirections");
	/* Aligned, below the red zone, and no lower than alignment needs. */
	UCHECK(frame % 16 == 0 && frame + sizeof(struct vr_uframe) <= sp - VR_RED_ZONE &&
		       frame + sizeof(struct vr_uframe) + 16 > sp - VR_RED_ZONE,
	       "frame %#lx for sp %#lx", frame, sp);
	UCHECK(seen_flags_ok, "the saved flags were not a user mode's");
	UCHECK(vr_thread_sigreturn((void *)8, 0) == -VR_EFAULT, "sigreturn from a bad pointer");
	UCHECK(vr_thread_sigreturn((void *)8, 2) == -VR_EINVAL, "sigreturn with an unknown flag");
	return NULL;
}

UTEST(redirect_sigreturn_forged_privileged_bits)
{
	handle_t t;
	uint64_t ok = 0, cpu = info(INFO_CPUS) > 1 ? 1 : 0;

	handled = stop = 0;
	forge = 1;
	UCHECK(vr_thread_create_on(spinner, 99, (int)cpu, &t) == 0, "create");
	vr_thread_start(t);
	/* The first handler forges the flags it returns with; the second sees what the kernel took. */
	bool ran = vr_thread_redirect(t, ENTRY, 0) == 0 && wait_handled(1);
	forge = 0;
	ran = ran && vr_thread_redirect(t, ENTRY, 0) == 0 && wait_handled(2);
	stop = 1;
	vr_thread_wait(t, &ok);
	vr_handle_close(t);
	UCHECK(ran, "the handler ran %lu of 2 times", handled);
	UCHECK(seen_flags_ok, "forged privileged bits survived sigreturn");
	UCHECK(ok == 1, "registers changed");
	return NULL;
}

/* ---- interruptible waits ---- */

enum wait_kind { W_FUTEX, W_SLEEP, W_NOTIFY, W_CALL_QUEUED, W_RECV, W_CALL_SAVED, W_KINDS };

static uint32_t never;
static handle_t wait_obj;
static volatile uint64_t waiter_ready, waiter_done;

static uint64_t waiter(uint64_t kind)
{
	uint64_t m[8] = {VR_TAG(1, 0)}, bits;
	int64_t st = 1;

	waiter_ready = 1;
	switch (kind) {
	case W_FUTEX: st = vr_futex_wait(&never, 0, 0); break;
	case W_SLEEP: st = vr_thread_sleep(60000000000ull); break;
	case W_NOTIFY: st = vr_notify_wait(wait_obj, 0, &bits); break;
	case W_CALL_QUEUED: case W_CALL_SAVED: st = vr_ipc_call(wait_obj, m); break;
	case W_RECV: st = vr_ipc_recv(wait_obj, m); break;
	}
	waiter_done = 1;
	return (uint64_t)st;
}

/*
 * Redirects a thread blocked as @kind and returns its wait's status. The
 * thread may still be on its way into the wait when the redirection comes;
 * then its handler runs instead, and it is redirected again.
 */
static int64_t interrupt_wait(enum wait_kind kind)
{
	handle_t t;
	uint64_t st = 0;

	waiter_ready = waiter_done = 0;
	if (vr_thread_spawn(waiter, kind, &t))
		return 1;
	while (!waiter_ready)
		vr_thread_yield();
	for (int i = 0; i < 2000 && !waiter_done; i++) {
		vr_thread_redirect(t, ENTRY, 0);
		vr_thread_sleep(1000000);
	}
	vr_thread_wait(t, &st);
	vr_handle_close(t);
	return (int64_t)st;
}

UTEST(redirect_interrupts_waits)
{
	static const char *const names[] = {"futex", "sleep", "notify", "queued call", "receive"};

	handled = 0;
	forge = 0;
	for (int k = W_FUTEX; k <= W_RECV; k++) {
		handle_t obj = 0;
		if (k == W_NOTIFY)
			vr_notify_create(&obj);
		else if (k == W_CALL_QUEUED || k == W_RECV)
			vr_endpoint_create(&obj);
		wait_obj = obj;
		int64_t st = interrupt_wait(k);
		if (obj)
			vr_handle_close(obj);
		UCHECK(st == -VR_EINTR, "%s: ended with %ld, not -EINTR", names[k], st);
	}
	return NULL;
}

/* A server thread that saves its one caller's reply and reports the handle. */
static volatile uint64_t saved_reply, saved_gone_before;

static uint64_t saving_server(uint64_t ep)
{
	uint64_t m[8], info = 0;

	if (vr_ipc_recv(ep, m) < 0 || vr_ipc_reply_save((handle_t *)&saved_reply))
		return 1;
	vr_handle_info(saved_reply, &info);
	saved_gone_before = info & VR_HANDLE_INFO_GONE;
	return 0;
}

UTEST(redirect_interrupts_saved_call)
{
	handle_t ep, srv, t;
	uint64_t st = 1, info = 0, m[8] = {0};

	handled = 0;
	forge = 0;
	saved_reply = 0;
	UCHECK(vr_endpoint_create(&ep) == 0, "endpoint");
	UCHECK(vr_thread_spawn(saving_server, ep, &srv) == 0, "server");
	wait_obj = ep;
	UCHECK(vr_thread_spawn(waiter, W_CALL_SAVED, &t) == 0, "caller");
	vr_thread_wait(srv, &st);
	vr_handle_close(srv);
	UCHECK(st == 0 && saved_reply, "the server did not save the call");
	UCHECK(!saved_gone_before, "a waiting caller's reply read as gone");
	vr_handle_info(saved_reply, &info);
	UCHECK(!(info & VR_HANDLE_INFO_GONE), "gone before the redirection");
	UCHECK(vr_thread_redirect(t, ENTRY, 0) == 0, "redirect");
	vr_thread_wait(t, &st);
	vr_handle_close(t);
	UCHECK((int64_t)st == -VR_EINTR, "the saved call ended with %ld", (int64_t)st);
	UCHECK(handled == 0, "the handler ran too");
	UCHECK(vr_handle_info(saved_reply, &info) == 0 && (info & VR_HANDLE_INFO_GONE),
	       "the reply does not say its caller is gone");
	UCHECK(vr_ipc_reply_to(saved_reply, m) == -VR_EPIPE, "the answer to a gone caller");
	vr_handle_close(ep);
	return NULL;
}

/* A call the server is serving is not cut short; the redirection comes after it. */
static volatile uint64_t serving, release;

static uint64_t slow_server(uint64_t ep)
{
	uint64_t m[8];

	if (vr_ipc_recv(ep, m) < 0)
		return 1;
	serving = 1;
	while (!release)
		vr_thread_yield();
	m[0] = VR_TAG(0, 1);
	m[1] = 77;
	return (uint64_t)vr_ipc_reply(m);
}

static uint64_t served_caller(uint64_t ep)
{
	uint64_t m[8] = {VR_TAG(1, 0)};
	int64_t err = vr_ipc_call(ep, m);

	if (err || m[1] != 77)
		return 1;
	while (!handled)
		;	/* the pending redirection takes this loop */
	return 0;
}

UTEST(redirect_spares_call_being_served)
{
	handle_t ep, srv, t;
	uint64_t st = 1, sst = 1;

	handled = 0;
	forge = 0;
	serving = release = 0;
	UCHECK(vr_endpoint_create(&ep) == 0, "endpoint");
	UCHECK(vr_thread_spawn(slow_server, ep, &srv) == 0, "server");
	UCHECK(vr_thread_spawn(served_caller, ep, &t) == 0, "caller");
	while (!serving)
		vr_thread_yield();
	UCHECK(vr_thread_redirect(t, ENTRY, 0) == 0, "redirect");
	release = 1;
	vr_thread_wait(srv, &sst);
	vr_thread_wait(t, &st);
	vr_handle_close(srv);
	vr_handle_close(t);
	vr_handle_close(ep);
	UCHECK(sst == 0, "the answer failed: %ld", (int64_t)sst);
	UCHECK(st == 0, "the caller's call was cut short or the handler never ran");
	return NULL;
}

/* ---- a stack with no room ---- */

static uint64_t bad_stack_child(uint64_t arg)
{
	handle_t t;

	if (vr_thread_spawn(spin_on_bad_stack, 0, &t))
		return 1;
	for (;;) {
		vr_thread_redirect(t, ENTRY, 0);
		vr_thread_sleep(1000000);
	}
}

UTEST(redirect_bad_stack_kills_process)
{
	handle_t p = spawn(bad_stack_child, 0);

	UCHECK(p, "spawn");
	int64_t st = reap(p);
	UCHECK(st == -VR_EFAULT, "the process ended with %ld, not -EFAULT", st);
	return NULL;
}

/* sigreturn with VR_SIGRETURN_INTR: the thread's next wait ends with -EINTR at once. */
static uint64_t spin_then_wait(uint64_t arg)
{
	while (!handled)
		;
	/* A wait that would never end: the sticky interruption ends it. */
	return (uint64_t)vr_futex_wait(&never, 0, 0);
}

/*
 * Runs @fn on another CPU (if any) and redirects it once, the handler going
 * back with VR_SIGRETURN_INTR: whether the handler ran (0: not even the
 * thread was made), with @fn's result in @st.
 */
static bool redirect_sticky(uint64_t (*fn)(uint64_t), uint64_t *st)
{
	handle_t t;
	uint64_t cpu = info(INFO_CPUS) > 1 ? 1 : 0;

	*st = 0;
	if (vr_thread_create_on(fn, 0, (int)cpu, &t))
		return false;
	handled = 0;
	forge = 0;
	sticky = 1;
	vr_thread_start(t);
	bool ran = vr_thread_redirect(t, ENTRY, 0) == 0 && wait_handled(1);
	if (!ran)
		vr_thread_kill(t);
	vr_thread_wait(t, st);
	vr_handle_close(t);
	sticky = 0;
	return ran;
}

UTEST(redirect_sigreturn_interrupts_next_wait)
{
	uint64_t st;

	UCHECK(redirect_sticky(spin_then_wait, &st), "the handler did not run");
	UCHECK((int64_t)st == -VR_EINTR, "the next wait ended with %ld", (int64_t)st);
	return NULL;
}

/*
 * sigreturn(NULL, VR_SIGRETURN_DROP) after a VR_SIGRETURN_INTR: the next wait
 * is not interrupted (a 10 ms futex wait times out); a frame or other flags
 * with it: -EINVAL.
 */
static uint64_t spin_drop_then_wait(uint64_t arg)
{
	while (!handled)
		;
	int64_t bad = vr_thread_sigreturn((void *)&never, VR_SIGRETURN_DROP);
	int64_t bad2 = vr_thread_sigreturn(NULL, VR_SIGRETURN_DROP | VR_SIGRETURN_INTR);
	if (bad != -VR_EINVAL || bad2 != -VR_EINVAL)
		return 1;
	if (vr_thread_sigreturn(NULL, VR_SIGRETURN_DROP))
		return 2;
	return (uint64_t)vr_futex_wait(&never, 0, 10000000);
}

UTEST(redirect_sigreturn_drop_keeps_next_wait)
{
	uint64_t st;

	UCHECK(redirect_sticky(spin_drop_then_wait, &st), "the handler did not run");
	UCHECK(st != 1, "VR_SIGRETURN_DROP with a frame or another flag was not refused");
	UCHECK(st != 2, "VR_SIGRETURN_DROP failed");
	UCHECK((int64_t)st == -VR_ETIMEDOUT, "the wait after the drop ended with %ld", (int64_t)st);
	return NULL;
}
