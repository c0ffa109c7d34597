/*
 * The vfs server's remote mounts (proto/vfs.h, "Remote file systems") under
 * malformed use: bad mounts; an owner that answers a client's forwarded
 * requests with wrong tags, random results, words, long parts and stray
 * capabilities; 3000 random VFS_REMOTE_* requests from the owner, a stranger
 * and through the mount's GRANT capability. Every client request still gets
 * exactly one answer, nothing waits for ever, and afterwards the server
 * serves; ending the owner's session removes the mount.
 */
#include "../../../../posix/proto/vfs.h"
#include "../../../../roottask/posix.h"
#include "../../../../roottask/utest.h"
#include "ipcbuf.h"

#define DIR "/tmp/remote.fuzz"
#define CLIENT_REQUESTS 200
#define O_RDWR_ 2

static void *main_buf;

static int64_t call_path(handle_t ep, void *buf, uint32_t op, uint64_t w1, uint64_t w2,
			 const char *path, uint64_t msg[8])
{
	size_t len = path ? strlen(path) + 1 : 0;

	memset(msg, 0, 8 * sizeof(uint64_t));
	msg[0] = VR_TAG(op, 3) | (len ? VR_TAG_LONG(len) : 0);
	msg[1] = w1;
	msg[2] = w2;
	if (len)
		memcpy(buf, path, len);
	return vr_ipc_call(ep, msg);
}

static int64_t new_session(handle_t *cap, uint64_t *number)
{
	uint64_t msg[8] = {VR_TAG(VFS_SESSION_NEW, 3), 0, 0, 0};
	int64_t err = vr_ipc_call(posix_vfs_admin, msg);

	if (!err && (int64_t)msg[1] < 0)
		err = (int64_t)msg[1];
	*number = msg[1];
	*cap = msg[3];
	return err;
}

/* ---- the client thread: path requests on the mount, and file requests on what opens ---- */

struct client {
	handle_t ep;
	volatile int done;
	int unanswered; /* calls that got no answer from the server (kernel errors) */
	int bad;	/* answers out of range */
};

static uint64_t client(uint64_t arg)
{
	struct client *c = (struct client *)(uintptr_t)arg;
	void *buf = ipc_buffer_new();
	uint64_t seed = 0xc11e47, msg[8];
	static const uint32_t path_ops[] = {VFS_OPEN, VFS_STATAT, VFS_READLINK, VFS_ACCESS};
	static const uint32_t file_ops[] = {VFS_READ,  VFS_STAT, VFS_GETDENTS,
					    VFS_IOCTL, VFS_MMAP, VFS_WRITE};

	if (!buf) {
		c->unanswered = -1;
		c->done = 1;
		return 0;
	}
	for (int i = 0; i < CLIENT_REQUESTS; i++) {
		uint32_t op = path_ops[rnd(&seed) % 4];
		int64_t err = call_path(c->ep, buf, op, VFS_AT_CWD, op == VFS_OPEN ? O_RDWR_ : 0,
					i % 2 ? DIR "/x" : DIR "/a/b/../c", msg);
		if (err) {
			c->unanswered++;
			continue;
		}
		int64_t r = (int64_t)msg[1];
		if (r < -4095)
			c->bad++;
		if (op != VFS_OPEN || r < 0)
			continue;
		/* A file the owner opened (whatever it answered): every request on it is forwarded.
		 */
		uint64_t id = (uint64_t)r;
		for (unsigned k = 0; k < 6; k++) {
			memset(msg, 0, 8 * sizeof(uint64_t));
			msg[0] = VR_TAG(file_ops[k], 3);
			msg[1] = id;
			msg[2] = file_ops[k] == VFS_READ || file_ops[k] == VFS_GETDENTS ? 64 : 0;
			if (file_ops[k] == VFS_IOCTL) {
				msg[2] = 0xc0085601; /* _IOWR('V', 1, 8 bytes) */
				msg[0] |= VR_TAG_LONG(8);
			}
			if (file_ops[k] == VFS_WRITE)
				msg[0] |= VR_TAG_LONG(5);
			if ((err = vr_ipc_call(c->ep, msg)))
				c->unanswered++;
			else if ((int64_t)msg[1] < -4095)
				c->bad++;
			/* A VMO or any capability that came back: not kept. */
			unsigned words = msg[0] & 15, caps = (msg[0] >> 4) & 3;
			for (unsigned j = 0; !err && j < caps && caps <= words; j++)
				vr_handle_close(msg[1 + words - caps + j]);
		}
		msg[0] = VR_TAG(VFS_CLOSE, 1);
		msg[1] = id;
		vr_ipc_call(c->ep, msg);
	}
	c->done = 1;
	return 0;
}

/*
 * Answers the forwarded request @tag through @ep: first up to two bogus
 * answers (a wrong mount or tag), then the real one with a random result,
 * words, long part and maybe a stray capability. Should the real one be
 * refused, a plain -EIO answers it, so the client never waits for ever.
 */
static void answer_randomly(handle_t ep, handle_t grant, uint64_t mount, uint64_t tag,
			    uint64_t *seed, handle_t vmo)
{
	uint64_t msg[8];
	unsigned bogus = (unsigned)(rnd(seed) % 3);

	for (unsigned k = 0; k <= bogus; k++) {
		bool real = k == bogus;
		msg[0] = VR_TAG(VFS_REMOTE_ANSWER, 6);
		msg[1] = real || rnd(seed) % 2 ? mount : mount + 1 + rnd(seed) % 70;
		msg[2] = real ? tag : tag + 1 + rnd(seed) % 5;
		msg[3] = rnd(seed) % 3	 ? rnd(seed) % 200
			 : rnd(seed) % 2 ? (uint64_t) - (int64_t)(rnd(seed) % 5000)
					 : rnd(seed);
		msg[4] = rnd(seed) % 2 ? 1 + rnd(seed) % 4 : rnd(seed);
		msg[5] = rnd(seed) % 2 ? 0040000 : rnd(seed);
		msg[6] = rnd(seed);
		if (rnd(seed) % 2) {
			size_t len = rnd(seed) % 4 ? rnd(seed) % 160 : rnd(seed) % (VR_PAGE + 1);
			char *b = main_buf;
			for (size_t i = 0; i < len; i++)
				b[i] = (char)rnd(seed);
			msg[0] |= VR_TAG_LONG(len);
		}
		handle_t through = ep, copy = 0;
		if (rnd(seed) % 4 == 0 &&
		    vr_handle_derive(
			vmo, VR_RIGHT_READ | VR_RIGHT_MAP | VR_RIGHT_TRANSFER | VR_RIGHT_DUPLICATE,
			&copy) == 0) {
			msg[0] = (msg[0] & ~(uint64_t)15) | 7 | VR_TAG_CAPS(1) | VR_TAG_MOVE_CAPS;
			msg[7] = copy;
			through = grant;
		}
		int64_t err = vr_ipc_call(through, msg);
		if (err && copy)
			vr_handle_close(copy);
		if (real && (err || msg[1] != 0)) {
			uint64_t plain[8] = {VR_TAG(VFS_REMOTE_ANSWER, 3), mount, tag,
					     (uint64_t)-5 /* EIO */};
			vr_ipc_call(ep, plain);
		}
	}
}

UTEST_POSIX(vfs_remote_mounts_survive_malformed_use)
{
	handle_t own, other, vmo, grant = 0, t;
	uint64_t n_own, n_other, msg[8], seed = 0x4e40735, mount;
	struct client c = {0};

	UCHECK(posix_vfs_admin && (main_buf = ipc_buffer_new()), "no vfs server or IPC buffer");
	UCHECK(new_session(&own, &n_own) == 0 && new_session(&other, &n_other) == 0, "sessions");
	UCHECK(vr_vmo_create(VR_PAGE, 0, &vmo) == 0, "vmo");

	/* Mounts that must fail. */
	UCHECK(call_path(own, main_buf, VFS_REMOTE_MOUNT, VFS_AT_CWD, 0, NULL, msg) == 0 &&
		   (int64_t)msg[1] == -VR_EINVAL,
	       "no path: %ld", (int64_t)msg[1]);
	static const struct {
		const char *path;
		int64_t err;
	} bad[] = {{"/etc/hostname", -20 /* ENOTDIR */},
		   {"/etc", -16 /* EBUSY */},
		   {"/proc", -16},
		   {"/no/such", -2 /* ENOENT */},
		   {"/dev", -16}};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		UCHECK(call_path(own, main_buf, VFS_REMOTE_MOUNT, VFS_AT_CWD, 0, bad[i].path,
				 msg) == 0 &&
			   (int64_t)msg[1] == bad[i].err,
		       "mount %s: %ld", bad[i].path, (int64_t)msg[1]);
	UCHECK(call_path(own, main_buf, VFS_REMOTE_MOUNT, 12345, 0, "x", msg) == 0 &&
		   (int64_t)msg[1] == -VR_EBADF,
	       "a bad dir id: %ld", (int64_t)msg[1]);

	/* A real one. */
	UCHECK(call_path(own, main_buf, VFS_MKDIR, VFS_AT_CWD, 0755, DIR, msg) == 0 && msg[1] == 0,
	       "mkdir");
	UCHECK(call_path(own, main_buf, VFS_REMOTE_MOUNT, VFS_AT_CWD, 0, DIR, msg) == 0 &&
		   (int64_t)msg[1] > 0,
	       "mount: %ld", (int64_t)msg[1]);
	mount = msg[1];
	if (((msg[0] >> 4) & 3) == 1)
		grant = msg[msg[0] & 15];
	UCHECK(grant, "no GRANT capability with the mount");
	UCHECK(call_path(own, main_buf, VFS_REMOTE_MOUNT, VFS_AT_CWD, 0, DIR, msg) == 0 &&
		   (int64_t)msg[1] == -16,
	       "mounted twice: %ld", (int64_t)msg[1]);

	/* A stranger cannot take, answer or mark the mount's requests. */
	for (uint32_t op = VFS_REMOTE_NEXT; op <= VFS_REMOTE_READY; op++)
		UCHECK(call_path(other, main_buf, op, mount, VFS_READ_NOWAIT, NULL, msg) == 0 &&
			   (int64_t)msg[1] == -VR_EINVAL,
		       "a stranger's op %u: %ld", op, (int64_t)msg[1]);
	UCHECK(call_path(own, main_buf, VFS_REMOTE_NEXT, mount, VFS_READ_NOWAIT, NULL, msg) == 0 &&
		   (int64_t)msg[1] == -VR_EAGAIN,
	       "an empty queue: %ld", (int64_t)msg[1]);

	/* The client's forwarded requests, answered badly but exactly once each. */
	c.ep = other;
	UCHECK(vr_thread_spawn(client, (uint64_t)(uintptr_t)&c, &t) == 0, "client thread");
	int served = 0;
	for (;;) {
		int64_t err =
		    call_path(own, main_buf, VFS_REMOTE_NEXT, mount, VFS_READ_NOWAIT, NULL, msg);
		UCHECK(err == 0, "NEXT got no answer: %ld", err);
		if ((int64_t)msg[1] == -VR_EAGAIN) {
			if (c.done)
				break;
			vr_thread_sleep(100000); /* the client is between requests */
			continue;
		}
		UCHECK((int64_t)msg[1] > 0, "NEXT: %ld", (int64_t)msg[1]);
		if (msg[2] == 0)
			continue; /* a close: not answered */
		answer_randomly(own, grant, mount, msg[2], &seed, vmo);
		served++;
	}
	uint64_t st;
	vr_thread_wait(t, &st);
	vr_handle_close(t);
	UCHECK(c.unanswered == 0 && c.bad == 0, "client: %d without an answer, %d out of range",
	       c.unanswered, c.bad);
	UCHECK(served >= CLIENT_REQUESTS, "only %d requests were forwarded", served);

	/* Random requests of the remote range from the owner, the stranger and through GRANT. */
	for (int i = 0; i < 3000; i++) {
		unsigned words = (unsigned)(rnd(&seed) % 8);
		uint32_t label = VFS_REMOTE_NEXT + (uint32_t)(rnd(&seed) % 3);
		if (label == VFS_REMOTE_NEXT && words < 2)
			words = 2; /* w2 carries VFS_READ_NOWAIT */
		msg[0] = VR_TAG(label, words);
		for (unsigned w = 1; w < 8; w++)
			msg[w] = rnd(&seed) % 4 ? rnd(&seed) % 64 : rnd(&seed);
		if (rnd(&seed) % 2)
			msg[1] = mount;
		if (label == VFS_REMOTE_NEXT)
			msg[2] |= VFS_READ_NOWAIT; /* never wait: nothing will come */
		if (rnd(&seed) % 3 == 0) {
			size_t len = rnd(&seed) % (VR_PAGE + 1);
			for (size_t k = 0; k < len; k++)
				((char *)main_buf)[k] = (char)rnd(&seed);
			msg[0] |= VR_TAG_LONG(len);
		}
		handle_t ep = i % 3 == 0 ? other : i % 3 == 1 ? own : grant;
		if (words && label != VFS_REMOTE_NEXT && rnd(&seed) % 8 == 0) {
			handle_t copy;
			if (vr_handle_derive(vmo,
					     VR_RIGHT_READ | VR_RIGHT_TRANSFER | VR_RIGHT_DUPLICATE,
					     &copy) == 0) {
				msg[words] = copy;
				msg[0] |= VR_TAG_CAPS(1) | VR_TAG_MOVE_CAPS;
			}
		}
		bool caps = msg[0] & VR_TAG_CAPS(3);
		int64_t err = vr_ipc_call(ep, msg);
		if (caps && err == -VR_EACCES) {
			vr_handle_close(msg[words]);
			continue;
		}
		UCHECK(err == 0, "request %d (label %u) got no answer: %ld", i, label, err);
		if (VR_TAG_LABEL(msg[0]) == 0 && (msg[0] >> 4 & 3))
			vr_handle_close(msg[(msg[0] & 15) - ((msg[0] >> 4) & 3) + 1]);
	}

	/* Still serving: a file of the initrd opens. */
	UCHECK(call_path(other, main_buf, VFS_OPEN, VFS_AT_CWD, 0, "/etc/hostname", msg) == 0 &&
		   (int64_t)msg[1] >= 0,
	       "open after: %ld", (int64_t)msg[1]);
	/* The owner's end removes the mount: the directory is an empty local one again. */
	uint64_t end[8] = {VR_TAG(VFS_SESSION_END, 1), n_own};
	vr_ipc_call(posix_vfs_admin, end);
	UCHECK(call_path(other, main_buf, VFS_STATAT, VFS_AT_CWD, 0, DIR "/x", msg) == 0 &&
		   (int64_t)msg[1] == -2,
	       "a name in the unmounted directory: %ld", (int64_t)msg[1]);
	UCHECK(call_path(other, main_buf, VFS_UNLINK, VFS_AT_CWD, 0x200 /* AT_REMOVEDIR */, DIR,
			 msg) == 0 &&
		   msg[1] == 0,
	       "rmdir: %ld", (int64_t)msg[1]);
	end[0] = VR_TAG(VFS_SESSION_END, 1);
	end[1] = n_other;
	vr_ipc_call(posix_vfs_admin, end);
	vr_handle_close(own);
	vr_handle_close(other);
	vr_handle_close(grant);
	vr_handle_close(vmo);
	return NULL;
}
