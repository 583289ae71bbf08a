// SPDX-License-Identifier: GPL-2.0
/*
 * fwuring - move a file's bytes with io_uring only, for flightwatch's
 * end-to-end tests: the open, every read and every write or send are
 * io_uring requests, never read(2), write(2) or send(2).
 *
 *   fwuring [--fixed] cat FILE           FILE to standard output
 *                                        (IORING_OP_WRITE)
 *   fwuring [--fixed] send FILE IP PORT  FILE to a TCP peer (IORING_OP_SEND);
 *                                        the connect is a plain connect(2)
 *   fwuring rewrite FILE                 FILE opened with O_TRUNC and
 *                                        filled with 70000 other bytes, by
 *                                        io_uring requests only
 *   fwuring splice FILE                  FILE to standard output, which must
 *                                        be a pipe, with IORING_OP_SPLICE
 *                                        (no read or write request at all)
 *   fwuring [--fixed] sendto FILE IP PORT
 *                                        FILE in 1 KiB datagrams from an
 *                                        unconnected UDP socket, each naming
 *                                        IP:PORT in its msg_name
 *                                        (IORING_OP_SENDMSG)
 *
 * --fixed: register both descriptors with the ring and name them by their
 * index (IOSQE_FIXED_FILE) in the reads and writes.
 * --from OFFSET, --max BYTES (cat, send): read FILE from OFFSET on, at most
 * BYTES of it (another process's heap through /proc/PID/mem).
 * --skip: the sends succeed without a completion (IOSQE_CQE_SKIP_SUCCESS),
 * each linked to a NOP whose completion says it is done.
 *
 * Errors: one line on stderr, exit 1; usage errors exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK 16384

static struct io_uring ring;

static void die(const char *what, int err)
{
	fprintf(stderr, "fwuring: %s: %s\n", what, strerror(err));
	exit(1);
}

/* Submit the prepared request and wait for its completion: its result */
static int run_one(const char *what)
{
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_submit(&ring);
	if (ret < 1)
		die("io_uring_submit", ret < 0 ? -ret : EIO);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret)
		die("io_uring_wait_cqe", -ret);
	ret = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	if (ret < 0)
		die(what, -ret);
	return ret;
}

static struct io_uring_sqe *sqe(void)
{
	struct io_uring_sqe *s = io_uring_get_sqe(&ring);

	if (!s)
		die("io_uring_get_sqe", EBUSY);
	return s;
}

static int connect_tcp(const char *ip, const char *port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	int fd;

	if (inet_pton(AF_INET, ip, &a4.sin_addr) == 1) {
		a4.sin_port = htons(atoi(port));
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (void *)&a4, sizeof(a4)))
			die("connect", errno);
		return fd;
	}
	if (inet_pton(AF_INET6, ip, &a6.sin6_addr) != 1) {
		fprintf(stderr, "fwuring: bad address '%s'\n", ip);
		exit(2);
	}
	a6.sin6_port = htons(atoi(port));
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (void *)&a6, sizeof(a6)))
		die("connect", errno);
	return fd;
}

/* An unconnected UDP socket, and IP:PORT as a sockaddr for msg_name */
static int udp_socket(const char *ip, const char *port,
		      struct sockaddr_storage *peer, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)peer;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)peer;
	int fd;

	memset(peer, 0, sizeof(*peer));
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(atoi(port));
		*len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(atoi(port));
		*len = sizeof(*a6);
	} else {
		fprintf(stderr, "fwuring: bad address '%s'\n", ip);
		exit(2);
	}
	fd = socket(peer->ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket", errno);
	return fd;
}

/* FILE emptied (an io_uring open with O_TRUNC) and written again */
static int rewrite(const char *path)
{
	static char buf[70000];
	int fd, ret;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = 'a' + i % 26;
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret)
		die("io_uring_queue_init", -ret);
	io_uring_prep_openat(sqe(), AT_FDCWD, path, O_WRONLY | O_TRUNC, 0);
	fd = run_one(path);
	io_uring_prep_write(sqe(), fd, buf, sizeof(buf), 0);
	if (run_one("write") != (int)sizeof(buf))
		die("write", EIO);
	io_uring_queue_exit(&ring);
	return 0;
}

/* FILE to the pipe on standard output, splice requests only */
static int splice_out(const char *path)
{
	int in, ret, n;
	int64_t off = 0;

	ret = io_uring_queue_init(8, &ring, 0);
	if (ret)
		die("io_uring_queue_init", -ret);
	io_uring_prep_openat(sqe(), AT_FDCWD, path, O_RDONLY, 0);
	in = run_one(path);
	do {
		io_uring_prep_splice(sqe(), in, off, STDOUT_FILENO, -1, CHUNK,
				     0);
		n = run_one("splice");
		off += n;
	} while (n > 0);
	io_uring_queue_exit(&ring);
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[CHUNK];
	bool send_mode, dgram = false, fixed = false, skip = false;
	long long from = 0, max = -1;
	struct sockaddr_storage peer;
	socklen_t peer_len = 0;
	int in, out, ret, fds[2];
	off_t off = 0;

	for (; argc > 1 && !strncmp(argv[1], "--", 2); argc--, argv++) {
		if (!strcmp(argv[1], "--fixed"))
			fixed = true;
		else if (!strcmp(argv[1], "--skip"))
			skip = true;
		else if (!strcmp(argv[1], "--from") && argc > 2)
			from = strtoll((argc--, ++argv)[1], NULL, 0);
		else if (!strcmp(argv[1], "--max") && argc > 2)
			max = strtoll((argc--, ++argv)[1], NULL, 0);
		else
			break;
	}
	if (argc == 3 && !strcmp(argv[1], "splice"))
		return splice_out(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "rewrite"))
		return rewrite(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "cat")) {
		send_mode = false;
	} else if (argc == 5 && !strcmp(argv[1], "send")) {
		send_mode = true;
	} else if (argc == 5 && !strcmp(argv[1], "sendto")) {
		send_mode = dgram = true;
	} else {
		fprintf(stderr,
			"usage: fwuring [--fixed] [--skip] [--from OFFSET] [--max BYTES] cat FILE | splice FILE | send FILE IP PORT | sendto FILE IP PORT\n");
		return 2;
	}
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret)
		die("io_uring_queue_init", -ret);
	io_uring_prep_openat(sqe(), AT_FDCWD, argv[2], O_RDONLY, 0);
	in = run_one(argv[2]);
	if (dgram)
		out = udp_socket(argv[3], argv[4], &peer, &peer_len);
	else
		out = send_mode ? connect_tcp(argv[3], argv[4]) : STDOUT_FILENO;
	fds[0] = in;
	fds[1] = out;
	if (fixed) {
		ret = io_uring_register_files(&ring, fds, 2);
		if (ret)
			die("io_uring_register_files", -ret);
	}
	off = from;
	for (;;) {
		unsigned int want = sizeof(buf);
		struct io_uring_sqe *s;
		int n, done = 0;

		if (max >= 0 && off - from + want > max)
			want = max - (off - from);
		if (want == 0)
			break;
		s = sqe();
		/* with --fixed, index 0 is in and 1 is out */
		io_uring_prep_read(s, fixed ? 0 : in, buf, want, off);
		if (fixed)
			s->flags |= IOSQE_FIXED_FILE;
		n = run_one("read");
		if (n == 0)
			break;
		off += n;
		while (done < n) {
			s = sqe();
			if (dgram) {
				struct iovec iov = {
					.iov_base = buf + done,
					.iov_len = n - done < 1024 ? n - done :
								     1024,
				};
				struct msghdr mh = {
					.msg_name = &peer,
					.msg_namelen = peer_len,
					.msg_iov = &iov,
					.msg_iovlen = 1,
				};

				io_uring_prep_sendmsg(s, fixed ? 1 : out, &mh,
						      0);
				if (fixed)
					s->flags |= IOSQE_FIXED_FILE;
				done += run_one("sendmsg");
				continue;
			}
			if (send_mode)
				io_uring_prep_send(s, fixed ? 1 : out,
						   buf + done, n - done,
						   MSG_NOSIGNAL);
			else
				io_uring_prep_write(s, fixed ? 1 : out,
						    buf + done, n - done, -1);
			if (fixed)
				s->flags |= IOSQE_FIXED_FILE;
			if (skip && send_mode) {
				/* all of it (MSG_WAITALL), or the NOP is
				 * cancelled and the send's error shows */
				s->msg_flags |= MSG_WAITALL;
				s->flags |= IOSQE_CQE_SKIP_SUCCESS |
					    IOSQE_IO_LINK;
				io_uring_prep_nop(sqe());
				run_one("send");
				done = n;
				continue;
			}
			done += run_one(send_mode ? "send" : "write");
		}
	}
	if (send_mode && !dgram) {
		shutdown(out, SHUT_WR);
		/* drain until the peer closes, so every byte was taken */
		while (recv(out, buf, sizeof(buf), 0) > 0)
			;
	}
	io_uring_queue_exit(&ring);
	return 0;
}
