// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
/* CODE_FILE/CODE_LINE would name this file, not the alert's origin */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>
#include "sink/journal.h"
#include "sink/journal_entry.h"
#include "sink/spool.h"
#include "lib/util.h"

#define RETRY_INTERVAL_NS 1000000000ull

struct fw_journal {
	struct fw_output *fmt;
	struct fw_output text; /* the fallback: text on stderr */
	bool echo;
	int probe_fd;
	bool down; /* the last attempt failed: entries go to the spool */
	struct fw_spool spool;
	uint64_t last_retry_ns;
	uint64_t gap_reported; /* spool.dropped already told to journald */
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
	j->probe_fd = -1;
	spool__init(&j->spool, FW_JOURNAL_SPOOL_MAX);
	return j;
}

/* Would journald take a datagram now? 0 or -errno: ENOENT (no socket),
 * ECONNREFUSED (nobody listens), EAGAIN (its queue is full: sending
 * would block the collector) */
static int probe(struct fw_journal *j)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd pfd;

	if (j->probe_fd < 0) {
		j->probe_fd = socket(
			AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (j->probe_fd < 0)
			return -errno;
	}
	memcpy(sa.sun_path, FW_JOURNAL_SOCKET, sizeof(FW_JOURNAL_SOCKET));
	/* connecting again follows a journald restarted on a new socket */
	if (connect(j->probe_fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	pfd.fd = j->probe_fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT))
		return -EAGAIN;
	return 0;
}

static int deliver(struct fw_journal *j, const struct fw_jentry *e)
{
	struct iovec *iov;
	int err = probe(j);

	if (err)
		return err;
	iov = fw_xcalloc(e->n, sizeof(*iov));
	jentry__iov(e, iov);
	err = sd_journal_sendv(iov, e->n);
	free(iov);
	return err;
}

static void went_down(struct fw_journal *j, int err)
{
	if (j->down)
		return;
	j->down = true;
	fw_warn("journald unavailable (%s): entries go to standard error and are re-sent when it is back",
		strerror(-err));
}

/* Re-send the spool in order; true when it is empty */
static bool flush(struct fw_journal *j)
{
	struct fw_jentry *e;
	uint64_t resent = 0;
	int err = 0;

	while ((e = spool__peek(&j->spool))) {
		err = deliver(j, e);
		if (err)
			break;
		spool__pop(&j->spool);
		resent++;
	}
	if (!err && j->spool.dropped > j->gap_reported) {
		struct fw_jentry gap = { 0 };

		jentry__gap(&gap, j->spool.dropped - j->gap_reported);
		err = deliver(j, &gap);
		if (!err)
			j->gap_reported = j->spool.dropped;
		jentry__free(&gap);
	}
	if (err) {
		went_down(j, err);
		return false;
	}
	if (j->down) {
		j->down = false;
		fw_warn("journald is back: %" PRIu64 " spooled entries re-sent",
			resent);
	}
	return true;
}

/* Send e (taken) or spool it; true when journald has it */
static bool submit(struct fw_journal *j, struct fw_jentry *e)
{
	int err = 0;

	if ((j->spool.len || j->down) && !flush(j))
		err = -EAGAIN;
	if (!err)
		err = deliver(j, e);
	if (!err) {
		jentry__free(e);
		return true;
	}
	went_down(j, err);
	jentry__add(e, "FLIGHTWATCH_SPOOLED", "1");
	if (!spool__push(&j->spool, e) && j->spool.dropped == 1)
		fw_warn("journald spool full (%d entries): further entries are only on standard error until journald is back",
			FW_JOURNAL_SPOOL_MAX);
	return false;
}

/* Submit e (taken); should the caller print the text too? Yes when
 * journald did not take it (the fallback) or a person is watching */
static bool also_text(struct fw_journal *j, struct fw_jentry *e)
{
	return !submit(j, e) || j->echo;
}

void journal__alert(const struct fw_alert *alert, void *ctx)
{
	struct fw_journal *j = ctx;
	struct fw_jentry e = { 0 };

	if (alert->kind == FW_NOTICE_READ && !j->fmt->verbose)
		return;
	jentry__alert(&e, j->fmt, alert);
	if (also_text(j, &e))
		output__alert(alert, &j->text);
}

void journal__ready(struct fw_journal *j, const struct fw_ready_info *info)
{
	struct fw_jentry e = { 0 };

	jentry__ready(&e, info);
	if (also_text(j, &e))
		output__ready(&j->text, info);
}

void journal__stats(struct fw_journal *j, const struct fw_run_stats *stats)
{
	struct fw_jentry e = { 0 };

	jentry__stats(&e, stats);
	if (also_text(j, &e))
		output__stats(&j->text, stats);
}

void journal__state(struct fw_journal *j, const char *action, const char *msg)
{
	struct fw_jentry e = { 0 };

	jentry__state(&e, action, msg);
	if (also_text(j, &e))
		output__state(&j->text, action, msg);
}

void journal__tick(struct fw_journal *j, uint64_t now_ns)
{
	if (!j->down && !j->spool.len)
		return;
	if (now_ns - j->last_retry_ns < RETRY_INTERVAL_NS)
		return;
	j->last_retry_ns = now_ns;
	flush(j);
}

void journal__free(struct fw_journal *j)
{
	if (!j)
		return;
	if (j->spool.len && !flush(j))
		fw_warn("%zu entries never reached journald (they were printed on standard error)",
			j->spool.len);
	spool__free(&j->spool);
	if (j->probe_fd >= 0)
		close(j->probe_fd);
	free(j);
}
