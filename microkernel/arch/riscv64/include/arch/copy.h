/* arch_copy_words, inline: the aligned middle of every large memcpy (a page is 512 words). */
#pragma once

#include <stddef.h>
#include <stdint.h>

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
