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
 * A PROC_SPAWN of @path (no fds, argv = {path}) whose header says @nh
 * handles with @rights, carrying the @ncaps handles of @caps (copied); the
 * kernel's error or the server's answer.
 */
static int64_t spawn_handles(const char *path, uint32_t nh, uint64_t rights, const handle_t *caps,
			     unsigned ncaps, uint32_t reserved)
{
	char *buf = ipc_buffer();
	struct proc_spawn h = {.argc = 1, .nhandles = nh, .reserved = reserved, .umask = 022};
	size_t n = strlen(path) + 1, at = sizeof(h);

	for (unsigned i = 0; i < 3; i++)
		h.handle_rights[i] = rights;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + at, path, n), at += n;
	memcpy(buf + at, path, n), at += n;
	uint64_t msg[8] = {VR_TAG(PROC_SPAWN, ncaps) | VR_TAG_CAPS(ncaps) | VR_TAG_LONG(at)};
	for (unsigned i = 0; i < ncaps; i++)
		msg[1 + i] = caps[i];
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
	UCHECK(spawn_handles(check, 3, 1ull << 20, caps, 3, 0) == -VR_EINVAL, "an unknown right");
	UCHECK(spawn_handles(check, 1, VR_RIGHT_MANAGE, caps, 1, 1) == -VR_EINVAL, "reserved set");
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
