/*
 * test_string.c again, with string.c's own arch_copy_words (the eight-words
 * loop aarch64 and riscv64 use) in place of x86_64's rep movsq.
 */
// UNIT_SRCS:
#define STRING_OWN_COPY_WORDS
#include "test_string.c"
