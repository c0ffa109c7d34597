/* Freestanding memory and string functions; the compiler may emit calls to the mem* ones. */
#include <kernel/string.h>

/* STRING_OWN_COPY_WORDS: the host unit test of the generic one (tests/unit/lib). */
#if __has_include(<arch/copy.h>) && !defined(STRING_OWN_COPY_WORDS)
#include <arch/copy.h> /* an architecture's own arch_copy_words (x86_64: rep movsq) */
#else
/*
 * Copies @n eight-byte words from @s to @d (not overlapping), eight a round:
 * the loop's own work was half of a word-at-a-time copy.
 */
static inline void arch_copy_words(void *d, const void *s, size_t n)
{
	typedef uint64_t __attribute__((may_alias)) word;
	const word *ws = s;
	word *wd = d;

	for (; n >= 8; n -= 8, ws += 8, wd += 8) {
		word w0 = ws[0], w1 = ws[1], w2 = ws[2], w3 = ws[3], w4 = ws[4], w5 = ws[5], w6 = ws[6],
		     w7 = ws[7];
		wd[0] = w0, wd[1] = w1, wd[2] = w2, wd[3] = w3, wd[4] = w4, wd[5] = w5, wd[6] = w6, wd[7] = w7;
	}
	while (n--)
		*wd++ = *ws++;
}
#endif

/*
 * memcpy, memmove and memset move eight bytes at a time once the pointers
 * are aligned (a page copy or clear is 512 words, not 4096 bytes); memcpy
 * also when only the destination can be aligned. The word
 * type may alias anything; no_builtin keeps the compiler from turning the
 * loops back into calls to the functions themselves.
 */
typedef uint64_t __attribute__((may_alias)) word_t;
#define WORD sizeof(word_t)
#define ALIGNED(p) (((uintptr_t)(p) & (WORD - 1)) == 0)

/*
 * Source and destination a different distance from a word boundary (a cpio
 * file's data is only 4-byte aligned): aligned word loads from the source,
 * each destination word put together from two of them by shifts
 * (little-endian on all three architectures). A load may touch bytes just
 * before or after the source, never outside its first and last words.
 */
__attribute__((no_sanitize("address"), no_builtin("memcpy"))) static void copy_shifted(unsigned char *d,
								  const unsigned char *s, size_t n)
{
	unsigned k = (uintptr_t)s & (WORD - 1), sh = k * 8;
	const word_t *ws = (const word_t *)(s - k);
	word_t lo = *ws;

	for (; n >= WORD; n -= WORD, d += WORD) {
		word_t hi = *++ws;
		*(word_t *)d = (lo >> sh) | (hi << (64 - sh));
		lo = hi;
	}
	for (s = (const unsigned char *)ws + k; n--;)
		*d++ = *s++;
}

__attribute__((no_builtin("memcpy"))) void *memcpy(void *restrict dst, const void *restrict src,
						   size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (n < WORD) {
		/* A few bytes (a message's, a pipe's): no alignment work. */
#pragma clang loop vectorize(disable) unroll(disable)
		while (n--)
			*d++ = *s++;
		return dst;
	}
	for (; n && !ALIGNED(d); n--)
		*d++ = *s++;
	if (!ALIGNED(s) && n >= WORD) {
		copy_shifted(d, s, n);
		return dst;
	}
	/* The aligned middle: the architecture's fastest way (arch/copy.h). */
	if (n >= WORD) {
		arch_copy_words(d, s, n / WORD);
		d += n & ~(WORD - 1);
		s += n & ~(WORD - 1);
		n &= WORD - 1;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

__attribute__((no_builtin("memmove"))) void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy from the end down. */
	d += n, s += n;
	if ((((uintptr_t)d ^ (uintptr_t)s) & (WORD - 1)) == 0) {
		for (; n && !ALIGNED(d); n--)
			*--d = *--s;
		for (; n >= WORD; n -= WORD) {
			d -= WORD, s -= WORD;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	while (n--)
		*--d = *--s;
	return dst;
}

__attribute__((no_builtin("memset"))) void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word_t w = 0x0101010101010101ull * (unsigned char)c;

	for (; n && !ALIGNED(d); n--)
		*d++ = (unsigned char)c;
	for (; n >= WORD; n -= WORD, d += WORD)
		*(word_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return n ? NULL : (char *)haystack;
}
