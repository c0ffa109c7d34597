/*
 * A shared library that tests/posix/dynamic.c opens with dlopen: it calls
 * libvrdyn-a.so's function, found among the symbols of what is loaded
 * already, and has thread-local data of its own.
 */
int vrdyn_a_add(int a, int b);

static _Thread_local int tls_value = 7;

int vrdyn_b_mul(int a, int b)
{
	return a * b;
}

/* 6 * 7 by way of the other library. */
int vrdyn_b_via_a(void)
{
	return vrdyn_a_add(vrdyn_b_mul(6, 7), 0);
}

int *vrdyn_b_tls(void)
{
	return &tls_value;
}
