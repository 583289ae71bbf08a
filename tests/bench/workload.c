// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark workloads: a tight loop of one kind of syscall, timed with
 * CLOCK_MONOTONIC. Prints the nanoseconds per operation.
 *
 *   workload pread FILE N             pread 4 KiB at offset 0
 *   workload openclose FILE N         open + close
 *   workload send PORT N              1 KiB send on loopback TCP (needs a sink)
 *   workload taintsend FILE PORT N    read 4 KiB of FILE (a flight log), then
 *                                     the send loop: a tainted sender
 *   workload forkexec N               fork + exec /bin/true + wait
 *
 * Helpers for the other measurements:
 *
 *   workload udpfan FILE RATE SECS    read FILE, then UDP sendto a new
 *                                     loopback destination (127.1.x.y:port)
 *                                     RATE times a second for SECS seconds:
 *                                     each send is a new (process,
 *                                     destination) flow, i.e. one tainted
 *                                     kernel event. Prints "sent SECONDS".
 *   workload procs N                  fork N children that sleep; print
 *                                     "ready" and wait for stdin to close,
 *                                     then kill and reap them all
 *   workload ping                     getpgid(777777): a readiness probe for
 *                                     the bpftrace peer
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char buf[4096];

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

static int taint(const char *file)
{
	int fd = open(file, O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
		return die(file);
	close(fd);
	return 0;
}

static int tcp_connect(const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(atoi(port)) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd < 0 || connect(fd, (void *)&sa, sizeof(sa)))
		return -1;
	return fd;
}

static int udpfan(const char *file, long rate, double secs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long total = (long)(rate * secs), i;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	double t0, t1;

	if (fd < 0)
		return die("socket");
	if (strcmp(file, "-") && taint(file))
		return 1;
	t0 = now_ns();
	for (i = 0; i < total; i++) {
		/* pace: never ahead of the schedule */
		while (now_ns() - t0 < i * 1e9 / rate)
			;
		sa.sin_port = htons(1024 + i % 60000);
		sa.sin_addr.s_addr = htonl(0x7f010000 + i / 60000);
		sendto(fd, buf, 16, 0, (void *)&sa, sizeof(sa));
	}
	t1 = now_ns();
	printf("%ld %.3f\n", total, (t1 - t0) / 1e9);
	return 0;
}

static int procs(long n)
{
	pid_t *pids = calloc(n, sizeof(*pids));
	long i, made = 0;
	int rc = 0;

	if (!pids)
		return die("calloc");
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			for (;;)
				pause();
		}
		if (pid < 0) {
			perror("fork");
			rc = 1;
			break;
		}
		pids[made++] = pid;
	}
	printf("ready %ld\n", made);
	fflush(stdout);
	while (!rc && read(0, buf, sizeof(buf)) > 0)
		;
	for (i = 0; i < made; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < made; i++)
		waitpid(pids[i], NULL, 0);
	return rc;
}

int main(int argc, char **argv)
{
	double t0, t1;
	long n, i;

	if (argc < 2) {
		fprintf(stderr,
			"usage: workload pread|openclose FILE N | send PORT N | "
			"taintsend FILE PORT N | forkexec N | udpfan FILE RATE SECS | "
			"procs N | ping\n");
		return 2;
	}
	if (!strcmp(argv[1], "ping")) {
		getpgid(777777);
		return 0;
	}
	if (argc < 3)
		return 2;
	n = atol(argv[argc - 1]);
	if (!strcmp(argv[1], "udpfan") && argc == 5)
		return udpfan(argv[2], atol(argv[3]), atof(argv[4]));
	if (!strcmp(argv[1], "procs"))
		return procs(n);
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
	} else if (!strcmp(argv[1], "send") ||
		   (!strcmp(argv[1], "taintsend") && argc == 5)) {
		int fd;

		if (argc == 5 && taint(argv[2]))
			return 1;
		fd = tcp_connect(argv[argc - 2]);
		if (fd < 0)
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
