/*
 * The proc server keeps serving after 3000 random requests through the root
 * task's capability: random labels (the internal ones and unknown ones
 * included), words, long parts and stray capabilities. Requests that would
 * rightly change the system or wait are tamed (kills aim at pids that do not
 * exist, waits do not wait, the root task's group and session stay). Then it
 * still answers getpid and a real wait. Then long spawn requests in a VMO
 * (PROC_SPAWN_BIG) that are malformed: each gets its error.
 */
#include "../../../../posix/proto/proc.h"
#include "../../../../roottask/posix.h"
#include "../../../../roottask/utest.h"
#include "ipcbuf.h"

#define WNOHANG_ 1
#define ECHILD_ 10
#define PID_FAR 20000 /* beyond any pid the tests reach */

UTEST_POSIX(proc_survives_random_requests)
{
	uint64_t seed = 0x9e0c, msg[8];
	handle_t vmo;

	UCHECK(posix_proc && ipc_buffer(), "no proc server or IPC buffer");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo");
	for (int i = 0; i < 3000; i++) {
		unsigned words = (unsigned)(rnd(&seed) % 8);
		uint32_t label = (uint32_t)(rnd(&seed) % 110);
		for (unsigned w = 1; w < 8; w++)
			msg[w] = rnd(&seed) % 4 ? rnd(&seed) % 64 : rnd(&seed);
		switch (label) {
		case PROC_KILL:
			/* Only pids and groups that do not exist. */
			msg[1] = (uint64_t)(rnd(&seed) % 2 ? 1 : -1) *
				 (int64_t)(PID_FAR + rnd(&seed) % 1000);
			words = words < 1 ? 1 : words;
			break;
		case PROC_WAIT:
			msg[2] |= WNOHANG_;
			words = words < 2 ? 2 : words;
			break;
		case PROC_SIGTAKE: msg[2] = 0; break;
		case PROC_SETPGID:
		case PROC_SETSID: label = PROC_GETPID; break;
		default: break;
		}
		msg[0] = VR_TAG(label, words);
		if (rnd(&seed) % 3 == 0) {
			size_t len = rnd(&seed) % (VR_PAGE + 1);
			char *b = ipc_buffer();
			for (size_t k = 0; k < len; k++)
				b[k] = (char)(rnd(&seed) % 4 ? "/a\0"[rnd(&seed) % 3] : rnd(&seed));
			msg[0] |= VR_TAG_LONG(len);
		}
		/* A stray capability may not replace a word that tames the request. */
		bool tamed = label == PROC_KILL || label == PROC_WAIT || label == PROC_SIGTAKE;
		if (words > (tamed ? 2u : 0u) && rnd(&seed) % 10 == 0) {
			handle_t copy;
			if (vr_handle_derive(vmo,
					     VR_RIGHT_READ | VR_RIGHT_TRANSFER | VR_RIGHT_DUPLICATE,
					     &copy) == 0) {
				msg[words] = copy;
				msg[0] |= VR_TAG_CAPS(1) | VR_TAG_MOVE_CAPS;
			}
		}
		bool caps = msg[0] & VR_TAG_CAPS(3);
		int64_t err = vr_ipc_call(posix_proc, msg);
		if (caps && err == -VR_EACCES) {
			vr_handle_close(msg[words]);
			continue; /* without GRANT the kernel refuses the handle */
		}
		UCHECK(err == 0, "request %d (label %u) got no answer: %ld", i, label, err);
	}
	/* Still serving: the root task's pid, and a wait with no children. */
	msg[0] = VR_TAG(PROC_GETPID, 0);
	UCHECK(vr_ipc_call(posix_proc, msg) == 0 && msg[1] == 0, "getpid after: %ld",
	       (int64_t)msg[1]);
	msg[0] = VR_TAG(PROC_WAIT, 2);
	msg[1] = (uint64_t)-1;
	msg[2] = WNOHANG_;
	UCHECK(vr_ipc_call(posix_proc, msg) == 0 && (int64_t)msg[1] == -ECHILD_, "wait after: %ld",
	       (int64_t)msg[1]);
	vr_handle_close(vmo);
	return NULL;
}

/* A PROC_SPAWN of @len bytes in a VMO handle @cap (moved); the answer. */
static int64_t spawn_big(handle_t cap, uint64_t len)
{
	uint64_t msg[8] = {VR_TAG(PROC_SPAWN, 2) | VR_TAG_CAPS(1) | VR_TAG_MOVE_CAPS, len, cap};

	int64_t err = vr_ipc_call(posix_proc, msg);
	return err ? err : (int64_t)msg[1];
}

UTEST_POSIX(proc_long_spawn_requests_malformed)
{
	handle_t vmo, ep;
	const uint64_t size = 3 * VR_PAGE;
	static char junk[3 * VR_PAGE];
	struct proc_spawn h = {.argc = 1};

	UCHECK(posix_proc && ipc_buffer(), "no proc server or IPC buffer");
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(0xff - i % 7);
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo");
	UCHECK(spawn_big(vmo, 2 * VR_PAGE) == -22, "a VMO shorter than the length: EINVAL");
	UCHECK(vr_vmo_create(size, 0, &vmo) == 0 && vr_vmo_write(vmo, junk, 0, size) == 0, "vmo");
	UCHECK(spawn_big(vmo, size) == -22, "garbage: EINVAL");
	UCHECK(vr_vmo_create(size, 0, &vmo) == 0, "vmo");
	UCHECK(spawn_big(vmo, PROC_SPAWN_BIG + 1) == -7, "longer than PROC_SPAWN_BIG: E2BIG");
	UCHECK(vr_vmo_create(size, 0, &vmo) == 0, "vmo");
	UCHECK(spawn_big(vmo, 100) == -22, "short enough for the IPC buffer: EINVAL");
	/* A header, then a path and an argument without their NULs. */
	memcpy(junk, &h, sizeof(h));
	memset(junk + sizeof(h), 'a', size - sizeof(h));
	UCHECK(vr_vmo_create(size, 0, &vmo) == 0 && vr_vmo_write(vmo, junk, 0, size) == 0, "vmo");
	UCHECK(spawn_big(vmo, size) == -22, "strings without NUL: EINVAL");
	/* Not a VMO at all. */
	UCHECK(vr_endpoint_create(&ep) == 0, "endpoint");
	UCHECK(spawn_big(ep, size) == -22, "an endpoint for a VMO: EINVAL");
	uint64_t msg[8] = {VR_TAG(PROC_GETPID, 0)};
	UCHECK(vr_ipc_call(posix_proc, msg) == 0 && msg[1] == 0, "getpid after: %ld", (int64_t)msg[1]);
	return NULL;
}

#define IRQ_LINE 13 /* a line no device of the three machines uses */
#define ENOENT_ 2

/*
 * A PROC_SPAWN of @path (argv = {path, @arg} without NULL, else {path}; no
 * fds) whose header says @nh handles with @rights (handle 0 with @rights0
 * when not 0) from stage @stage and the @ncaps handles of @caps (copied);
 * the kernel's error or the server's answer.
 */
static int64_t spawn_staged(const char *path, const char *arg, uint32_t nh, uint64_t rights0,
			    uint64_t rights, const handle_t *caps, unsigned ncaps, uint32_t stage)
{
	char *buf = ipc_buffer();
	struct proc_spawn h = {.argc = arg ? 2 : 1, .nhandles = nh, .stage = stage, .umask = 022};
	size_t n = strlen(path) + 1, at = sizeof(h);

	for (unsigned i = 0; i < PROC_SPAWN_HANDLES; i++)
		h.handle_rights[i] = rights;
	if (rights0)
		h.handle_rights[0] = rights0;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + at, path, n), at += n;
	memcpy(buf + at, path, n), at += n;
	if (arg)
		memcpy(buf + at, arg, strlen(arg) + 1), at += strlen(arg) + 1;
	uint64_t msg[8] = {VR_TAG(PROC_SPAWN, ncaps) | VR_TAG_CAPS(ncaps) | VR_TAG_LONG(at)};
	for (unsigned i = 0; i < ncaps; i++)
		msg[1 + i] = caps[i];
	int64_t err = vr_ipc_call(posix_proc, msg);
	return err ? err : (int64_t)msg[1];
}

static int64_t spawn_handles(const char *path, uint32_t nh, uint64_t rights, const handle_t *caps,
			     unsigned ncaps, uint32_t stage)
{
	return spawn_staged(path, NULL, nh, 0, rights, caps, ncaps, stage);
}

/*
 * A stage message (proto/proc.h, PROC_SPAWN_STAGE): the @n handles of @caps
 * (copied) for stage @stage (0: a new one); n = 0 drops it. The stage's id,
 * or the kernel's or the server's error.
 */
static int64_t stage(uint64_t stage, const handle_t *caps, unsigned n)
{
	uint64_t msg[8] = {VR_TAG(PROC_SPAWN, 2 + n) | VR_TAG_CAPS(n), PROC_SPAWN_STAGE, stage};

	for (unsigned i = 0; i < n; i++)
		msg[3 + i] = caps[i];
	int64_t err = vr_ipc_call(posix_proc, msg);
	return err ? err : (int64_t)msg[1];
}

/* Whether IRQ_LINE is free: no handle of its IRQ is left anywhere (it binds again). */
static bool line_free(handle_t n)
{
	handle_t irq;

	if (vr_irq_bind(root_info->resource, IRQ_LINE, n, 1, &irq))
		return false;
	vr_handle_close(irq);
	return true;
}

/*
 * Native handles in spawn requests (proto/proc.h, PROC_SPAWN_HANDLES): a
 * forged handle and one without TRANSFER are refused by the kernel; a count
 * that is not the message's, rights that do not exist, a reserved word and a
 * program that is not there get their errors from the server, which keeps
 * none of the copies it got (the IRQ's line is free once ours is closed). A
 * good request gives the child the IRQ with the rights asked
 * (/libexec/initcheck spawned checks them); once it has ended the line is free.
 */
UTEST_POSIX(proc_spawn_handles)
{
	const char *check = "/libexec/initcheck";
	handle_t n, irq, weak, caps[3];
	int wstatus = -1;

	UCHECK(posix_proc && ipc_buffer(), "no proc server or IPC buffer");
	UCHECK(vr_notify_create(&n) == 0, "notify_create");
	UCHECK(vr_irq_bind(root_info->resource, IRQ_LINE, n, 1, &irq) == 0, "irq_bind");
	caps[0] = caps[1] = caps[2] = irq;
	UCHECK(spawn_handles(check, 1, VR_RIGHT_MANAGE, (handle_t[]){irq ^ 0x5a5a00000000ull}, 1,
			     0) == -VR_EBADF,
	       "a forged handle");
	UCHECK(vr_handle_derive(irq, VR_RIGHT_MANAGE | VR_RIGHT_DUPLICATE, &weak) == 0, "derive");
	UCHECK(spawn_handles(check, 1, VR_RIGHT_MANAGE, &weak, 1, 0) == -VR_EACCES,
	       "a handle without TRANSFER");
	vr_handle_close(weak);
	UCHECK(spawn_handles(check, 2, VR_RIGHT_MANAGE, caps, 1, 0) == -VR_EINVAL, "2 said, 1 sent");
	UCHECK(spawn_handles(check, 1, VR_RIGHT_MANAGE, caps, 0, 0) == -VR_EINVAL, "1 said, 0 sent");
	UCHECK(spawn_handles(check, 4, VR_RIGHT_MANAGE, caps, 3, 0) == -VR_EINVAL, "4 said, 3 sent");
	UCHECK(spawn_handles(check, 17, VR_RIGHT_MANAGE, caps, 3, 0) == -VR_EINVAL, "17 said, 3 sent");
	UCHECK(spawn_handles(check, 3, 1ull << 20, caps, 3, 0) == -VR_EINVAL, "an unknown right");
	UCHECK(spawn_handles(check, 1, VR_RIGHT_MANAGE, caps, 1, 1) == -VR_EINVAL, "a stage never made");
	UCHECK(spawn_handles("/nonexistent", 3, VR_RIGHT_MANAGE, caps, 3, 0) == -ENOENT_,
	       "no such program");
	vr_handle_close(irq);
	UCHECK(line_free(n), "the server kept a copy of a refused request's handle");
	/* A good one: the child gets the IRQ (MANAGE only), checks it, and ends. */
	UCHECK(vr_irq_bind(root_info->resource, IRQ_LINE, n, 1, &irq) == 0, "irq_bind again");
	const char *path = "/libexec/initcheck\0spawned";
	char *buf = ipc_buffer();
	struct proc_spawn h = {.argc = 2, .nhandles = 1, .umask = 022};
	h.handle_rights[0] = VR_RIGHT_MANAGE;
	size_t at = sizeof(h);
	memcpy(buf, &h, at);
	memcpy(buf + at, path, 19), at += 19;
	memcpy(buf + at, path, 27), at += 27;
	uint64_t msg[8] = {VR_TAG(PROC_SPAWN, 1) | VR_TAG_CAPS(1) | VR_TAG_LONG(at), irq};
	UCHECK(vr_ipc_call(posix_proc, msg) == 0 && (int64_t)msg[1] > 1, "spawn: %ld",
	       (long)msg[1]);
	int64_t pid = (int64_t)msg[1];
	UCHECK(posix_wait(pid, &wstatus) == pid && wstatus == 0,
	       "initcheck spawned: wait status %#x", wstatus);
	vr_handle_close(irq);
	UCHECK(line_free(n), "the child's or the server's copy outlived the child");
	vr_handle_close(n);
	msg[0] = VR_TAG(PROC_GETPID, 0);
	UCHECK(vr_ipc_call(posix_proc, msg) == 0 && msg[1] == 0, "getpid after: %ld", (long)msg[1]);
	return NULL;
}

/*
 * Handles sent ahead in stages (proto/proc.h, PROC_SPAWN_STAGE), counted:
 * the kernel's capability count is back where it was after a stage is
 * dropped, overfilled (-E2BIG), refused in the middle by the kernel (a
 * forged handle: the stage keeps what it had, and the spawn that names it
 * fails and uses it up), or named by a request that fails (a count that is
 * not the stage's and the message's, a missing program); a fifth stage is
 * -EAGAIN. Then sixteen handles (15 staged, one in the message) reach
 * /libexec/initcheck, which checks each; once it has ended, nothing of
 * them is left (count, and the IRQ's line binds again).
 */
UTEST_POSIX(proc_spawn_stages)
{
	handle_t n, irq, vmo, caps[3], st[PROC_SPAWN_STAGES];
	int wstatus = -1;

	UCHECK(posix_proc && ipc_buffer(), "no proc server or IPC buffer");
	UCHECK(vr_notify_create(&n) == 0, "notify_create");
	UCHECK(vr_irq_bind(root_info->resource, IRQ_LINE, n, 1, &irq) == 0, "irq_bind");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo_create");
	caps[0] = caps[1] = caps[2] = irq;
	settle();
	uint64_t base = info(INFO_CAPS);

	int64_t s = stage(0, caps, 3);
	UCHECK(s > 0, "a new stage: %ld", (long)s);
	UCHECK(info(INFO_CAPS) == base + 3, "three staged: %ld more", (long)(info(INFO_CAPS) - base));
	UCHECK(stage((uint64_t)s, caps, 3) == s, "the stage again");
	UCHECK(stage((uint64_t)s, NULL, 0) == 0, "drop");
	UCHECK(info(INFO_CAPS) == base, "dropped: %ld left", (long)(info(INFO_CAPS) - base));
	UCHECK(stage((uint64_t)s, NULL, 0) == -VR_EINVAL, "dropped twice");
	UCHECK(stage(0, NULL, 0) == -VR_EINVAL, "a drop of stage 0");
	UCHECK(stage(1ull << 40, caps, 1) == -VR_EINVAL, "a stage id past 32 bits");
	UCHECK(info(INFO_CAPS) == base, "refused stage messages left %ld", (long)(info(INFO_CAPS) - base));

	/* Seventeen: -E2BIG, and the stage is gone. */
	s = stage(0, caps, 3);
	for (int i = 0; i < 4; i++)
		UCHECK(stage((uint64_t)s, caps, 3) == s, "stage %d", i);
	UCHECK(stage((uint64_t)s, caps, 2) == -VR_E2BIG, "seventeen handles staged");
	UCHECK(stage((uint64_t)s, NULL, 0) == -VR_EINVAL, "the overfull stage is still there");
	UCHECK(info(INFO_CAPS) == base, "overfull: %ld left", (long)(info(INFO_CAPS) - base));

	/* At most four stages at once. */
	for (int i = 0; i < PROC_SPAWN_STAGES; i++)
		UCHECK((int64_t)(st[i] = (handle_t)stage(0, caps, 1)) > 0, "stage %d", i);
	UCHECK(stage(0, caps, 1) == -VR_EAGAIN, "a fifth stage");
	for (int i = 0; i < PROC_SPAWN_STAGES; i++)
		UCHECK(stage(st[i], NULL, 0) == 0, "drop %d", i);
	UCHECK(info(INFO_CAPS) == base, "four stages: %ld left", (long)(info(INFO_CAPS) - base));

	/* A failure in the middle: the kernel refuses the forged handle, nothing of it moves. */
	s = stage(0, caps, 3);
	UCHECK(stage((uint64_t)s, (handle_t[]){irq, irq ^ 0x5a5a00000000ull}, 2) == -VR_EBADF,
	       "a forged handle staged");
	UCHECK(info(INFO_CAPS) == base + 3, "after the refused message: %ld more",
	       (long)(info(INFO_CAPS) - base));
	UCHECK(spawn_staged("/nonexistent", NULL, 3, 0, VR_RIGHT_MANAGE, NULL, 0, (uint32_t)s) ==
		   -ENOENT_,
	       "a missing program with a stage");
	UCHECK(stage((uint64_t)s, NULL, 0) == -VR_EINVAL, "a failed spawn left its stage");
	UCHECK(info(INFO_CAPS) == base, "failed spawn: %ld left", (long)(info(INFO_CAPS) - base));
	s = stage(0, caps, 3);
	UCHECK(spawn_staged("/libexec/initcheck", NULL, 5, 0, VR_RIGHT_MANAGE, caps, 1, (uint32_t)s) ==
		   -VR_EINVAL,
	       "5 said, 3 staged and 1 sent");
	UCHECK(info(INFO_CAPS) == base, "miscounted spawn: %ld left", (long)(info(INFO_CAPS) - base));
	vr_handle_close(irq);
	UCHECK(line_free(n), "the server kept a copy of a staged handle");

	/* Sixteen: the IRQ first (MANAGE only), then fifteen copies of the VMO (READ only). */
	UCHECK(vr_irq_bind(root_info->resource, IRQ_LINE, n, 1, &irq) == 0, "irq_bind again");
	/* A child first, so the server's watcher for the next one is there before we count. */
	int64_t warm = spawn_staged("/libexec/initcheck", "usage", 0, 0, 0, NULL, 0, 0);
	UCHECK(warm > 1 && posix_wait(warm, &wstatus) == warm, "a child without handles: %ld",
	       (long)warm);
	settle();
	base = info(INFO_CAPS);
	handle_t all[PROC_SPAWN_HANDLES] = {irq};
	for (int i = 1; i < PROC_SPAWN_HANDLES; i++)
		all[i] = vmo;
	s = 0;
	for (int i = 0; i < 15; i += 3)
		UCHECK((s = stage((uint64_t)s, all + i, 3)) > 0, "stage at %d: %ld", i, (long)s);
	int64_t pid = spawn_staged("/libexec/initcheck", "spawned16", 16, VR_RIGHT_MANAGE,
				   VR_RIGHT_READ, all + 15, 1, (uint32_t)s);
	UCHECK(pid > 1, "spawn with sixteen handles: %ld", (long)pid);
	UCHECK(posix_wait(pid, &wstatus) == pid && wstatus == 0,
	       "initcheck spawned16: wait status %#x", wstatus);
	UCHECK(stage((uint64_t)s, NULL, 0) == -VR_EINVAL, "the spawn left its stage");
	settle();
	UCHECK(info(INFO_CAPS) == base, "after the child: %ld left", (long)(info(INFO_CAPS) - base));
	vr_handle_close(irq);
	UCHECK(line_free(n), "the child's or the server's copy outlived the child");
	vr_handle_close(vmo);
	vr_handle_close(n);
	return NULL;
}
