/*
 * Device servers' entries in /sys (VFS_SYSFS_DEVICE, vfs/sysfs.c) on the
 * host: the blob's parsing (truncated, running on, counts that do not match,
 * bad names and paths, link targets leaving /sys), the layout a reader sees
 * (libdrm's /sys/dev/char/M:m/device/..., /sys/class/<class>), the limit per
 * session, all-or-nothing registration, and lifetime: unregistering and the
 * session's end leave nothing behind.
 */
// clang-format off
// UNIT_SRCS: posix/vfs/node.c posix/vfs/path.c posix/vfs/ops.c posix/vfs/cpio.c posix/vfs/initrd.c posix/vfs/dev.c posix/vfs/pipe.c posix/vfs/file.c posix/vfs/session.c posix/vfs/sock.c posix/vfs/sockgc.c posix/vfs/eventfd.c posix/vfs/tty.c posix/vfs/pty.c posix/vfs/epoll.c posix/vfs/timerfd.c posix/vfs/signalfd.c posix/vfs/sysfs.c posix/vfs/lock.c posix/vfs/fdpath.c posix/vfs/append.c
// clang-format on
#define UNIT_MAIN
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "../../../posix/proto/vfs.h"
#include "../../../posix/vfs/fs.h"
#include "../../../posix/vfs/sysfs.h"

static const struct cred root = {0, 0};
static struct fs tmp_fs = {.dev = 2, .limit = 1 << 20};

/* /sys over a tmpfs root, once (each test ends its sessions). */
static void setup(void)
{
	struct node *sys;

	if (fs_root)
		return;
	fs_new_root(&tmp_fs, 0755);
	CHECK(fs_mkdir(&root, fs_root, "/sys", 0755) == 0);
	CHECK(fs_walk(&root, fs_root, "/sys", WALK_FOLLOW, &sys) == 0);
	CHECK(sysfs_mount(sys) == 0);
}

static bool exists(const char *path)
{
	struct node *n;

	return fs_walk(&root, fs_root, path, 0, &n) == 0;
}

static bool reads(const char *path, const char *want)
{
	struct node *n;
	char buf[512];

	if (fs_walk(&root, fs_root, path, WALK_FOLLOW, &n))
		return false;
	long got = fs_read(n, 0, buf, sizeof(buf) - 1);
	if (got < 0)
		return false;
	buf[got] = 0;
	if (strcmp(buf, want))
		fprintf(stderr, "  %s holds \"%s\", want \"%s\"\n", path, buf, want);
	return !strcmp(buf, want);
}

static bool link_is(const char *path, const char *want)
{
	char buf[512];
	long n = fs_readlink(&root, fs_root, path, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = 0;
	if (strcmp(buf, want))
		fprintf(stderr, "  %s -> \"%s\", want \"%s\"\n", path, buf, want);
	return !strcmp(buf, want);
}

/* The names directory @path lists, space-separated ("" if it is not there). */
static const char *names(const char *path)
{
	static char out[1024];
	struct node *d;
	char buf[4096];
	uint64_t pos = 0;
	long n;

	out[0] = 0;
	if (fs_walk(&root, fs_root, path, WALK_FOLLOW, &d))
		return "-";
	while ((n = fs_getdents(d, &pos, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			uint16_t reclen;
			memcpy(&reclen, buf + off + 16, 2);
			if (strcmp(buf + off + 19, ".") && strcmp(buf + off + 19, "..")) {
				strncat(out, buf + off + 19, sizeof(out) - strlen(out) - 2);
				strcat(out, " ");
			}
			off += reclen;
		}
	return out;
}

/* A blob of @n strings (each given with its NUL: "a\0b" is two). */
struct blob {
	char b[VFS_IO_MAX + 64];
	size_t len;
};

static struct blob *pack(int n, ...)
{
	static struct blob bl;
	va_list ap;

	bl.len = 0;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *s = va_arg(ap, const char *);
		size_t l = strlen(s) + 1;
		memcpy(bl.b + bl.len, s, l);
		bl.len += l;
	}
	va_end(ap);
	return &bl;
}

#define COUNTS(a, u, l) ((uint64_t)(a) | (uint64_t)(u) << 8 | (uint64_t)(l) << 16)
#define PCI "pci0000:00/0000:00:02.0"

static long reg(uint64_t session, uint64_t flags, unsigned ma, unsigned mi, uint64_t counts,
		const struct blob *b)
{
	return sysfs_request(session, flags, ma, mi, counts, b->b, b->len);
}

/* The PCI function a virtio-gpu server registers, then its DRM card below it. */
static long pci_and_card(uint64_t session)
{
	struct blob *b = pack(10, "pci", "0000:00:02.0", "", PCI, "vendor", "0x1af4\n", "device",
			      "0x1050\n", "PCI_SLOT_NAME=0000:00:02.0", "DRIVER=virtio-pci");
	long err = reg(session, VFS_SYSFS_BUS, 0, 0, COUNTS(2, 2, 0), b);
	if (err)
		return err;
	b = pack(8, "drm", "card0", "dri/card0", PCI "/drm/card0", "dev_name", "virtio_gpu\n",
		 "device", "../../../0000:00:02.0");
	return reg(session, 0, 226, 0, COUNTS(1, 0, 1), b);
}

TEST(layout_readers_see)
{
	setup();
	CHECK(pci_and_card(7) == 0);
	/* libdrm: drmParseSubsystemType, drmParsePciBusInfo, drmParsePciDeviceInfo. */
	CHECK(link_is("/sys/dev/char/226:0", "../../devices/" PCI "/drm/card0"));
	CHECK(link_is("/sys/dev/char/226:0/device/subsystem", "../../../bus/pci"));
	CHECK(exists("/sys/bus/pci/devices/0000:00:02.0/vendor"));
	CHECK(reads("/sys/dev/char/226:0/device/vendor", "0x1af4\n"));
	CHECK(reads("/sys/dev/char/226:0/device/uevent",
		    "PCI_SLOT_NAME=0000:00:02.0\nDRIVER=virtio-pci\n"));
	CHECK(reads("/sys/dev/char/226:0/uevent", "MAJOR=226\nMINOR=0\nDEVNAME=dri/card0\n"));
	CHECK(reads("/sys/dev/char/226:0/dev", "226:0\n"));
	CHECK(reads("/sys/class/drm/card0/dev_name", "virtio_gpu\n"));
	CHECK(link_is("/sys/class/drm/card0", "../../devices/" PCI "/drm/card0"));
	CHECK(link_is("/sys/class/drm/card0/subsystem", "../../../../../class/drm"));
	CHECK(exists("/sys/class/drm/card0/subsystem/card0/dev"));
	CHECK_STR(names("/sys/class/drm"), "card0 ");
	CHECK_STR(names("/sys/devices/" PCI "/drm/card0"), "dev uevent dev_name device subsystem ");
	/* An input event device, virtual. */
	struct blob *b = pack(6, "input", "event0", "input/event0", "virtual/input/input0/event0",
			      "ID_INPUT_KEY=1", "ID_INPUT=1");
	CHECK(reg(7, 0, 13, 64, COUNTS(0, 2, 0), b) == 0);
	CHECK(reads("/sys/class/input/event0/uevent",
		    "MAJOR=13\nMINOR=64\nDEVNAME=input/event0\nID_INPUT_KEY=1\nID_INPUT=1\n"));
	CHECK(link_is("/sys/dev/char/13:64", "../../devices/virtual/input/input0/event0"));
	/* Read-only to its readers. */
	struct node *n;
	CHECK(fs_open(&root, fs_root, "/sys/class/drm/card0/dev", O_WRONLY, 0, &n) == -EROFS);
	sysfs_session_end(7);
	CHECK_STR(names("/sys/class"), "");
}

TEST(bad_blobs)
{
	struct blob *b;

	setup();
	/* Truncated: a string without its NUL, and fewer strings than the counts say. */
	b = pack(4, "drm", "card0", "", "platform/gpu");
	CHECK(sysfs_request(1, 0, 226, 0, 0, b->b, b->len - 1) == -EINVAL);
	CHECK(reg(1, 0, 226, 0, COUNTS(1, 0, 0), b) == -EINVAL);
	CHECK(reg(1, 0, 226, 0, COUNTS(0, 1, 0), b) == -EINVAL);
	/* Running on: more strings than counted. */
	b = pack(6, "drm", "card0", "", "platform/gpu", "vendor", "1");
	CHECK(reg(1, 0, 226, 0, COUNTS(0, 0, 0), b) == -EINVAL);
	CHECK(reg(1, 0, 226, 0, COUNTS(0, 0, 1) | 1ull << 30, b) == -EINVAL);
	CHECK(reg(1, 0, 226, 0, COUNTS(200, 0, 0), b) == -EINVAL);
	CHECK(sysfs_request(1, 0, 226, 0, 0, "", 0) == -EINVAL);
	CHECK(reg(1, 0x80, 226, 0, COUNTS(1, 0, 0), b) == -EINVAL);
	CHECK(reg(1, 0, 1u << 12, 0, COUNTS(1, 0, 0), b) == -EINVAL);
	/* Names: empty, "..", "/" inside, too long; devpaths leaving /sys/devices. */
	static const char *const bad_names[] = {"", "..", ".", "a/b",
						("0123456789012345678901234567890123456789"
						 "012345678901234567890123456789")};
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		CHECK(reg(1, 0, 226, 0, 0, pack(4, "drm", bad_names[i], "", "platform/x")) ==
		      -EINVAL);
		if (*bad_names[i])
			CHECK(reg(1, 0, 226, 0, 0, pack(4, bad_names[i], "c", "", "platform/x")) ==
			      -EINVAL);
		CHECK(reg(1, 0, 226, 0, COUNTS(1, 0, 0),
			  pack(6, "drm", "c", "", "platform/x", bad_names[i], "1")) == -EINVAL);
	}
	static const char *const bad_paths[] = {"",	"/abs", "../class", "a/../../x",
						"a//b", "a/",	"a/./b",    "x/.."};
	for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++)
		CHECK(reg(1, 0, 226, 0, 0, pack(4, "drm", "c", "", bad_paths[i])) == -EINVAL);
	/* Link targets out of /sys, absolute, or coming back up after going down. */
	static const char *const bad_targets[] = {"/etc", "../../../../etc", "", "a/../../..",
						  "../../../class/../../.."};
	for (size_t i = 0; i < sizeof(bad_targets) / sizeof(bad_targets[0]); i++)
		CHECK(reg(1, 0, 226, 0, COUNTS(0, 0, 1),
			  pack(6, "drm", "c", "", "platform/x", "device", bad_targets[i])) ==
		      -EINVAL);
	/* A uevent line that is no KEY=value, or has a newline. */
	CHECK(reg(1, 0, 226, 0, COUNTS(0, 1, 0), pack(5, "drm", "c", "", "platform/x", "NOEQ")) ==
	      -EINVAL);
	CHECK(reg(1, 0, 226, 0, COUNTS(0, 1, 0),
		  pack(5, "drm", "c", "", "platform/x", "A=1\nB=2")) == -EINVAL);
	/* Unregistering: the devpath alone. */
	CHECK(sysfs_request(1, VFS_SYSFS_UNREGISTER, 0, 0, 0, "a\0b", 4) == -EINVAL);
	CHECK(sysfs_request(1, VFS_SYSFS_UNREGISTER, 0, 0, 0, "a", 1) == -EINVAL);
	CHECK(sysfs_request(1, VFS_SYSFS_UNREGISTER, 0, 0, 0, "../a", 5) == -EINVAL);
	CHECK(sysfs_request(1, VFS_SYSFS_UNREGISTER, 0, 0, 0, "platform/x", 11) == -ENOENT);
	/* Nothing of all that was made. */
	CHECK_STR(names("/sys/class"), "");
	CHECK_STR(names("/sys/devices"), "virtual ");
	CHECK_STR(names("/sys/dev/char"), "");
}

TEST(conflicts_are_all_or_nothing)
{
	setup();
	CHECK(pci_and_card(3) == 0);
	/* The same devpath, the same class name, the same number: EEXIST, nothing made. */
	CHECK(reg(4, 0, 226, 1, 0, pack(4, "drm", "card1", "", PCI "/drm/card0")) == -EEXIST);
	CHECK(reg(4, 0, 226, 1, 0, pack(4, "drm", "card0", "", "platform/other/card0")) == -EEXIST);
	CHECK(reg(4, 0, 226, 0, 0, pack(4, "drm", "card1", "", "platform/other/card1")) == -EEXIST);
	CHECK(!exists("/sys/devices/platform"));
	/* An attribute named as one the vfs makes: found late, everything made so far undone. */
	CHECK(reg(4, 0, 226, 1, COUNTS(2, 0, 0),
		  pack(8, "drm", "card1", "", "platform/other/card1", "a", "1", "uevent", "2")) ==
	      -EEXIST);
	CHECK(reg(4, 0, 226, 1, COUNTS(0, 0, 1),
		  pack(6, "drm", "card1", "", "platform/other/card1", "subsystem", "../..")) ==
	      -EEXIST);
	CHECK(!exists("/sys/devices/platform") && !exists("/sys/class/drm/card1") &&
	      !exists("/sys/dev/char/226:1"));
	CHECK_STR(names("/sys/class/drm"), "card0 ");
	CHECK_STR(names("/sys/dev/char"), "226:0 ");
	sysfs_session_end(3);
	sysfs_session_end(4);
	CHECK_STR(names("/sys/dev/char"), "");
}

TEST(lifetime)
{
	setup();
	CHECK(pci_and_card(5) == 0);
	struct blob *b = pack(4, "input", "event0", "input/event0", "virtual/input/input0/event0");
	CHECK(reg(6, 0, 13, 64, 0, b) == 0);
	/* Only the owner unregisters; the PCI function takes its card with it. */
	CHECK(sysfs_request(6, VFS_SYSFS_UNREGISTER, 0, 0, 0, PCI, sizeof(PCI)) == -ENOENT);
	CHECK(sysfs_request(5, VFS_SYSFS_UNREGISTER, 0, 0, 0, PCI, sizeof(PCI)) == 0);
	CHECK(!exists("/sys/devices/pci0000:00") && !exists("/sys/class/drm") &&
	      !exists("/sys/dev/char/226:0") && !exists("/sys/bus/pci"));
	CHECK(sysfs_request(5, VFS_SYSFS_UNREGISTER, 0, 0, 0, PCI "/drm/card0",
			    sizeof(PCI "/drm/card0")) == -ENOENT);
	/* Registered again, and gone with the session's end; the other session's stays. */
	CHECK(pci_and_card(5) == 0);
	sysfs_session_end(5);
	CHECK(!exists("/sys/devices/pci0000:00") && !exists("/sys/class/drm") &&
	      !exists("/sys/dev/char/226:0") && !exists("/sys/bus/pci"));
	CHECK(exists("/sys/class/input/event0/dev") && exists("/sys/dev/char/13:64"));
	sysfs_session_end(6);
	CHECK_STR(names("/sys/class"), "");
	CHECK_STR(names("/sys/devices"), "virtual ");
	CHECK_STR(names("/sys/devices/virtual"), "");
	CHECK_STR(names("/sys/dev/char"), "");
	CHECK_STR(names("/sys/bus"), "");
}

TEST(limit_per_session)
{
	char path[64], name[16];
	int made = 0;

	setup();
	for (int i = 0; i < VFS_SYSFS_SESSION_MAX + 1; i++) {
		snprintf(name, sizeof(name), "event%d", i);
		snprintf(path, sizeof(path), "virtual/input/%s", name);
		long err = reg(9, 0, 13, 64 + (unsigned)i, 0, pack(4, "input", name, "", path));
		if (i < VFS_SYSFS_SESSION_MAX)
			made += err == 0;
		else
			CHECK(err == -ENOSPC);
	}
	CHECK(made == VFS_SYSFS_SESSION_MAX);
	CHECK(!exists("/sys/class/input/event16"));
	/* Another session has its own. */
	CHECK(reg(10, 0, 13, 100, 0, pack(4, "input", "mouse0", "", "virtual/input/mouse0")) == 0);
	sysfs_session_end(9);
	sysfs_session_end(10);
	CHECK_STR(names("/sys/class"), "");
}
