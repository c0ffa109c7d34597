/*
 * process_fork: copy-on-write copies of an address space, shared mappings,
 * forks of forks, parents that exit first, leaks, a fork while another thread
 * writes, futexes on pages that copy-on-write moved, and bad requests.
 */
#include "../../../roottask/utest.h"

#define PAGES 64

/* What the children see: a private region, and a shared one to talk through. */
static volatile uint64_t *priv;
static volatile uint64_t *chan;	/* VR_MAP_SHARED: [0] child's turn, [1] parent's turn, [2] result */

static const char *map_regions(void)
{
	handle_t vmo;
	uint64_t at;

	priv = vr_map_anon(PAGES * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE);
	UCHECK(priv, "map private");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	UCHECK(vr_vm_map(0, vmo, 0, 0, VR_PAGE, VR_PROT_READ | VR_PROT_WRITE | VR_MAP_SHARED, &at) == 0,
	       "map shared");
	vr_handle_close(vmo);
	chan = (volatile uint64_t *)(uintptr_t)at;
	return NULL;
}

static void unmap_regions(void)
{
	vr_unmap((void *)priv, PAGES * VR_PAGE);
	vr_unmap((void *)chan, VR_PAGE);
}

static void await(volatile uint64_t *flag)
{
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE))
		vr_thread_yield();
}

/* Every 8-byte word of page i holds @base + i. */
static bool holds(uint64_t base)
{
	for (int i = 0; i < PAGES; i++)
		for (int w = 0; w < VR_PAGE / 8; w += 101)
			if (priv[i * VR_PAGE / 8 + w] != base + i)
				return false;
	return true;
}

static void fill(uint64_t base)
{
	for (int i = 0; i < PAGES; i++)
		for (int w = 0; w < VR_PAGE / 8; w += 101)
			priv[i * VR_PAGE / 8 + w] = base + i;
}

static uint64_t cow_child(uint64_t arg)
{
	if (!holds(1000))
		return 1;	/* the content at the fork */
	fill(2000);
	__atomic_store_n(&chan[0], 1, __ATOMIC_RELEASE);
	await(&chan[1]);
	if (!holds(2000))
		return 2;	/* the parent's later writes leaked in */
	chan[2] = 0xc0ffee;	/* shared: the parent must see it */
	return 0;
}

UTEST(fork_copy_on_write_both_ways)
{
	const char *err = map_regions();
	if (err)
		return err;
	fill(1000);
	/* Sharing, not copying: the 64 written pages do not cost 64 frames at the fork. */
	handle_t c;
	UCHECK(vr_process_create(0, &c) == 0, "process_create");
	uint64_t free0 = info(INFO_FREE_FRAMES);
	UCHECK(vr_process_fork(0, c) == 0, "bare fork");
	uint64_t used = free0 - info(INFO_FREE_FRAMES);
	vr_process_kill(c, -1);
	reap(c);
	UCHECK(used < PAGES, "the fork took %lu frames at once", used);
	c = fork_run(cow_child, 0);
	UCHECK(c, "fork");
	UCHECK(holds(1000), "the parent's memory changed at the fork");
	await(&chan[0]);
	UCHECK(holds(1000), "the child's writes leaked into the parent");
	fill(3000);
	__atomic_store_n(&chan[1], 1, __ATOMIC_RELEASE);
	int64_t st = reap(c);
	UCHECK(st == 0, "child failed at step %ld", st);
	UCHECK(chan[2] == 0xc0ffee, "a write to the shared mapping did not reach the parent");
	UCHECK(holds(3000), "the parent lost its own writes");
	unmap_regions();
	return NULL;
}

static uint64_t grandchild(uint64_t arg)
{
	return holds(2000) ? 0 : 1;
}

static uint64_t middle_child(uint64_t arg)
{
	if (!holds(1000))
		return 10;
	fill(2000);
	handle_t g = fork_run(grandchild, 0);
	if (!g)
		return 11;
	fill(4000);	/* after the fork: the grandchild must not see it */
	int64_t st = reap(g);
	if (st != 0)
		return 12 + st;
	return holds(4000) ? 0 : 20;
}

UTEST(fork_of_a_fork)
{
	const char *err = map_regions();
	if (err)
		return err;
	fill(1000);
	handle_t c = fork_run(middle_child, 0);
	UCHECK(c, "fork");
	fill(5000);
	int64_t st = reap(c);
	UCHECK(st == 0, "middle child failed with %ld", st);
	UCHECK(holds(5000), "the parent's memory changed");
	unmap_regions();
	return NULL;
}

static uint64_t return_zero(uint64_t arg)
{
	return 0;
}

static uint64_t sleep_then_zero(uint64_t arg)
{
	vr_thread_sleep(arg);
	return 0;
}

/* The parent of a fork that exits at once; the child reads the pages they shared afterwards. */
static uint64_t orphan(uint64_t arg)
{
	vr_thread_sleep(20000000);
	if (!holds(1000))
		return 1;
	fill(6000);
	return holds(6000) ? 0 : 2;
}

static uint64_t fork_and_exit(uint64_t child)
{
	const char *err = map_regions();
	if (err)
		return 100;
	fill(1000);
	handle_t t;
	uint64_t *stack = vr_map_anon(4 * VR_PAGE, VR_PROT_READ | VR_PROT_WRITE);
	uint64_t *top = stack + 4 * VR_PAGE / 8 - 4;
	void _vr_thread_start(void);
	top[0] = (uint64_t)(uintptr_t)orphan;
	top[1] = 0;
	if (vr_process_fork(0, child) != 0)
		return 101;
	if (vr_process_start(child, (uint64_t)(uintptr_t)_vr_thread_start, (uint64_t)(uintptr_t)top, 0, &t))
		return 102;
	return 0;
}

UTEST(fork_parent_exits_first)
{
	handle_t p, c, given;

	reap(spawn(return_zero, 0));	/* the shared code segments are loaded on the first spawn */
	uint64_t frames = info(INFO_FREE_FRAMES);

	UCHECK(vr_process_create(0, &c) == 0, "process_create");
	UCHECK(vr_spawn_prepare(&vr_self_image, &p) == 0, "spawn");
	UCHECK(vr_process_handle_give(p, c, VR_RIGHT_MAP | VR_RIGHT_MANAGE, &given) == 0, "give");
	UCHECK(vr_spawn_start(p, fork_and_exit, given) == 0, "start");
	int64_t st = reap(p);
	UCHECK(st == 0, "the parent failed with %ld", st);
	st = reap(c);
	UCHECK(st == 0, "the orphaned child failed with %ld", st);
	for (int i = 0; i < 2000 && info(INFO_FREE_FRAMES) < frames - 16; i++)
		vr_thread_sleep(1000000);
	long leaked = (long)(frames - info(INFO_FREE_FRAMES));
	UCHECK(leaked <= 16, "%ld frames leaked", leaked);
	return NULL;
}

static uint64_t write_and_exit(uint64_t arg)
{
	fill(arg);
	return holds(arg) ? 0 : 1;
}

UTEST(fork_many_then_exit_no_leak)
{
	const char *err = map_regions();
	if (err)
		return err;
	fill(1000);
	reap(fork_run(write_and_exit, 7));	/* warm up slabs and page tables */
	settle();
	uint64_t frames = info(INFO_FREE_FRAMES), procs = info(INFO_PROCESSES);
	static handle_t kids[40];
	int made = 0, bad = 0;
	for (; made < 40; made++) {
		kids[made] = fork_run(write_and_exit, (uint64_t)made << 20);
		if (!kids[made])
			break;
		if (made % 2)
			fill(1000 + made);	/* the parent writes between the forks too */
	}
	for (int i = 0; i < made; i++)
		bad += reap(kids[i]) != 0;
	UCHECK(made == 40, "only %d forks", made);
	UCHECK(bad == 0, "%d children saw the wrong memory", bad);
	UCHECK(holds(1000 + 39), "the parent's memory is wrong");
	for (int i = 0; i < 2000 && info(INFO_PROCESSES) != procs; i++)
		vr_thread_sleep(1000000);
	UCHECK(info(INFO_PROCESSES) == procs, "%ld processes leaked", (long)(info(INFO_PROCESSES) - procs));
	long leaked = (long)(frames - info(INFO_FREE_FRAMES));
	UCHECK(leaked <= 16, "%ld frames leaked", leaked);
	unmap_regions();
	return NULL;
}

/* SMP: one thread writes rounds of a counter over every page while the other forks. */
static volatile uint64_t stop_writing, rounds;

static uint64_t writer(uint64_t arg)
{
	for (uint64_t n = 1; !__atomic_load_n(&stop_writing, __ATOMIC_ACQUIRE); n++) {
		for (int i = 0; i < PAGES; i++) {
			priv[i * VR_PAGE / 8] = n;
			if (priv[i * VR_PAGE / 8] != n)
				return 1;	/* a write of ours went missing */
		}
		rounds = n;
	}
	return 0;
}

/*
 * The child's copy holds rounds the writer had written, and no write the
 * writer makes once the fork has returned ever reaches it.
 */
static uint64_t check_snapshot(uint64_t arg)
{
	static uint64_t seen[PAGES];

	for (int i = 0; i < PAGES; i++)
		if ((seen[i] = priv[i * VR_PAGE / 8]) == 0)
			return 1;
	vr_thread_sleep(2000000);
	for (int i = 0; i < PAGES; i++)
		if (priv[i * VR_PAGE / 8] != seen[i])
			return 2;
	for (int i = 0; i < PAGES; i++)
		priv[i * VR_PAGE / 8] = 0;	/* ours alone */
	return 0;
}

UTEST(fork_while_another_thread_writes)
{
	const char *err = map_regions();
	if (err)
		return err;
	handle_t w;
	stop_writing = rounds = 0;
	UCHECK(vr_thread_create_on(writer, 0, 1, &w) == 0, "thread_create");
	UCHECK(vr_thread_start(w) == 0, "thread_start");
	while (rounds < 2)
		vr_thread_yield();
	int bad = 0, n = 0;
	for (; n < 20; n++) {
		handle_t c = fork_run(check_snapshot, 0);
		UCHECK(c, "fork %d", n);
		bad += reap(c) != 0;
	}
	__atomic_store_n(&stop_writing, 1, __ATOMIC_RELEASE);
	uint64_t st = 0;
	UCHECK(vr_thread_wait(w, &st) == 0, "thread_wait");
	vr_handle_close(w);
	UCHECK(st == 0, "the writer lost a write");
	UCHECK(bad == 0, "%d of %d children saw a torn snapshot", bad, n);
	uint64_t last = rounds;
	for (int i = 0; i < PAGES; i++)
		UCHECK(priv[i * VR_PAGE / 8] == last, "page %d holds %lu, not the last round %lu", i,
		       priv[i * VR_PAGE / 8], last);
	unmap_regions();
	return NULL;
}

/* A futex waiter from before a fork still wakes after the page moved (copy-on-write). */
static volatile uint32_t *word;
static volatile uint64_t woke;

static uint64_t futex_waiter(uint64_t arg)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 0)
		vr_futex_wait((uint32_t *)word, 0, 0);
	woke = 1;
	return 0;
}


UTEST(fork_futex_on_a_moved_page)
{
	const char *err = map_regions();
	if (err)
		return err;
	word = (volatile uint32_t *)&priv[8];
	*word = 0;
	woke = 0;
	handle_t t;
	UCHECK(vr_thread_create_on(futex_waiter, 0, 1, &t) == 0 && vr_thread_start(t) == 0, "thread_create");
	vr_thread_sleep(10000000);	/* let it wait */
	handle_t c = fork_run(sleep_then_zero, 50000000);
	UCHECK(c, "fork");
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);	/* moves the page: the child has it too */
	uint64_t n = 0;
	UCHECK(vr_futex_wake((uint32_t *)word, 1, &n) == 0, "futex_wake");
	UCHECK(reap(c) == 0, "child");
	for (int i = 0; i < 200 && !woke; i++)
		vr_thread_sleep(1000000);
	UCHECK(woke, "the waiter never woke");
	uint64_t st;
	vr_thread_wait(t, &st);
	vr_handle_close(t);
	/* After a write: a futex on the moved page works as before. */
	*word = 0;
	woke = 0;
	UCHECK(vr_thread_create_on(futex_waiter, 0, 1, &t) == 0 && vr_thread_start(t) == 0, "thread_create");
	vr_thread_sleep(10000000);
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	UCHECK(vr_futex_wake((uint32_t *)word, 1, &n) == 0, "futex_wake");
	for (int i = 0; i < 200 && !woke; i++)
		vr_thread_sleep(1000000);
	UCHECK(woke, "the second waiter never woke");
	vr_thread_wait(t, &st);
	vr_handle_close(t);
	unmap_regions();
	return NULL;
}

UTEST(fork_bad_requests)
{
	handle_t c, running, vmo;
	uint64_t at;

	UCHECK(vr_process_create(0, &c) == 0, "process_create");
	UCHECK(vr_process_fork(0, 0x5a5a5a5a5a5a5a5bull) == -VR_EBADF, "forged to");
	UCHECK(vr_process_fork(0x5a5a5a5a5a5a5a5bull, c) == -VR_EBADF, "forged from");
	UCHECK(vr_process_fork(c, c) == -VR_EINVAL, "from = to");
	UCHECK(vr_process_fork(0, vr_self) == -VR_EINVAL, "into ourselves");
	running = spawn(sleep_then_zero, 20000000);
	UCHECK(running, "spawn");
	int64_t r = vr_process_fork(0, running);
	reap(running);
	UCHECK(r == -VR_EBUSY, "into a started process: %ld", r);
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo");
	UCHECK(vr_vm_map(c, vmo, 0x40000000, 0, VR_PAGE, VR_PROT_READ, &at) == 0, "map");
	vr_handle_close(vmo);
	UCHECK(vr_process_fork(0, c) == -VR_EBUSY, "into a process with a mapping");
	UCHECK(vr_vm_map(0, 0, 0, 0, VR_PAGE, VR_PROT_READ | 0x200, &at) == -VR_EINVAL, "bad map flag");
	vr_process_kill(c, -1);
	reap(c);
	UCHECK(vr_process_create(0, &c) == 0, "process_create");
	vr_process_kill(c, -1);	/* nothing started: it ends at once */
	UCHECK(vr_process_fork(0, c) == -VR_ESRCH, "into a dead process");
	reap(c);
	/* From a process that has ended. */
	handle_t dead = spawn(return_zero, 0);
	uint64_t st;
	UCHECK(dead && vr_process_wait(dead, &st) == 0, "spawn");
	UCHECK(vr_process_create(0, &c) == 0, "process_create");
	UCHECK(vr_process_fork(dead, c) == -VR_ESRCH, "from a dead process");
	vr_handle_close(dead);
	vr_handle_close(c);
	return NULL;
}

/*
 * Out of memory half way through a fork: memory a handle still names is
 * copied at once, so forks of 48 MiB of it run out within 256 MiB. The fork
 * that fails leaves its child empty and killable and the parent's memory as
 * it was; nothing leaks.
 */
static uint64_t fork_until_out_of_memory(uint64_t unused)
{
	const uint64_t size = 48ull << 20;
	static handle_t kids[16];
	handle_t vmo;
	uint64_t at;

	if (vr_vmo_create(size, 0, &vmo) || vr_vm_map(0, vmo, 0, 0, size, VR_PROT_READ | VR_PROT_WRITE, &at))
		return 1;
	volatile uint64_t *m = (volatile uint64_t *)(uintptr_t)at;
	for (uint64_t off = 0; off < size; off += VR_PAGE)
		m[off / 8] = off;
	int n = 0;
	int64_t err = 0;
	for (; n < 16 && !err; n++) {
		if (vr_process_create(0, &kids[n]))
			return 2;
		err = vr_process_fork(0, kids[n]);
	}
	if (err != -VR_ENOMEM)
		return 3;
	uint64_t st;
	for (int i = 0; i < n; i++) {
		if (vr_process_kill(kids[i], -1) || vr_process_wait(kids[i], &st))
			return 4;
		vr_handle_close(kids[i]);
	}
	for (uint64_t off = 0; off < size; off += VR_PAGE)
		if (m[off / 8] != off)
			return 5;
	for (uint64_t off = 0; off < size; off += VR_PAGE)
		m[off / 8] = ~off;
	vr_handle_close(vmo);
	return 0;
}

UTEST(fork_out_of_memory_half_way)
{
	reap(spawn(return_zero, 0));	/* the shared code segments are loaded on the first spawn */
	settle();
	uint64_t frames = info(INFO_FREE_FRAMES), procs = info(INFO_PROCESSES);
	handle_t p = spawn(fork_until_out_of_memory, 0);

	UCHECK(p, "spawn");
	int64_t st = reap(p);
	UCHECK(st == 0, "the forking process failed at step %ld", st);
	for (int i = 0; i < 2000 && (info(INFO_PROCESSES) != procs || info(INFO_FREE_FRAMES) + 16 < frames); i++)
		vr_thread_sleep(1000000);
	UCHECK(info(INFO_PROCESSES) == procs, "%ld processes leaked", (long)(info(INFO_PROCESSES) - procs));
	long leaked = (long)(frames - info(INFO_FREE_FRAMES));
	UCHECK(leaked <= 16, "%ld frames leaked", leaked);
	return NULL;
}
