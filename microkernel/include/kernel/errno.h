/* Status codes of kernel calls: 0 or a negative value. The numbers match Linux's errno. */
#pragma once

#define EOK 0
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ETIMEDOUT 110
#define EPIPE 32
#define ECONNRESET 104
#define EOVERFLOW 75
#define EOPNOTSUPP 95
