/*
 * uname, getrandom and the program break (brk). Exits with the number of
 * failed checks; each failure is printed. On Linux (the reference run,
 * VERIDIAN_TEST unset) the system is called "Linux".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>


#define TEST_NAME "system"
#include "check.h"

static void check_uname(void)
{
	struct utsname u;
	const char *want = getenv("VERIDIAN_TEST") ? "VeridianOS" : "Linux";

	CHECK(uname(&u) == 0, "uname: errno %d", errno);
	CHECK(strcmp(u.sysname, want) == 0, "sysname \"%s\", wanted \"%s\"", u.sysname, want);
	CHECK(u.machine[0] && u.release[0] && u.nodename[0], "empty machine/release/nodename");
#if defined(__x86_64__)
	CHECK(strcmp(u.machine, "x86_64") == 0, "machine %s", u.machine);
#elif defined(__aarch64__)
	CHECK(strcmp(u.machine, "aarch64") == 0, "machine %s", u.machine);
#elif defined(__riscv)
	CHECK(strcmp(u.machine, "riscv64") == 0, "machine %s", u.machine);
#endif
}

static void check_getrandom(void)
{
	unsigned char a[333], b[333];
	int counts[256] = {0}, same = 0, zeros = 0;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK(getrandom(a, sizeof(a), 0) == (ssize_t)sizeof(a), "getrandom: errno %d", errno);
	CHECK(getrandom(b, sizeof(b), GRND_NONBLOCK) == (ssize_t)sizeof(b), "getrandom: errno %d",
	      errno);
	for (size_t i = 0; i < sizeof(a); i++) {
		same += a[i] == b[i];
		zeros += a[i] == 0;
		counts[a[i]]++;
	}
	/* 333 random bytes: about 1.3 equal to the other call's and 1.3 zeros are expected. */
	CHECK(same < 20 && zeros < 20, "not random: %d equal bytes, %d zeros", same, zeros);
	int most = 0;
	for (int i = 0; i < 256; i++)
		most = counts[i] > most ? counts[i] : most;
	CHECK(most < 15, "one byte value %d times in 333", most);
	errno = 0;
	CHECK(getrandom(a, 8, 0x40000000) == -1 && errno == EINVAL, "bad flags: errno %d", errno);
	CHECK(getrandom(a, 0, 0) == 0, "getrandom of 0 bytes");
}

static void check_brk(void)
{
	uintptr_t start = (uintptr_t)syscall(SYS_brk, 0);
	size_t grow = 256 * 1024;

	CHECK(start != 0, "brk(0) gave 0");
	uintptr_t got = (uintptr_t)syscall(SYS_brk, start + grow);
	CHECK(got == start + grow, "brk grow: %#lx, wanted %#lx", (unsigned long)got,
	      (unsigned long)(start + grow));
	if (got == start + grow) {
		volatile unsigned char *p = (unsigned char *)start;
		for (size_t i = 0; i < grow; i += 4096)
			p[i] = (unsigned char)i;
		int bad = 0;
		for (size_t i = 0; i < grow; i += 4096)
			bad += p[i] != (unsigned char)i;
		CHECK(!bad, "%d pages of the break lost their bytes", bad);
	}
	got = (uintptr_t)syscall(SYS_brk, start + 4096);
	CHECK(got == start + 4096, "brk shrink: %#lx", (unsigned long)got);
	got = (uintptr_t)syscall(SYS_brk, start - (1ul << 40));
	CHECK(got == start + 4096, "brk below its start moved it to %#lx", (unsigned long)got);
	CHECK((uintptr_t)syscall(SYS_brk, 0) == start + 4096, "brk(0) after shrink");
	syscall(SYS_brk, start);
}

int main(void)
{
	check_uname();
	check_getrandom();
	check_brk();
	/* malloc after the break moved around. */
	char *p = malloc(100000);
	CHECK(p != NULL, "malloc after brk");
	if (p)
		memset(p, 1, 100000);
	free(p);
	printf("system: %d check%s failed\n", failures, failures == 1 ? "" : "s");
	return failures > 100 ? 100 : failures;
}
