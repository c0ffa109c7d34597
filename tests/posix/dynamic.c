/*
 * Dynamic linking: this program is linked against a shared library
 * (lib/vrdyn-a.c) and started by the dynamic linker, calls into the library
 * and shares its data, then opens another (lib/vrdyn-b.c) with dlopen, finds
 * its functions with dlsym, uses its thread-local data from two threads, and
 * checks what dlerror says about a missing library and symbol. Exits with
 * the number of failed checks.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

int vrdyn_a_add(int a, int b);
int vrdyn_a_bump(void);
const char *vrdyn_a_greeting(void);
extern int vrdyn_a_counter, vrdyn_a_constructed;


#define TEST_NAME "dynamic"
#include "check.h"

static void check_linked(void)
{
	CHECK(getauxval(AT_BASE) != 0, "no dynamic linker (AT_BASE 0)");
	CHECK(vrdyn_a_constructed == 1, "the library's constructor ran %d times",
	      vrdyn_a_constructed);
	CHECK(vrdyn_a_add(2, 3) == 5, "vrdyn_a_add(2, 3) = %d", vrdyn_a_add(2, 3));
	/* The library's data is the program's too. */
	CHECK(vrdyn_a_counter == 40, "vrdyn_a_counter = %d", vrdyn_a_counter);
	vrdyn_a_counter++;
	CHECK(vrdyn_a_bump() == 42 && vrdyn_a_counter == 42, "vrdyn_a_bump: counter %d",
	      vrdyn_a_counter);
	const char *g = vrdyn_a_greeting();
	CHECK(strcmp(g, "a:42") == 0, "vrdyn_a_greeting() = \"%s\"", g);
}

static int *(*b_tls)(void);
static int *thread_tls;

/* NULL, or what is wrong with the thread-local value in a new thread. */
static void *tls_thread(void *arg)
{
	int *mine = b_tls();

	(void)arg;
	thread_tls = mine;
	if (*mine != 7)
		return "a new thread does not start with the initial value";
	*mine = 100;
	return *b_tls() == 100 ? NULL : "a thread's own value does not stick";
}

static void check_dlopen(void)
{
	void *h = dlopen("libvrdyn-b.so", RTLD_NOW | RTLD_LOCAL);

	CHECK(h != NULL, "dlopen libvrdyn-b.so: %s", dlerror());
	if (!h)
		return;
	CHECK(dlopen("libvrdyn-b.so", RTLD_NOW) == h, "a second dlopen gave another handle");
	int (*mul)(int, int) = (int (*)(int, int))dlsym(h, "vrdyn_b_mul");
	int (*via_a)(void) = (int (*)(void))dlsym(h, "vrdyn_b_via_a");
	b_tls = (int *(*)(void))dlsym(h, "vrdyn_b_tls");
	CHECK(mul && mul(6, 7) == 42, "vrdyn_b_mul");
	CHECK(via_a && via_a() == 42, "vrdyn_b_via_a");
	CHECK(dlsym(RTLD_DEFAULT, "vrdyn_a_add") == (void *)vrdyn_a_add,
	      "dlsym(RTLD_DEFAULT) finds another address for vrdyn_a_add");
	CHECK(dlsym(RTLD_DEFAULT, "vrdyn_b_mul") == NULL,
	      "an RTLD_LOCAL library's symbol is global");
	if (b_tls) {
		int *tls = b_tls();
		CHECK(*tls == 7, "thread-local value %d, not 7", *tls);
		*tls = 8;
		pthread_t t;
		void *why = "not run";
		CHECK(pthread_create(&t, NULL, tls_thread, NULL) == 0 && pthread_join(t, &why) == 0,
		      "thread");
		CHECK(why == NULL, "%s", why ? (const char *)why : "");
		CHECK(thread_tls && thread_tls != tls,
		      "the thread's value is at the main thread's address");
		CHECK(*tls == 8 && b_tls() == tls, "the main thread's value changed: %d", *tls);
	}
	dlerror();
	CHECK(dlsym(h, "vrdyn_no_such_symbol") == NULL, "dlsym of a missing symbol");
	const char *e = dlerror();
	CHECK(e && strstr(e, "vrdyn_no_such_symbol"), "dlerror after dlsym: %s", e ? e : "(null)");
	CHECK(dlerror() == NULL, "dlerror does not clear");
	CHECK(dlclose(h) == 0, "dlclose");
}

static void check_missing(void)
{
	CHECK(dlopen("libvrdyn-missing.so", RTLD_NOW) == NULL, "dlopen of a missing library");
	const char *e = dlerror();
	CHECK(e && strstr(e, "libvrdyn-missing.so"), "dlerror after dlopen: %s", e ? e : "(null)");
	CHECK(dlopen("/nonexistent/libvrdyn-a.so", RTLD_NOW) == NULL, "dlopen of a missing path");
	CHECK(dlerror() != NULL, "no dlerror for a missing path");
}

int main(void)
{
	check_linked();
	check_dlopen();
	check_missing();
	if (!failures)
		printf("dynamic: all checks passed\n");
	return failures;
}
