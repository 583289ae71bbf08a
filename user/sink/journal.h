/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The journald sink. sd_journal_sendv reports success even when no
 * journald listens (the socket is missing), so before each entry the sink
 * connects a datagram socket of its own to journald's and checks that it
 * would take a datagram now. When journald is absent, refuses or is stuck,
 * the entry is printed as text on stderr and kept in a bounded spool; the
 * collector's timer (journal__tick) re-sends the spool, in order, once
 * journald is back. Entries the full spool could not keep are counted and
 * reported in the journal when it is back.
 */
#ifndef FW_JOURNAL_H
#define FW_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "core/correlator.h"
#include "sink/output.h"

#define FW_JOURNAL_SOCKET "/run/systemd/journal/socket"
/* Entries kept while journald is away (about 4 KiB each) */
#define FW_JOURNAL_SPOOL_MAX 4096

struct fw_journal;

/* Does journald's socket exist (the auto sink's test)? */
bool journal__available(void);
/* fmt: run id, clock and verbosity, shared with the text fallback;
 * echo: also print everything as text on stderr (a person is watching) */
struct fw_journal *journal__new(struct fw_output *fmt, bool echo);
/* An fw_alert_fn: ctx is the struct fw_journal */
void journal__alert(const struct fw_alert *alert, void *ctx);
void journal__ready(struct fw_journal *j, const struct fw_ready_info *info);
void journal__stats(struct fw_journal *j, const struct fw_run_stats *stats);
void journal__state(struct fw_journal *j, const char *action, const char *msg);
/* Called often from the collector loop: re-sends the spool (at most once
 * a second) when journald is back */
void journal__tick(struct fw_journal *j, uint64_t now_ns);
/* A last re-send attempt; what is still spooled is reported on stderr */
void journal__free(struct fw_journal *j);

#endif /* FW_JOURNAL_H */
