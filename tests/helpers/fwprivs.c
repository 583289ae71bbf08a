// SPDX-License-Identifier: GPL-2.0
/*
 * fwprivs [--user NAME] [--sandbox] [--try CALL] [-- PROG ARGS...]: puts
 * itself in the state the collector confines itself to after attaching
 * (user/kernel/privs.c, linked in: the same code, not a copy): NAME (or
 * uid 0 when absent), CAP_DAC_READ_SEARCH only, empty bounding and
 * ambient sets, locked securebits, NO_NEW_PRIVS, and with --sandbox the
 * seccomp allowlist. Then it prints its securebits ("securebits 0x..."),
 * makes CALL (socket-unix, thread: allowed; socket-inet, ptrace:
 * outside the list) and execs PROG. Outside the list, the kernel kills it (SIGSYS).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>
#include "kernel/privs.h"
#include "lib/util.h"

static void *thread_main(void *arg)
{
	return arg;
}

/* A thread as the reload worker makes it: it must start and end */
static int thread(void)
{
	static int token;
	pthread_t t;
	void *ret = NULL;
	int err = pthread_create(&t, NULL, thread_main, &token);

	if (err) {
		errno = err;
		return -1;
	}
	pthread_join(t, &ret);
	return ret == &token ? 0 : -1;
}

static int try(const char *call)
{
	int fd;

	if (!strcmp(call, "thread"))
		fd = thread();
	else if (!strcmp(call, "socket-unix"))
		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	else if (!strcmp(call, "socket-inet"))
		fd = socket(AF_INET, SOCK_DGRAM, 0);
	else if (!strcmp(call, "ptrace"))
		fd = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	else
		return fprintf(stderr, "fwprivs: unknown call %s\n", call), 2;
	printf("%s: %s\n", call, fd < 0 ? strerror(errno) : "allowed");
	return 0;
}

int main(int argc, char **argv)
{
	const char *user = NULL, *call = NULL;
	int sandbox = 0, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--user") && i + 1 < argc)
			user = argv[++i];
		else if (!strcmp(argv[i], "--sandbox"))
			sandbox = 1;
		else if (!strcmp(argv[i], "--try") && i + 1 < argc)
			call = argv[++i];
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "fwprivs: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	fw_verbose = 1;
	if (privs__confine(user, 1ull << 2 /* CAP_DAC_READ_SEARCH */, NULL))
		return 1;
	/* prctl(PR_GET_SECUREBITS) is outside the list: before it */
	printf("securebits %#x\n", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	fflush(stdout);
	if (sandbox && privs__sandbox())
		return 1;
	if (call && try(call))
		return 2;
	fflush(stdout);
	if (i < argc) {
		execv(argv[i], argv + i);
		fprintf(stderr, "fwprivs: exec %s: %s\n", argv[i],
			strerror(errno));
		return 127;
	}
	return 0;
}
