/* Device servers' entries in /sys: see sysfs_dev.h. */
#include <errno.h>
#include <string.h>

#include "ipc.h"
#include "proto/vfs.h"
#include "sysfs_dev.h"

static bool put(char *buf, size_t cap, size_t *at, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > cap - *at)
		return false;
	memcpy(buf + *at, s, n);
	*at += n;
	return true;
}

long px_sysfs_pack(const struct px_sysfs_dev *d, char *buf, size_t cap, uint64_t *counts)
{
	size_t at = 0;
	bool ok;

	if (!d->class_name || !d->name || !d->devpath || d->nattr > VFS_SYSFS_ATTRS_MAX ||
	    d->nuevent > VFS_SYSFS_ATTRS_MAX || d->nlink > VFS_SYSFS_ATTRS_MAX ||
	    (d->nattr && !d->attrs) || (d->nuevent && !d->uevent) || (d->nlink && !d->links))
		return -EINVAL;
	ok = put(buf, cap, &at, d->class_name) && put(buf, cap, &at, d->name) &&
	     put(buf, cap, &at, d->devname ? d->devname : "") && put(buf, cap, &at, d->devpath);
	for (unsigned i = 0; ok && i < d->nattr; i++)
		ok = d->attrs[i].name && d->attrs[i].value &&
		     put(buf, cap, &at, d->attrs[i].name) && put(buf, cap, &at, d->attrs[i].value);
	for (unsigned i = 0; ok && i < d->nuevent; i++)
		ok = d->uevent[i] && put(buf, cap, &at, d->uevent[i]);
	for (unsigned i = 0; ok && i < d->nlink; i++)
		ok = d->links[i].name && d->links[i].value &&
		     put(buf, cap, &at, d->links[i].name) && put(buf, cap, &at, d->links[i].value);
	if (!ok)
		return -E2BIG;
	*counts = d->nattr | d->nuevent << 8 | (uint64_t)d->nlink << 16;
	return (long)at;
}

long px_sysfs_register(handle_t vfs, const struct px_sysfs_dev *d)
{
	char *buf = px_ipc_buffer();
	uint64_t counts, r[8];

	if (!buf)
		return -ENOMEM;
	long len = px_sysfs_pack(d, buf, VFS_IO_MAX, &counts);
	if (len < 0)
		return len;
	const uint64_t w[4] = {d->bus ? VFS_SYSFS_BUS : 0, d->major, d->minor, counts};
	return px_call(vfs, VFS_SYSFS_DEVICE, w, 4, buf, (size_t)len, r);
}

long px_sysfs_unregister(handle_t vfs, const char *devpath)
{
	uint64_t r[8];
	const uint64_t w[4] = {VFS_SYSFS_UNREGISTER, 0, 0, 0};

	return px_call(vfs, VFS_SYSFS_DEVICE, w, 4, devpath, strlen(devpath) + 1, r);
}
