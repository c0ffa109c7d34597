/*
 * Native handles through posix_spawn (vr_spawn.h): bad sets are refused by
 * vr_spawnattr_sethandles (more than sixteen, unknown flags) and posix_spawn
 * (EBADF for a forged handle, also the last of sixteen, EACCES for one
 * without DUPLICATE or TRANSFER, ENOENT for a missing program: then a
 * VR_SPAWN_MOVE handle is still ours, and the kernel's count of
 * capabilities is what it was: no copy left in the proc server).
 * A good spawn gives the child a VMO (rights cut to READ and MAP: it reads
 * what we wrote, cannot write) and a notification (moved: ours is closed;
 * SEND only), which the child signals and we see, and with sixteen
 * handles fourteen more copies of the VMO (READ only); its forked child
 * has none. Each with two and with sixteen handles (staged ahead of the
 * request), with a short request and with an environment too long for the
 * IPC buffer (the request in a VMO). Exits with the number of failed checks.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <veridian/vr.h>

#include "vr_spawn.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "spawn_handles: FAIL %s: ", #cond);                        \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, "\n");                                                     \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

#define MAGIC "given-by-the-parent"

static uint64_t type_of(uint64_t h, uint32_t *rights)
{
	uint64_t info = 0;

	if (vr_handle_info(h, &info))
		return 0;
	*rights = (uint32_t)(info >> 32);
	return info & 0xffff;
}

/*
 * The spawned program, given @count handles: handle 0 a VMO (READ, MAP),
 * handle 1 a notification (SEND), the rest the VMO (READ).
 */
static int child(unsigned count)
{
	uint64_t vmo = vr_spawn_handle(0), n = vr_spawn_handle(1);
	uint32_t rights = 0;
	char buf[sizeof(MAGIC)] = {0};

	CHECK(type_of(vmo, &rights) == VR_OBJ_VMO && rights == (VR_RIGHT_READ | VR_RIGHT_MAP),
	      "handle 0: rights %#x", rights);
	CHECK(vr_vmo_read(vmo, buf, 0, sizeof(MAGIC)) == 0 && !strcmp(buf, MAGIC), "read '%s'",
	      buf);
	CHECK(vr_vmo_write(vmo, "x", 0, 1) == -VR_EACCES, "wrote without WRITE");
	CHECK(type_of(n, &rights) == VR_OBJ_NOTIFICATION && rights == VR_RIGHT_SEND,
	      "handle 1: rights %#x", rights);
	for (unsigned i = 2; i < count; i++)
		CHECK(type_of(vr_spawn_handle(i), &rights) == VR_OBJ_VMO && rights == VR_RIGHT_READ,
		      "handle %u: rights %#x", i, rights);
	CHECK(vr_spawn_handle(count) == 0 && vr_spawn_handle(VR_SPAWN_HANDLES_MAX) == 0,
	      "more handles");
	/* A forked child has none: the kernel copies no handles. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(vr_spawn_handle(0) == 0 && vr_handle_info(vmo, &(uint64_t){0}) == -VR_EBADF
			  ? 0
			  : 1);
	int ws = -1;
	CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid && ws == 0, "the forked child: %#x", ws);
	/* Last: the parent waits for this. */
	CHECK(vr_notify_signal(n, 4) == 0, "notify_signal");
	return failures;
}

static int spawn(const struct vr_spawn_handle *h, unsigned n, const char *path, char **envp,
		 pid_t *pid)
{
	posix_spawnattr_t attr;
	char count[16];
	char *argv[] = {"spawn_handles", "child", count, NULL};

	snprintf(count, sizeof(count), "%u", n);
	posix_spawnattr_init(&attr);
	int err = vr_spawnattr_sethandles(&attr, h, n);
	if (!err)
		err = posix_spawn(pid, path, NULL, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	return err;
}

/* A good spawn with @count handles: the child checks them and signals @n's copy, which we moved. */
static void good(uint64_t vmo, uint64_t n, const char *self, char **envp, unsigned count,
		 const char *what)
{
	uint64_t mine, bits = 0;
	pid_t pid = -1;
	int ws = -1;

	CHECK(vr_handle_derive(n, VR_RIGHT_SEND | VR_RIGHT_DUPLICATE | VR_RIGHT_TRANSFER, &mine) ==
		  0,
	      "derive");
	struct vr_spawn_handle h[VR_SPAWN_HANDLES_MAX] = {{vmo, VR_RIGHT_READ | VR_RIGHT_MAP, 0},
							  {mine, VR_RIGHT_SEND, VR_SPAWN_MOVE}};
	for (unsigned i = 2; i < count; i++)
		h[i] = (struct vr_spawn_handle){vmo, VR_RIGHT_READ, 0};
	int err = spawn(h, count, self, envp, &pid);
	CHECK(err == 0, "%s: posix_spawn: %s", what, strerror(err));
	if (err)
		return;
	CHECK(vr_handle_info(mine, &(uint64_t){0}) == -VR_EBADF, "%s: the moved handle is ours",
	      what);
	CHECK(vr_handle_info(vmo, &(uint64_t){0}) == 0, "%s: the copied handle is gone", what);
	CHECK(vr_notify_wait(n, 60000000000ull, &bits) == 0 && bits == 4, "%s: no signal (%#lx)",
	      what, (long)bits);
	CHECK(waitpid(pid, &ws, 0) == pid && ws == 0, "%s: child wait status %#x", what, ws);
}

int main(int argc, char **argv)
{
	uint64_t vmo, n, weak;
	char *env[] = {"PATH=/bin", NULL};
	pid_t pid;

	if (argc == 3 && !strcmp(argv[1], "child"))
		return child((unsigned)atoi(argv[2]));
	const char *self = "/test/spawn_handles";
	if (vr_vmo_create(VR_PAGE, 0, &vmo) || vr_vmo_write(vmo, MAGIC, 0, sizeof(MAGIC)) ||
	    vr_notify_create(&n)) {
		fprintf(stderr, "spawn_handles: no VMO or notification\n");
		return 1;
	}
	posix_spawnattr_t attr;
	struct vr_spawn_handle h[VR_SPAWN_HANDLES_MAX + 1];
	for (unsigned i = 0; i <= VR_SPAWN_HANDLES_MAX; i++)
		h[i] = (struct vr_spawn_handle){vmo, VR_RIGHT_READ, 0};
	posix_spawnattr_init(&attr);
	CHECK(vr_spawnattr_sethandles(&attr, h, VR_SPAWN_HANDLES_MAX + 1) == EINVAL,
	      "seventeen handles");
	/* Set twice: the first set's memory goes (destroy frees the second). */
	CHECK(vr_spawnattr_sethandles(&attr, h, VR_SPAWN_HANDLES_MAX) == 0, "sixteen handles");
	CHECK(vr_spawnattr_sethandles(&attr, h, 5) == 0, "five handles");
	h[0].flags = 2;
	CHECK(vr_spawnattr_sethandles(&attr, h, 1) == EINVAL, "an unknown flag");
	posix_spawnattr_destroy(&attr);
	h[0] = (struct vr_spawn_handle){vmo ^ (1ull << 40), VR_RIGHT_READ, 0};
	CHECK(spawn(h, 1, self, env, &pid) == EBADF, "a forged handle");
	CHECK(vr_handle_derive(vmo, VR_RIGHT_READ | VR_RIGHT_TRANSFER, &weak) == 0, "derive");
	h[0] = (struct vr_spawn_handle){weak, VR_RIGHT_READ, VR_SPAWN_MOVE};
	CHECK(spawn(h, 1, self, env, &pid) == EACCES, "a handle without DUPLICATE");
	vr_handle_close(weak);
	CHECK(vr_handle_derive(vmo, VR_RIGHT_READ | VR_RIGHT_DUPLICATE, &weak) == 0, "derive");
	h[0] = (struct vr_spawn_handle){weak, VR_RIGHT_READ, 0};
	CHECK(spawn(h, 1, self, env, &pid) == EACCES, "a handle without TRANSFER");
	vr_handle_close(weak);
	h[0] = (struct vr_spawn_handle){n, VR_RIGHT_SEND, VR_SPAWN_MOVE};
	CHECK(spawn(h, 1, "/nonexistent", env, &pid) == ENOENT, "a missing program");
	CHECK(vr_handle_info(n, &(uint64_t){0}) == 0, "a failed spawn moved the handle");
	/* Sixteen, staged: refused before anything moved, or used up by the failed request. */
	uint64_t before = 0, after = 0;
	for (unsigned i = 1; i < VR_SPAWN_HANDLES_MAX; i++)
		h[i] = (struct vr_spawn_handle){vmo, VR_RIGHT_READ, 0};
	/*
	 * Counted over the whole kernel, where processes that ended before us
	 * may still be torn down (fewer), after a first round that made what
	 * the servers make once.
	 */
	CHECK(spawn(h, VR_SPAWN_HANDLES_MAX, "/nonexistent", env, &pid) == ENOENT,
	      "a missing program with sixteen handles");
	/*
	 * A server may make a capability of its own meanwhile (a count over the
	 * whole kernel): a leak shows in every round, such a stray in one, so
	 * one clean round of three passes.
	 */
	for (int round = 0; round < 3; round++) {
		h[VR_SPAWN_HANDLES_MAX - 1].handle = vmo;
		vr_system_info(INFO_CAPS, &before);
		CHECK(spawn(h, VR_SPAWN_HANDLES_MAX, "/nonexistent", env, &pid) == ENOENT,
		      "a missing program with sixteen handles, again");
		h[VR_SPAWN_HANDLES_MAX - 1].handle = vmo ^ (1ull << 40);
		CHECK(spawn(h, VR_SPAWN_HANDLES_MAX, self, env, &pid) == EBADF,
		      "a forged sixteenth handle");
		vr_system_info(INFO_CAPS, &after);
		if (after <= before)
			break;
		printf("spawn_handles: round %d: %ld more capabilities\n", round, (long)(after - before));
	}
	CHECK(after <= before, "failed spawns with sixteen handles left %ld capabilities",
	      (long)(after - before));
	CHECK(vr_handle_info(n, &(uint64_t){0}) == 0, "a failed spawn moved the handle");
	good(vmo, n, self, env, 2, "short request");
	good(vmo, n, self, env, VR_SPAWN_HANDLES_MAX, "short request, sixteen handles");
	/* An environment longer than the IPC buffer: the request goes in a VMO, with two handles.
	 */
	static char big[6000];
	memcpy(big, "BIG=", 4);
	memset(big + 4, 'b', sizeof(big) - 5);
	char *bigenv[] = {"PATH=/bin", big, NULL};
	good(vmo, n, self, bigenv, 2, "long request");
	good(vmo, n, self, bigenv, 3, "long request, three handles");
	good(vmo, n, self, bigenv, VR_SPAWN_HANDLES_MAX, "long request, sixteen handles");
	printf("spawn_handles: %d failures\n", failures);
	return failures;
}
