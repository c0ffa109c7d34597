/*
 * IPC: ordering, every register word, handles and long messages, badges, a
 * server killed mid-call.
 */
#include "../../../roottask/utest.h"

#define LABEL_ECHO 1
#define LABEL_READ_VMO 2
#define LABEL_LONG 3
#define LABEL_HANG 4
#define LABEL_BADGE 5	/* m[1]: the badge the caller expects; the answer's m[1]: the badge seen */
#define LABEL_PAUSE 6	/* answered at once; then the server sleeps before it receives again */
#define LABEL_BOUNCE 7	/* m[1]: a handle, which the answer moves back */
#define LABEL_BAD_ANSWER 8	/* answered by reply_recv with a malformed tag (9 words) */

/*
 * A server process: answers on the endpoint it was given, until told to stop;
 * then it exits with the number of LABEL_BADGE calls that came with a badge
 * other than the one they expected.
 */
static uint64_t server(uint64_t ep)
{
	uint64_t m[8], wrong_badges = 0;
	static char buffer[VR_PAGE] __attribute__((aligned(VR_PAGE)));

	vr_ipc_buffer_set((uint64_t)(uintptr_t)buffer);
	/* A receive returns the badge of the caller's handle (>= 0) or an error. */
	int64_t got = vr_ipc_recv(ep, m);
	while (got >= 0) {
		uint64_t label = VR_TAG_LABEL(m[0]);
		if (label == LABEL_ECHO) {
			/* Each word plus one, same number of words. */
			for (int i = 1; i < 8; i++)
				m[i] += 1;
			m[0] = VR_TAG(LABEL_ECHO, m[0] & 0xf);
		} else if (label == LABEL_READ_VMO) {
			/* m[1] is a VMO handle that arrived with the message: sum its first page. */
			uint64_t sum = 0;
			uint8_t page[256];
			int64_t r = vr_vmo_read(m[1], page, 0, sizeof(page));
			for (unsigned i = 0; i < sizeof(page); i++)
				sum += page[i];
			vr_handle_close(m[1]);
			m[0] = VR_TAG(LABEL_READ_VMO, 2);
			m[1] = (uint64_t)r;
			m[2] = sum;
		} else if (label == LABEL_LONG) {
			/* Reverse the long payload into the reply. */
			unsigned len = (m[0] >> 8) & 0x1fff;
			for (unsigned i = 0; i < len / 2; i++) {
				char c = buffer[i];
				buffer[i] = buffer[len - 1 - i];
				buffer[len - 1 - i] = c;
			}
			m[0] = VR_TAG(LABEL_LONG, 0) | VR_TAG_LONG(len);
		} else if (label == LABEL_HANG) {
			for (;;)
				vr_thread_sleep(1000000000);
		} else if (label == LABEL_BADGE) {
			wrong_badges += (uint64_t)got != m[1];
			m[0] = VR_TAG(LABEL_BADGE, 1);
			m[1] = (uint64_t)got;
		} else if (label == LABEL_PAUSE) {
			/* Whoever calls meanwhile queues; the receive takes it from the queue. */
			m[0] = VR_TAG(LABEL_PAUSE, 0);
			vr_ipc_reply(m);
			vr_thread_sleep(50000000);
			got = vr_ipc_recv(ep, m);
			continue;
		} else if (label == LABEL_BOUNCE) {
			m[0] = VR_TAG(LABEL_BOUNCE, 1) | VR_TAG_CAPS(1) | VR_TAG_MOVE_CAPS;
		} else if (label == LABEL_BAD_ANSWER) {
			m[0] = VR_TAG(LABEL_BAD_ANSWER, 9);
		} else {
			return wrong_badges;
		}
		got = vr_ipc_reply_recv(ep, m);
	}
	return (uint64_t)got;
}

/* The server on a thread bound to CPU 0, so that a caller on another CPU goes the long way. */
static uint64_t server_on_cpu0(uint64_t ep)
{
	handle_t t;
	uint64_t st;

	if (vr_thread_create_on(server, ep, 0, &t) || vr_thread_start(t) || vr_thread_wait(t, &st))
		return 1000;
	return st;
}

/* Spawns a process running @fn(@h given to it with @rights); returns the process or 0. */
static handle_t spawn_given(uint64_t (*fn)(uint64_t), handle_t h, uint64_t rights)
{
	handle_t proc, given;

	if (vr_spawn_prepare(&vr_self_image, &proc))
		return 0;
	if (vr_process_handle_give(proc, h, rights, &given) || vr_spawn_start(proc, fn, given)) {
		vr_handle_close(proc);
		return 0;
	}
	return proc;
}

/*
 * Starts a server process running @fn on a new endpoint; returns the process,
 * *ep the client's handle.
 */
static handle_t start_server_with(uint64_t (*fn)(uint64_t), handle_t *ep)
{
	return vr_endpoint_create(ep) ? 0 : spawn_given(fn, *ep, VR_RIGHT_RECV);
}

static handle_t start_server(handle_t *ep)
{
	return start_server_with(server, ep);
}

static void stop_server(handle_t proc, handle_t ep)
{
	uint64_t m[8] = {VR_TAG(99, 0)};

	vr_ipc_call(ep, m);
	reap(proc);
	vr_handle_close(ep);
}

UTEST(ipc_ordering_and_all_words)
{
	handle_t ep, proc = start_server(&ep);

	UCHECK(proc, "server did not start");
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t m[8] = {VR_TAG(LABEL_ECHO, 7), i, i * 3, ~i, i << 32, 5, 6, 7};
		int64_t err = vr_ipc_call(ep, m);
		UCHECK(err == 0, "call %lu failed: %ld", i, err);
		UCHECK(m[1] == i + 1 && m[2] == i * 3 + 1 && m[3] == ~i + 1 && m[4] == (i << 32) + 1 &&
			       m[5] == 6 && m[6] == 7 && m[7] == 8,
		       "reply %lu garbled: %lu %lu %#lx", i, m[1], m[2], m[3]);
		UCHECK(VR_TAG_LABEL(m[0]) == LABEL_ECHO && (m[0] & 0xf) == 7, "reply tag %#lx", m[0]);
	}
	uint64_t bad[8] = {VR_TAG(LABEL_ECHO, 9)};
	UCHECK(vr_ipc_call(ep, bad) == -VR_EINVAL, "a tag with 9 words was accepted");
	/* A malformed answer ends the call with -EINVAL, and the server goes on receiving. */
	for (uint64_t i = 0; i < 3; i++) {
		uint64_t m[8] = {VR_TAG(LABEL_BAD_ANSWER, 0)}, e[8] = {VR_TAG(LABEL_ECHO, 1), i};
		UCHECK(vr_ipc_call(ep, m) == -VR_EINVAL, "a malformed answer did not fail the call");
		UCHECK(vr_ipc_call(ep, e) == 0 && e[1] == i + 1, "no answer after a malformed one");
	}
	stop_server(proc, ep);
	return NULL;
}

/*
 * The fast paths remember each thread's last endpoint lookup (kern/ipc.c,
 * lock_ep_fast): a handle closed since must not be served from there.
 */
UTEST(ipc_fast_path_sees_a_closed_handle)
{
	handle_t ep, proc = start_server(&ep), s;

	UCHECK(proc, "server did not start");
	for (uint64_t round = 0; round < 3; round++) {
		UCHECK(vr_handle_derive(ep, VR_RIGHT_SEND, &s) == 0, "derive");
		for (uint64_t i = 0; i < 3; i++) {
			uint64_t m[8] = {VR_TAG(LABEL_ECHO, 1), i};
			UCHECK(vr_ipc_call(s, m) == 0 && m[1] == i + 1, "a call through the copy");
		}
		UCHECK(vr_handle_close(s) == 0, "close");
		uint64_t m[8] = {VR_TAG(LABEL_ECHO, 1), round};
		int64_t err = vr_ipc_call(s, m);
		UCHECK(err == -VR_EBADF, "a call through a closed handle gave %ld", err);
		m[0] = VR_TAG(LABEL_ECHO, 1);
		m[1] = round;
		UCHECK(vr_ipc_call(ep, m) == 0 && m[1] == round + 1, "the endpoint's own handle failed");
	}
	stop_server(proc, ep);
	return NULL;
}

UTEST(ipc_transfers_a_handle)
{
	handle_t ep, proc = start_server(&ep), vmo;

	UCHECK(proc, "server did not start");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	uint8_t page[256];
	uint64_t want = 0;
	for (unsigned i = 0; i < sizeof(page); i++)
		want += page[i] = (uint8_t)(i * 13 + 1);
	vr_vmo_write(vmo, page, 0, sizeof(page));
	uint64_t m[8] = {VR_TAG(LABEL_READ_VMO, 1) | VR_TAG_CAPS(1), vmo};
	UCHECK(vr_ipc_call(ep, m) == 0, "call failed");
	UCHECK(m[1] == 0 && m[2] == want, "server read status %ld sum %lu, want %lu", m[1], m[2], want);
	uint64_t size;
	UCHECK(vr_vmo_size(vmo, &size) == 0, "a copied handle left the sender");
	m[0] = VR_TAG(LABEL_READ_VMO, 1) | VR_TAG_CAPS(1) | VR_TAG_MOVE_CAPS;
	m[1] = vmo;
	UCHECK(vr_ipc_call(ep, m) == 0 && m[2] == want, "move failed");
	UCHECK(vr_vmo_size(vmo, &size) == -VR_EBADF, "a moved handle stayed with the sender");
	m[0] = VR_TAG(LABEL_READ_VMO, 1) | VR_TAG_CAPS(1);
	m[1] = 0x1234567;	/* not a handle */
	UCHECK(vr_ipc_call(ep, m) == -VR_EBADF, "a forged handle was transferred");
	stop_server(proc, ep);
	return NULL;
}

UTEST(ipc_long_message)
{
	static char buffer[VR_PAGE] __attribute__((aligned(VR_PAGE)));
	handle_t ep, proc = start_server(&ep);

	UCHECK(proc, "server did not start");
	UCHECK(vr_ipc_buffer_set((uint64_t)(uintptr_t)buffer) == 0, "ipc_buffer_set");
	for (int i = 0; i < VR_PAGE; i++)
		buffer[i] = (char)(i % 251);
	uint64_t m[8] = {VR_TAG(LABEL_LONG, 0) | VR_TAG_LONG(VR_PAGE)};
	UCHECK(vr_ipc_call(ep, m) == 0, "long call failed");
	for (int i = 0; i < VR_PAGE; i++)
		UCHECK(buffer[i] == (char)((VR_PAGE - 1 - i) % 251), "byte %d of the long reply", i);
	stop_server(proc, ep);
	return NULL;
}

/* A caller thread of ipc_badges: calls through its handles in turn, checking the badge seen. */
struct badge_caller {
	handle_t ep[3];
	uint64_t badge[3];	/* the badge of ep[i] */
	unsigned first, calls;	/* call i goes through ep[(first + i) % 3] */
	int64_t err;		/* the last call's status, the badge it wanted and the one seen */
	uint64_t want, seen;
};

static uint64_t badge_caller(uint64_t arg)
{
	struct badge_caller *c = (struct badge_caller *)(uintptr_t)arg;

	for (unsigned i = 0; i < c->calls; i++) {
		unsigned k = (c->first + i) % 3;
		uint64_t m[8] = {VR_TAG(LABEL_BADGE, 1), c->badge[k]};
		c->err = vr_ipc_call(c->ep[k], m);
		c->want = c->badge[k];
		c->seen = m[1];
		if (c->err || m[1] != c->badge[k])
			return 1;
	}
	return 0;
}

/* Runs callers @c[0..n-1] at once, bound to @cpu (-1: anywhere); returns how many failed. */
static unsigned run_badge_callers(struct badge_caller *c, unsigned n, int cpu)
{
	handle_t t[3];
	unsigned failed = 0;

	for (unsigned i = 0; i < n; i++)
		if (vr_thread_create_on(badge_caller, (uint64_t)(uintptr_t)&c[i], cpu, &t[i]) ||
		    vr_thread_start(t[i]))
			return n;
	for (unsigned i = 0; i < n; i++) {
		uint64_t st = 1;
		vr_thread_wait(t[i], &st);
		vr_handle_close(t[i]);
		failed += st != 0;
	}
	return failed;
}

/* One LABEL_BADGE call through @h; returns its status, *seen the badge the server saw. */
static int64_t badge_seen(handle_t h, uint64_t want, uint64_t *seen)
{
	uint64_t m[8] = {VR_TAG(LABEL_BADGE, 1), want};
	int64_t err = vr_ipc_call(h, m);

	*seen = m[1];
	return err;
}

#define CALLER_FAILED "status %ld, badge %#lx, want %#lx"
#define CALLER_ARGS(c) (c).err, (c).seen, (c).want

UTEST(ipc_badges)
{
	const uint64_t A = 0x1234, B = VR_BADGE_LIMIT - 1;
	handle_t ep, proc = start_server_with(server_on_cpu0, &ep), a, b, x;
	uint64_t seen, word;

	UCHECK(proc, "server did not start");
	UCHECK(vr_endpoint_mint(ep, A, ~0ull, &a) == 0, "mint A");
	UCHECK(vr_endpoint_mint(ep, B, VR_RIGHT_SEND | VR_RIGHT_DUPLICATE, &b) == 0, "mint B");
	UCHECK(vr_handle_info(b, &word) == 0 && word >> 32 == (VR_RIGHT_SEND | VR_RIGHT_DUPLICATE),
	       "minted rights %#lx", word >> 32);
	/*
	 * The server is bound to CPU 0. A caller there finds it waiting and both
	 * take the fast paths; one on another CPU takes call()'s and
	 * reply_recv's long way. Three callers at once also queue behind each other.
	 */
	struct badge_caller c[3];
	for (unsigned i = 0; i < 3; i++)
		c[i] = (struct badge_caller){{ep, a, b}, {0, A, B}, i, 30, 0, 0, 0};
	int cpus = info(INFO_CPUS) > 1 ? 2 : 1;
	for (int cpu = 0; cpu < cpus; cpu++) {
		UCHECK(run_badge_callers(c, 1, cpu) == 0, "a caller on CPU %d: " CALLER_FAILED, cpu,
		       CALLER_ARGS(c[0]));
		UCHECK(run_badge_callers(c, 3, cpu) == 0, "three callers on CPU %d failed", cpu);
	}
	/* Callers that queue while the server sleeps: recv, then reply_recv, take them in turn. */
	for (unsigned i = 0; i < 3; i++)
		c[i].calls = 1;
	for (int round = 0; round < 2; round++) {
		uint64_t m[8] = {VR_TAG(LABEL_PAUSE, 0)};
		UCHECK(vr_ipc_call(ep, m) == 0, "pause");
		UCHECK(run_badge_callers(c, 3, -1) == 0,
		       "queued callers: " CALLER_FAILED "; " CALLER_FAILED "; " CALLER_FAILED,
		       CALLER_ARGS(c[0]), CALLER_ARGS(c[1]), CALLER_ARGS(c[2]));
	}

	/* Copies keep the badge: a derived handle, and one that went to the server and back. */
	handle_t derived, bounced;
	UCHECK(vr_handle_derive(a, VR_RIGHT_SEND, &derived) == 0, "derive");
	UCHECK(badge_seen(derived, A, &seen) == 0 && seen == A, "a derived copy has badge %#lx",
	       seen);
	uint64_t m[8] = {VR_TAG(LABEL_BOUNCE, 1) | VR_TAG_CAPS(1), a};
	UCHECK(vr_ipc_call(ep, m) == 0 && (m[0] & 0x30) == 0x10, "bounce (tag %#lx)", m[0]);
	bounced = m[1];
	UCHECK(badge_seen(bounced, A, &seen) == 0 && seen == A, "a transferred copy has badge %#lx",
	       seen);

	/* A badge is set once, is 1 .. VR_BADGE_LIMIT - 1, and only endpoints take one. */
	UCHECK(vr_endpoint_mint(a, 7, ~0ull, &x) == -VR_EPERM, "a badged handle was minted");
	UCHECK(vr_endpoint_mint(ep, 0, ~0ull, &x) == -VR_EINVAL, "badge 0 was accepted");
	UCHECK(vr_endpoint_mint(ep, VR_BADGE_LIMIT, ~0ull, &x) == -VR_EINVAL, "badge 1 << 62");
	UCHECK(vr_endpoint_mint(ep, ~0ull, ~0ull, &x) == -VR_EINVAL, "badge ~0 was accepted");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &x) == 0, "vmo_create");
	int64_t err = vr_endpoint_mint(x, 7, ~0ull, &word);
	UCHECK(err < 0, "a VMO was minted (%ld)", err);
	vr_handle_close(x);

	/* Revoking the minted handle takes its copies; revoking its source takes it. */
	UCHECK(vr_handle_revoke(a) == 0, "revoke");
	UCHECK(badge_seen(derived, A, &seen) == -VR_EBADF, "a revoked derived copy still calls");
	UCHECK(badge_seen(bounced, A, &seen) == -VR_EBADF, "a revoked transferred copy still calls");
	UCHECK(badge_seen(a, A, &seen) == 0 && seen == A, "revoke took the minted handle itself");
	handle_t source, minted;
	UCHECK(vr_handle_derive(ep, ~0ull, &source) == 0, "derive a source");
	UCHECK(vr_endpoint_mint(source, 9, ~0ull, &minted) == 0, "mint from a derived handle");
	UCHECK(badge_seen(minted, 9, &seen) == 0 && seen == 9, "badge %#lx, want 9", seen);
	UCHECK(vr_handle_revoke(source) == 0, "revoke the source");
	UCHECK(badge_seen(minted, 9, &seen) == -VR_EBADF, "a handle minted from a revoked source");

	vr_handle_close(source);
	vr_handle_close(a);
	vr_handle_close(b);
	m[0] = VR_TAG(99, 0);
	vr_ipc_call(ep, m);
	int64_t wrong = reap(proc);
	UCHECK(wrong == 0, "the server saw %ld calls with the wrong badge", wrong);
	vr_handle_close(ep);
	return NULL;
}

static uint64_t kill_later(uint64_t proc)
{
	vr_thread_sleep(20000000);
	vr_process_kill(proc, -VR_EINTR);
	return 0;
}

UTEST(ipc_server_killed_mid_call)
{
	handle_t ep, proc = start_server(&ep), killer;

	UCHECK(proc, "server did not start");
	/* One answered call first: then the server surely waits in its receive loop. */
	uint64_t m[8] = {VR_TAG(LABEL_ECHO, 1), 1};
	UCHECK(vr_ipc_call(ep, m) == 0 && m[1] == 2, "the server does not answer");
	UCHECK(vr_thread_spawn(kill_later, proc, &killer) == 0, "spawn killer");
	m[0] = VR_TAG(LABEL_HANG, 0);
	int64_t err = vr_ipc_call(ep, m);
	UCHECK(err == -VR_EPIPE, "a call to a killed server returned %ld", err);
	uint64_t st;
	vr_thread_wait(killer, &st);
	vr_handle_close(killer);
	UCHECK(reap(proc) == -VR_EINTR, "server status");
	/*
	 * This endpoint is ours (we created it), so it outlives the server; an
	 * endpoint dies with the process that created it (ipc_endpoint_dies_with_owner).
	 */
	vr_handle_close(ep);
	return NULL;
}

/*
 * Handles closed and revoked while other CPUs call through them: the
 * handle two callers use (a child of the endpoint's, or a grandchild under
 * a middle one that is revoked) changes under them 1,000 times, and at
 * the end all of them are revoked.
 * Every call must come back answered (each word plus one) or refused with
 * -EBADF; nothing else, and the server goes on answering.
 */
#define RACE_ROUNDS 1000

static volatile handle_t race_handle;
static volatile uint64_t race_stop, race_answered, race_refused, race_wrong;

static uint64_t race_caller(uint64_t seed)
{
	while (!race_stop) {
		uint64_t m[8] = {VR_TAG(LABEL_ECHO, 2), seed, ~seed};
		int64_t err = vr_ipc_call(race_handle, m);
		if (err == 0 && m[1] == seed + 1 && m[2] == ~seed + 1)
			__atomic_fetch_add(&race_answered, 1, __ATOMIC_RELAXED);
		else if (err == -VR_EBADF)
			__atomic_fetch_add(&race_refused, 1, __ATOMIC_RELAXED);
		else
			__atomic_fetch_add(&race_wrong, 1, __ATOMIC_RELAXED);
		seed += 0x10001;
	}
	return 0;
}

UTEST(ipc_close_and_revoke_race_calls)
{
	handle_t ep, proc = start_server(&ep), base, mid = 0, t[2];
	uint64_t cpus = info(INFO_CPUS), n = cpus > 2 ? 2 : 1, st;
	const uint32_t rights = VR_RIGHT_SEND | VR_RIGHT_DUPLICATE;

	UCHECK(proc, "server did not start");
	race_stop = race_answered = race_refused = race_wrong = 0;
	/* Everything the callers use derives from base (the server's handle derives from ep). */
	UCHECK(vr_handle_derive(ep, rights, &base) == 0 &&
	       vr_handle_derive(base, rights, (handle_t *)&race_handle) == 0, "derive");
	for (uint64_t i = 0; i < n; i++) {
		/* On the CPUs but the first, where this thread closes and revokes. */
		int cpu = cpus > 1 ? (int)(1 + i % (cpus - 1)) : 0;
		UCHECK(vr_thread_create_on(race_caller, i << 40, cpu, &t[i]) == 0 &&
		       vr_thread_start(t[i]) == 0, "start caller %lu", i);
	}
	for (int round = 0; round < RACE_ROUNDS && !race_wrong; round++) {
		handle_t old = race_handle, old_mid = mid, next;
		/* Now and then, wait for an answer through the current handle: calls are under way. */
		uint64_t seen = race_answered;
		while (round % 16 == 0 && race_answered == seen && !race_wrong)
			vr_thread_yield();
		/* Odd rounds: a grandchild, whose middle capability the next round revokes. */
		mid = 0;
		if (round & 1)
			UCHECK(vr_handle_derive(base, rights, &mid) == 0 &&
			       vr_handle_derive(mid, VR_RIGHT_SEND, &next) == 0, "derive (round %d)", round);
		else
			UCHECK(vr_handle_derive(base, rights, &next) == 0, "derive (round %d)", round);
		race_handle = next;
		if (old_mid) {
			UCHECK(vr_handle_revoke(old_mid) == 0, "revoke (round %d)", round);
			UCHECK(vr_handle_close(old) == -VR_EBADF, "a revoked handle stayed (round %d)", round);
			UCHECK(vr_handle_close(old_mid) == 0, "close (round %d)", round);
		} else {
			UCHECK(vr_handle_close(old) == 0, "close (round %d)", round);
		}
	}
	/* The last one revoked from under the callers through base. */
	UCHECK(vr_handle_revoke(base) == 0, "revoke base");
	uint64_t m[8] = {VR_TAG(LABEL_ECHO, 1), 1};
	UCHECK(vr_ipc_call(race_handle, m) == -VR_EBADF, "a call through a revoked handle went through");
	race_stop = 1;
	for (uint64_t i = 0; i < n; i++) {
		vr_thread_wait(t[i], &st);
		vr_handle_close(t[i]);
	}
	UCHECK(race_wrong == 0, "%lu calls neither answered nor refused (%lu answered, %lu refused)",
	       race_wrong, race_answered, race_refused);
	UCHECK(race_answered >= RACE_ROUNDS / 16, "only %lu answered", race_answered);
	m[0] = VR_TAG(LABEL_ECHO, 1), m[1] = 41;
	UCHECK(vr_ipc_call(ep, m) == 0 && m[1] == 42, "the server no longer answers");
	vr_handle_close(mid);
	vr_handle_close(base);
	stop_server(proc, ep);
	return NULL;
}

static uint64_t signaller(uint64_t n)
{
	vr_thread_sleep(2000000);
	return (uint64_t)vr_notify_signal(n, 0x5);
}

UTEST(notifications)
{
	handle_t n, t;
	uint64_t bits = 0, st;

	UCHECK(vr_notify_create(&n) == 0, "notify_create");
	UCHECK(vr_notify_wait(n, 2000000, &bits) == -VR_ETIMEDOUT, "wait did not time out");
	UCHECK(vr_notify_signal(n, 0x10) == 0 && vr_notify_poll(n, &bits) == 0 && bits == 0x10, "poll");
	UCHECK(vr_notify_poll(n, &bits) == 0 && bits == 0, "poll did not clear");
	UCHECK(vr_thread_spawn(signaller, n, &t) == 0, "spawn");
	UCHECK(vr_notify_wait(n, 0, &bits) == 0 && bits == 0x5, "woke with %#lx", bits);
	vr_thread_wait(t, &st);
	vr_handle_close(t);
	vr_handle_close(n);
	return NULL;
}

/* A server that creates its own endpoint and hands us a send handle over the one we gave it. */
static uint64_t own_endpoint_server(uint64_t ep)
{
	uint64_t m[8];
	handle_t mine;

	if (vr_endpoint_create(&mine) || vr_ipc_recv(ep, m) < 0)
		return 1;
	m[0] = VR_TAG(0, 1) | VR_TAG_CAPS(1);
	m[1] = mine;
	vr_ipc_reply(m);
	/* Answer nothing on our own endpoint: just die soon. */
	vr_thread_sleep(10000000);
	return 0;
}

UTEST(ipc_endpoint_dies_with_owner)
{
	handle_t ep, proc, given;
	uint64_t m[8] = {VR_TAG(0, 0)};

	UCHECK(vr_endpoint_create(&ep) == 0 && vr_spawn_prepare(&vr_self_image, &proc) == 0, "setup");
	UCHECK(vr_process_handle_give(proc, ep, VR_RIGHT_RECV, &given) == 0, "give");
	UCHECK(vr_spawn_start(proc, own_endpoint_server, given) == 0, "start");
	UCHECK(vr_ipc_call(ep, m) == 0 && (m[0] & 0x30) == 0x10, "no endpoint came back (tag %#lx)", m[0]);
	handle_t theirs = m[1];
	m[0] = VR_TAG(1, 0);
	int64_t err = vr_ipc_call(theirs, m);	/* queued until the owner dies, then refused */
	UCHECK(err == -VR_EPIPE, "a call on a dead process's endpoint returned %ld", err);
	m[0] = VR_TAG(1, 0);
	UCHECK(vr_ipc_call(theirs, m) == -VR_EPIPE, "a later call did not fail at once");
	UCHECK(reap(proc) == 0, "server status");
	vr_handle_close(theirs);
	vr_handle_close(ep);
	return NULL;
}

/* ---- Saved replies: a single-threaded server that answers calls later, in any order. ---- */

#define LABEL_DEFER 5	/* the server saves the reply; word 1 is the caller's token (1..7) */
#define LABEL_COUNT 6	/* answered at once with the number of replies saved */
#define LABEL_FLUSH 7	/* answers the saved replies newest first; word t: token t's status */
#define LABEL_DROP 8	/* closes the saved replies unanswered */
#define MAX_SAVED 7

/*
 * Answers token @t's saved call with two words made from t, a VMO of t
 * pages and a long payload. The reply handle must be gone afterwards,
 * whatever happened.
 */
static int64_t answer_saved(handle_t reply, uint64_t t, char *buffer)
{
	uint64_t m[8];
	handle_t vmo;

	if (vr_vmo_create(t * VR_PAGE, 0, &vmo))
		return 1000;
	for (unsigned i = 0; i < 256; i++)
		buffer[i] = (char)(t + i);
	m[0] = VR_TAG(LABEL_DEFER, 3) | VR_TAG_CAPS(1) | VR_TAG_MOVE_CAPS | VR_TAG_LONG(256);
	m[1] = t * 3 + 1;
	m[2] = ~t;
	m[3] = vmo;
	int64_t err = vr_ipc_reply_to(reply, m);
	if (err)
		vr_handle_close(vmo);	/* not delivered: still ours */
	m[0] = VR_TAG(0, 0);
	if (vr_ipc_reply_to(reply, m) != -VR_EBADF)
		return 1001;	/* a consumed reply took a second answer */
	return err;
}

/* Saves the replies of LABEL_DEFER calls and goes on receiving; see the labels above. */
static uint64_t deferring_server(uint64_t ep)
{
	static char buffer[VR_PAGE] __attribute__((aligned(VR_PAGE)));
	handle_t saved[MAX_SAVED];
	uint64_t token[MAX_SAVED], m[8];
	unsigned n = 0;

	vr_ipc_buffer_set((uint64_t)(uintptr_t)buffer);
	if (vr_ipc_reply_save(&saved[0]) != -VR_EPIPE)
		return 1;	/* saved a caller it never had */
	for (;;) {
		if (vr_ipc_recv(ep, m))
			return 2;
		uint64_t label = VR_TAG_LABEL(m[0]);
		if (label == LABEL_DEFER) {
			if (n == MAX_SAVED || m[1] < 1 || m[1] > 7 || vr_ipc_reply_save(&saved[n]))
				return 3;
			token[n++] = m[1];
			continue;	/* nothing pending now: receive the next call */
		}
		if (label == LABEL_COUNT) {
			m[1] = n;
		} else if (label == LABEL_FLUSH) {
			for (int k = 1; k < 8; k++)
				m[k] = 0;
			for (; n > 0; n--) {
				uint64_t t = token[n - 1];
				m[t] = (uint64_t)answer_saved(saved[n - 1], t, buffer);
			}
		} else if (label == LABEL_DROP) {
			for (; n > 0; n--)
				vr_handle_close(saved[n - 1]);
		} else {
			return 0;
		}
		m[0] = VR_TAG(label, 7);
		if (vr_ipc_reply(m))
			return 4;
	}
}

static handle_t deferring_ep;	/* the deferring server's endpoint, for deferred_caller */

/* A thread that calls as token @t (1..7) and checks that the answer is its own. */
static uint64_t deferred_caller(uint64_t t)
{
	static char buffers[8][VR_PAGE] __attribute__((aligned(VR_PAGE)));
	uint64_t m[8] = {VR_TAG(LABEL_DEFER, 1), t}, size = 0;

	vr_ipc_buffer_set((uint64_t)(uintptr_t)buffers[t]);
	int64_t err = vr_ipc_call(deferring_ep, m);
	if (err)
		return (uint64_t)err;
	if (m[1] != t * 3 + 1 || m[2] != ~t)
		return 1;	/* someone else's answer */
	if ((m[0] & 0x30) != 0x10 || vr_vmo_size(m[3], &size) || size != t * VR_PAGE)
		return 2;	/* the handle did not come along */
	vr_handle_close(m[3]);
	for (unsigned i = 0; i < 256; i++)
		if (buffers[t][i] != (char)(t + i))
			return 3;	/* nor the long payload */
	return 0;
}

/* Waits until the server holds @n saved replies; each look is a call it answers at once. */
static bool wait_saved(handle_t ep, uint64_t n)
{
	for (int i = 0; i < 2000; i++) {
		uint64_t m[8] = {VR_TAG(LABEL_COUNT, 0)};
		int64_t err = vr_ipc_call(ep, m);
		if (err || m[1] >= n)
			return err == 0 && m[1] == n;
		vr_thread_sleep(1000000);
	}
	return false;
}

/* Returns what was leaked since the counts were @caps, @threads and @procs, or NULL. */
static const char *leaks(uint64_t caps, uint64_t threads, uint64_t procs)
{
	/* Dead threads are reaped after their CPU switches away; processes go with them. */
	for (int i = 0; i < 200 && (info(INFO_THREADS) != threads || info(INFO_PROCESSES) != procs);
	     i++)
		vr_thread_sleep(1000000);
	UCHECK(info(INFO_THREADS) == threads, "%ld threads leaked",
	       (long)(info(INFO_THREADS) - threads));
	UCHECK(info(INFO_PROCESSES) == procs, "%ld processes leaked",
	       (long)(info(INFO_PROCESSES) - procs));
	UCHECK(info(INFO_CAPS) == caps, "%ld capabilities leaked", (long)(info(INFO_CAPS) - caps));
	return NULL;
}

/*
 * The server saves two callers' replies, answers other calls meanwhile, then
 * answers the two newest first: each caller gets its own words, a handle and
 * a long payload. A saved caller killed before its answer makes the answer
 * -EPIPE; saved replies closed unanswered fail their calls with -EPIPE.
 */
UTEST(ipc_saved_replies)
{
	settle();
	uint64_t caps = info(INFO_CAPS), threads = info(INFO_THREADS), procs = info(INFO_PROCESSES);
	uint64_t st = 0, m[8];
	handle_t proc, t[6], h;

	UCHECK(vr_endpoint_create(&deferring_ep) == 0, "endpoint_create");
	proc = spawn_given(deferring_server, deferring_ep, VR_RIGHT_RECV);
	UCHECK(proc, "server did not start");
	for (uint64_t i = 1; i <= 2; i++)
		UCHECK(vr_thread_spawn(deferred_caller, i, &t[i]) == 0, "spawn caller %lu", i);
	UCHECK(wait_saved(deferring_ep, 2), "two replies were not saved while other calls went on");
	UCHECK(vr_thread_spawn(deferred_caller, 3, &t[3]) == 0, "spawn caller 3");
	UCHECK(wait_saved(deferring_ep, 3), "the third reply was not saved");
	UCHECK(vr_thread_kill(t[3]) == 0 && vr_thread_wait(t[3], &st) == 0, "kill caller 3");
	m[0] = VR_TAG(LABEL_FLUSH, 0);
	UCHECK(vr_ipc_call(deferring_ep, m) == 0, "flush");
	UCHECK(m[1] == 0 && m[2] == 0, "answering the saved replies gave %ld and %ld", m[1], m[2]);
	UCHECK((int64_t)m[3] == -VR_EPIPE, "answering a killed caller gave %ld", m[3]);
	for (int i = 1; i <= 2; i++)
		UCHECK(vr_thread_wait(t[i], &st) == 0 && st == 0, "caller %d ended with %ld", i, st);

	for (uint64_t i = 4; i <= 5; i++)
		UCHECK(vr_thread_spawn(deferred_caller, i, &t[i]) == 0, "spawn caller %lu", i);
	UCHECK(wait_saved(deferring_ep, 2), "replies 4 and 5 were not saved");
	m[0] = VR_TAG(LABEL_DROP, 0);
	UCHECK(vr_ipc_call(deferring_ep, m) == 0, "drop");
	for (int i = 4; i <= 5; i++)
		UCHECK(vr_thread_wait(t[i], &st) == 0 && (int64_t)st == -VR_EPIPE,
		       "caller %d of a reply closed unanswered ended with %ld", i, st);

	/* Not reply handles, and no caller to save: each fails and changes nothing. */
	m[0] = VR_TAG(0, 0);
	UCHECK(vr_ipc_reply_to(0x1234567, m) == -VR_EBADF, "a forged reply handle was taken");
	UCHECK(vr_ipc_reply_to(deferring_ep, m) == -VR_EINVAL, "an endpoint was taken for a reply");
	UCHECK(vr_ipc_reply_save(&h) == -VR_EPIPE, "a reply was saved with no caller");
	m[0] = VR_TAG(LABEL_COUNT, 0);
	UCHECK(vr_ipc_call(deferring_ep, m) == 0 && m[1] == 0, "the server is not well");

	m[0] = VR_TAG(99, 0);
	vr_ipc_call(deferring_ep, m);
	UCHECK(reap(proc) == 0, "the server failed");
	for (int i = 1; i <= 5; i++)
		vr_handle_close(t[i]);
	vr_handle_close(deferring_ep);
	return leaks(caps, threads, procs);
}

/* A caller process: one call whose reply the server saves; its status is the call's. */
static uint64_t defer_once(uint64_t ep)
{
	uint64_t m[8] = {VR_TAG(LABEL_DEFER, 1), 1};

	return (uint64_t)vr_ipc_call(ep, m);
}

UTEST(ipc_saved_replies_fail_when_server_dies)
{
	settle();
	uint64_t frames = info(INFO_FREE_FRAMES), caps = info(INFO_CAPS);
	uint64_t threads = info(INFO_THREADS), procs = info(INFO_PROCESSES);
	handle_t ep, server, callers[3];

	UCHECK(vr_endpoint_create(&ep) == 0, "endpoint_create");
	server = spawn_given(deferring_server, ep, VR_RIGHT_RECV);
	UCHECK(server, "server did not start");
	for (int i = 0; i < 3; i++)
		UCHECK((callers[i] = spawn_given(defer_once, ep, VR_RIGHT_SEND)), "spawn caller %d",
		       i);
	UCHECK(wait_saved(ep, 3), "the replies were not saved");
	vr_process_kill(server, -VR_EINTR);
	for (int i = 0; i < 3; i++) {
		int64_t st = reap(callers[i]);
		UCHECK(st == -VR_EPIPE, "caller %d of a dead server ended with %ld", i, st);
	}
	UCHECK(reap(server) == -VR_EINTR, "server status");
	vr_handle_close(ep);
	const char *leak = leaks(caps, threads, procs);
	if (leak)
		return leak;
	/* Slab caches may keep an empty slab each; a leaked process would be dozens of frames. */
	long leaked = (long)(frames - info(INFO_FREE_FRAMES));
	UCHECK(leaked <= 16, "%ld frames leaked", leaked);
	return NULL;
}
