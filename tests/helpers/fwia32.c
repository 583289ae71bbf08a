// SPDX-License-Identifier: GPL-2.0
/*
 * fwia32 - read a file and send it, or copy it, through the 32-bit syscall
 * entry, for flightwatch's end-to-end tests.
 *
 * A 32-bit program numbers its syscalls by the i386 table and passes their
 * arguments in other registers; so does a 64-bit program that enters the
 * kernel with int $0x80, which is what this one does for every file and
 * socket call (only its own memory, from mmap with MAP_32BIT so that 32-bit
 * pointers reach it, and its messages use the 64-bit calls).
 *
 *   fwia32 --read MODE FILE --send MODE --proto tcp|udp --to IPV4 --port N
 *   fwia32 --read MODE FILE --copy FILE
 *   fwia32 --read none FILE --clone FILE | --clone-range FILE
 *   fwia32 --read MODE FILE --msgsnd KEY
 *   fwia32 --read ipc-msgrcv KEY --bytes N --send MODE ...
 *
 * --read: read, readv and mmap2 open FILE with open; pread64, preadv,
 *   preadv2 and oldmmap (the old mmap, its arguments a struct) with openat;
 *   none reads nothing (for --send sendfile).
 * --send: write, writev, sendto, sendmsg, sendmmsg (direct calls), or
 *   sc-send, sc-sendto, sc-sendmsg, sc-sendmmsg (socketcall, which then also
 *   creates and connects the socket), or sendfile, sendfile64 (FILE straight
 *   to a TCP socket), or uring-sendmsg (IORING_OP_SENDMSG on a ring set up
 *   by a 32-bit call, whose requests use the 32-bit msghdr). TCP connects, sends, shuts down writing and reads
 *   until the peer closes; UDP sends datagrams of at most 1,200 bytes, each
 *   naming the peer except with write, writev and sc-send (connected).
 * --copy: write the data read into FILE (created or emptied) with pwrite64.
 * --clone: make FILE (created or emptied) share FILE's blocks with
 *   ioctl(FICLONE); --clone-range the same with ioctl(FICLONERANGE), a
 *   struct file_clone_range in 32-bit memory asking for the whole file
 *   (length 0: to the end). Both need a file system that clones (XFS,
 *   btrfs).
 * --msgsnd: put the data read into the System V message queue of KEY
 *   (created if need be) with ipc(MSGSND), in messages of 4 KiB; and
 *   --read ipc-msgrcv takes N bytes from the queue of KEY with ipc(MSGRCV)
 *   (the second form of the call: the buffer and type as arguments), then
 *   removes it.
 *
 * Errors: one line on stderr, exit 1; usage errors exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <getopt.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* arch/x86/entry/syscalls/syscall_32.tbl */
enum {
	NR_read = 3,
	NR_write = 4,
	NR_open = 5,
	NR_close = 6,
	NR_lseek = 19,
	NR_ioctl = 54,
	NR_old_mmap = 90,
	NR_socketcall = 102,
	NR_readv = 145,
	NR_writev = 146,
	NR_pread64 = 180,
	NR_pwrite64 = 181,
	NR_sendfile = 187,
	NR_mmap2 = 192,
	NR_sendfile64 = 239,
	NR_openat = 295,
	NR_preadv = 333,
	NR_sendmmsg = 345,
	NR_socket = 359,
	NR_connect = 362,
	NR_sendto = 369,
	NR_sendmsg = 370,
	NR_shutdown = 373,
	NR_preadv2 = 378,
	NR_io_uring_setup = 425,
	NR_io_uring_enter = 426,
};

/* ipc's calls (include/uapi/linux/ipc.h) */
enum {
	IPC_MSGSND = 11,
	IPC_MSGRCV = 12,
	IPC_MSGGET = 13,
	IPC_MSGCTL = 14,
};
#define IPC_VERSION_1 (1 << 16)
#define NR_ipc 117

/* socketcall's calls (include/uapi/linux/net.h) */
enum {
	SC_SOCKET = 1,
	SC_CONNECT = 3,
	SC_SEND = 9,
	SC_SENDTO = 11,
	SC_SHUTDOWN = 13,
	SC_SENDMSG = 16,
	SC_SENDMMSG = 20,
};

/* the 32-bit layouts of struct iovec, msghdr and mmsghdr */
struct iovec32 {
	uint32_t base, len;
};
struct msghdr32 {
	uint32_t name, namelen, iov, iovlen, control, controllen, flags;
};
struct mmsghdr32 {
	struct msghdr32 hdr;
	uint32_t len;
};

#define USAGE                                                                \
	"usage: fwia32 --read MODE FILE|KEY [--bytes N] (--send MODE "       \
	"--proto tcp|udp --to IPV4 --port N | --copy FILE | --msgsnd KEY | " \
	"--clone FILE | --clone-range FILE)"
#define UDP_MAX 1200
#define MMSG_BATCH 8
#define ARENA_SIZE (8u << 20)
#define CHUNK 4096

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("fwia32: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* One 32-bit syscall: eax the number, ebx ecx edx esi edi ebp the
 * arguments. ebp is saved around it, below the red zone the compiler may
 * keep locals in; the 32-bit entry clears r8 to r11. */
static long sys32(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;

	__asm__ volatile("sub $128, %%rsp\n\t"
			 "push %%rbp\n\t"
			 "mov %k[f], %%ebp\n\t"
			 "int $0x80\n\t"
			 "pop %%rbp\n\t"
			 "add $128, %%rsp"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d),
			   "D"(e), [f] "r"(f)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return (int)ret; /* eax, sign-extended: -errno on failure */
}

static long must(long ret, const char *what)
{
	if (ret < 0)
		die(1, "%s: %s", what, strerror((int)-ret));
	return ret;
}

/* memory that 32-bit pointers reach */
static char *arena;
static size_t arena_used;

static void *low_alloc(size_t n)
{
	void *p = arena + arena_used;

	n = (n + 15) & ~(size_t)15;
	if (arena_used + n > ARENA_SIZE)
		die(1, "out of 32-bit memory");
	arena_used += n;
	return p;
}

static const char *low_str(const char *s)
{
	char *p = low_alloc(strlen(s) + 1);

	strcpy(p, s);
	return p;
}

static long u32p(const void *p)
{
	return (long)(uintptr_t)p;
}

static long socketcall(int call, const uint32_t *args, int n)
{
	uint32_t *a = low_alloc(6 * sizeof(*a));

	memcpy(a, args, n * sizeof(*a));
	return sys32(NR_socketcall, call, u32p(a), 0, 0, 0, 0);
}

/* FILE's bytes into data; their number */
static size_t read_file(const char *mode, const char *path, char *data)
{
	const char *p = low_str(path);
	bool by_open = !strcmp(mode, "read") || !strcmp(mode, "readv") ||
		       !strcmp(mode, "mmap2");
	long fd, n, size, addr;
	size_t got = 0;

	fd = by_open ?
		     sys32(NR_open, u32p(p), 0, 0, 0, 0, 0) :
		     sys32(NR_openat, -100 /* AT_FDCWD */, u32p(p), 0, 0, 0, 0);
	must(fd, path);
	if (!strcmp(mode, "mmap2") || !strcmp(mode, "oldmmap")) {
		size = must(sys32(NR_lseek, fd, 0, 2 /* SEEK_END */, 0, 0, 0),
			    "lseek");
		if (!strcmp(mode, "mmap2")) {
			addr = sys32(NR_mmap2, 0, size, PROT_READ, MAP_PRIVATE,
				     fd, 0);
		} else {
			uint32_t *a = low_alloc(6 * sizeof(*a));

			a[0] = 0, a[1] = size, a[2] = PROT_READ;
			a[3] = MAP_PRIVATE, a[4] = fd, a[5] = 0;
			addr = sys32(NR_old_mmap, u32p(a), 0, 0, 0, 0, 0);
		}
		if (addr < 0 && addr > -4096)
			die(1, "%s: %s", mode, strerror((int)-addr));
		memcpy(data, (void *)(uintptr_t)(uint32_t)addr, size);
		sys32(NR_close, fd, 0, 0, 0, 0, 0);
		return size;
	}
	for (;;) {
		struct iovec32 *iov = low_alloc(sizeof(*iov));

		iov->base = u32p(data + got), iov->len = CHUNK;
		if (!strcmp(mode, "read"))
			n = sys32(NR_read, fd, u32p(data + got), CHUNK, 0, 0,
				  0);
		else if (!strcmp(mode, "pread64"))
			n = sys32(NR_pread64, fd, u32p(data + got), CHUNK, got,
				  0, 0);
		else if (!strcmp(mode, "readv"))
			n = sys32(NR_readv, fd, u32p(iov), 1, 0, 0, 0);
		else if (!strcmp(mode, "preadv"))
			n = sys32(NR_preadv, fd, u32p(iov), 1, got, 0, 0);
		else if (!strcmp(mode, "preadv2"))
			n = sys32(NR_preadv2, fd, u32p(iov), 1, got, 0, 0);
		else
			die(2, "unknown --read mode '%s'", mode);
		must(n, mode);
		if (n == 0)
			break;
		got += n;
		if (got + CHUNK > ARENA_SIZE / 2)
			die(1, "%s: too large", path);
	}
	sys32(NR_close, fd, 0, 0, 0, 0, 0);
	return got;
}

/* the 32-bit struct msgbuf: a 32-bit mtype, then the text */
struct msgbuf32 {
	int32_t mtype;
	char mtext[CHUNK];
};

static long msgq_get(const char *key)
{
	return must(sys32(NR_ipc, IPC_MSGGET, strtol(key, NULL, 0),
			  01000 | 0600 /* IPC_CREAT */, 0, 0, 0),
		    "ipc(MSGGET)");
}

static void msgq_send(const char *key, const char *data, size_t size)
{
	struct msgbuf32 *m = low_alloc(sizeof(*m));
	long q = msgq_get(key);
	size_t off, n;

	for (off = 0; off < size; off += n) {
		n = size - off < CHUNK ? size - off : CHUNK;
		m->mtype = 1;
		memcpy(m->mtext, data + off, n);
		must(sys32(NR_ipc, IPC_MSGSND, q, n, 0, u32p(m), 0),
		     "ipc(MSGSND)");
	}
}

/* size bytes from the queue of key into data */
static size_t msgq_receive(const char *key, char *data, size_t size)
{
	struct msgbuf32 *m = low_alloc(sizeof(*m));
	long q = msgq_get(key), n;
	size_t got = 0;

	while (got < size) {
		n = must(sys32(NR_ipc, IPC_MSGRCV | IPC_VERSION_1, q, CHUNK, 0,
			       u32p(m), 0),
			 "ipc(MSGRCV)");
		if ((size_t)n > size - got)
			die(1, "more than %zu bytes arrived", size);
		memcpy(data + got, m->mtext, n);
		got += n;
	}
	sys32(NR_ipc, IPC_MSGCTL, q, 0 /* IPC_RMID */ | 0x100 /* IPC_64 */, 0,
	      0, 0);
	return got;
}

static void copy_to(const char *path, const char *data, size_t size)
{
	long fd = must(sys32(NR_open, u32p(low_str(path)),
			     01 | 0100 | 01000 /* O_WRONLY|O_CREAT|O_TRUNC */,
			     0600, 0, 0, 0),
		       path);
	size_t off;

	for (off = 0; off < size; off += CHUNK) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;

		must(sys32(NR_pwrite64, fd, u32p(data + off), n, off, 0, 0),
		     "pwrite64");
	}
	sys32(NR_close, fd, 0, 0, 0, 0, 0);
}

/* dst shares src's blocks: ioctl(FICLONE) or, with range,
 * ioctl(FICLONERANGE) of the whole file (struct file_clone_range is laid
 * out alike for 32-bit callers: four 64-bit fields) */
static void clone_to(const char *dst, const char *src, bool range)
{
	long in = must(sys32(NR_open, u32p(low_str(src)), 0 /* O_RDONLY */, 0,
			     0, 0, 0),
		       src);
	long out = must(sys32(NR_open, u32p(low_str(dst)),
			      01 | 0100 | 01000 /* O_WRONLY|O_CREAT|O_TRUNC */,
			      0600, 0, 0, 0),
			dst);
	struct file_clone_range *r = low_alloc(sizeof(*r));

	memset(r, 0, sizeof(*r));
	r->src_fd = in;
	if (range)
		must(sys32(NR_ioctl, out, FICLONERANGE, u32p(r), 0, 0, 0),
		     "ioctl(FICLONERANGE)");
	else
		must(sys32(NR_ioctl, out, FICLONE, in, 0, 0, 0),
		     "ioctl(FICLONE)");
	sys32(NR_close, out, 0, 0, 0, 0, 0);
	sys32(NR_close, in, 0, 0, 0, 0, 0);
}

/* A ring set up, mapped and entered by 32-bit calls: the kernel marks it
 * compat, and reads its requests' msghdr in the 32-bit layout */
struct ring32 {
	long fd;
	uint32_t *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void *map32(long fd, size_t len, unsigned long off)
{
	long addr = sys32(NR_mmap2, 0, len, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, fd, off >> 12);

	if (addr < 0 && addr > -4096)
		die(1, "io_uring mmap2: %s", strerror((int)-addr));
	return (void *)(uintptr_t)(uint32_t)addr;
}

static void ring_setup(struct ring32 *r)
{
	struct io_uring_params *p = low_alloc(sizeof(*p));
	char *sq, *cq;

	memset(p, 0, sizeof(*p));
	r->fd = must(sys32(NR_io_uring_setup, 4, u32p(p), 0, 0, 0, 0),
		     "io_uring_setup");
	sq = map32(r->fd, p->sq_off.array + p->sq_entries * 4,
		   IORING_OFF_SQ_RING);
	cq = map32(r->fd,
		   p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe),
		   IORING_OFF_CQ_RING);
	r->sqes = map32(r->fd, p->sq_entries * sizeof(struct io_uring_sqe),
			IORING_OFF_SQES);
	r->sq_tail = (uint32_t *)(sq + p->sq_off.tail);
	r->sq_mask = (uint32_t *)(sq + p->sq_off.ring_mask);
	r->sq_array = (uint32_t *)(sq + p->sq_off.array);
	r->cq_head = (uint32_t *)(cq + p->cq_off.head);
	r->cq_tail = (uint32_t *)(cq + p->cq_off.tail);
	r->cq_mask = (uint32_t *)(cq + p->cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p->cq_off.cqes);
}

/* one IORING_OP_SENDMSG of the msghdr m on fd, waited for: its result */
static long ring_sendmsg(struct ring32 *r, long fd, struct msghdr32 *m)
{
	uint32_t tail = *r->sq_tail, head, i = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[i];
	long res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_SENDMSG;
	sqe->fd = fd;
	sqe->addr = u32p(m);
	sqe->len = 1;
	r->sq_array[i] = i;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	must(sys32(NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, 0,
		   0),
	     "io_uring_enter");
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		die(1, "io_uring: no completion");
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

struct target {
	const char *mode;
	bool udp, sc; /* sc: through socketcall */
	struct sockaddr_in *addr;
	long fd;
	struct ring32 ring; /* uring-sendmsg */
};

static void open_socket(struct target *t)
{
	int type = t->udp ? 2 /* SOCK_DGRAM */ : 1 /* SOCK_STREAM */;
	bool named = t->udp && strcmp(t->mode, "write") &&
		     strcmp(t->mode, "writev") && strcmp(t->mode, "sc-send");
	uint32_t a[3] = { AF_INET, type, 0 };

	t->fd = must(t->sc ? socketcall(SC_SOCKET, a, 3) :
			     sys32(NR_socket, AF_INET, type, 0, 0, 0, 0),
		     "socket");
	if (named)
		return;
	a[0] = t->fd, a[1] = u32p(t->addr), a[2] = sizeof(*t->addr);
	must(t->sc ? socketcall(SC_CONNECT, a, 3) :
		     sys32(NR_connect, t->fd, u32p(t->addr), sizeof(*t->addr),
			   0, 0, 0),
	     "connect");
}

/* one send of data[0, n): the bytes sent */
static long send_once(struct target *t, const char *data, size_t n)
{
	struct iovec32 *iov = low_alloc(sizeof(*iov));
	struct msghdr32 *m = low_alloc(sizeof(*m));
	long name = t->udp ? u32p(t->addr) : 0;
	long namelen = t->udp ? (long)sizeof(*t->addr) : 0;
	const char *mode = t->mode + (t->sc ? 3 : 0);
	uint32_t a[6] = { t->fd, u32p(data), n, 0, name, namelen };

	iov->base = u32p(data), iov->len = n;
	*m = (struct msghdr32){
		.name = name, .namelen = namelen, .iov = u32p(iov), .iovlen = 1
	};
	if (!strcmp(t->mode, "write"))
		return sys32(NR_write, t->fd, u32p(data), n, 0, 0, 0);
	if (!strcmp(t->mode, "writev"))
		return sys32(NR_writev, t->fd, u32p(iov), 1, 0, 0, 0);
	if (!strcmp(mode, "sendto"))
		return t->sc ? socketcall(SC_SENDTO, a, 6) :
			       sys32(NR_sendto, t->fd, u32p(data), n, 0, name,
				     namelen);
	if (!strcmp(mode, "send"))
		return socketcall(SC_SEND, a, 4);
	if (!strcmp(mode, "uring-sendmsg")) {
		if (!t->ring.sqes)
			ring_setup(&t->ring);
		return ring_sendmsg(&t->ring, t->fd, m);
	}
	if (!strcmp(mode, "sendmsg")) {
		a[1] = u32p(m), a[2] = 0;
		return t->sc ? socketcall(SC_SENDMSG, a, 3) :
			       sys32(NR_sendmsg, t->fd, u32p(m), 0, 0, 0, 0);
	}
	die(2, "unknown --send mode '%s'", t->mode);
	return -1;
}

/* sendmmsg: up to MMSG_BATCH datagrams per call; the bytes sent */
static size_t send_mmsg(struct target *t, const char *data, size_t size)
{
	struct mmsghdr32 *v = low_alloc(MMSG_BATCH * sizeof(*v));
	struct iovec32 *iov = low_alloc(MMSG_BATCH * sizeof(*iov));
	size_t off = 0, sent = 0;
	int k, count;
	long ret;

	while (off < size) {
		for (count = 0; count < MMSG_BATCH && off < size; count++) {
			size_t n = size - off < UDP_MAX ? size - off : UDP_MAX;

			iov[count] = (struct iovec32){ u32p(data + off), n };
			v[count] = (struct mmsghdr32){
				.hdr = { .name = u32p(t->addr),
					 .namelen = sizeof(*t->addr),
					 .iov = u32p(&iov[count]),
					 .iovlen = 1 },
			};
			off += n;
		}
		if (t->sc) {
			uint32_t a[4] = { t->fd, u32p(v), count, 0 };

			ret = socketcall(SC_SENDMMSG, a, 4);
		} else {
			ret = sys32(NR_sendmmsg, t->fd, u32p(v), count, 0, 0,
				    0);
		}
		if (must(ret, t->mode) != count)
			die(1, "sendmmsg sent %ld of %d", ret, count);
		for (k = 0; k < count; k++)
			sent += v[k].len;
	}
	return sent;
}

static void send_all(struct target *t, const char *path, const char *data,
		     size_t size)
{
	size_t off = 0, max = t->udp ? UDP_MAX : CHUNK;
	uint32_t a[2] = { 0, 1 /* SHUT_WR */ };
	char *sink = low_alloc(CHUNK);
	long n, in;

	open_socket(t);
	if (!strcmp(t->mode, "sendfile") || !strcmp(t->mode, "sendfile64")) {
		if (t->udp)
			die(2, "--send %s is TCP only", t->mode);
		in = must(sys32(NR_open, u32p(low_str(path)), 0, 0, 0, 0, 0),
			  path);
		do {
			n = must(sys32(!strcmp(t->mode, "sendfile") ?
					       NR_sendfile :
					       NR_sendfile64,
				       t->fd, in, 0, CHUNK, 0, 0),
				 t->mode);
		} while (n > 0);
		sys32(NR_close, in, 0, 0, 0, 0, 0);
	} else if (!strcmp(t->mode + (t->sc ? 3 : 0), "sendmmsg")) {
		if (!t->udp)
			die(2, "--send %s is UDP only here", t->mode);
		if (send_mmsg(t, data, size) != size)
			die(1, "sendmmsg: short");
	} else {
		while (off < size) {
			n = size - off < max ? size - off : max;
			off += must(send_once(t, data + off, n), t->mode);
		}
	}
	if (!t->udp) {
		a[0] = t->fd;
		must(t->sc ? socketcall(SC_SHUTDOWN, a, 2) :
			     sys32(NR_shutdown, t->fd, 1, 0, 0, 0, 0),
		     "shutdown");
		while (must(sys32(NR_read, t->fd, u32p(sink), CHUNK, 0, 0, 0),
			    "read from the peer") > 0)
			;
	}
	sys32(NR_close, t->fd, 0, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "send", required_argument, NULL, 's' },
		{ "proto", required_argument, NULL, 'p' },
		{ "to", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'P' },
		{ "copy", required_argument, NULL, 'c' },
		{ "msgsnd", required_argument, NULL, 'm' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "clone", required_argument, NULL, 'C' },
		{ "clone-range", required_argument, NULL, 'R' },
		{ 0 },
	};
	const char *read_mode = NULL, *send_mode = NULL, *proto = "tcp";
	const char *to = NULL, *copy = NULL, *msgsnd = NULL, *path;
	const char *clone = NULL;
	bool clone_range = false;
	long bytes = -1;
	struct target t = { 0 };
	long port = 0;
	size_t size = 0;
	char *data;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			read_mode = optarg;
			break;
		case 's':
			send_mode = optarg;
			break;
		case 'p':
			proto = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'P':
			port = strtol(optarg, NULL, 10);
			break;
		case 'c':
			copy = optarg;
			break;
		case 'm':
			msgsnd = optarg;
			break;
		case 'b':
			bytes = strtol(optarg, NULL, 10);
			break;
		case 'C':
		case 'R':
			clone = optarg;
			clone_range = c == 'R';
			break;
		default:
			die(2, USAGE);
		}
	}
	if (!read_mode || optind != argc - 1 ||
	    !(send_mode || copy || msgsnd || clone) ||
	    (send_mode && (!to || port <= 0 || port > 65535)))
		die(2, USAGE);
	if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
		die(2, "--proto: 'tcp' or 'udp', not '%s'", proto);
	path = argv[optind];
	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (arena == MAP_FAILED)
		die(1, "mmap: %m");
	data = low_alloc(ARENA_SIZE / 2);
	if (!strcmp(read_mode, "ipc-msgrcv")) {
		if (bytes < 0 || bytes > ARENA_SIZE / 2)
			die(2, "--read ipc-msgrcv needs --bytes N");
		size = msgq_receive(path, data, bytes);
	} else if (strcmp(read_mode, "none")) {
		size = read_file(read_mode, path, data);
	}
	if (clone) {
		clone_to(clone, path, clone_range);
		return 0;
	}
	if (copy) {
		copy_to(copy, data, size);
		return 0;
	}
	if (msgsnd) {
		msgq_send(msgsnd, data, size);
		return 0;
	}
	t.mode = send_mode;
	t.udp = !strcmp(proto, "udp");
	t.sc = !strncmp(send_mode, "sc-", 3);
	t.addr = low_alloc(sizeof(*t.addr));
	t.addr->sin_family = AF_INET;
	t.addr->sin_port = htons(port);
	if (inet_pton(AF_INET, to, &t.addr->sin_addr) != 1)
		die(2, "--to: not an IPv4 address: '%s'", to);
	send_all(&t, path, data, size);
	return 0;
}
