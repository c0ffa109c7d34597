/*
 * /sbin/initctl: asks init for the services and their state. It needs the
 * control capability: the socket init hands a service as fd INIT_CONTROL_FD
 * (caps = control in its definition), inherited by what the service starts.
 * Without it there is no way to reach init, and initctl says so.
 *
 * usage: initctl [status]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *req = argc > 1 ? argv[1] : "status", *env = getenv("INIT_CONTROL_FD");
	char reply[3456];
	char *end;

	if (argc > 2 || strcmp(req, "status")) {
		fprintf(stderr, "usage: initctl [status]\n");
		return 2;
	}
	if (!env || !*env) {
		fprintf(stderr, "initctl: no control capability (INIT_CONTROL_FD is not set)\n");
		return 2;
	}
	long fd = strtol(env, &end, 10);
	if (*end || fd < 0 || fd > 1023) {
		fprintf(stderr, "initctl: INIT_CONTROL_FD=%s is not a descriptor\n", env);
		return 2;
	}
	if (send((int)fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "initctl: cannot reach init on fd %ld: %s\n", fd, strerror(errno));
		return 2;
	}
	ssize_t n = recv((int)fd, reply, sizeof(reply), 0);
	if (n <= 0) {
		fprintf(stderr, "initctl: no answer from init: %s\n",
			n ? strerror(errno) : "closed");
		return 2;
	}
	fwrite(reply, 1, (size_t)n, stdout);
	return 0;
}
