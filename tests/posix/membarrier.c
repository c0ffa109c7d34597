/*
 * membarrier: QUERY names the global and expedited commands,
 * PRIVATE_EXPEDITED is EPERM until the process registers, every command
 * returns while another thread of ours spins on a CPU, and bad commands
 * and flags are EINVAL. Through syscall(), since musl's membarrier() hides
 * the EPERM behind a fall-back of its own. Exits with the number of failed
 * checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/membarrier.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TEST_NAME "membarrier"
#include "check.h"

static long mb(int cmd, unsigned flags)
{
	return syscall(SYS_membarrier, cmd, flags);
}

static volatile int stop, seen;

static void *spin(void *arg)
{
	(void)arg;
	while (!stop)
		seen++;
	return NULL;
}

int main(void)
{
	const long want = MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_GLOBAL_EXPEDITED |
			  MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED | MEMBARRIER_CMD_PRIVATE_EXPEDITED |
			  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED;
	long q = mb(MEMBARRIER_CMD_QUERY, 0);
	pthread_t t;

	CHECK(q >= 0 && (q & want) == want, "QUERY names the commands (%#lx)", q);
	errno = 0;
	CHECK(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == -1 && errno == EPERM,
	      "PRIVATE_EXPEDITED before registering: EPERM");
	CHECK(pthread_create(&t, NULL, spin, NULL) == 0, "pthread_create");
	CHECK(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) == 0, "REGISTER_PRIVATE_EXPEDITED");
	for (int i = 0; i < 100; i++)
		CHECK(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) == 0, "PRIVATE_EXPEDITED %d", i);
	CHECK(mb(MEMBARRIER_CMD_GLOBAL, 0) == 0, "GLOBAL");
	CHECK(mb(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0) == 0, "REGISTER_GLOBAL_EXPEDITED");
	CHECK(mb(MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0) == 0, "GLOBAL_EXPEDITED");
	stop = 1;
	CHECK(pthread_join(t, NULL) == 0, "pthread_join");
	errno = 0;
	CHECK(mb(12345, 0) == -1 && errno == EINVAL, "an unknown command: EINVAL");
	errno = 0;
	CHECK(mb(MEMBARRIER_CMD_GLOBAL, 2) == -1 && errno == EINVAL, "unknown flags: EINVAL");
	printf("membarrier: %s (%d failed)\n", failures ? "FAIL" : "PASS", failures);
	return failures;
}
