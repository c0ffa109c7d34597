/*
 * What follows a service's end: its restart policy, limit and backoff.
 * Pure, host-tested (tests/unit/init/).
 */
#include <sys/wait.h>

#include "service.h"

#define QUICK_NS 10000000000ull /* a run shorter than 10 s counts as quick: the delay grows */

enum svc_next svc_after_end(struct service *s, int wstatus, uint64_t ran_ns, unsigned *delay_ms)
{
	bool failed = !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0;
	bool again =
	    s->restart == SVC_RESTART_ALWAYS || (s->restart == SVC_RESTART_ON_FAILURE && failed);

	s->quick = ran_ns < QUICK_NS ? s->quick + 1 : 0;
	*delay_ms = 0;
	if (!again)
		return failed ? SVC_NEXT_FAILED : SVC_NEXT_DONE;
	if (s->restart_limit && s->restarts >= s->restart_limit)
		return SVC_NEXT_GIVE_UP;
	/* The delay doubles with each quick end in a row: a crashing service never spins. */
	uint64_t ms = s->restart_delay_ms;
	for (unsigned i = 1; i < s->quick && ms < SVC_DELAY_MAX_MS; i++)
		ms *= 2;
	*delay_ms = ms > SVC_DELAY_MAX_MS ? SVC_DELAY_MAX_MS : (unsigned)ms;
	s->restarts++;
	return SVC_NEXT_RESTART;
}
