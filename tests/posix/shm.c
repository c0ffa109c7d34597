/*
 * Shared memory: memfd_create and its seals, ftruncate, mmap of memfds, of
 * shm_open files and of /tmp files (MAP_SHARED sees read and write through
 * the fd and other mappings, from another thread and through an fd passed
 * with SCM_RIGHTS; MAP_PRIVATE does not write back), shm_open and shm_unlink
 * by name. Exits with the number of failed checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>


#define TEST_NAME "shm"
#include "check.h"

#define PAGE 4096

static void check_memfd(void)
{
	int fd = memfd_create("test", MFD_CLOEXEC);
	char buf[16] = {0};
	struct stat st;

	CHECK(fd >= 0, "memfd_create");
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "MFD_CLOEXEC");
	CHECK(memfd_create("x", 0x1000) < 0 && errno == EINVAL, "bad flags");
	CHECK(write(fd, "hello", 5) == 5, "write");
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5, "fstat");
	char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap shared");
	if (m == MAP_FAILED)
		return;
	CHECK(memcmp(m, "hello", 5) == 0, "mapping sees the write");
	memcpy(m, "HE", 2);
	CHECK(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "HEllo", 5) == 0,
	      "read sees the mapping: %.5s", buf);
	CHECK(pwrite(fd, "!", 1, 4) == 1 && m[4] == '!', "write seen in the mapping");
	/* Growth: ftruncate, then a second mapping of the larger file sees the first's pages. */
	CHECK(ftruncate(fd, 3 * PAGE) == 0 && fstat(fd, &st) == 0 && st.st_size == 3 * PAGE,
	      "grow");
	char *big = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(big != MAP_FAILED && memcmp(big, "HEll!", 5) == 0 && big[2 * PAGE + 7] == 0,
	      "grown mapping");
	if (big != MAP_FAILED) {
		big[2 * PAGE] = 'z';
		CHECK(pread(fd, buf, 1, 2 * PAGE) == 1 && buf[0] == 'z', "write at the end");
		big[1] = 'e';
		CHECK(m[1] == 'e', "two mappings share");
		munmap(big, 3 * PAGE);
	}
	/* MAP_PRIVATE: a copy that does not write back. */
	char *priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(priv != MAP_FAILED && priv[0] == 'H', "private mapping");
	if (priv != MAP_FAILED) {
		priv[0] = 'P';
		CHECK(m[0] == 'H', "private writes stay private");
		munmap(priv, PAGE);
	}
	CHECK(munmap(m, PAGE) == 0, "munmap");
	close(fd);

	/* Seals. */
	fd = memfd_create("sealed", MFD_ALLOW_SEALING);
	CHECK(fd >= 0 && fcntl(fd, F_GET_SEALS) == 0, "no seals yet");
	CHECK(ftruncate(fd, PAGE) == 0, "size");
	CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0, "add seals");
	CHECK(fcntl(fd, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW), "get seals");
	CHECK(ftruncate(fd, PAGE / 2) < 0 && errno == EPERM, "shrink sealed");
	CHECK(ftruncate(fd, 2 * PAGE) < 0 && errno == EPERM, "grow sealed");
	CHECK(pwrite(fd, "x", 1, PAGE) < 0 && errno == EPERM, "write beyond: grow sealed");
	CHECK(pwrite(fd, "x", 1, 0) == 1, "write within");
	CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL) == 0, "seal writes");
	CHECK(pwrite(fd, "x", 1, 0) < 0 && errno == EPERM, "write sealed");
	CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
		  errno == EPERM,
	      "writable shared mapping sealed");
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && m[0] == 'x', "read-only mapping of a sealed file");
	if (m != MAP_FAILED)
		munmap(m, PAGE);
	CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) < 0 && errno == EPERM, "F_SEAL_SEAL");
	close(fd);
	fd = memfd_create("unsealable", 0);
	CHECK(fd >= 0 && fcntl(fd, F_GET_SEALS) == F_SEAL_SEAL, "without MFD_ALLOW_SEALING");
	close(fd);
}

struct shared {
	volatile char *p;
	int fd;
};

static void *thread_writes(void *arg)
{
	struct shared *s = arg;
	s->p[100] = 'T';
	return pwrite(s->fd, "W", 1, 200) == 1 ? NULL : (void *)1;
}

/* The wl_shm pattern: the fd passed over an AF_UNIX socket and mapped at the other end. */
static void check_passing(void)
{
	int fd = memfd_create("pool", MFD_CLOEXEC), sv[2], got = -1;
	char c = 0, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&c, 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};

	CHECK(fd >= 0 && ftruncate(fd, 2 * PAGE) == 0, "pool");
	char *a = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(a != MAP_FAILED, "map");
	if (a == MAP_FAILED)
		return;
	struct shared s = {a, fd};
	pthread_t t;
	CHECK(pthread_create(&t, NULL, thread_writes, &s) == 0, "thread");
	pthread_join(t, NULL);
	CHECK(a[100] == 'T' && a[200] == 'W', "a thread's writes seen");
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	CHECK(sendmsg(sv[0], &mh, 0) == 1, "sendmsg");
	mh.msg_controllen = sizeof(ctl);
	CHECK(recvmsg(sv[1], &mh, 0) == 1, "recvmsg");
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(cm), sizeof(int));
	CHECK(got >= 0 && got != fd, "an fd came: %d", got);
	char *b = got >= 0 ? mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, got, 0)
			   : MAP_FAILED;
	CHECK(b != MAP_FAILED, "map the passed fd");
	if (b != MAP_FAILED) {
		CHECK(b[100] == 'T', "the same pages");
		b[PAGE + 1] = 'B';
		a[PAGE + 2] = 'A';
		CHECK(a[PAGE + 1] == 'B' && b[PAGE + 2] == 'A', "each sees the other's writes");
		munmap(b, 2 * PAGE);
	}
	close(got);
	close(sv[0]);
	close(sv[1]);
	close(fd);
	/* The mapping outlives the fd. */
	CHECK(a[PAGE + 1] == 'B', "mapping after close");
	munmap(a, 2 * PAGE);
}

static void check_shm_open(void)
{
	const char *name = "/veridian-shm-test";
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);

	CHECK(fd >= 0, "shm_open create");
	CHECK(ftruncate(fd, PAGE) == 0, "size");
	char *a = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int fd2 = shm_open(name, O_RDWR, 0);
	CHECK(fd2 >= 0, "shm_open again by name");
	char *b = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	CHECK(a != MAP_FAILED && b != MAP_FAILED, "map both");
	if (a != MAP_FAILED && b != MAP_FAILED) {
		strcpy(a, "by name");
		CHECK(strcmp(b, "by name") == 0, "the same object");
		munmap(a, PAGE);
		munmap(b, PAGE);
	}
	CHECK(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600) < 0 && errno == EEXIST, "O_EXCL");
	CHECK(shm_unlink(name) == 0, "shm_unlink");
	CHECK(shm_open(name, O_RDWR, 0) < 0 && errno == ENOENT, "gone");
	CHECK(shm_unlink(name) < 0 && errno == ENOENT, "unlink again");
	close(fd);
	close(fd2);
}

static void check_tmp_file(void)
{
	char path[64], buf[8] = {0};
	snprintf(path, sizeof(path), "/tmp/veridian-shm-%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0 && write(fd, "tmpfile", 7) == 7, "a file in /tmp");
	char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && memcmp(m, "tmpfile", 7) == 0, "map a file");
	if (m != MAP_FAILED) {
		m[0] = 'T';
		CHECK(pread(fd, buf, 7, 0) == 7 && buf[0] == 'T', "written through");
		munmap(m, PAGE);
	}
	int ro = open(path, O_RDONLY);
	CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED &&
		  errno == EACCES,
	      "writable shared mapping of a read-only fd: EACCES");
	close(ro);
	close(fd);
	unlink(path);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, 999, 0) == MAP_FAILED && errno == EBADF,
	      "bad fd");
}

int main(void)
{
	check_memfd();
	check_passing();
	check_shm_open();
	check_tmp_file();
	printf("shm: %d failures\n", failures);
	return failures;
}
