// SPDX-License-Identifier: GPL-2.0
/*
 * fwshm - hand a file's bytes to another process through shared memory,
 * for flightwatch's end-to-end tests (shm.sh).
 *
 *   fwshm KIND ORDER FILE IP PORT
 *
 * A writer (the parent) reads FILE and copies it into shared memory with
 * plain stores; a receiver (a child, forked before the read) sends what
 * it finds there over TCP to IP:PORT (IPv4). KIND is the memory:
 *   memfd   memfd_create, the child maps the inherited descriptor
 *   posix   shm_open by name (what /dev/shm holds)
 *   sysv    shmget/shmat
 *   anon    mmap(MAP_SHARED | MAP_ANONYMOUS) before the fork: the child
 *           inherits the region and maps nothing itself (ORDER: reader)
 * ORDER is who maps first: "reader" (the child maps before the parent
 * reads FILE) or "writer" (the parent reads and copies, then the child
 * maps). "moved" is "reader" with the child moving its mapping elsewhere
 * (mremap) before the data comes. "readonly" (posix only) is the child mapping first and the
 * parent mapping the object read-only (opened O_RDONLY, PROT_READ): it
 * reads FILE but cannot store into the memory, and copies nothing; the
 * child sends what is there (zeros). The two only tell each other when to
 * go by signals, which carry no data, so only the shared memory moves the
 * bytes.
 *
 * Errors: one line on stderr, exit 1; usage errors exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE (1 << 20)

static const char *kind;
static int readonly, moved;
static size_t size;
static int memfd = -1;
static char posix_name[64];
static int sysv_id = -1;

static void die(const char *what)
{
	fprintf(stderr, "fwshm: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* wait for sig (blocked in both processes), at most 30 s */
static void wait_signal(int sig)
{
	struct timespec limit = { .tv_sec = 30 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigtimedwait(&set, NULL, &limit) != sig)
		die("waiting for the other process");
}

/* the shared memory of KIND, mapped read-write in the caller (read-only:
 * the posix object opened and mapped for reading only) */
static char *map_shared(int read_only)
{
	int prot = read_only ? PROT_READ : PROT_READ | PROT_WRITE;
	char *p;
	int fd;

	if (!strcmp(kind, "sysv")) {
		p = shmat(sysv_id, NULL, 0);
		if (p == (void *)-1)
			die("shmat");
		return p;
	}
	if (!strcmp(kind, "posix")) {
		fd = shm_open(posix_name, read_only ? O_RDONLY : O_RDWR, 0);
		if (fd < 0)
			die("shm_open");
	} else {
		fd = memfd;
	}
	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* the memory itself, before the fork; anon is mapped here */
static char *create_shared(void)
{
	char *p;
	int fd;

	if (!strcmp(kind, "anon")) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		return p;
	}
	if (!strcmp(kind, "sysv")) {
		sysv_id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
		if (sysv_id < 0)
			die("shmget");
		return NULL;
	}
	if (!strcmp(kind, "posix")) {
		snprintf(posix_name, sizeof(posix_name), "/fwshm-%d", getpid());
		fd = shm_open(posix_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	} else if (!strcmp(kind, "memfd")) {
		fd = memfd_create("fwshm", 0);
	} else {
		fprintf(stderr, "fwshm: unknown kind '%s'\n", kind);
		exit(2);
	}
	if (fd < 0)
		die(kind);
	if (ftruncate(fd, size))
		die("ftruncate");
	if (!strcmp(kind, "posix"))
		close(fd);
	else
		memfd = fd;
	return NULL;
}

/* the same memory at another address: a reserved range is replaced */
static char *move_mapping(char *region)
{
	char *to =
		mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (to == MAP_FAILED)
		die("mmap");
	to = mremap(region, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (to == MAP_FAILED)
		die("mremap");
	return to;
}

static void receiver(char *region, int reader_first,
		     const struct sockaddr_in *to)
{
	size_t off = 0;
	ssize_t n;
	int s;

	if (!region && reader_first)
		region = map_shared(0);
	if (moved)
		region = move_mapping(region);
	kill(getppid(), SIGUSR2); /* mapped (or not yet: writer first) */
	wait_signal(SIGUSR1); /* the data is in */
	if (!region)
		region = map_shared(0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (const struct sockaddr *)to, sizeof(*to)))
		die("connect");
	while (off < size) {
		n = write(s, region + off, size - off);
		if (n <= 0)
			die("write");
		off += n;
	}
	close(s);
	exit(0);
}

/* the writer reads FILE into its heap (a read the tracer sees) */
static char *read_file(const char *path)
{
	char *buf = malloc(size);
	size_t off = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !buf)
		die(path);
	while (off < size && (n = read(fd, buf + off, size - off)) > 0)
		off += n;
	close(fd);
	return buf;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	int reader_first, status;
	char *region, *buf;
	struct stat st;
	sigset_t set;
	pid_t child;

	if (argc != 6) {
		fprintf(stderr,
			"usage: fwshm memfd|posix|sysv|anon reader|writer|moved|readonly FILE IP PORT\n");
		return 2;
	}
	kind = argv[1];
	readonly = !strcmp(argv[2], "readonly");
	moved = !strcmp(argv[2], "moved");
	reader_first = readonly || moved || !strcmp(argv[2], "reader");
	to.sin_port = htons(atoi(argv[5]));
	if (inet_pton(AF_INET, argv[4], &to.sin_addr) != 1) {
		fprintf(stderr, "fwshm: bad address '%s'\n", argv[4]);
		return 2;
	}
	if (!reader_first && strcmp(argv[2], "writer")) {
		fprintf(stderr, "fwshm: unknown order '%s'\n", argv[2]);
		return 2;
	}
	if (readonly && strcmp(kind, "posix")) {
		fprintf(stderr, "fwshm: readonly is for posix only\n");
		return 2;
	}
	if (stat(argv[3], &st))
		die(argv[3]);
	if (st.st_size <= 0 || st.st_size > MAX_SIZE) {
		fprintf(stderr, "fwshm: %s: size not in 1..%d\n", argv[3],
			MAX_SIZE);
		return 1;
	}
	size = st.st_size;
	alarm(60);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	region = create_shared();
	child = fork();
	if (child < 0)
		die("fork");
	if (!child)
		receiver(region, reader_first, &to);

	wait_signal(SIGUSR2);
	/* anon: mapped before the fork; reader first: mapped before the
	 * read; writer first: tainted first, then the mapping */
	if (!region && reader_first)
		region = map_shared(readonly);
	buf = read_file(argv[3]);
	if (!region)
		region = map_shared(0);
	if (!readonly)
		memcpy(region, buf,
		       size); /* stores: no syscall moves the data */
	free(buf);
	kill(child, SIGUSR1);
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	if (!strcmp(kind, "posix"))
		shm_unlink(posix_name);
	if (sysv_id >= 0)
		shmctl(sysv_id, IPC_RMID, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
