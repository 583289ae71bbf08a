// SPDX-License-Identifier: GPL-2.0
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "sink/journal.h"
#include "sink/journal_entry.h"
#include "sink/spool.h"
#include "lib/util.h"

struct fw_journal {
	struct fw_output *fmt;
	struct fw_output text; /* the fallback: text on stderr */
	bool echo;
	int fd; /* a datagram socket connected to journald's, or -1 */
	bool down; /* journald is away: we said so, and print entries */
	bool spool_open;
	struct fw_spool spool;
	uint64_t resent; /* spooled entries sent since it went down */
	uint64_t last_sent_ns; /* journald last took an entry (tick clock) */
	uint64_t now_ns; /* the last tick */
	char *buf; /* one entry in journald's native protocol */
	size_t buf_len, buf_cap;
};

bool journal__available(void)
{
	struct stat st;

	return !stat(FW_JOURNAL_SOCKET, &st) && S_ISSOCK(st.st_mode);
}

struct fw_journal *journal__new(struct fw_output *fmt, bool echo)
{
	struct fw_journal *j = fw_xcalloc(1, sizeof(*j));

	j->fmt = fmt;
	j->echo = echo;
	j->text = *fmt;
	j->text.out = stderr;
	j->text.err = stderr;
	j->text.json = false;
	j->fd = -1;
	j->spool.fd = -1;
	return j;
}

/* ---- journald's socket ----------------------------------------------------- */

/* Connecting again follows a journald restarted on a new socket */
static int reconnect(struct fw_journal *j)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (j->fd < 0) {
		j->fd = socket(AF_UNIX,
			       SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (j->fd < 0)
			return -errno;
	}
	memcpy(sa.sun_path, FW_JOURNAL_SOCKET, sizeof(FW_JOURNAL_SOCKET));
	if (connect(j->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(j->fd);
		j->fd = -1;
		return err;
	}
	return 0;
}

/* An entry too big for one datagram goes as a sealed memfd, as journald
 * wants it */
static int send_memfd(struct fw_journal *j, const void *data, size_t size)
{
	int mfd = memfd_create("flightwatch-entry",
			       MFD_CLOEXEC | MFD_ALLOW_SEALING);
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl = { 0 };
	struct msghdr mh = { .msg_control = &ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int err = 0;

	if (mfd < 0)
		return -errno;
	if (write(mfd, data, size) != (ssize_t)size ||
	    fcntl(mfd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)) {
		err = errno ? -errno : -EIO;
		goto out;
	}
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &mfd, sizeof(int));
	if (sendmsg(j->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		err = -errno;
out:
	close(mfd);
	return err;
}

/* 0, or -errno: ENOENT or ECONNREFUSED (journald is away), EAGAIN (its
 * queue is full: wait until the socket is writable) */
static int send_datagram(struct fw_journal *j, const void *data, size_t size)
{
	int err = 0;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (j->fd < 0 && (err = reconnect(j)))
			return err;
		if (send(j->fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) {
			j->last_sent_ns = j->now_ns;
			return 0;
		}
		err = -errno;
		if (err == -EMSGSIZE || err == -ENOBUFS)
			return send_memfd(j, data, size);
		if (err == -EAGAIN || err == -EINTR)
			return -EAGAIN;
		/* its socket closed under us: a restarted journald has a
		 * new one, so connect once more */
		close(j->fd);
		j->fd = -1;
	}
	return err;
}

/* ---- entries in the native protocol -------------------------------------- */

static void put(struct fw_journal *j, const void *p, size_t n)
{
	if (j->buf_len + n > j->buf_cap) {
		size_t cap = (j->buf_len + n) * 2;
		char *buf = fw_xcalloc(1, cap);

		memcpy(buf, j->buf, j->buf_len);
		free(j->buf);
		j->buf = buf;
		j->buf_cap = cap;
	}
	memcpy(j->buf + j->buf_len, p, n);
	j->buf_len += n;
}

/* NAME=value lines; a value with a newline as NAME, its 64-bit length
 * and the bytes (journald's native protocol) */
static void serialize(struct fw_journal *j, const struct fw_jentry *e)
{
	j->buf_len = 0;
	for (size_t i = 0; i < e->n; i++) {
		const char *f = e->fields[i], *eq = strchr(f, '=');
		size_t vlen;
		uint64_t le;

		if (!eq)
			continue;
		vlen = strlen(eq + 1);
		if (!memchr(eq + 1, '\n', vlen)) {
			put(j, f, eq - f + 1 + vlen);
			put(j, "\n", 1);
			continue;
		}
		le = htole64(vlen);
		put(j, f, eq - f);
		put(j, "\n", 1);
		put(j, &le, sizeof(le));
		put(j, eq + 1, vlen);
		put(j, "\n", 1);
	}
}

/* ---- the spool ------------------------------------------------------------- */

static void open_spool(struct fw_journal *j, const char *path)
{
	int err = spool__open(&j->spool, path, FW_SPOOL_MAX_BYTES);

	if (err && path) {
		fw_warn("cannot keep the journald spool in %s (%s): it is kept in memory, and lost if the collector stops before journald takes it",
			path, strerror(-err));
		err = spool__open(&j->spool, NULL, FW_SPOOL_MAX_BYTES);
	}
	if (err)
		fw_warn("no journald spool (%s): entries journald cannot take now are only printed on standard error",
			strerror(-err));
	j->spool_open = true;
}

static void went_down(struct fw_journal *j, int err)
{
	if (j->down || err == -EAGAIN)
		return;
	j->down = true;
	j->resent = 0;
	fw_warn("journald unavailable (%s): entries go to standard error and are re-sent when it is back",
		strerror(-err));
}

/* False when the spool refused it (counted) */
static bool spool_entry(struct fw_journal *j, struct fw_jentry *e, bool notice)
{
	int err = 0;

	if (!j->spool_open)
		open_spool(j, NULL);
	jentry__add(e, "FLIGHTWATCH_SPOOLED", "1");
	/* a later start may be the one that sends it: journald's _PID is
	 * then that collector's */
	jentry__add(e, "FLIGHTWATCH_COLLECTOR_PID", "%d", (int)getpid());
	serialize(j, e);
	if (spool__push(&j->spool, j->buf, j->buf_len, notice, &err))
		return true;
	if (j->spool.dropped == 1)
		fw_warn("journald spool full or failing (%s): further entries are only on standard error until journald catches up",
			strerror(-err));
	return false;
}

/* Send the spool in order, at journald's pace: until its queue is full
 * (the collector waits for the socket to be writable, journal__pollfd) */
static void drain(struct fw_journal *j)
{
	const void *rec;
	size_t size;
	int err = 0;

	while ((rec = spool__peek(&j->spool, &size))) {
		err = send_datagram(j, rec, size);
		if (err)
			break;
		spool__pop(&j->spool);
		j->resent++;
	}
	if (!err && j->spool.dropped) {
		/* the count of the entries a full spool refused, in the
		 * spool before it is cleared: never lost either */
		struct fw_jentry gap = { 0 };

		jentry__gap(&gap, j->spool.dropped);
		serialize(j, &gap);
		err = send_datagram(j, j->buf, j->buf_len);
		if (!err)
			spool__clear_dropped(&j->spool);
		jentry__free(&gap);
	}
	if (err) {
		went_down(j, err);
		return;
	}
	if (j->down) {
		j->down = false;
		fw_warn("journald is back: %" PRIu64 " spooled entries re-sent",
			j->resent);
	}
}

static bool pending(const struct fw_journal *j)
{
	return j->spool.len || j->spool.dropped;
}

/* Send e (taken) or spool it behind the others. Should the caller print
 * it as text? Yes when journald is away (the fallback), when the spool
 * could not keep it, or when a person is watching */
static bool also_text(struct fw_journal *j, struct fw_jentry *e, bool notice)
{
	bool kept = true;
	int err = -EAGAIN;

	if (!pending(j)) {
		serialize(j, e);
		err = send_datagram(j, j->buf, j->buf_len);
	}
	if (err) {
		went_down(j, err);
		kept = spool_entry(j, e, notice);
	}
	jentry__free(e);
	return !kept || j->down || j->echo;
}

/* ---- the sink ---------------------------------------------------------------- */

void journal__spool_in(struct fw_journal *j, const char *dir)
{
	/* the unit's StateDirectory= (the first, when it names several) */
	const char *env = getenv("STATE_DIRECTORY");
	size_t dlen, n;
	char *path;

	if (!dir)
		dir = env && *env ? env : FW_STATE_DIR;
	dlen = strcspn(dir, ":");
	n = dlen + sizeof("/" FW_JOURNAL_SPOOL_FILE);
	path = fw_xcalloc(1, n);
	snprintf(path, n, "%.*s", (int)dlen, dir);
	/* made by the unit; for a run outside it, made here */
	mkdir(path, 0700);
	snprintf(path + dlen, n - dlen, "/%s", FW_JOURNAL_SPOOL_FILE);
	if (j->spool_open)
		spool__close(&j->spool);
	open_spool(j, path);
	if (j->spool.len)
		fw_warn("%zu journald entries an earlier run could not send are sent first (%s)",
			j->spool.len, path);
	free(path);
	if (pending(j))
		drain(j);
}

void journal__alert(const struct fw_alert *alert, void *ctx)
{
	struct fw_journal *j = ctx;
	struct fw_jentry e = { 0 };

	if (alert->kind == FW_NOTICE_READ && !j->fmt->verbose)
		return;
	jentry__alert(&e, j->fmt, alert);
	if (also_text(j, &e, false))
		output__alert(alert, &j->text);
}

void journal__ready(struct fw_journal *j, const struct fw_ready_info *info)
{
	struct fw_jentry e = { 0 };

	jentry__ready(&e, info);
	if (also_text(j, &e, true))
		output__ready(&j->text, info);
}

void journal__stats(struct fw_journal *j, const struct fw_run_stats *stats)
{
	struct fw_jentry e = { 0 };

	jentry__stats(&e, stats);
	if (also_text(j, &e, true))
		output__stats(&j->text, stats);
}

void journal__state(struct fw_journal *j, const char *action, const char *msg)
{
	struct fw_jentry e = { 0 };

	jentry__state(&e, action, msg);
	if (also_text(j, &e, true))
		output__state(&j->text, action, msg);
}

bool journal__pollfd(struct fw_journal *j, struct pollfd *pfd)
{
	if (!pending(j) || j->fd < 0)
		return false;
	pfd->fd = j->fd;
	pfd->events = POLLOUT;
	pfd->revents = 0;
	return true;
}

void journal__drain(struct fw_journal *j)
{
	if (pending(j))
		drain(j);
}

void journal__tick(struct fw_journal *j, uint64_t now_ns)
{
	if (!j->now_ns)
		j->last_sent_ns = now_ns;
	j->now_ns = now_ns;
	if (!pending(j)) {
		j->last_sent_ns = now_ns;
		return;
	}
	/* while journald is away there is no socket to wait on: try to
	 * connect at each tick (the collector's sync interval) */
	if (j->fd < 0) {
		drain(j);
		return;
	}
	/* there but reading nothing: a person needs the entries now, on
	 * stderr, while they wait in the spool */
	if (!j->down && now_ns - j->last_sent_ns > FW_JOURNAL_STUCK_NS) {
		j->down = true;
		j->resent = 0;
		fw_warn("journald took no entry for %llu s: entries go to standard error too and are sent when it reads again",
			FW_JOURNAL_STUCK_NS / 1000000000ull);
	}
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

void journal__free(struct fw_journal *j)
{
	uint64_t deadline = mono_ms() + FW_JOURNAL_DRAIN_MS;
	struct pollfd pfd;

	if (!j)
		return;
	/* the last entries (the final statistics among them) at journald's
	 * pace, while it is there and takes them */
	while (pending(j) && mono_ms() < deadline) {
		drain(j);
		if (!journal__pollfd(j, &pfd))
			break;
		poll(&pfd, 1, 100);
	}
	if (j->spool.len && j->spool.on_disk)
		fw_warn("%zu entries not yet in the journal are kept for the next start",
			j->spool.len);
	else if (j->spool.len)
		fw_warn("%zu entries never reached journald", j->spool.len);
	if (j->spool_open)
		spool__close(&j->spool);
	if (j->fd >= 0)
		close(j->fd);
	free(j->buf);
	free(j);
}
