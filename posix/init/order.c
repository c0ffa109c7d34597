/*
 * The order services start in: a topological order of "after" (Kahn's,
 * ties in file-name order). What cannot start is marked failed with the
 * reason, and the rest still start. Pure, host-tested.
 */
#include <stdio.h>
#include <string.h>

#include "service.h"

int svc_find(const struct service *s, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s[i].name, name))
			return i;
	return -1;
}

static void set_failed(struct service *s, const char *why, const char *name)
{
	s->state = SVC_FAILED;
	snprintf(s->reason, sizeof(s->reason), why, name);
}

/* Whether @to is reachable from @from along the dependencies of services not yet @placed. */
static bool reaches(const struct service *s, int n, const bool placed[], int from, int to,
		    bool seen[])
{
	if (seen[from])
		return false;
	seen[from] = true;
	for (char *const *a = s[from].after; *a; a++) {
		int d = svc_find(s, n, *a);
		if (d < 0 || placed[d] || s[d].state == SVC_FAILED)
			continue;
		if (d == to || reaches(s, n, placed, d, to, seen))
			return true;
	}
	return false;
}

/* Marks every service that depends on a failed one as failed, until nothing changes. */
static void fail_dependents(struct service *s, int n)
{
	for (bool changed = true; changed;) {
		changed = false;
		for (int i = 0; i < n; i++) {
			if (s[i].state == SVC_FAILED)
				continue;
			for (char *const *a = s[i].after; *a; a++) {
				int d = svc_find(s, n, *a);
				if (d >= 0 && s[d].state == SVC_FAILED) {
					set_failed(&s[i], "dependency %s failed", *a);
					changed = true;
					break;
				}
			}
		}
	}
}

int svc_order(struct service *s, int n, int order[])
{
	bool placed[SVC_MAX] = {false};
	int count = 0;

	if (n > SVC_MAX)
		n = SVC_MAX;
	for (int i = 0; i < n; i++)
		for (char *const *a = s[i].after; s[i].state != SVC_FAILED && *a; a++)
			if (svc_find(s, n, *a) < 0)
				set_failed(&s[i], "dependency %s is not defined", *a);
	fail_dependents(s, n);
	for (bool progress = true; progress;) {
		progress = false;
		for (int i = 0; i < n; i++) {
			if (placed[i] || s[i].state == SVC_FAILED)
				continue;
			bool ready = true;
			for (char *const *a = s[i].after; ready && *a; a++)
				ready = placed[svc_find(s, n, *a)];
			if (!ready)
				continue;
			placed[i] = true;
			order[count++] = i;
			progress = true;
			break; /* the lowest ready index first */
		}
	}
	/* What is left waits on a cycle: its members first, then what depends on them. */
	for (int i = 0; i < n; i++) {
		bool seen[SVC_MAX] = {false};
		if (!placed[i] && s[i].state != SVC_FAILED && reaches(s, n, placed, i, i, seen))
			s[i].reason[0] = 1; /* a mark until all members are found */
	}
	for (int i = 0; i < n; i++)
		if (!placed[i] && s[i].state != SVC_FAILED && s[i].reason[0] == 1)
			set_failed(&s[i], "in a dependency cycle%s", "");
	fail_dependents(s, n);
	return count;
}
