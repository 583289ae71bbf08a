// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark workloads: a tight loop of one kind of syscall, timed with
 * CLOCK_MONOTONIC. Prints the nanoseconds per operation.
 *
 *   workload pread FILE N       pread 4 KiB at offset 0
 *   workload openclose FILE N   open + close
 *   workload send PORT N        1 KiB send on loopback TCP (needs a sink)
 *   workload forkexec N         fork + exec /bin/true + wait
 */
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

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int die(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	static char buf[4096];
	double t0, t1;
	long n, i;

	if (argc < 3) {
		fprintf(stderr,
			"usage: workload pread|openclose FILE N | send PORT N | forkexec N\n");
		return 2;
	}
	n = atol(argv[argc - 1]);
	if (!strcmp(argv[1], "pread")) {
		int fd = open(argv[2], O_RDONLY);

		if (fd < 0)
			return die(argv[2]);
		t0 = now_ns();
		for (i = 0; i < n; i++)
			if (pread(fd, buf, sizeof(buf), 0) < 0)
				return die("pread");
		t1 = now_ns();
	} else if (!strcmp(argv[1], "openclose")) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			int fd = open(argv[2], O_RDONLY);

			if (fd < 0)
				return die(argv[2]);
			close(fd);
		}
		t1 = now_ns();
	} else if (!strcmp(argv[1], "send")) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons(atoi(argv[2])) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
		if (fd < 0 || connect(fd, (void *)&sa, sizeof(sa)))
			return die("connect");
		t0 = now_ns();
		for (i = 0; i < n; i++)
			if (send(fd, buf, 1024, 0) < 0)
				return die("send");
		t1 = now_ns();
		close(fd);
	} else if (!strcmp(argv[1], "forkexec")) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			pid_t pid = fork();
			int status;

			if (pid == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			if (pid < 0 || waitpid(pid, &status, 0) < 0)
				return die("fork");
		}
		t1 = now_ns();
	} else {
		fprintf(stderr, "workload: unknown workload '%s'\n", argv[1]);
		return 2;
	}
	printf("%.1f\n", (t1 - t0) / n);
	return 0;
}
