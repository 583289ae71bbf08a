// SPDX-License-Identifier: GPL-2.0
/*
 * fwsend - trigger exact read and send system calls, for flightwatch's
 * end-to-end tests.
 *
 * Phases, in order:
 *   1. read every --read FILE completely with the given syscall variant,
 *      --chunk bytes per call; the data read becomes the payload
 *   2. create the --touch file, then wait for the --wait-file
 *   3. with --fork: the parent waits for a forked child, which sends
 *   4. write the --pidfile (pid of the sending process)
 *   5. send payload + --bytes filler bytes to --to/--port with --send MODE
 *      (--cold-args: the sockaddr and msghdr a sendto/sendmsg names sit
 *      in pages this process never touched, mapped from a file for each
 *      call: the kernel faults them in as it copies them, while a reader
 *      that cannot fault, as a BPF program at the call's entry, fails;
 *      --flip ADDR: while sendto sends, a second thread keeps switching
 *      the destination's IPv4 address between --to and ADDR, so that what
 *      the kernel copies may differ from what was there at the call's
 *      entry)
 *      (TCP: connect, send, shut down writing, drain until the peer closes)
 *   6. wait for the --hold-file, if any, then exit
 *
 * Every wait is bounded by --timeout (default 60 s, counted from start and
 * again in a forked child; on expiry: a message and exit 3). Errors: one
 * line on stderr, exit 1; usage errors exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_READS 16
#define UDP_MAX 1200
#define MMSG_BATCH 8

enum read_mode { R_READ, R_PREAD, R_READV, R_PREADV, R_PREADV2 };
enum send_mode {
	S_NONE,
	S_WRITE,
	S_WRITEV,
	S_SEND,
	S_SENDTO,
	S_SENDMSG,
	S_SENDMMSG
};

static const char *const read_names[] = { "read",   "pread",   "readv",
					  "preadv", "preadv2", NULL };
static const char *const send_names[] = { "none",     "write",	"writev",
					  "send",     "sendto", "sendmsg",
					  "sendmmsg", NULL };

struct read_req {
	enum read_mode mode;
	const char *path;
};

struct opts {
	struct read_req reads[MAX_READS];
	int nreads;
	size_t chunk;
	size_t filler;
	int send_mode; /* -1: not given */
	size_t send_chunk;
	int udp;
	const char *to;
	int port;
	int connect_udp;
	int fork;
	const char *pidfile;
	const char *touch;
	const char *wait_file;
	const char *hold_file;
	unsigned int timeout;
	int stats;
	int cold_args;
	const char *flip;
};

struct payload {
	unsigned char *p;
	size_t len;
	size_t cap;
};

struct counters {
	unsigned long reads;
	unsigned long long bytes_read;
	unsigned long sends;
	unsigned long long bytes_sent;
};

static struct counters cnt;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("fwsend: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const char usage_text[] =
	"usage: fwsend [--read MODE FILE]... [--chunk N] [--bytes N]\n"
	"              [--send MODE] [--send-chunk N] [--proto tcp|udp]\n"
	"              [--to ADDR --port N] [--connect] [--fork]\n"
	"              [--pidfile PATH] [--touch PATH] [--wait-file PATH]\n"
	"              [--hold-file PATH] [--timeout SECONDS] [--stats]\n"
	"              [--cold-args] [--flip ADDR]\n"
	"  read MODE: read|pread|readv|preadv|preadv2\n"
	"  send MODE: write|writev|send|sendto|sendmsg|sendmmsg|none\n";

static void __attribute__((noreturn)) usage(const char *why)
{
	fprintf(stderr, "fwsend: %s (fwsend --help)\n", why);
	exit(2);
}

/* SIGALRM: a bounded wait ran out */
static void on_alarm(int sig)
{
	static const char msg[] = "fwsend: timed out (--timeout)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static int lookup(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static unsigned long long number(const char *opt, const char *s,
				 unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "fwsend: bad value for %s: '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

static void append(struct payload *pl, const void *src, size_t n)
{
	if (pl->len + n > pl->cap) {
		size_t cap = pl->cap ? pl->cap : 65536;

		while (cap < pl->len + n)
			cap *= 2;
		pl->p = realloc(pl->p, cap);
		if (!pl->p)
			die("out of memory");
		pl->cap = cap;
	}
	memcpy(pl->p + pl->len, src, n);
	pl->len += n;
}

/* Read one file completely with the requested syscall variant */
static void read_file(const struct read_req *r, size_t chunk,
		      struct payload *pl)
{
	unsigned char *buf = malloc(chunk);
	off_t off = 0;
	int fd = open(r->path, O_RDONLY | O_CLOEXEC);

	if (!buf)
		die("out of memory");
	if (fd < 0)
		die("open %s: %s", r->path, strerror(errno));
	for (;;) {
		size_t half = chunk / 2 ? chunk / 2 : 1;
		struct iovec iov[2] = {
			{ buf, half },
			{ buf + half, chunk - half },
		};
		int niov = chunk - half ? 2 : 1;
		ssize_t n;

		switch (r->mode) {
		case R_READ:
			n = read(fd, buf, chunk);
			break;
		case R_PREAD:
			n = pread(fd, buf, chunk, off);
			break;
		case R_READV:
			n = readv(fd, iov, niov);
			break;
		case R_PREADV:
			n = preadv(fd, iov, niov, off);
			break;
		default:
			n = preadv2(fd, iov, niov, off, 0);
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s %s: %s", read_names[r->mode], r->path,
			    strerror(errno));
		cnt.reads++;
		if (n == 0)
			break;
		cnt.bytes_read += n;
		off += n;
		append(pl, buf, n);
	}
	close(fd);
	free(buf);
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		die("create %s: %s", path, strerror(errno));
	close(fd);
}

/* Poll for a file; SIGALRM bounds the wait */
static void wait_for(const char *path)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct stat st;

	while (stat(path, &st) < 0) {
		if (errno != ENOENT)
			die("stat %s: %s", path, strerror(errno));
		nanosleep(&ts, NULL);
	}
}

static void write_pidfile(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		die("pidfile path too long");
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f))
		die("write %s: %s", tmp, strerror(errno));
	if (rename(tmp, path))
		die("rename %s: %s", tmp, strerror(errno));
}

struct dest {
	struct sockaddr_storage sa;
	socklen_t len;
	int family;
};

static void parse_dest(const char *addr, int port, struct dest *d)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&d->sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&d->sa;

	memset(d, 0, sizeof(*d));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		d->len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		d->len = sizeof(*s6);
	} else {
		fprintf(stderr, "fwsend: bad address '%s'\n", addr);
		exit(2);
	}
	d->family = d->sa.ss_family;
}

static void count_sent(ssize_t n)
{
	cnt.sends++;
	cnt.bytes_sent += n;
}

/* --cold-args: a temporary file that holds each call's arguments */
static int cold_fd = -1;

/* A copy of len bytes of p in a fresh private mapping of page slot of
 * the temporary file, which this process does not touch: the first
 * access is the kernel's. Unmapped by cold_free. */
static void *cold_copy(const void *p, size_t len, int slot)
{
	off_t off = (off_t)slot * sysconf(_SC_PAGESIZE);
	void *m;

	if (cold_fd < 0) {
		char path[] = "/tmp/fwsend-cold-XXXXXX";

		cold_fd = mkstemp(path);
		if (cold_fd < 0)
			die("mkstemp: %s", strerror(errno));
		unlink(path);
	}
	if (pwrite(cold_fd, p, len, off) != (ssize_t)len)
		die("cold arguments: %s", strerror(errno));
	m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, cold_fd, off);
	if (m == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	return m;
}

static void cold_free(void *m, size_t len)
{
	if (m)
		munmap(m, len);
}

/* --flip is running: another thread rewrites the destination's address */
static int flipping;

/* One send call of up to len bytes; returns bytes taken */
static size_t send_once(int fd, int mode, const unsigned char *p, size_t len,
			const struct dest *to, int cold)
{
	void *cold_sa = NULL, *cold_msg = NULL;
	size_t half = len / 2 ? len / 2 : len;
	struct iovec iov[2] = {
		{ (void *)p, half },
		{ (void *)(p + half), len - half },
	};
	int niov = len - half ? 2 : 1;
	const struct sockaddr *sa = to ? (const struct sockaddr *)&to->sa :
					 NULL;
	socklen_t salen = to ? to->len : 0;
	struct msghdr msg = {
		.msg_name = (void *)sa,
		.msg_namelen = salen,
		.msg_iov = iov,
		.msg_iovlen = niov,
	};
	ssize_t n;

	if (cold && sa) {
		cold_sa = cold_copy(sa, salen, 0);
		sa = cold_sa;
		msg.msg_name = cold_sa;
	}
	if (cold && mode == S_SENDMSG)
		cold_msg = cold_copy(&msg, sizeof(msg), 1);
	switch (mode) {
	case S_WRITE:
		n = write(fd, p, len);
		break;
	case S_WRITEV:
		n = writev(fd, iov, niov);
		break;
	case S_SEND:
		n = send(fd, p, len, 0);
		break;
	case S_SENDTO:
		n = sendto(fd, p, len, 0, sa, salen);
		break;
	default:
		n = sendmsg(fd, cold_msg ? cold_msg : &msg, 0);
		break;
	}
	cold_free(cold_sa, salen);
	cold_free(cold_msg, sizeof(msg));
	if (n < 0 && errno == EINTR)
		return 0;
	/* --flip: the kernel's copy of the address (byte-wise, rep movsb) can
	 * catch the other thread's store half done, and a mix of the two
	 * addresses (10.0.0.1) has no route: nothing was sent, by the
	 * kernel's count or flightwatch's; send it again */
	if (n < 0 && errno == ENETUNREACH && flipping)
		return 0;
	if (n < 0)
		die("%s: %s", send_names[mode], strerror(errno));
	count_sent(n);
	return n;
}

/* One sendmmsg call of up to MMSG_BATCH chunks; returns bytes taken */
static size_t send_mmsg(int fd, const unsigned char *p, size_t len,
			size_t chunk, const struct dest *to)
{
	struct mmsghdr msgs[MMSG_BATCH];
	struct iovec iov[MMSG_BATCH];
	size_t done = 0;
	unsigned int n = 0;
	int r;

	memset(msgs, 0, sizeof(msgs));
	for (size_t off = 0; off < len && n < MMSG_BATCH; n++) {
		size_t c = len - off < chunk ? len - off : chunk;

		iov[n].iov_base = (void *)(p + off);
		iov[n].iov_len = c;
		msgs[n].msg_hdr.msg_iov = &iov[n];
		msgs[n].msg_hdr.msg_iovlen = 1;
		if (to) {
			msgs[n].msg_hdr.msg_name = (void *)&to->sa;
			msgs[n].msg_hdr.msg_namelen = to->len;
		}
		off += c;
	}
	r = sendmmsg(fd, msgs, n, 0);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0)
		die("sendmmsg: %s", strerror(errno));
	cnt.sends++;
	for (int i = 0; i < r; i++) {
		cnt.bytes_sent += msgs[i].msg_len;
		done += msgs[i].msg_len;
		if (msgs[i].msg_len < iov[i].iov_len)
			break; /* partial TCP send: resume from here */
	}
	return done;
}

/* --flip: the address the flipping thread writes, and its two values */
static struct {
	volatile in_addr_t *addr;
	in_addr_t a, b;
	volatile int stop, running;
	pthread_t thread;
} flip;

/* Each address held for a moment (FWSEND_FLIP_SPINS turns of a loop, a
 * few tens of nanoseconds: shorter than a sendto's way from its entry to
 * the kernel's copy of the address), then the other */
static int flip_spins = 10;

static void flip_hold(void)
{
	for (volatile int i = 0; i < flip_spins; i++)
		;
}

static void *flip_loop(void *unused)
{
	(void)unused;
	flip.running = 1;
	while (!flip.stop) {
		*flip.addr = flip.a;
		flip_hold();
		*flip.addr = flip.b;
		flip_hold();
	}
	return NULL;
}

static void flip_start(const char *other, struct dest *d)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&d->sa;

	if (d->family != AF_INET || inet_pton(AF_INET, other, &flip.b) != 1)
		die("--flip needs IPv4 addresses");
	if (getenv("FWSEND_FLIP_SPINS"))
		flip_spins = atoi(getenv("FWSEND_FLIP_SPINS"));
	flip.addr = &sin->sin_addr.s_addr;
	flip.a = sin->sin_addr.s_addr;
	flipping = 1;
	if (pthread_create(&flip.thread, NULL, flip_loop, NULL))
		die("pthread_create failed");
	while (!flip.running)
		sched_yield();
}

static void flip_stop(void)
{
	flip.stop = 1;
	pthread_join(flip.thread, NULL);
}

static void do_send(const struct opts *o, const struct payload *pl)
{
	struct timeval tv = { 20, 0 };
	struct dest d;
	const struct dest *to = NULL;
	size_t chunk = o->send_chunk;
	size_t off = 0;
	int fd;

	parse_dest(o->to, o->port, &d);
	fd = socket(d.family,
		    (o->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (!chunk)
		chunk = o->udp ? UDP_MAX : 4096;
	if (o->udp && chunk > UDP_MAX)
		chunk = UDP_MAX;
	if (!o->udp || o->connect_udp) {
		if (connect(fd, (struct sockaddr *)&d.sa, d.len))
			die("connect %s port %d: %s", o->to, o->port,
			    strerror(errno));
	} else {
		to = &d;
		if (o->flip)
			flip_start(o->flip, &d);
	}
	while (off < pl->len) {
		size_t c = pl->len - off < chunk ? pl->len - off : chunk;

		if (o->send_mode == S_SENDMMSG)
			off += send_mmsg(fd, pl->p + off, pl->len - off, chunk,
					 to);
		else
			off += send_once(fd, o->send_mode, pl->p + off, c, to,
					 o->cold_args);
	}
	if (flip.addr)
		flip_stop();
	if (!o->udp) {
		char sink[4096];
		ssize_t n;

		/* make sure the peer got everything before we go */
		if (shutdown(fd, SHUT_WR))
			die("shutdown: %s", strerror(errno));
		while ((n = recv(fd, sink, sizeof(sink), 0)) != 0) {
			if (n < 0 && errno != EINTR)
				die("waiting for the peer to close: %s",
				    strerror(errno));
		}
	}
	close(fd);
}

static void parse(int argc, char **argv, struct opts *o)
{
	enum {
		O_READ = 256,
		O_CHUNK,
		O_BYTES,
		O_SEND,
		O_SEND_CHUNK,
		O_PROTO,
		O_TO,
		O_PORT,
		O_CONNECT,
		O_FORK,
		O_PIDFILE,
		O_TOUCH,
		O_WAIT,
		O_HOLD,
		O_TIMEOUT,
		O_STATS,
		O_COLD_ARGS,
		O_FLIP
	};
	static const struct option lopts[] = {
		{ "read", required_argument, NULL, O_READ },
		{ "chunk", required_argument, NULL, O_CHUNK },
		{ "bytes", required_argument, NULL, O_BYTES },
		{ "send", required_argument, NULL, O_SEND },
		{ "send-chunk", required_argument, NULL, O_SEND_CHUNK },
		{ "proto", required_argument, NULL, O_PROTO },
		{ "to", required_argument, NULL, O_TO },
		{ "port", required_argument, NULL, O_PORT },
		{ "connect", no_argument, NULL, O_CONNECT },
		{ "fork", no_argument, NULL, O_FORK },
		{ "pidfile", required_argument, NULL, O_PIDFILE },
		{ "touch", required_argument, NULL, O_TOUCH },
		{ "wait-file", required_argument, NULL, O_WAIT },
		{ "hold-file", required_argument, NULL, O_HOLD },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "stats", no_argument, NULL, O_STATS },
		{ "cold-args", no_argument, NULL, O_COLD_ARGS },
		{ "flip", required_argument, NULL, O_FLIP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, m;

	memset(o, 0, sizeof(*o));
	o->chunk = 4096;
	o->send_mode = -1;
	o->timeout = 60;
	/* '+': stop at the first non-option, so --read can take FILE */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", lopts, NULL)) != -1) {
		switch (c) {
		case O_READ:
			m = lookup(read_names, optarg);
			if (m < 0)
				usage("--read MODE: read|pread|readv|preadv|preadv2");
			if (optind >= argc)
				usage("--read MODE FILE: FILE missing");
			if (o->nreads == MAX_READS)
				usage("too many --read");
			o->reads[o->nreads].mode = m;
			o->reads[o->nreads++].path = argv[optind++];
			break;
		case O_CHUNK:
			o->chunk = number("--chunk", optarg, 1 << 24);
			if (!o->chunk)
				usage("--chunk must be positive");
			break;
		case O_BYTES:
			o->filler = number("--bytes", optarg, 1ULL << 30);
			break;
		case O_SEND:
			o->send_mode = lookup(send_names, optarg);
			if (o->send_mode < 0)
				usage("--send MODE: write|writev|send|sendto|sendmsg|sendmmsg|none");
			break;
		case O_SEND_CHUNK:
			o->send_chunk = number("--send-chunk", optarg, 1 << 24);
			break;
		case O_PROTO:
			if (strcmp(optarg, "tcp") && strcmp(optarg, "udp"))
				usage("--proto tcp|udp");
			o->udp = !strcmp(optarg, "udp");
			break;
		case O_TO:
			o->to = optarg;
			break;
		case O_PORT:
			o->port = number("--port", optarg, 65535);
			break;
		case O_CONNECT:
			o->connect_udp = 1;
			break;
		case O_FORK:
			o->fork = 1;
			break;
		case O_PIDFILE:
			o->pidfile = optarg;
			break;
		case O_TOUCH:
			o->touch = optarg;
			break;
		case O_WAIT:
			o->wait_file = optarg;
			break;
		case O_HOLD:
			o->hold_file = optarg;
			break;
		case O_TIMEOUT:
			o->timeout = number("--timeout", optarg, 3600);
			break;
		case O_STATS:
			o->stats = 1;
			break;
		case O_COLD_ARGS:
			o->cold_args = 1;
			break;
		case O_FLIP:
			o->flip = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fprintf(stderr,
				"fwsend: bad option '%s' (fwsend --help)\n",
				argv[optind - 1]);
			exit(2);
		}
	}
	if (optind != argc)
		usage("unexpected argument");
	if (o->send_mode < 0)
		o->send_mode = o->to ? S_WRITE : S_NONE;
	if (o->send_mode != S_NONE && (!o->to || !o->port))
		usage("sending needs --to ADDR and --port N");
	if (o->flip && (!o->udp || o->connect_udp || o->send_mode != S_SENDTO))
		usage("--flip needs --proto udp and --send sendto, unconnected");
	if (o->udp && !o->connect_udp &&
	    (o->send_mode == S_WRITE || o->send_mode == S_WRITEV ||
	     o->send_mode == S_SEND))
		usage("write, writev and send on UDP need --connect");
}

int main(int argc, char **argv)
{
	struct payload pl = { 0 };
	struct opts o;
	pid_t child;
	int status;

	parse(argc, argv, &o);
	signal(SIGALRM, on_alarm);
	alarm(o.timeout);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (int i = 0; i < o.nreads; i++)
		read_file(&o.reads[i], o.chunk, &pl);
	for (size_t i = 0; i < o.filler; i++) {
		unsigned char c = 'a' + i % 26;

		append(&pl, &c, 1);
	}
	if (o.touch)
		touch(o.touch);
	if (o.wait_file)
		wait_for(o.wait_file);

	if (o.fork) {
		fflush(NULL);
		child = fork();
		if (child < 0)
			die("fork: %s", strerror(errno));
		if (child > 0) {
			while (waitpid(child, &status, 0) < 0)
				if (errno != EINTR)
					die("waitpid: %s", strerror(errno));
			free(pl.p);
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			die("child %d killed by signal %d", (int)child,
			    WTERMSIG(status));
		}
		alarm(o.timeout);
	}
	if (o.pidfile)
		write_pidfile(o.pidfile);
	if (o.send_mode != S_NONE)
		do_send(&o, &pl);
	if (o.stats)
		printf("pid=%d reads=%lu bytes_read=%llu sends=%lu bytes_sent=%llu\n",
		       (int)getpid(), cnt.reads, cnt.bytes_read, cnt.sends,
		       cnt.bytes_sent);
	if (o.hold_file)
		wait_for(o.hold_file);
	free(pl.p);
	return 0;
}
