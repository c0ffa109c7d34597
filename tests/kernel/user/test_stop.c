/*
 * process_stop: a stopped process runs no user code. Its thread running on
 * another CPU parks; its thread blocked in an IPC call stays in it, the
 * call completes, and the thread parks before its next instruction; both
 * go on after the continue. A kill ends a stopped process. Bad requests fail.
 */
#include "../../../roottask/utest.h"

/* Shared with the child: [0] the spinner's count, [1] its process handle there, [2] the
 * endpoint's, [3] set by the caller after its call returned, [4] quit. */
static volatile uint64_t *chan;

#define STOP_CONTINUE 0
#define STOP_STOP 1
#define STOP_QUERY 2

static uint64_t caller(uint64_t arg)
{
	uint64_t m[8] = {VR_TAG(1, 0)};

	if (vr_ipc_call(chan[2], m) != 0)
		return 1;
	chan[3] = 1;
	return 0;
}

static uint64_t stopped_child(uint64_t arg)
{
	handle_t t;
	uint64_t st = 1;

	while (!__atomic_load_n(&chan[2], __ATOMIC_ACQUIRE))
		vr_thread_yield();
	vr_self = chan[1];
	if (vr_thread_create_on(caller, 0, -1, &t) != 0 || vr_thread_start(t) != 0)
		return 10;
	while (!__atomic_load_n(&chan[4], __ATOMIC_ACQUIRE))
		__atomic_fetch_add(&chan[0], 1, __ATOMIC_RELAXED);
	vr_thread_wait(t, &st);
	return st == 0 && chan[3] == 1 ? 0 : 20 + st;
}

/* Polls (up to ~4 s) until @p has @n threads parked; the last count. */
static uint64_t await_parked(handle_t p, uint64_t n)
{
	uint64_t parked = 0;

	for (int i = 0; i < 4000; i++) {
		if (vr_process_stop(p, STOP_QUERY, &parked) != 0 || parked == n)
			break;
		vr_thread_sleep(1000000);
	}
	return parked;
}

/* Whether the spinner's count stays put over 20 ms (it moves by millions when it runs). */
static bool frozen(void)
{
	uint64_t before = chan[0];

	vr_thread_sleep(20000000);
	return chan[0] == before;
}

UTEST(stop_parks_running_and_blocked_threads)
{
	handle_t vmo, ep, c, given;
	uint64_t at, m[8], parked;

	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_vm_map(0, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED, &at) == 0,
	       "map shared");
	vr_handle_close(vmo);
	chan = (volatile uint64_t *)(uintptr_t)at;
	UCHECK(vr_endpoint_create(&ep) == 0, "endpoint_create");
	c = fork_run(stopped_child, 0);
	UCHECK(c, "fork");
	UCHECK(vr_process_handle_give(c, c, VR_RIGHT_MANAGE | VR_RIGHT_MAP, &given) == 0, "give self");
	chan[1] = given;
	UCHECK(vr_process_handle_give(c, ep, VR_RIGHT_SEND, &given) == 0, "give endpoint");
	__atomic_store_n(&chan[2], given, __ATOMIC_RELEASE);
	/* The caller thread is in the kernel once its call is here; the spinner spins. */
	UCHECK(vr_ipc_recv(ep, m) >= 0, "receive the child's call");
	while (chan[0] == 0)
		vr_thread_yield();

	UCHECK(vr_process_stop(c, STOP_STOP, &parked) == 0, "stop");
	UCHECK(await_parked(c, 1) == 1, "the spinner did not park");
	UCHECK(frozen(), "a stopped process ran");
	/* Answered while stopped: the call completes, the caller parks before it stores. */
	m[0] = VR_TAG(0, 0);
	UCHECK(vr_ipc_reply(m) == 0, "reply");
	UCHECK(await_parked(c, 2) == 2, "the caller did not park after its call");
	UCHECK(chan[3] == 0 && frozen(), "a stopped process ran after its call returned");
	/* Stopping twice is stopping. */
	UCHECK(vr_process_stop(c, STOP_STOP, &parked) == 0 && parked == 2, "stop again: %lu", parked);

	UCHECK(vr_process_stop(c, STOP_CONTINUE, &parked) == 0, "continue");
	uint64_t before = chan[0];
	for (int i = 0; i < 4000 && chan[0] == before; i++)
		vr_thread_sleep(1000000);
	UCHECK(chan[0] != before, "the spinner did not go on after the continue");
	__atomic_store_n(&chan[4], 1, __ATOMIC_RELEASE);
	int64_t st = reap(c);
	UCHECK(st == 0, "child failed with %ld", st);
	vr_handle_close(ep);
	vr_unmap((void *)chan, VR_PAGE);
	return NULL;
}

static uint64_t spin_forever(uint64_t arg)
{
	for (;;)
		__atomic_fetch_add(&chan[0], 1, __ATOMIC_RELAXED);
	return 0;
}

UTEST(stop_then_kill_and_bad_requests)
{
	handle_t vmo, c, ro;
	uint64_t at, parked;

	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_vm_map(0, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED, &at) == 0,
	       "map shared");
	vr_handle_close(vmo);
	chan = (volatile uint64_t *)(uintptr_t)at;
	c = fork_run(spin_forever, 0);
	UCHECK(c, "fork");
	while (chan[0] == 0)
		vr_thread_yield();
	UCHECK(vr_process_stop(c, 3, &parked) == -VR_EINVAL, "op 3 was taken");
	UCHECK(vr_process_stop(0x5a5a5a5a5a5a5a5bull, STOP_STOP, &parked) == -VR_EBADF, "a forged handle was taken");
	UCHECK(vr_handle_derive(c, VR_RIGHT_DUPLICATE, &ro) == 0, "derive");
	UCHECK(vr_process_stop(ro, STOP_STOP, &parked) == -VR_EACCES, "stopped without MANAGE");
	vr_handle_close(ro);
	UCHECK(vr_process_stop(c, STOP_STOP, &parked) == 0, "stop");
	UCHECK(await_parked(c, 1) == 1, "the spinner did not park");
	UCHECK(frozen(), "a stopped process ran");
	/* A kill ends it parked, without a continue. */
	vr_process_kill(c, -7);
	UCHECK(reap(c) == -7, "the kill's status");
	vr_unmap((void *)chan, VR_PAGE);
	return NULL;
}
