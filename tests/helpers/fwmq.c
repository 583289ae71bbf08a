// SPDX-License-Identifier: GPL-2.0
/*
 * fwmq - move a file's bytes through a POSIX message queue, for
 * flightwatch's end-to-end tests (dataflow.sh).
 *
 *   fwmq send NAME FILE       create the queue /NAME and put FILE in it,
 *                             in 4 KiB messages (mq_send), then an empty
 *                             message as the end
 *   fwmq recv NAME IP PORT    take messages from /NAME (mq_receive) until
 *                             the empty one and send them over TCP to
 *                             IP:PORT (IPv4); the queue is removed
 *
 * Errors: one line on stderr, exit 1; usage errors exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MSG 4096

static void die(const char *what)
{
	fprintf(stderr, "fwmq: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int send_file(const char *name, const char *path)
{
	struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = MSG };
	char buf[MSG];
	ssize_t n;
	mqd_t q = mq_open(name, O_WRONLY | O_CREAT, 0600, &attr);
	int fd = open(path, O_RDONLY);

	if (q == (mqd_t)-1)
		die("mq_open");
	if (fd < 0)
		die(path);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (mq_send(q, buf, n, 0))
			die("mq_send");
	if (n < 0 || mq_send(q, buf, 0, 0))
		die("mq_send");
	close(fd);
	mq_close(q);
	return 0;
}

static int recv_send(const char *name, const char *ip, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(atoi(port)) };
	char buf[MSG];
	ssize_t n;
	mqd_t q;
	int fd;

	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		fprintf(stderr, "fwmq: bad address '%s'\n", ip);
		return 2;
	}
	for (int i = 0; i < 200; i++) {
		q = mq_open(name, O_RDONLY);
		if (q != (mqd_t)-1 || errno != ENOENT)
			break;
		usleep(50000); /* the sender creates it */
	}
	if (q == (mqd_t)-1)
		die("mq_open");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("connect");
	while ((n = mq_receive(q, buf, sizeof(buf), NULL)) > 0)
		if (write(fd, buf, n) != n)
			die("write");
	if (n < 0)
		die("mq_receive");
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	mq_close(q);
	mq_unlink(name);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "send"))
		return send_file(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "recv"))
		return recv_send(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: fwmq send NAME FILE | recv NAME IP PORT\n");
	return 2;
}
