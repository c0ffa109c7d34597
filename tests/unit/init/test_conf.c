/*
 * /sbin/init's service definitions (posix/init/conf.c), start order
 * (order.c) and restart policy (restart.c) on the host under ASan: keys,
 * quoting, errors with their line, limits, random input; topological
 * order, missing dependencies, cycles and what depends on them; policies,
 * the restart limit, the backoff.
 */
// UNIT_SRCS: posix/init/conf.c posix/init/order.c posix/init/restart.c
#define UNIT_MAIN
#include "unit.h"

#include "../../../posix/init/service.h"

static struct service svc[SVC_MAX];
static char err[160];

static int parse(struct service *s, const char *name, const char *text)
{
	err[0] = 0;
	return svc_parse(s, name, text, strlen(text), err, sizeof(err));
}

TEST(full_definition)
{
	struct service *s = &svc[0];

	CHECK(parse(s, "shell",
		    "# a comment\n"
		    "\n"
		    "  name = shell  \n"
		    "exec = /bin/sh -i +m\r\n"
		    "env = PATH=/bin:/sbin \"PS1=# \" \"Q=a\\\"b\\\\c\"\n"
		    "env = TERM=vt100\n"
		    "after = base net\n"
		    "restart = always\n"
		    "restart-limit = 5\n"
		    "restart-delay = 250\n"
		    "output = console\n"
		    "caps = control") == 0);
	CHECK_STR(err, "");
	CHECK_STR(s->name, "shell");
	CHECK_STR(s->argv[0], "/bin/sh");
	CHECK_STR(s->argv[1], "-i");
	CHECK_STR(s->argv[2], "+m");
	CHECK(s->argv[3] == NULL);
	CHECK_STR(s->envp[0], "PATH=/bin:/sbin");
	CHECK_STR(s->envp[1], "PS1=# ");
	CHECK_STR(s->envp[2], "Q=a\"b\\c");
	CHECK_STR(s->envp[3], "TERM=vt100");
	CHECK(s->envp[4] == NULL);
	CHECK_STR(s->after[0], "base");
	CHECK_STR(s->after[1], "net");
	CHECK(s->after[2] == NULL);
	CHECK(s->restart == SVC_RESTART_ALWAYS);
	CHECK(s->restart_limit == 5);
	CHECK(s->restart_delay_ms == 250);
	CHECK(s->output == SVC_OUT_CONSOLE);
	CHECK(s->caps == SVC_CAP_CONTROL);
	CHECK(s->state == SVC_PENDING && s->control == -1);
}

TEST(defaults)
{
	struct service *s = &svc[0];

	CHECK(parse(s, "a", "exec=/bin/true") == 0);
	CHECK(s->restart == SVC_RESTART_NO && s->restart_limit == 0 && s->restart_delay_ms == 100);
	CHECK(s->output == SVC_OUT_LOG && s->caps == 0);
	CHECK(s->envp[0] == NULL && s->after[0] == NULL);
	CHECK(parse(s, "a", "exec = /x\nrestart = on-failure\noutput = null\ncaps =\n") == 0);
	CHECK(s->restart == SVC_RESTART_ON_FAILURE && s->output == SVC_OUT_NULL && s->caps == 0);
}

TEST(errors_name_their_line)
{
	struct service *s = &svc[0];
	const struct {
		const char *text, *err;
	} cases[] = {
	    {"exec = /bin/true\ncolour = blue", "line 2: unknown key 'colour'"},
	    {"exec /bin/true", "line 1: not \"key = value\""},
	    {"exec = /a\nexec = /b", "line 2: exec given twice"},
	    {"exec = /a \"b", "line 1: unterminated quote"},
	    {"exec = /a\nrestart = sometimes",
	     "line 2: restart is no, on-failure or always, not 'sometimes'"},
	    {"exec = /a\nrestart-limit = -1",
	     "line 2: restart-limit is a number up to 1000000, not '-1'"},
	    {"exec = /a\nrestart-delay = 30001",
	     "line 2: restart-delay is a number up to 30000, not '30001'"},
	    {"exec = /a\nrestart-delay = 5x",
	     "line 2: restart-delay is a number up to 30000, not '5x'"},
	    {"exec = /a\noutput = file", "line 2: output is log, console or null, not 'file'"},
	    {"exec = /a\ncaps = control admin", "line 2: unknown capability 'admin'"},
	    {"exec = /a\nname = b", "line 2: name 'b' is not the file's"},
	    {"restart = no", "no exec ="},
	    {"exec = true", "exec = needs a program's absolute path, not 'true'"},
	    {"exec = /a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "line 1: more than 16 words"},
	    {"exec = /a\nafter = 1 2 3 4 5 6 7 8 9", "line 2: more than 8 words"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(parse(s, "a", cases[i].text) == -1);
		CHECK_STR(err, cases[i].err);
	}
	CHECK(parse(s, "", "exec = /a") == -1 && s->name[0] == 0);
	CHECK(parse(s, "a/b", "exec = /a") == -1);
	CHECK(parse(s, "0123456789012345678901234567890123", "exec = /a") == -1);
	char text[] = "exec = /a\0b";
	CHECK(svc_parse(s, "a", text, sizeof(text) - 1, err, sizeof(err)) == -1);
	CHECK_STR(err, "line 1: a NUL byte");
}

TEST(device_caps)
{
	struct service *s = &svc[0];

	CHECK(parse(s, "devmgr", "exec = /a\ncaps = control devices\ncaps = irq:1023") == 0);
	CHECK_STR(err, "");
	CHECK(s->caps == SVC_CAP_CONTROL && s->ndevs == 2 && s->nhandles == 3);
	CHECK(s->devs[0].kind == SVC_DEV_DEVICES);
	CHECK(s->devs[1].kind == SVC_DEV_IRQ && s->devs[1].base == 1023);
	CHECK(parse(s, "drv", "exec = /a\ncaps = mmio:0xfe000000+0x2000 irq:0") == 0);
	CHECK(s->caps == 0 && s->ndevs == 2 && s->nhandles == 3);
	CHECK(s->devs[0].kind == SVC_DEV_MMIO && s->devs[0].base == 0xfe000000 &&
	      s->devs[0].len == 0x2000);
	CHECK(s->devs[1].kind == SVC_DEV_IRQ && s->devs[1].base == 0);
	CHECK(parse(s, "drv", "exec = /a\ncaps = mmio:4096+8192 mmio:8192+4096") == 0);
	CHECK(s->ndevs == 2 && s->nhandles == 2);
	CHECK(s->devs[0].kind == SVC_DEV_MMIO && s->devs[0].base == 4096 && s->devs[0].len == 8192);
	CHECK(s->devs[1].kind == SVC_DEV_MMIO && s->devs[1].base == 8192 && s->devs[1].len == 4096);
	/* The names are not kept: the definition's strings hold only exec's words. */
	CHECK(s->used == strlen("/a") + 1);
	CHECK(parse(s, "none", "exec = /a") == 0 && s->ndevs == 0 && s->nhandles == 0);
	/* I/O ports; sixteen handles in all, over several lines. */
	CHECK(parse(s, "uart", "exec = /a\ncaps = ioport:0x3f8+8 ioport:96+1 ioport:0xffff+1") == 0);
	CHECK(s->ndevs == 3 && s->nhandles == 3);
	CHECK(s->devs[0].kind == SVC_DEV_IOPORT && s->devs[0].base == 0x3f8 && s->devs[0].len == 8);
	CHECK(s->devs[1].kind == SVC_DEV_IOPORT && s->devs[1].base == 0x60 && s->devs[1].len == 1);
	CHECK(s->devs[2].kind == SVC_DEV_IOPORT && s->devs[2].base == 0xffff && s->devs[2].len == 1);
	CHECK(parse(s, "many",
		    "exec = /a\ncaps = irq:1 irq:2 irq:3 irq:4 irq:5 irq:6 irq:7\n"
		    "caps = ioport:0x60+1 devices") == 0);
	CHECK_STR(err, "");
	CHECK(s->ndevs == 9 && s->nhandles == SVC_HANDLES_MAX && SVC_HANDLES_MAX == 16);
	CHECK(parse(s, "toomany",
		    "exec = /a\ncaps = irq:1 irq:2 irq:3 irq:4 irq:5 irq:6 irq:7\n"
		    "caps = ioport:0x60+1 devices\ncaps = ioport:0x61+1") == -1);
	CHECK_STR(err, "line 4: more than 16 handles ('ioport:0x61+1': an irq takes two)");
	const struct {
		const char *caps, *err;
	} cases[] = {
	    {"irq:1024", "line 2: 'irq:1024': irq:N wants a line up to 1023"},
	    {"irq:", "line 2: 'irq:': irq:N wants a line up to 1023"},
	    {"irq:-1", "line 2: 'irq:-1': irq:N wants a line up to 1023"},
	    {"irq:5x", "line 2: 'irq:5x': irq:N wants a line up to 1023"},
	    {"irq:0x5", "line 2: 'irq:0x5': irq:N wants a line up to 1023"},
	    {"irq", "line 2: unknown capability 'irq'"},
	    {"device", "line 2: unknown capability 'device'"},
	    {"mmio:0x1000", "line 2: 'mmio:0x1000': mmio:BASE+LEN wants whole pages"},
	    {"mmio:0x1000+0", "line 2: 'mmio:0x1000+0': mmio:BASE+LEN wants whole pages"},
	    {"mmio:0x1001+0x1000", "line 2: 'mmio:0x1001+0x1000': mmio:BASE+LEN wants whole pages"},
	    {"mmio:0x1000+0x800", "line 2: 'mmio:0x1000+0x800': mmio:BASE+LEN wants whole pages"},
	    {"mmio:+0x1000", "line 2: 'mmio:+0x1000': mmio:BASE+LEN wants whole pages"},
	    {"mmio:0x1000+", "line 2: 'mmio:0x1000+': mmio:BASE+LEN wants whole pages"},
	    {"mmio:0x1000+-4096", "line 2: 'mmio:0x1000+-4096': mmio:BASE+LEN wants whole pages"},
	    {"mmio:0xfffffffffffff000+0x2000",
	     "line 2: 'mmio:0xfffffffffffff000+0x2000': mmio:BASE+LEN wants whole pages"},
	    {"mmio:0x10000000000000000+0x1000",
	     "line 2: 'mmio:0x10000000000000000+0x1000': mmio:BASE+LEN wants whole pages"},
	    {"irq:3 irq:3", "line 2: capability 'irq:3' listed twice"},
	    {"devices control devices", "line 2: capability 'devices' listed twice"},
	    {"irq:1 irq:2 irq:3 irq:4 irq:5 irq:6 irq:7 irq:8 irq:9",
	     "line 2: more than 16 handles ('irq:9': an irq takes two)"},
	    {"irq:1 irq:2 irq:3 irq:4 irq:5 irq:6 irq:7 ioport:0+1 irq:8",
	     "line 2: more than 16 handles ('irq:8': an irq takes two)"},
	    {"ioport:0x3f8", "line 2: 'ioport:0x3f8': ioport:BASE+LEN wants ports below 0x10000"},
	    {"ioport:0x3f8+0", "line 2: 'ioport:0x3f8+0': ioport:BASE+LEN wants ports below 0x10000"},
	    {"ioport:0xfff8+9",
	     "line 2: 'ioport:0xfff8+9': ioport:BASE+LEN wants ports below 0x10000"},
	    {"ioport:0x10000+1",
	     "line 2: 'ioport:0x10000+1': ioport:BASE+LEN wants ports below 0x10000"},
	    {"ioport:+8", "line 2: 'ioport:+8': ioport:BASE+LEN wants ports below 0x10000"},
	    {"ioport:0x60+0xffffffffffffffff",
	     "line 2: 'ioport:0x60+0xffffffffffffffff': ioport:BASE+LEN wants ports below 0x10000"},
	    {"ioport:0x60+1 ioport:0x60+1", "line 2: capability 'ioport:0x60+1' listed twice"},
	};
	char text[160];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "exec = /a\ncaps = %s", cases[i].caps);
		CHECK(parse(s, "a", text) == -1);
		CHECK_STR(err, cases[i].err);
	}
	/* Across caps = lines too. */
	CHECK(parse(s, "a", "exec = /a\ncaps = irq:3\ncaps = irq:3") == -1);
	CHECK_STR(err, "line 3: capability 'irq:3' listed twice");
	CHECK(parse(s, "a", "exec = /a\ncaps = irq:3 devices\ncaps = devices") == -1);
	CHECK_STR(err, "line 3: capability 'devices' listed twice");
}

TEST(limits)
{
	struct service *s = &svc[0];
	static char text[8192];
	size_t at = (size_t)snprintf(text, sizeof(text), "exec = /a\n");

	/* Longer than a line may be. */
	memset(text + at, 'x', 600);
	text[at + 600] = 0;
	CHECK(parse(s, "a", text) == -1);
	CHECK_STR(err, "line 2: longer than 511 bytes");
	/* More words than the definition's strings hold. */
	at = (size_t)snprintf(text, sizeof(text), "exec = /a\n");
	for (int i = 0; i < 8; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "env = %0200d %0200d\n", i, i);
	CHECK(parse(s, "a", text) == -1);
	CHECK(strstr(err, "more than 16 words") || strstr(err, "too long"));
	/* A tiny error buffer is still a string. */
	char small[8];
	CHECK(svc_parse(s, "a", "bogus", 5, small, sizeof(small)) == -1 && strlen(small) < 8);
}

/* Random bytes and random mixes of valid lines: never a crash, and an error always says why. */
TEST(random_input)
{
	static const char *lines[] = {"exec = /bin/x a \"b c\"",
				      "env = A=1",
				      "after = b c",
				      "restart = always",
				      "caps = control",
				      "output = console",
				      "restart-limit = 3",
				      "# c",
				      "",
				      "\"",
				      "=",
				      "exec",
				      " = x"};
	unsigned seed = 7;
	char text[600];

	for (int round = 0; round < 20000; round++) {
		size_t len = 0;
		if (round % 2) {
			len = (size_t)(rand_r(&seed) % (int)sizeof(text));
			for (size_t i = 0; i < len; i++)
				text[i] =
				    (char)(rand_r(&seed) % 4 ? "exc=/ \n\"#a"[rand_r(&seed) % 11]
							     : rand_r(&seed));
		} else {
			for (int n = rand_r(&seed) % 8; n > 0; n--) {
				const char *l =
				    lines[rand_r(&seed) % (int)(sizeof(lines) / sizeof(lines[0]))];
				len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", l);
			}
		}
		int r = svc_parse(&svc[0], "r", text, len, err, sizeof(err));
		CHECK(r == 0 || (r == -1 && err[0]));
		if (r == 0)
			CHECK(svc[0].argv[0] && svc[0].argv[0][0] == '/');
	}
}

/* Builds n services from "name:dep,dep" specs; returns n. */
static int make(const char *const specs[], int n)
{
	for (int i = 0; i < n; i++) {
		char name[SVC_NAME_MAX], text[256];
		const char *colon = strchr(specs[i], ':');
		size_t l = colon ? (size_t)(colon - specs[i]) : strlen(specs[i]);
		snprintf(name, sizeof(name), "%.*s", (int)l, specs[i]);
		snprintf(text, sizeof(text), "exec = /bin/true\nafter = %s\n",
			 colon ? colon + 1 : "");
		for (char *c = text; *c; c++)
			if (*c == ',')
				*c = ' ';
		if (parse(&svc[i], name, text))
			fprintf(stderr, "  make: %s: %s\n", specs[i], err);
	}
	return n;
}

static int pos(const int order[], int n, int i)
{
	for (int k = 0; k < n; k++)
		if (order[k] == i)
			return k;
	return -1;
}

TEST(order_is_topological)
{
	const char *const specs[] = {"a:c", "b", "c:b", "d:a,b", "e"};
	int order[SVC_MAX], n = make(specs, 5);

	CHECK(svc_order(svc, n, order) == 5);
	/* b, then c, then a, then d; e (no dependencies) as early as its name allows. */
	CHECK(order[0] == 1 && order[1] == 2 && order[2] == 0 && order[3] == 3 && order[4] == 4);
	for (int i = 0; i < n; i++)
		CHECK(svc[i].state == SVC_PENDING);
}

TEST(missing_and_cycles_fail_the_rest_start)
{
	const char *const specs[] = {"a:nosuch", "b",	"c:a", "x:y", "y:z",
				     "z:x",	 "w:x", "v:b", "s:s"};
	int order[SVC_MAX], n = make(specs, 9);
	int count = svc_order(svc, n, order);

	CHECK(count == 2 && pos(order, count, 1) == 0 && pos(order, count, 7) == 1);
	CHECK(svc[0].state == SVC_FAILED);
	CHECK_STR(svc[0].reason, "dependency nosuch is not defined");
	CHECK(svc[2].state == SVC_FAILED);
	CHECK_STR(svc[2].reason, "dependency a failed");
	for (int i = 3; i <= 5; i++) {
		CHECK(svc[i].state == SVC_FAILED);
		CHECK_STR(svc[i].reason, "in a dependency cycle");
	}
	CHECK(svc[6].state == SVC_FAILED);
	CHECK_STR(svc[6].reason, "dependency x failed");
	CHECK(svc[8].state == SVC_FAILED);
	CHECK_STR(svc[8].reason, "in a dependency cycle");
	CHECK(svc_find(svc, n, "v") == 7 && svc_find(svc, n, "nosuch") == -1);
}

/* A failed definition fails what depends on it, transitively. */
TEST(failed_definition_fails_dependents)
{
	const char *const specs[] = {"a", "b:a", "c:b", "d"};
	int order[SVC_MAX], n = make(specs, 4);

	svc[0].state = SVC_FAILED;
	CHECK(svc_order(svc, n, order) == 1 && order[0] == 3);
	CHECK_STR(svc[1].reason, "dependency a failed");
	CHECK_STR(svc[2].reason, "dependency b failed");
}

/* Random graphs: every placed service comes after all its dependencies; the rest failed. */
TEST(random_graphs)
{
	unsigned seed = 11;
	static char specs_buf[SVC_MAX][64];
	const char *specs[SVC_MAX];

	for (int round = 0; round < 2000; round++) {
		int n = 1 + rand_r(&seed) % SVC_MAX;
		for (int i = 0; i < n; i++) {
			int at = snprintf(specs_buf[i], sizeof(specs_buf[i]), "s%d:", i);
			for (int d = rand_r(&seed) % 4; d > 0; d--)
				at += snprintf(specs_buf[i] + at, sizeof(specs_buf[i]) - (size_t)at,
					       "s%d,", rand_r(&seed) % (n + 2));
			specs[i] = specs_buf[i];
		}
		int order[SVC_MAX];
		make(specs, n);
		int count = svc_order(svc, n, order);
		for (int k = 0; k < count; k++) {
			CHECK(svc[order[k]].state == SVC_PENDING);
			for (char **a = svc[order[k]].after; *a; a++) {
				int d = svc_find(svc, n, *a);
				CHECK(d >= 0 && pos(order, count, d) >= 0 &&
				      pos(order, count, d) < k);
			}
		}
		for (int i = 0; i < n; i++)
			CHECK(pos(order, count, i) >= 0 ||
			      (svc[i].state == SVC_FAILED && svc[i].reason[0]));
	}
}

#define EXIT(code) ((code) << 8)
#define SEC 1000000000ull

static struct service *policy(const char *restart, const char *more)
{
	char text[256];

	snprintf(text, sizeof(text), "exec = /a\nrestart = %s\n%s", restart, more);
	CHECK(parse(&svc[0], "p", text) == 0);
	return &svc[0];
}

TEST(restart_policies)
{
	unsigned ms = 99;
	struct service *s = policy("no", "");

	CHECK(svc_after_end(s, EXIT(0), SEC, &ms) == SVC_NEXT_DONE && ms == 0);
	CHECK(svc_after_end(s, EXIT(3), SEC, &ms) == SVC_NEXT_FAILED && s->restarts == 0);
	CHECK(svc_after_end(s, 9 /* SIGKILL */, SEC, &ms) == SVC_NEXT_FAILED);
	s = policy("on-failure", "");
	CHECK(svc_after_end(s, EXIT(0), SEC, &ms) == SVC_NEXT_DONE);
	CHECK(svc_after_end(s, EXIT(1), SEC, &ms) == SVC_NEXT_RESTART && s->restarts == 1);
	CHECK(svc_after_end(s, 11 /* SIGSEGV */, SEC, &ms) == SVC_NEXT_RESTART && s->restarts == 2);
	s = policy("always", "");
	CHECK(svc_after_end(s, EXIT(0), SEC, &ms) == SVC_NEXT_RESTART && ms == 100);
}

TEST(restart_limit_counts_every_restart)
{
	unsigned ms;
	struct service *s = policy("on-failure", "restart-limit = 3\n");

	for (int i = 1; i <= 3; i++) {
		/* Long runs between the failures: the limit still counts them. */
		CHECK(svc_after_end(s, EXIT(3), 100 * SEC, &ms) == SVC_NEXT_RESTART);
		CHECK(s->restarts == (unsigned)i);
	}
	CHECK(svc_after_end(s, EXIT(3), SEC, &ms) == SVC_NEXT_GIVE_UP && s->restarts == 3);
	/* A success is no failure: done, not given up. */
	CHECK(svc_after_end(s, EXIT(0), SEC, &ms) == SVC_NEXT_DONE);
}

TEST(backoff_doubles_on_quick_ends_and_resets)
{
	unsigned ms, want = 10;
	struct service *s = policy("always", "restart-delay = 10\n");

	for (int i = 0; i < 20; i++) {
		CHECK(svc_after_end(s, EXIT(1), SEC, &ms) == SVC_NEXT_RESTART);
		CHECK(ms == want);
		want = want * 2 > SVC_DELAY_MAX_MS ? SVC_DELAY_MAX_MS : want * 2;
	}
	CHECK(ms == SVC_DELAY_MAX_MS);
	/* A run of 10 s or more starts over at the first delay. */
	CHECK(svc_after_end(s, EXIT(1), 10 * SEC, &ms) == SVC_NEXT_RESTART && ms == 10);
	CHECK(svc_after_end(s, EXIT(1), 0, &ms) == SVC_NEXT_RESTART && ms == 10);
	CHECK(svc_after_end(s, EXIT(1), 0, &ms) == SVC_NEXT_RESTART && ms == 20);
	/* A zero delay stays zero: no doubling of nothing, and no overflow. */
	s = policy("always", "restart-delay = 0\n");
	for (int i = 0; i < 100; i++)
		CHECK(svc_after_end(s, EXIT(1), 0, &ms) == SVC_NEXT_RESTART && ms == 0);
	s = policy("always", "restart-delay = 30000\n");
	for (int i = 0; i < 5; i++)
		CHECK(svc_after_end(s, EXIT(1), 0, &ms) == SVC_NEXT_RESTART && ms == 30000);
}
