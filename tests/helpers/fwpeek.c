// SPDX-License-Identifier: GPL-2.0
/*
 * fwpeek - read another process's memory and send it, or write into
 * another process's memory, for flightwatch's end-to-end tests (peek.sh):
 * what a debugger-like exfiltrator does.
 *
 *   fwpeek vm|ptrace|mem PID ADDR PORT
 *   fwpeek early PID ADDR PORT ATTACHED HELD
 *   fwpeek vmw|poke|memw|uringw PID FILE MARKFILE
 *
 * Reading: up to 64 KiB of PID's heap (its "[heap]" mapping in
 * /proc/PID/maps, else its first writable private mapping) with
 * process_vm_readv (vm), PTRACE_ATTACH and PTRACE_PEEKDATA (ptrace) or
 * pread on /proc/PID/mem (mem), then sent over TCP to ADDR:PORT (IPv4);
 * prints "peeked=N sent=N". early: PTRACE_SEIZE first, creates ATTACHED,
 * waits for HELD (PID read its file since), then PTRACE_INTERRUPT and
 * PEEKDATA: a debugger attached before the data was there.
 *
 * Writing: reads FILE (up to 64 KiB), finds in PID's heap the buffer that
 * holds MARKFILE's first bytes (PID read MARKFILE and will send it), and
 * overwrites it with FILE's bytes (no more than MARKFILE's size) by
 * process_vm_writev (vmw), PTRACE_POKEDATA (poke), pwrite on
 * /proc/PID/mem (memw) or an io_uring write request on it (uringw);
 * prints "poked=N". The buffer is found with
 * process_vm_readv, which reads nothing the tests taint.
 *
 * PID may be a thread's id. Errors: one line on stderr, exit 1; usage:
 * exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PEEK_MAX 65536

#define MARK_LEN 64

static unsigned char buf[PEEK_MAX];
static unsigned char heap[PEEK_MAX];

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
	return first_hi - first_lo;
}

/* The first PEEK_MAX bytes of that region */
static size_t region_head(pid_t pid, unsigned long *start)
{
	size_t len = region(pid, start);

	return len < PEEK_MAX ? len : PEEK_MAX;
}

static size_t peek_vm(pid_t pid)
{
	unsigned long start;
	size_t len = region_head(pid, &start);
	struct iovec local = { buf, len }, remote = { (void *)start, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		die("process_vm_readv");
	return n;
}

/* PTRACE_PEEKDATA pid's heap into buf (pid stopped), then detach */
static size_t peek_words(pid_t pid)
{
	unsigned long start;
	size_t len = region_head(pid, &start), n;

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

static size_t peek_ptrace(pid_t pid)
{
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL))
		die("PTRACE_ATTACH");
	if (waitpid(pid, NULL, __WALL) < 0)
		die("waitpid");
	return peek_words(pid);
}

/* Attached (PTRACE_SEIZE, which does not stop pid) before pid reads
 * anything: creates ATTACHED, waits up to 60 s for HELD (pid read its
 * file), then stops pid and peeks */
static size_t peek_early(pid_t pid, const char *attached, const char *held)
{
	int fd, i;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL))
		die("PTRACE_SEIZE");
	fd = open(attached, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die(attached);
	close(fd);
	for (i = 0; access(held, F_OK); i++) {
		if (i == 1200) {
			fprintf(stderr, "fwpeek: no %s after 60 s\n", held);
			exit(1);
		}
		usleep(50000);
	}
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL))
		die("PTRACE_INTERRUPT");
	if (waitpid(pid, NULL, __WALL) < 0)
		die("waitpid");
	return peek_words(pid);
}

static size_t peek_mem(pid_t pid)
{
	unsigned long start;
	size_t len = region_head(pid, &start);
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	n = pread(fd, buf, len, start);
	if (n < 0)
		die("pread /proc/PID/mem");
	close(fd);
	return n;
}

/* Read FILE into buf (what the writer carries); returns its length */
static size_t load(const char *file, unsigned char *to, size_t max)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(file);
	while (got < max && (n = read(fd, to + got, max - got)) > 0)
		got += n;
	if (n < 0)
		die(file);
	close(fd);
	return got;
}

/* Where in pid's heap the bytes of mark are, and how many bytes from
 * there may be overwritten (mark_size, within the region): the heap is
 * searched a window at a time */
static unsigned long find_mark(pid_t pid, const char *markfile, size_t *room)
{
	unsigned char mark[MARK_LEN];
	unsigned long start, at;
	size_t len = region(pid, &start), off, step = PEEK_MAX - MARK_LEN;
	struct stat st;

	if (load(markfile, mark, MARK_LEN) < MARK_LEN || stat(markfile, &st))
		die(markfile);
	for (at = start; at < start + len; at += step) {
		size_t want = start + len - at < PEEK_MAX ? start + len - at :
							    PEEK_MAX;
		struct iovec local = { heap, want },
			     remote = { (void *)at, want };
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

		if (n < 0)
			die("process_vm_readv");
		for (off = 0; off + MARK_LEN <= (size_t)n;
		     off += sizeof(long)) {
			if (memcmp(heap + off, mark, MARK_LEN))
				continue;
			*room = start + len - (at + off);
			if (*room > (size_t)st.st_size)
				*room = st.st_size;
			return at + off;
		}
	}
	fprintf(stderr, "fwpeek: %s's bytes are not in %d's heap\n", markfile,
		pid);
	exit(1);
}

static size_t poke_vm(pid_t pid, unsigned long at, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)at, len };
	ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		die("process_vm_writev");
	return n;
}

static size_t poke_ptrace(pid_t pid, unsigned long at, size_t len)
{
	size_t n;

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL))
		die("PTRACE_ATTACH");
	if (waitpid(pid, NULL, __WALL) < 0)
		die("waitpid");
	for (n = 0; n + sizeof(long) <= len; n += sizeof(long)) {
		long word;

		memcpy(&word, buf + n, sizeof(word));
		if (ptrace(PTRACE_POKEDATA, pid, (void *)(at + n),
			   (void *)word))
			die("PTRACE_POKEDATA");
	}
	if (ptrace(PTRACE_DETACH, pid, NULL, NULL))
		die("PTRACE_DETACH");
	return n;
}

static int open_mem_for_writing(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	return fd;
}

static size_t poke_mem(pid_t pid, unsigned long at, size_t len)
{
	int fd = open_mem_for_writing(pid);
	ssize_t n = pwrite(fd, buf, len, at);

	if (n < 0)
		die("pwrite /proc/PID/mem");
	close(fd);
	return n;
}

/* The same write as an io_uring request (IORING_OP_WRITE at offset at) */
static size_t poke_uring(pid_t pid, unsigned long at, size_t len)
{
	int fd = open_mem_for_writing(pid), ret;
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	ret = io_uring_queue_init(2, &ring, 0);
	if (ret) {
		errno = -ret;
		die("io_uring_queue_init");
	}
	io_uring_prep_write(io_uring_get_sqe(&ring), fd, buf, len, at);
	ret = io_uring_submit_and_wait(&ring, 1);
	if (ret < 1) {
		errno = ret < 0 ? -ret : EIO;
		die("io_uring_submit_and_wait");
	}
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (!ret)
		ret = cqe->res;
	if (ret < 0) {
		errno = -ret;
		die("io_uring write /proc/PID/mem");
	}
	io_uring_queue_exit(&ring);
	close(fd);
	return ret;
}

static int poke(const char *how, pid_t pid, const char *file,
		const char *markfile)
{
	size_t len = load(file, buf, PEEK_MAX), room, done;
	unsigned long at = find_mark(pid, markfile, &room);

	if (len > room)
		len = room;
	if (!strcmp(how, "vmw"))
		done = poke_vm(pid, at, len);
	else if (!strcmp(how, "poke"))
		done = poke_ptrace(pid, at, len);
	else if (!strcmp(how, "uringw"))
		done = poke_uring(pid, at, len);
	else
		done = poke_mem(pid, at, len);
	printf("poked=%zu\n", done);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	size_t got, sent = 0;
	pid_t pid;
	int fd;

	if (argc == 5 &&
	    (!strcmp(argv[1], "vmw") || !strcmp(argv[1], "poke") ||
	     !strcmp(argv[1], "memw") || !strcmp(argv[1], "uringw")))
		return poke(argv[1], atoi(argv[2]), argv[3], argv[4]);
	if ((argc != 5 || (strcmp(argv[1], "vm") && strcmp(argv[1], "ptrace") &&
			   strcmp(argv[1], "mem"))) &&
	    (argc != 7 || strcmp(argv[1], "early"))) {
		fprintf(stderr,
			"usage: fwpeek vm|ptrace|mem PID ADDR PORT\n"
			"       fwpeek early PID ADDR PORT ATTACHED HELD\n"
			"       fwpeek vmw|poke|memw|uringw PID FILE MARKFILE\n");
		return 2;
	}
	pid = atoi(argv[2]);
	sa.sin_port = htons(atoi(argv[4]));
	if (inet_pton(AF_INET, argv[3], &sa.sin_addr) != 1) {
		fprintf(stderr, "fwpeek: bad address %s\n", argv[3]);
		return 2;
	}
	if (!strcmp(argv[1], "vm"))
		got = peek_vm(pid);
	else if (!strcmp(argv[1], "ptrace"))
		got = peek_ptrace(pid);
	else if (!strcmp(argv[1], "early"))
		got = peek_early(pid, argv[5], argv[6]);
	else
		got = peek_mem(pid);
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
