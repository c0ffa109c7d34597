/* arch_copy_words, inline: the aligned middle of every large memcpy (a page is 512 words). */
#pragma once

#include <stddef.h>

/* Copies @n eight-byte words from @s to @d (not overlapping). One rep movsq; DF is clear in the kernel. */
static inline void arch_copy_words(void *d, const void *s, size_t n)
{
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}
