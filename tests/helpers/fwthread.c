// SPDX-License-Identifier: GPL-2.0
/*
 * fwthread FILE IP PORT: the main thread reads FILE and ends with
 * pthread_exit(); a second thread, still running, sends what was read to
 * IP:PORT over TCP once the main thread is gone. The process lives on
 * without its thread-group leader: a tracer that ends a process at the
 * leader's exit forgets that it read FILE.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static char *data;
static size_t size;
static const char *ip;
static int port;
static pthread_t leader;

static void *sender(void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	size_t off = 0;
	int s;

	(void)arg;
	/* the leader is gone once joining it succeeds */
	if (pthread_join(leader, NULL))
		exit(3);
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		exit(2);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("fwthread: connect");
		exit(1);
	}
	while (off < size) {
		ssize_t n = write(s, data + off, size - off);

		if (n <= 0) {
			perror("fwthread: write");
			exit(1);
		}
		off += n;
	}
	close(s);
	exit(0);
}

int main(int argc, char **argv)
{
	struct stat st;
	pthread_t t;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: fwthread FILE IP PORT\n");
		return 2;
	}
	ip = argv[2];
	port = atoi(argv[3]);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror("fwthread: open");
		return 1;
	}
	size = st.st_size;
	data = malloc(size ? size : 1);
	if (!data || read(fd, data, size) != (ssize_t)size) {
		perror("fwthread: read");
		return 1;
	}
	close(fd);
	leader = pthread_self();
	if (pthread_create(&t, NULL, sender, NULL))
		return 1;
	pthread_exit(NULL);
}
