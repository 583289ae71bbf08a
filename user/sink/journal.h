/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The journald sink. It speaks journald's native protocol on a datagram
 * socket of its own, connected to journald's and non-blocking (a socket
 * that is missing or refuses is journald being away, which
 * sd_journal_sendv would not say). An entry journald cannot take now,
 * and every entry behind one, goes to a spool (spool.c) on disk under
 * the state directory; the collector waits for the socket to become
 * writable (journal__pollfd) and the spool drains, in order, at
 * journald's pace. While journald is away, entries are also printed as
 * text on stderr and a connection is tried at each tick; what is still
 * spooled at exit is sent by the next start, before anything else.
 * Entries the full spool could not keep are counted and the count is
 * reported in the journal (the count itself survives a restart).
 */
#ifndef FW_JOURNAL_H
#define FW_JOURNAL_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/correlator.h"
#include "sink/output.h"

#define FW_JOURNAL_SOCKET "/run/systemd/journal/socket"
/* Where the spool is kept unless $STATE_DIRECTORY (the unit's
 * StateDirectory=) says otherwise */
#define FW_STATE_DIR "/var/lib/flightwatch"
#define FW_JOURNAL_SPOOL_FILE "journal.spool"
/* At exit, how long the last entries may take to reach a slow journald
 * (what is left is sent by the next start) */
#define FW_JOURNAL_DRAIN_MS 10000
/* journald there but taking nothing for this long: entries are printed
 * on stderr too, as when it is away */
#define FW_JOURNAL_STUCK_NS (5 * 1000000000ull)

struct fw_journal;

/* Does journald's socket exist (the auto sink's test)? */
bool journal__available(void);
/* fmt: run id, clock and verbosity, shared with the text fallback;
 * echo: also print everything as text on stderr (a person is watching).
 * The spool is in memory until journal__spool_in. */
struct fw_journal *journal__new(struct fw_output *fmt, bool echo);
/* Keep the spool on disk in dir (NULL: $STATE_DIRECTORY or
 * FW_STATE_DIR), before any entry; what an earlier run left there is
 * sent first. `run` does this; replay keeps its spool in memory. */
void journal__spool_in(struct fw_journal *j, const char *dir);
/* An fw_alert_fn: ctx is the struct fw_journal */
void journal__alert(const struct fw_alert *alert, void *ctx);
void journal__ready(struct fw_journal *j, const struct fw_ready_info *info);
void journal__stats(struct fw_journal *j, const struct fw_run_stats *stats);
void journal__state(struct fw_journal *j, const char *action, const char *msg);
/* The socket to wait on for writing while entries wait in the spool:
 * true and *pfd filled, false when there is nothing to wait for */
bool journal__pollfd(struct fw_journal *j, struct pollfd *pfd);
/* The socket is writable: send what the spool holds until journald's
 * queue is full again */
void journal__drain(struct fw_journal *j);
/* From the collector's timer: while journald is away, try again */
void journal__tick(struct fw_journal *j, uint64_t now_ns);
/* The last entries at journald's pace (at most FW_JOURNAL_DRAIN_MS);
 * what is left stays in the spool for the next start */
void journal__free(struct fw_journal *j);

#endif /* FW_JOURNAL_H */
