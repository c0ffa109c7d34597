/*
 * A shared library that tests/posix/dynamic.c is linked against: code, data
 * shared with the program, a constructor, and calls into the C library.
 */
#include <stdio.h>

int vrdyn_a_counter = 40;
int vrdyn_a_constructed;

__attribute__((constructor)) static void construct(void)
{
	vrdyn_a_constructed++;
}

int vrdyn_a_add(int a, int b)
{
	return a + b;
}

int vrdyn_a_bump(void)
{
	return ++vrdyn_a_counter;
}

const char *vrdyn_a_greeting(void)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "a:%d", vrdyn_a_counter);
	return buf;
}
