/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where alerts and state lines (ready, stats) go: the stdout/stderr sink
 * (output.c: text or JSON lines) or the journald sink (journal.c). The
 * collector and replay talk to this, not to either sink.
 */
#ifndef FW_SINK_H
#define FW_SINK_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/correlator.h"
#include "sink/output.h"

struct fw_journal;

/* Where alerts and state lines go */
enum fw_sink_kind {
	FW_SINK_AUTO = 0, /* journald when its socket exists, else text */
	FW_SINK_TEXT,
	FW_SINK_JSON,
	FW_SINK_JOURNAL,
};

struct fw_sink {
	enum fw_sink_kind kind; /* resolved: never FW_SINK_AUTO */
	struct fw_output output; /* formats; the text/JSON sink itself */
	struct fw_journal *journal; /* FW_SINK_JOURNAL */
	bool quiet; /* alerts go nowhere (`record` without an output) */
};

/* FW_SINK_AUTO: journald when its socket exists, else text */
enum fw_sink_kind sink__resolve(enum fw_sink_kind kind);
void sink__open(struct fw_sink *s, enum fw_sink_kind kind, int verbose,
		uint64_t run_id);
/* An fw_alert_fn: ctx is the struct fw_sink */
void sink__alert(const struct fw_alert *alert, void *ctx);
void sink__ready(struct fw_sink *s, const struct fw_ready_info *info);
void sink__stats(struct fw_sink *s, const struct fw_run_stats *stats);
/* A state line: config-reloaded, config-reload-failed */
void sink__state(struct fw_sink *s, const char *action, const char *msg);
/* From the collector loop: lets the journald sink re-send its spool */
void sink__tick(struct fw_sink *s, uint64_t now_ns);
/* `run`: the journald spool on disk, so that a restart loses nothing
 * (journal__spool_in); before privileges are dropped */
void sink__keep_spool(struct fw_sink *s);
/* A descriptor to wait on for the sink (the journald socket while its
 * spool drains): true and *pfd filled; then sink__drain when it is ready */
bool sink__pollfd(struct fw_sink *s, struct pollfd *pfd);
void sink__drain(struct fw_sink *s);
void sink__close(struct fw_sink *s);

#endif /* FW_SINK_H */
