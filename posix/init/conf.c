/*
 * Service definitions: one file per service, lines of "key = value"
 * (docs/ARCHITECTURE.md, The init system). Pure: no system calls, so the
 * host tests run it under ASan.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"

#define LINE_MAX_ 512

struct parse {
	struct service *s;
	int line;
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "line %d: ", p->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Splits @value into words stored in s->strings, pointed to from @words
 * (at most @max, NULL-terminated after them). Returns the count or -1.
 */
static int split(struct parse *p, const char *value, char **words, int max)
{
	struct service *s = p->s;
	int n = 0;

	while (words[n])
		n++;
	for (const char *at = value;;) {
		while (blank(*at))
			at++;
		if (!*at)
			break;
		if (n == max)
			return fail(p, "more than %d words", max);
		char *word = s->strings + s->used;
		size_t room = SVC_STRINGS - s->used, len = 0;
		bool quoted = false;
		for (; *at && (quoted || !blank(*at)); at++) {
			char c = *at;
			if (c == '"') {
				quoted = !quoted;
				continue;
			}
			if (quoted && c == '\\' && (at[1] == '"' || at[1] == '\\'))
				c = *++at;
			if (len + 1 >= room)
				return fail(p, "the definition is too long");
			word[len++] = c;
		}
		if (quoted)
			return fail(p, "unterminated quote");
		word[len] = 0;
		s->used += len + 1;
		words[n++] = word;
		words[n] = NULL;
	}
	return n;
}

/* A decimal number up to @max in @value (nothing else); -1 if not. */
static long number(const char *value, long max)
{
	char *end;
	long v;

	if (*value < '0' || *value > '9')
		return -1;
	v = strtol(value, &end, 10);
	return *end || v > max ? -1 : v;
}

static int parse_restart(struct parse *p, const char *value)
{
	if (!strcmp(value, "no"))
		p->s->restart = SVC_RESTART_NO;
	else if (!strcmp(value, "on-failure"))
		p->s->restart = SVC_RESTART_ON_FAILURE;
	else if (!strcmp(value, "always"))
		p->s->restart = SVC_RESTART_ALWAYS;
	else
		return fail(p, "restart is no, on-failure or always, not '%s'", value);
	return 0;
}

static int parse_output(struct parse *p, const char *value)
{
	if (!strcmp(value, "log"))
		p->s->output = SVC_OUT_LOG;
	else if (!strcmp(value, "console"))
		p->s->output = SVC_OUT_CONSOLE;
	else if (!strcmp(value, "null"))
		p->s->output = SVC_OUT_NULL;
	else
		return fail(p, "output is log, console or null, not '%s'", value);
	return 0;
}

/* A number (decimal, or hex with 0x) that is all of @s up to @end; false if not. */
static bool u64(const char *s, const char *end, uint64_t *v)
{
	char *stop;

	if (s == end || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &stop, 0);
	return stop == end && !errno;
}

/* A device capability (irq:N, mmio:BASE+LEN, ioport:BASE+LEN, devices) into @d; -1 (with the error) if bad. */
static int parse_dev(struct parse *p, const char *word, struct svc_dev *d)
{
	const char *plus = strchr(word, '+'), *end = word + strlen(word);

	if (!strcmp(word, "devices")) {
		*d = (struct svc_dev){SVC_DEV_DEVICES, 0, 0};
		return 0;
	}
	if (!strncmp(word, "irq:", 4)) {
		long line = number(word + 4, SVC_IRQ_LINE_MAX);
		if (line < 0)
			return fail(p, "'%s': irq:N wants a line up to %d", word, SVC_IRQ_LINE_MAX);
		*d = (struct svc_dev){SVC_DEV_IRQ, (uint64_t)line, 0};
		return 0;
	}
	if (!strncmp(word, "mmio:", 5)) {
		uint64_t base, len;
		if (!plus || !u64(word + 5, plus, &base) || !u64(plus + 1, end, &len) || !len ||
		    base % SVC_PAGE || len % SVC_PAGE || base + len < base)
			return fail(p, "'%s': mmio:BASE+LEN wants whole pages", word);
		*d = (struct svc_dev){SVC_DEV_MMIO, base, len};
		return 0;
	}
	if (!strncmp(word, "ioport:", 7)) {
		uint64_t base, len;
		if (!plus || !u64(word + 7, plus, &base) || !u64(plus + 1, end, &len) || !len ||
		    base >= SVC_PORTS || len > SVC_PORTS - base)
			return fail(p, "'%s': ioport:BASE+LEN wants ports below 0x10000", word);
		*d = (struct svc_dev){SVC_DEV_IOPORT, base, len};
		return 0;
	}
	return fail(p, "unknown capability '%s'", word);
}

/* caps = a list of capability names; an unknown one is an error, never ignored. */
static int parse_caps(struct parse *p, const char *value)
{
	struct service *s = p->s;
	char *words[SVC_ARGS_MAX + 1] = {NULL};
	size_t used = s->used;
	int n = split(p, value, words, SVC_ARGS_MAX);
	struct svc_dev d;

	for (int i = 0; i < n; i++) {
		if (!strcmp(words[i], "control")) {
			s->caps |= SVC_CAP_CONTROL;
			continue;
		}
		if (parse_dev(p, words[i], &d))
			return -1;
		for (unsigned k = 0; k < s->ndevs; k++)
			if (s->devs[k].kind == d.kind && s->devs[k].base == d.base &&
			    s->devs[k].len == d.len)
				return fail(p, "capability '%s' listed twice", words[i]);
		if (s->nhandles + svc_dev_handles(&d) > SVC_HANDLES_MAX)
			return fail(p, "more than %d handles ('%s': an irq takes two)",
				    SVC_HANDLES_MAX, words[i]);
		s->devs[s->ndevs++] = d;
		s->nhandles += svc_dev_handles(&d);
	}
	s->used = used; /* the names are not kept */
	return n < 0 ? -1 : 0;
}

static int parse_number(struct parse *p, const char *key, const char *value, long max,
			unsigned *out)
{
	long v = number(value, max);

	if (v < 0)
		return fail(p, "%s is a number up to %ld, not '%s'", key, max, value);
	*out = (unsigned)v;
	return 0;
}

static int parse_line(struct parse *p, char *line)
{
	struct service *s = p->s;
	char *key = line, *eq = strchr(line, '='), *value;

	if (!eq)
		return fail(p, "not \"key = value\"");
	value = eq + 1;
	while (eq > key && blank(eq[-1]))
		eq--;
	*eq = 0;
	while (blank(*value))
		value++;
	for (char *end = value + strlen(value); end > value && blank(end[-1]);)
		*--end = 0;
	if (!strcmp(key, "name"))
		return strcmp(value, s->name) ? fail(p, "name '%s' is not the file's", value) : 0;
	if (!strcmp(key, "exec")) {
		if (s->argv[0])
			return fail(p, "exec given twice");
		return split(p, value, s->argv, SVC_ARGS_MAX) < 0 ? -1 : 0;
	}
	if (!strcmp(key, "env"))
		return split(p, value, s->envp, SVC_ENV_MAX) < 0 ? -1 : 0;
	if (!strcmp(key, "after"))
		return split(p, value, s->after, SVC_AFTER_MAX) < 0 ? -1 : 0;
	if (!strcmp(key, "restart"))
		return parse_restart(p, value);
	if (!strcmp(key, "restart-limit"))
		return parse_number(p, key, value, 1000000, &s->restart_limit);
	if (!strcmp(key, "restart-delay"))
		return parse_number(p, key, value, 30000, &s->restart_delay_ms);
	if (!strcmp(key, "output"))
		return parse_output(p, value);
	if (!strcmp(key, "caps"))
		return parse_caps(p, value);
	return fail(p, "unknown key '%s'", key);
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= SVC_NAME_MAX)
		return false;
	for (; *name; name++)
		if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
		      (*name >= '0' && *name <= '9') || *name == '-' || *name == '_' ||
		      *name == '.'))
			return false;
	return true;
}

int svc_parse(struct service *s, const char *name, const char *text, size_t len, char *err,
	      size_t errlen)
{
	struct parse p = {.s = s, .err = err, .errlen = errlen};
	char line[LINE_MAX_];

	memset(s, 0, sizeof(*s));
	s->restart_delay_ms = 100;
	s->control = -1;
	if (!name_ok(name)) {
		snprintf(err, errlen, "a service name is 1 to %d of [A-Za-z0-9._-]",
			 SVC_NAME_MAX - 1);
		return -1;
	}
	strcpy(s->name, name);
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		p.line++;
		if (n >= sizeof(line))
			return fail(&p, "longer than %d bytes", LINE_MAX_ - 1);
		memcpy(line, text + at, n);
		line[n] = 0;
		at += n + 1;
		if (memchr(line, 0, n))
			return fail(&p, "a NUL byte");
		char *l = line;
		while (blank(*l) || *l == '\r')
			l++;
		for (char *end = l + strlen(l); end > l && (blank(end[-1]) || end[-1] == '\r');)
			*--end = 0;
		if (!*l || *l == '#')
			continue;
		if (parse_line(&p, l))
			return -1;
	}
	if (!s->argv[0]) {
		snprintf(err, errlen, "no exec =");
		return -1;
	}
	if (s->argv[0][0] != '/') {
		snprintf(err, errlen, "exec = needs a program's absolute path, not '%s'",
			 s->argv[0]);
		return -1;
	}
	return 0;
}
