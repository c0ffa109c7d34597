/*
 * sysfs: /sys is a sysfs (statfs), /sys/class, /sys/bus and /sys/devices are
 * directories, and the memory devices and the console are listed as Linux
 * lists them: /sys/class/<class>/<name> a link to ../../devices/virtual/...,
 * with "dev" (major:minor) and "uevent" files and a "subsystem" link to the
 * class, and /sys/dev/char/<major>:<minor> a link to the device. Nothing in it
 * can be changed.
 * Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define SYSFS_MAGIC 0x62656572

static int veridian;

#define TEST_NAME "sysfs"
#include "check.h"

/* The whole of small file @path into @buf (NUL-terminated); its length or -1. */
static long slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

/* Whether directory @path lists every name of @names (NULL-terminated). */
static int lists(const char *path, const char *const *names)
{
	int want = 0, seen = 0;
	DIR *d = opendir(path);
	struct dirent *e;

	for (; names[want]; want++)
		;
	if (!d)
		return 0;
	while ((e = readdir(d)))
		for (int i = 0; names[i]; i++)
			if (!strcmp(e->d_name, names[i]))
				seen |= 1 << i;
	closedir(d);
	return seen == (1 << want) - 1;
}

static void check_device(const char *class_name, const char *name, const char *dev)
{
	char path[128], buf[256], want[128];
	struct stat st;
	long n;

	snprintf(path, sizeof(path), "/sys/class/%s/%s", class_name, name);
	snprintf(want, sizeof(want), "../../devices/virtual/%s/%s", class_name, name);
	n = readlink(path, buf, sizeof(buf));
	CHECK(n == (long)strlen(want) && !memcmp(buf, want, (size_t)n), "%s links to %.*s", path,
	      (int)(n > 0 ? n : 0), buf);
	CHECK(lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) == 0 &&
		  S_ISDIR(st.st_mode),
	      "%s: a link to a directory", path);
	snprintf(path, sizeof(path), "/sys/class/%s/%s/dev", class_name, name);
	n = slurp(path, buf, sizeof(buf));
	CHECK(n > 0 && !strcmp(buf, dev), "%s: '%s'", path, n > 0 ? buf : "");
	snprintf(path, sizeof(path), "/sys/devices/virtual/%s/%s/uevent", class_name, name);
	unsigned major, minor;
	sscanf(dev, "%u:%u", &major, &minor);
	snprintf(want, sizeof(want), "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\n", major, minor, name);
	n = slurp(path, buf, sizeof(buf));
	CHECK(n > 0 && !strncmp(buf, want, strlen(want)), "%s: '%s'", path, n > 0 ? buf : "");
	/* /sys/dev/char/M:m links to the device; its subsystem links to the class. */
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u", major, minor);
	snprintf(want, sizeof(want), "../../devices/virtual/%s/%s", class_name, name);
	n = readlink(path, buf, sizeof(buf));
	CHECK(n == (long)strlen(want) && !memcmp(buf, want, (size_t)n), "%s links to %.*s", path,
	      (int)(n > 0 ? n : 0), buf);
	snprintf(path, sizeof(path), "/sys/class/%s/%s/subsystem", class_name, name);
	snprintf(want, sizeof(want), "../../../../class/%s", class_name);
	n = readlink(path, buf, sizeof(buf));
	CHECK(n == (long)strlen(want) && !memcmp(buf, want, (size_t)n), "%s links to %.*s", path,
	      (int)(n > 0 ? n : 0), buf);
}

int main(void)
{
	struct statfs sf;
	struct stat st;
	static const char *const top[] = {"class", "bus", "devices", NULL};
	static const char *const mem[] = {"null", "zero", "full", "random", "urandom", NULL};
	static const char *const tty[] = {"console", NULL};

	veridian = getenv("VERIDIAN_TEST") != NULL;
	CHECK(statfs("/sys", &sf) == 0 && sf.f_type == SYSFS_MAGIC, "/sys is a sysfs: %lx",
	      (unsigned long)sf.f_type);
	for (int i = 0; top[i]; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/sys/%s", top[i]);
		CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "%s is a directory", path);
	}
	CHECK(lists("/sys", top), "/sys lists class, bus, devices");
	CHECK(lists("/sys/class/mem", mem), "/sys/class/mem lists the memory devices");
	CHECK(lists("/sys/class/tty", tty), "/sys/class/tty lists the console");
	check_device("mem", "null", "1:3\n");
	check_device("mem", "zero", "1:5\n");
	check_device("mem", "urandom", "1:9\n");
	check_device("tty", "console", "5:1\n");
	/* Read-only: Linux says EACCES (no store method) or EPERM (no mkdir); the vfs EROFS. */
	int fd = open("/sys/class/mem/null/dev", O_WRONLY);
	CHECK(fd == -1 && (errno == EACCES || errno == EROFS), "writing an attribute");
	if (veridian)
		CHECK(errno == EROFS, "EROFS");
	CHECK(mkdir("/sys/class/mine", 0755) == -1 && (errno == EPERM || errno == EROFS), "mkdir");
	CHECK(open("/sys/class/new", O_WRONLY | O_CREAT, 0644) == -1, "create");
	CHECK(unlink("/sys/class/mem/null") == -1, "unlink");
	printf("sysfs: %s (%d failed)\n", failures ? "FAIL" : "PASS", failures);
	return failures;
}
