// SPDX-License-Identifier: GPL-2.0
/*
 * fwmsgq - move a file's bytes through a System V message queue, and send
 * what arrives over TCP, for flightwatch's end-to-end tests.
 *
 *   fwmsgq send --key K FILE
 *       read FILE and msgsnd it to the queue of key K (created if need
 *       be) in messages of at most 4 KiB, then exit
 *   fwmsgq recv --key K --bytes N --to IPV4 --port P
 *       msgrcv from that queue (created if need be: a receiver may wait
 *       before any sender) until N bytes arrived, remove the queue, then
 *       connect to IPV4:P, send them, shut down writing and read until
 *       the peer closes
 *
 * Every wait is bounded (30 s: a message and exit 3). Errors: one line on
 * stderr, exit 1; usage errors exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK 4096
#define MAX_BYTES (4u << 20)

struct message {
	long mtype;
	char mtext[CHUNK];
};

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("fwmsgq: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void on_alarm(int sig)
{
	(void)sig;
	fputs("fwmsgq: timed out\n", stderr);
	_exit(3);
}

static void usage(void)
{
	die(2,
	    "usage: fwmsgq send --key K FILE | fwmsgq recv --key K --bytes N --to IPV4 --port P");
}

static void do_send(int q, const char *path)
{
	static struct message m = { .mtype = 1 };
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		die(1, "%s: %s", path, strerror(errno));
	while ((n = read(fd, m.mtext, sizeof(m.mtext))) > 0)
		if (msgsnd(q, &m, n, 0))
			die(1, "msgsnd: %s", strerror(errno));
	if (n < 0)
		die(1, "%s: %s", path, strerror(errno));
	close(fd);
}

static void do_recv(int q, size_t want, const char *to, long port)
{
	static struct message m;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	char *data = malloc(want ? want : 1), sink[CHUNK];
	size_t got = 0, off = 0;
	ssize_t n;
	int s;

	if (!data)
		die(1, "out of memory");
	if (inet_pton(AF_INET, to, &sa.sin_addr) != 1)
		die(2, "--to: not an IPv4 address: '%s'", to);
	while (got < want) {
		n = msgrcv(q, &m, sizeof(m.mtext), 0, 0);
		if (n < 0)
			die(1, "msgrcv: %s", strerror(errno));
		if ((size_t)n > want - got)
			die(1, "more than %zu bytes arrived", want);
		memcpy(data + got, m.mtext, n);
		got += n;
	}
	msgctl(q, IPC_RMID, NULL);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)))
		die(1, "connect %s:%ld: %s", to, port, strerror(errno));
	while (off < got) {
		n = write(s, data + off, got - off);
		if (n < 0)
			die(1, "write: %s", strerror(errno));
		off += n;
	}
	shutdown(s, SHUT_WR);
	while ((n = read(s, sink, sizeof(sink))) > 0)
		;
	close(s);
	free(data);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "to", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' },
		{ 0 },
	};
	long key = -1, bytes = -1, port = 0;
	const char *to = NULL, *mode;
	int c, q;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = strtol(optarg, NULL, 0);
			break;
		case 'b':
			bytes = strtol(optarg, NULL, 10);
			break;
		case 't':
			to = optarg;
			break;
		case 'p':
			port = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (key <= 0)
		usage();
	signal(SIGALRM, on_alarm);
	alarm(30);
	q = msgget((key_t)key, IPC_CREAT | 0600);
	if (q < 0)
		die(1, "msgget: %s", strerror(errno));
	if (!strcmp(mode, "send") && optind == argc - 1)
		do_send(q, argv[optind]);
	else if (!strcmp(mode, "recv") && optind == argc && to && bytes >= 0 &&
		 (size_t)bytes <= MAX_BYTES && port > 0 && port < 65536)
		do_recv(q, bytes, to, port);
	else
		usage();
	return 0;
}
