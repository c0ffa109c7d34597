/*
 * memcpy for riscv64 (VeridianOS's own; replaces musl's generic one, which
 * moves four bytes at a time): eight-byte words once the destination is
 * aligned, eight words a round when the source is aligned too, else each
 * destination word put together from two aligned source words by shifts. An
 * aligned load may touch bytes beside the source, never outside the aligned
 * words that hold its first and last bytes (so never another page).
 */
#include <stdint.h>
#include <string.h>

typedef uint64_t __attribute__((__may_alias__)) word;

void *memcpy(void *restrict dest, const void *restrict src, size_t n)
{
	unsigned char *d = dest;
	const unsigned char *s = src;

	if (n >= 16) {
		for (; (uintptr_t)d & 7; n--)
			*d++ = *s++;
		unsigned k = (uintptr_t)s & 7;
		if (!k) {
			for (; n >= 64; n -= 64, d += 64, s += 64) {
				const word *ws = (const word *)s;
				word *wd = (word *)d, w0 = ws[0], w1 = ws[1], w2 = ws[2], w3 = ws[3],
				     w4 = ws[4], w5 = ws[5], w6 = ws[6], w7 = ws[7];
				wd[0] = w0, wd[1] = w1, wd[2] = w2, wd[3] = w3;
				wd[4] = w4, wd[5] = w5, wd[6] = w6, wd[7] = w7;
			}
			for (; n >= 8; n -= 8, d += 8, s += 8)
				*(word *)d = *(const word *)s;
		} else {
			const word *ws = (const word *)(s - k);
			unsigned sh = k * 8;
			word lo = *ws;
			for (; n >= 8; n -= 8, d += 8) {
				word hi = *++ws;
				*(word *)d = lo >> sh | hi << (64 - sh);
				lo = hi;
			}
			s = (const unsigned char *)ws + k;
		}
	}
	while (n--)
		*d++ = *s++;
	return dest;
}
