/* kvsnprintf against the C library's snprintf, which defines the expected output. */
// UNIT_SRCS: microkernel/lib/fmt.c
#define UNIT_MAIN
#include "unit.h"

#include <stdint.h>
#include <kernel/printk.h>

#define SAME(...) \
	do { \
		char want[256], got[256]; \
		int nw = snprintf(want, sizeof(want), __VA_ARGS__); \
		int ng = ksnprintf(got, sizeof(got), __VA_ARGS__); \
		CHECK_STR(got, want); \
		CHECK(ng == nw); \
	} while (0)

TEST(integers)
{
	SAME("%d %i %u", 0, -1, 4000000000u);
	SAME("%d %d", INT32_MAX, INT32_MIN);
	SAME("%ld %lu", (long)INT64_MIN, (unsigned long)UINT64_MAX);
	SAME("%lld %llx", -5LL, 0x123456789abcdefULL);
	SAME("%zu %zx", (size_t)12345, (size_t)0xfff);
	SAME("%hhd %hhu %hd %hu", (signed char)-44, (unsigned char)200, (short)-7000, (unsigned short)60000);
	SAME("%o %#o %#o", 8u, 8u, 0u);
}

TEST(flags_and_widths)
{
	SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
	SAME("[%5d] [%-5d] [%05d] [%+d]", -42, -42, -42, -42);
	SAME("[%#x] [%#X] [%#010x] [%#x]", 255u, 255u, 255u, 0u);
	SAME("[%*d] [%-*d]", 6, 7, 6, 7);
	SAME("[%.3d] [%8.3d] [%-8.3d] [%08.3d]", 5, 5, 5, 5);
	SAME("[%.0d]", 0);
	SAME("[%.0x] [%5.0u]", 0u, 0u);
}

TEST(strings_and_chars)
{
	SAME("[%s] [%10s] [%-10s] [%.2s]", "abc", "abc", "abc", "abc");
	SAME("[%c] [%3c] [%-3c]", 'x', 'y', 'z');
	SAME("100%% [%s]", "");
	SAME("%.*s", 3, "abcdef");
}

TEST(pointer)
{
	char got[64];

	ksnprintf(got, sizeof(got), "%p", (void *)0xffffffff80001234ull);
	CHECK_STR(got, "0xffffffff80001234");
}

TEST(truncation)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	CHECK(ksnprintf(buf, 5, "%s", "hello world") == 11);
	CHECK_STR(buf, "hell");
	CHECK(buf[5] == 'X');
	CHECK(ksnprintf(NULL, 0, "%d", 12345) == 5);
	CHECK(ksnprintf(buf, 1, "abc") == 3 && buf[0] == '\0');
}

TEST(random_against_libc)
{
	static const char *const fmts[] = {"%d", "%x", "%08x", "%-12u", "%+5d", "%#lx", "%.4d"};
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < 20000; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		const char *f = fmts[seed % 7];
		if (f[2] == 'l' || f[1] == '#')
			SAME("%#lx", (unsigned long)seed);
		else
			SAME(f, (int)(seed >> 20));
	}
}
