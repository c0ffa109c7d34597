/*
 * The kernel's memcpy, memmove and memset against the C library's, for every
 * alignment of both pointers and every length up to a few words, plus page
 * sized runs. The kernel's copies are renamed so both can live in one binary.
 */
// UNIT_SRCS:
#define memcpy k_memcpy
#define memmove k_memmove
#define memset k_memset
#define memcmp k_memcmp
#define strlen k_strlen
#define strnlen k_strnlen
#define strcmp k_strcmp
#define strncmp k_strncmp
#define strchr k_strchr
#define strstr k_strstr
#include "../../../microkernel/lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strstr

#define UNIT_MAIN
#include "unit.h"

#define AREA 8192
static unsigned char a[AREA], b[AREA], ref[AREA];

static void fill(unsigned char *p, unsigned seed)
{
	for (unsigned i = 0; i < AREA; i++)
		p[i] = (unsigned char)(i * 131u + seed * 7u + 1u);
}

static const size_t lengths[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 100, 4095, 4096, 4097};

TEST(memcpy_every_alignment_and_length)
{
	for (unsigned da = 0; da < 16; da++)
		for (unsigned sa = 0; sa < 16; sa++)
			for (unsigned l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
				size_t n = lengths[l];
				fill(a, 1), fill(b, 2), fill(ref, 1);
				memcpy(ref + 64 + da, b + 64 + sa, n);
				CHECK(k_memcpy(a + 64 + da, b + 64 + sa, n) == a + 64 + da);
				CHECK(memcmp(a, ref, AREA) == 0);
			}
}

TEST(memmove_overlapping_both_ways)
{
	for (unsigned da = 0; da < 16; da++)
		for (unsigned sa = 0; sa < 16; sa++)
			for (unsigned l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++)
				for (int shift = -24; shift <= 24; shift += 8) {
					size_t n = lengths[l];
					unsigned char *src = a + 2048 + sa, *dst = a + 2048 + da + shift;
					fill(a, 3), fill(ref, 3);
					memmove(ref + (dst - a), ref + (src - a), n);
					CHECK(k_memmove(dst, src, n) == dst);
					CHECK(memcmp(a, ref, AREA) == 0);
				}
}

TEST(memset_every_alignment_and_length)
{
	for (unsigned da = 0; da < 16; da++)
		for (unsigned l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++)
			for (int c = 0; c < 512; c += 0xa5) {
				size_t n = lengths[l];
				fill(a, 4), fill(ref, 4);
				memset(ref + 64 + da, c, n);
				CHECK(k_memset(a + 64 + da, c, n) == a + 64 + da);
				CHECK(memcmp(a, ref, AREA) == 0);
			}
}
