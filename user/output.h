/* SPDX-License-Identifier: GPL-2.0 */
/* The stdout/stderr sinks: JSON lines or text for people */
#ifndef FW_OUTPUT_H
#define FW_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "correlator.h"

struct fw_output {
	FILE *out; /* alerts and, in JSON mode, state lines */
	FILE *err; /* state lines in text mode */
	bool json;
	int verbose;
	uint64_t run_id; /* makes flow ids unique across runs */
	/* CLOCK_REALTIME - CLOCK_BOOTTIME of the traced host (replay: from
	 * the trace); 0: read this host's clocks (live) */
	uint64_t wall_minus_boot_ns;
};

struct fw_ready_info {
	const char **hooks;
	size_t n_hooks;
	size_t n_dirs; /* watched directories that exist */
	size_t n_patterns;
	size_t n_procs; /* known at start */
	double startup_seconds;
};

struct fw_run_stats {
	uint64_t events[FW_EV_TYPE_MAX]; /* submitted by the kernel, by type */
	uint64_t lost; /* ring-buffer reservation failures */
	uint64_t pending_full;
	uint64_t path_truncated;
	uint64_t evicted[FW_LRU_MAX]; /* by enum fw_lru_map */
	uint64_t uring_fixed; /* io_uring requests on registered files */
	struct fw_correlator_stats correlator;
};

/* An fw_alert_fn: ctx is the struct fw_output */
void output__alert(const struct fw_alert *alert, void *ctx);
void output__ready(struct fw_output *o, const struct fw_ready_info *info);
void output__stats(struct fw_output *o, const struct fw_run_stats *stats);
/* A change of the tracer's state (event.kind "state", event.action
 * action, e.g. "config-reloaded"): JSON on out, or msg on err as text */
void output__state(struct fw_output *o, const char *action, const char *msg);
/* The message of an alert, for text and JSON alike */
void output__message(const struct fw_alert *a, char *buf, size_t size);
/* The kernel map behind an enum fw_lru_map ("tainted") */
const char *output__lru_name(uint32_t idx);
/* Lower-case name of an event type ("file_read") */
const char *output__event_name(uint32_t type);

#endif /* FW_OUTPUT_H */
