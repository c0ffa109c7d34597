/*
 * Device servers' entries in /sys (VFS_SYSFS_DEVICE, px_sysfs_register): a
 * forked child registers a PCI function with a DRM card below it and an
 * input event device, as the virtio-gpu and virtio-input servers will, and
 * the parent reads them as libdrm (drmGetDevice2: /sys/dev/char/M:m/device/
 * subsystem, vendor, uevent's PCI_SLOT_NAME) and libudev (/sys/class/drm,
 * uevent's MAJOR, MINOR, DEVNAME) do. Bad blobs are refused with nothing
 * left behind, an unregistered device goes, and when the child is killed its
 * entries are gone (a session of another uid than 0, which no program here
 * can be, is refused in tests/kernel/user/posix/test_vfs.c). Numbers and
 * slots are ones no real driver takes (226:15, 0000:00:1f.7, 13:95). Exits
 * with the number of failed checks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <veridian/vr.h>

#include "ipc.h"
#include "proto/vfs.h"
#include "sysfs_dev.h"

extern handle_t px_vfs;

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("sysfs_devices: FAIL line %d: ", __LINE__);                         \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

#define SLOT "0000:00:1f.7"
#define PCI "pci0000:00/" SLOT
#define CARD PCI "/drm/card15"

static const struct px_sysfs_pair pci_attrs[] = {
    {"vendor", "0x1af4\n"},	      {"device", "0x1050\n"}, {"subsystem_vendor", "0x1af4\n"},
    {"subsystem_device", "0x1100\n"}, {"revision", "0x01\n"}, {"class", "0x038000\n"},
};
static const char *const pci_uevent[] = {"DRIVER=virtio-pci", "PCI_CLASS=38000", "PCI_ID=1AF4:1050",
					 "PCI_SUBSYS_ID=1AF4:1100", ("PCI_SLOT_NAME=" SLOT)};
static const struct px_sysfs_pair card_links[] = {{"device", "../../../" SLOT}};
static const char *const event_uevent[] = {"ID_INPUT=1", "ID_INPUT_KEY=1"};

static const struct px_sysfs_dev pci_dev = {
    .class_name = "pci",
    .name = SLOT,
    .devpath = PCI,
    .bus = true,
    .nattr = 6,
    .nuevent = 5,
    .attrs = pci_attrs,
    .uevent = pci_uevent,
};
static const struct px_sysfs_dev card_dev = {
    .class_name = "drm",
    .name = "card15",
    .devname = "dri/card15",
    .devpath = CARD,
    .major = 226,
    .minor = 15,
    .nlink = 1,
    .links = card_links,
};
static const struct px_sysfs_dev event_dev = {
    .class_name = "input",
    .name = "event31",
    .devname = "input/event31",
    .devpath = "virtual/input/input31/event31",
    .major = 13,
    .minor = 95,
    .nuevent = 2,
    .uevent = event_uevent,
};

static bool reads(const char *path, const char *want)
{
	char buf[512];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0) {
		printf("sysfs_devices: %s: errno %d\n", path, errno);
		return false;
	}
	buf[n] = 0;
	if (strcmp(buf, want))
		printf("sysfs_devices: %s holds \"%s\", want \"%s\"\n", path, buf, want);
	return !strcmp(buf, want);
}

static bool link_is(const char *path, const char *want)
{
	char buf[512];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0) {
		printf("sysfs_devices: readlink %s: errno %d\n", path, errno);
		return false;
	}
	buf[n] = 0;
	if (strcmp(buf, want))
		printf("sysfs_devices: %s -> \"%s\", want \"%s\"\n", path, buf, want);
	return !strcmp(buf, want);
}

static bool there(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool listed(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	while (d && (e = readdir(d)))
		found |= !strcmp(e->d_name, name);
	if (d)
		closedir(d);
	return found;
}

/* The child: registers the three devices, says so, and waits to be killed. */
static void serve(int notify)
{
	long err;

	if ((err = px_sysfs_register(px_vfs, &pci_dev)) ||
	    (err = px_sysfs_register(px_vfs, &card_dev)) ||
	    (err = px_sysfs_register(px_vfs, &event_dev))) {
		printf("sysfs_devices: FAIL: the child's registration: %ld\n", err);
		_exit(1);
	}
	/* Another registration of the same devpath or number is refused. */
	if (px_sysfs_register(px_vfs, &card_dev) != -EEXIST) {
		printf("sysfs_devices: FAIL: a second card15 was not EEXIST\n");
		_exit(1);
	}
	if (write(notify, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static void check_layout(void)
{
	/* libdrm's drmParseSubsystemType: basename of the link is "pci". */
	CHECK(link_is("/sys/dev/char/226:15/device/subsystem", "../../../bus/pci"), "subsystem");
	CHECK(link_is("/sys/dev/char/226:15", "../../devices/" CARD), "/sys/dev/char link");
	/* drmParsePciDeviceInfo (sysfs), drmParsePciBusInfo (uevent). */
	CHECK(reads("/sys/dev/char/226:15/device/vendor", "0x1af4\n"), "vendor");
	CHECK(reads("/sys/dev/char/226:15/device/device", "0x1050\n"), "device");
	CHECK(reads("/sys/dev/char/226:15/device/subsystem_vendor", "0x1af4\n"),
	      "subsystem_vendor");
	CHECK(reads("/sys/dev/char/226:15/device/subsystem_device", "0x1100\n"),
	      "subsystem_device");
	CHECK(reads("/sys/dev/char/226:15/device/revision", "0x01\n"), "revision");
	CHECK(
	    reads("/sys/dev/char/226:15/device/uevent",
		  "DRIVER=virtio-pci\nPCI_CLASS=38000\nPCI_ID=1AF4:1050\nPCI_SUBSYS_ID=1AF4:1100\n"
		  "PCI_SLOT_NAME=" SLOT "\n"),
	    "the PCI function's uevent");
	/* libudev-style enumeration. */
	CHECK(listed("/sys/class/drm", "card15"), "/sys/class/drm lists no card15");
	CHECK(reads("/sys/class/drm/card15/uevent", "MAJOR=226\nMINOR=15\nDEVNAME=dri/card15\n"),
	      "card15's uevent");
	CHECK(reads("/sys/class/drm/card15/dev", "226:15\n"), "card15's dev");
	CHECK(link_is("/sys/class/drm/card15/subsystem", "../../../../../class/drm"),
	      "class subsystem");
	CHECK(listed("/sys/bus/pci/devices", SLOT), "/sys/bus/pci/devices lists no " SLOT);
	CHECK(listed("/sys/class/input", "event31"), "/sys/class/input lists no event31");
	CHECK(reads("/sys/class/input/event31/uevent",
		    "MAJOR=13\nMINOR=95\nDEVNAME=input/event31\nID_INPUT=1\nID_INPUT_KEY=1\n"),
	      "event31's uevent");
	CHECK(reads("/sys/dev/char/13:95/dev", "13:95\n"), "13:95's dev");
	/* Read-only to readers. */
	CHECK(open("/sys/class/drm/card15/dev", O_WRONLY) < 0 && errno == EROFS, "write: errno %d",
	      errno);
}

static void check_gone(const char *when)
{
	static const char *const paths[] = {
	    "/sys/dev/char/226:15",	   "/sys/dev/char/13:95",
	    "/sys/class/drm/card15",	   "/sys/class/input/event31",
	    "/sys/devices/" PCI,	   "/sys/devices/virtual/input/input31",
	    ("/sys/bus/pci/devices/" SLOT)};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		CHECK(!there(paths[i]), "%s: %s is still there", when, paths[i]);
}

/* Malformed requests from this (root) process: EINVAL, nothing made. */
static void check_bad(void)
{
	static const char truncated[] = "drm\0card14\0\0platform/x"; /* no NUL at the end */
	static const char two[] = "drm\0card14\0\0platform/x\0vendor\0x\0";
	uint64_t r[8];
	const uint64_t w[4] = {0, 226, 14, 0}, w1[4] = {0, 226, 14, 1}, w2[4] = {0, 226, 14, 2};

	CHECK(px_call(px_vfs, VFS_SYSFS_DEVICE, w, 4, truncated, sizeof(truncated) - 1, r) ==
		  -EINVAL,
	      "a truncated blob");
	CHECK(px_call(px_vfs, VFS_SYSFS_DEVICE, w, 4, two, sizeof(two) - 1, r) == -EINVAL,
	      "a blob running on past its counts");
	CHECK(px_call(px_vfs, VFS_SYSFS_DEVICE, w2, 4, two, sizeof(two) - 1, r) == -EINVAL,
	      "counts past the blob");
	CHECK(px_call(px_vfs, VFS_SYSFS_DEVICE, w1, 4, two, sizeof(two) - 1, r) == 0,
	      "the same blob, counted right");
	CHECK(px_sysfs_unregister(px_vfs, "platform/x") == 0, "unregister");
	CHECK(px_sysfs_unregister(px_vfs, "platform/x") == -ENOENT, "unregister twice");
	struct px_sysfs_dev bad = card_dev;
	bad.devpath = "../../etc";
	CHECK(px_sysfs_register(px_vfs, &bad) == -EINVAL, "a devpath out of /sys/devices");
	bad.devpath = "platform/y", bad.name = "a/b";
	CHECK(px_sysfs_register(px_vfs, &bad) == -EINVAL, "a name with a /");
	bad.name = "..";
	CHECK(px_sysfs_register(px_vfs, &bad) == -EINVAL, "a name ..");
	CHECK(!there("/sys/devices/platform") && !there("/sys/dev/char/226:14") &&
		  !there("/sys/class/drm/card14"),
	      "a refused request left something behind");
}

int main(void)
{
	int notify[2];
	char c = 0;
	int status;

	if (pipe(notify)) {
		printf("sysfs_devices: FAIL: pipe: errno %d\n", errno);
		return 1;
	}
	check_bad();

	pid_t pid = fork();
	if (pid == 0) {
		close(notify[0]);
		serve(notify[1]);
	}
	close(notify[1]);
	CHECK(pid > 0 && read(notify[0], &c, 1) == 1 && c == 'r', "the child did not register");
	if (c == 'r')
		check_layout();
	/* Another session cannot unregister them. */
	CHECK(px_sysfs_unregister(px_vfs, CARD) == -ENOENT, "unregistered another's device");
	/* The server is killed: its entries go with its session. */
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	check_gone("after the child was killed");
	printf("sysfs_devices: %d failures\n", failures);
	return failures;
}
