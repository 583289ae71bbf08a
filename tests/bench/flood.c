// SPDX-License-Identifier: GPL-2.0
/*
 * flood - the load an attacker raises to hide an exfiltration in it, for
 * `make bench` (tests/bench/flood.sh). Each mode runs for SECONDS:
 *
 *   flood forkread SECONDS FILE   fork children that each read FILE whole
 *                                 and exit (every child is tainted)
 *   flood exec SECONDS            fork + exec /bin/true
 *   flood udp SECONDS FILE ADDR PORT
 *                                 read FILE (tainted), then send 64-byte
 *                                 UDP datagrams to ADDR:PORT
 *
 * Prints "MODE: N operations in S s (R/s)" at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void read_whole(const char *path)
{
	char buf[65536];
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		perror(path);
		_exit(1);
	}
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static unsigned long forkread(double end, const char *path)
{
	unsigned long n = 0;

	while (now() < end) {
		pid_t pid = fork();

		if (pid == 0) {
			read_whole(path);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		n++;
	}
	return n;
}

static unsigned long execs(double end)
{
	unsigned long n = 0;

	while (now() < end) {
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		n++;
	}
	return n;
}

static unsigned long udp(double end, const char *path, const char *addr,
			 int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	char payload[64] = "flood";
	unsigned long n = 0;
	int fd;

	read_whole(path);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "flood: bad address %s\n", addr);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	while (now() < end)
		for (int i = 0; i < 256; i++, n++)
			sendto(fd, payload, sizeof(payload), 0,
			       (struct sockaddr *)&sa, sizeof(sa));
	return n;
}

int main(int argc, char **argv)
{
	double start = now(), secs;
	unsigned long n;

	if (argc < 3) {
		fprintf(stderr,
			"usage: flood forkread|exec|udp SECONDS [FILE [ADDR PORT]]\n");
		return 2;
	}
	secs = atof(argv[2]);
	if (!strcmp(argv[1], "forkread") && argc == 4)
		n = forkread(start + secs, argv[3]);
	else if (!strcmp(argv[1], "exec") && argc == 3)
		n = execs(start + secs);
	else if (!strcmp(argv[1], "udp") && argc == 6)
		n = udp(start + secs, argv[3], argv[4], atoi(argv[5]));
	else {
		fprintf(stderr, "flood: bad arguments (see the source)\n");
		return 2;
	}
	secs = now() - start;
	printf("%s: %lu operations in %.1f s (%.0f/s)\n", argv[1], n, secs,
	       n / secs);
	return 0;
}
