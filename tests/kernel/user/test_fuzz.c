/*
 * A sandboxed process (only its own process handle, no resource) calls every
 * system call with random arguments and bad pointers; afterwards the kernel
 * must still run the rest of the suite.
 */
#include "../../../roottask/utest.h"

#define ITERATIONS 20000

static uint64_t pick_arg(uint64_t *s, const uint64_t *handles, unsigned nh, uint64_t own)
{
	static const uint64_t nasty[] = {0, 1, 4095, 4096, 0x7fffffffffffull, 0x800000000000ull,
					 0xffff800000000000ull, 0xffffffff80000000ull, ~0ull,
					 1ull << 63, 0x1000, 64, 0x10000000};
	uint64_t r = rnd(s);

	switch (r % 5) {
	case 0: return nasty[(r >> 8) % (sizeof(nasty) / sizeof(nasty[0]))];
	case 1: return handles[(r >> 8) % nh];
	case 2: return own + ((r >> 8) % 8192);	/* somewhere in our own memory */
	case 3: return (r >> 8) % 64;
	default: return rnd(s);
	}
}

static uint64_t call_once(uint64_t ep)
{
	uint64_t m[8] = {0};

	return (uint64_t)vr_ipc_call(ep, m);
}

static uint64_t fuzz(uint64_t seed)
{
	uint64_t s = seed | 1, handles[16];
	unsigned nh = 0;
	static char scratch[8192];

	handles[nh++] = vr_self;
	/* A saved reply among them too: its caller, a thread of ours, waits for the answer. */
	handle_t ep, caller;
	uint64_t m[8];
	if (vr_endpoint_create(&ep) || vr_thread_spawn(call_once, ep, &caller) ||
	    vr_ipc_recv(ep, m) || vr_ipc_reply_save(&handles[nh++]))
		return 1;
	for (int i = 0; i < ITERATIONS; i++) {
		uint64_t nr = rnd(&s) % (VR_SYSCALL_COUNT + 4);
		if (nr == VR_SYS_THREAD_EXIT)
			continue;	/* it would end the fuzzer, whatever the arguments */
		uint64_t a[6], v = 0;
		for (int k = 0; k < 6; k++)
			a[k] = pick_arg(&s, handles, nh, (uint64_t)(uintptr_t)scratch);
		/*
		 * Calls that would end, or block for good, the fuzzer itself when given
		 * one of its own handles get a random (so almost surely forged) one;
		 * so does sigreturn's frame (a real one would send it anywhere).
		 */
		if (nr == VR_SYS_PROCESS_KILL || nr == VR_SYS_THREAD_KILL || nr == VR_SYS_IPC_CALL ||
		    nr == VR_SYS_IPC_RECV || nr == VR_SYS_IPC_REPLY_RECV || nr == VR_SYS_PROCESS_WAIT ||
		    nr == VR_SYS_THREAD_WAIT || nr == VR_SYS_SYSTEM_EXIT || nr == VR_SYS_NOTIFY_WAIT ||
		    nr == VR_SYS_VM_UNMAP || nr == VR_SYS_VM_PROTECT || nr == VR_SYS_PROCESS_START ||
		    nr == VR_SYS_THREAD_START || nr == VR_SYS_VM_MAP || nr == VR_SYS_THREAD_REDIRECT ||
		    nr == VR_SYS_THREAD_SIGRETURN)
			a[0] = rnd(&s) | 1;
		/* Console output stays short: random bytes must not drown the test log. */
		if (nr == VR_SYS_DEBUG_WRITE)
			a[1] %= 16;
		/* Sleeps and futex waits get short timeouts (futex: a value no 32-bit word holds). */
		if (nr == VR_SYS_THREAD_SLEEP)
			a[0] %= 100000;
		if (nr == VR_SYS_FUTEX_WAIT) {
			a[1] = 0x5a5a5a5a5a5a5a5aull;
			a[2] = 1 + a[2] % 100000;
		}
		int64_t r = __vr_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5], &v);
		/* Keep some of the objects we manage to create, to use them as arguments. */
		if (r == 0 && v && nh < 16 &&
		    (nr == VR_SYS_VMO_CREATE || nr == VR_SYS_ENDPOINT_CREATE ||
		     nr == VR_SYS_NOTIFY_CREATE || nr == VR_SYS_HANDLE_DERIVE ||
		     nr == VR_SYS_ENDPOINT_MINT || nr == VR_SYS_PROCESS_CREATE))
			handles[nh++] = v;
	}
	vr_printf("\n");	/* end whatever line random console writes left open */
	/* Unless a random call answered or closed the saved reply, its caller still waits. */
	uint64_t st;
	vr_thread_kill(caller);
	vr_thread_wait(caller, &st);
	return 0x600d;
}

UTEST(fuzz_every_syscall_from_a_sandbox)
{
	uint64_t procs = info(INFO_PROCESSES);
	handle_t p = spawn(fuzz, 12345);

	UCHECK(p, "spawn failed");
	int64_t st = reap(p);
	UCHECK(st == 0x600d, "the fuzzer ended with %ld", st);
	uint64_t sum = 0;
	UCHECK(vr_debug_args(1, 1, 1, 1, 1, 1, &sum) == 0 && sum == 21, "the kernel is not well");
	/* Processes are freed when their last thread is reaped, just after they exit. */
	for (int i = 0; i < 200 && info(INFO_PROCESSES) != procs; i++)
		vr_thread_sleep(1000000);
	UCHECK(info(INFO_PROCESSES) == procs, "the fuzzer's process was not torn down (%lu, was %lu)",
	       info(INFO_PROCESSES), procs);
	return NULL;
}
