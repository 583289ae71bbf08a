/* SPDX-License-Identifier: GPL-2.0 */
/* The stdout/stderr sinks: JSON lines or text for people */
#ifndef FW_OUTPUT_H
#define FW_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>
#include "core/correlator.h"

struct fw_output {
	FILE *out; /* alerts and, in JSON mode, state lines */
	FILE *err; /* state lines in text mode */
	bool json;
	int verbose;
	uint64_t run_id; /* makes flow ids unique across runs */
	/* CLOCK_REALTIME - CLOCK_BOOTTIME of the traced host (replay: from
	 * the trace); 0: read this host's clocks (live) */
	uint64_t wall_minus_boot_ns;
	/* the traced host's name (replay: from the trace), for the journal's
	 * FLIGHTWATCH_HOST; NULL live, where journald's _HOSTNAME is right */
	const char *host;
};

/* A hook the tracer could use but does not, and why */
struct fw_hook_status {
	const char *hook; /* "iter/task_file", "fentry/fexit" */
	char reason[128];
};

struct fw_ready_info {
	const char **hooks; /* attached */
	size_t n_hooks;
	const struct fw_hook_status *unused; /* not attached */
	size_t n_unused;
	size_t n_dirs; /* watched directories that exist */
	size_t n_patterns;
	size_t n_procs; /* known at start */
	/* the taint state an earlier run pinned was taken over, and the
	 * flight-log reads of running processes restored from it */
	bool state_reused;
	size_t n_restored;
	const char *mode; /* "detect", "dry-run", "enforce"; NULL: detect */
	/* the syscall hooks' tier: "fast" or "tracepoint"; NULL: not said */
	const char *syscall_hooks;
	double startup_seconds;
};

struct fw_run_stats {
	uint64_t events[FW_EV_TYPE_MAX]; /* submitted by the kernel, by type */
	uint64_t lost; /* ring-buffer reservation failures */
	uint64_t pending_full;
	uint64_t path_truncated;
	uint64_t evicted[FW_LRU_MAX]; /* by enum fw_lru_map */
	uint64_t uring_fixed; /* io_uring requests on registered files */
	uint64_t shared_unfollowed; /* shared mappings not recorded */
	uint64_t trace_write_errors; /* --record: 1 once a write failed */
	uint64_t trace_records_lost; /* --record: not on disk because of it */
	struct fw_correlator_stats correlator;
};

/* The fields an alert cannot vouch for ("origin,chain"), "" when none */
void output__uncertain(uint32_t uncertain, char *buf, size_t size);

/* An fw_alert_fn: ctx is the struct fw_output */
void output__alert(const struct fw_alert *alert, void *ctx);
void output__ready(struct fw_output *o, const struct fw_ready_info *info);
void output__stats(struct fw_output *o, const struct fw_run_stats *stats);
/* A change of the tracer's state (event.kind "state", event.action
 * action, e.g. "config-reloaded"): JSON on out, or msg on err as text */
void output__state(struct fw_output *o, const char *action, const char *msg);
/* The message of an alert, for text and JSON alike */
void output__message(const struct fw_alert *a, char *buf, size_t size);
/* The origin the alert is about: the one the process read most of */
const char *output__primary_path(const struct fw_alert *a);
/* event.action: "flightlog-egress", "flightlog-egress-update", ... */
const char *output__action_name(const struct fw_alert *a);
/* event.id of an egress alert: run id and flow id */
void output__event_id(const struct fw_output *o, const struct fw_alert *a,
		      char *buf, size_t size);
/* flightwatch.origins and flightwatch.chain as JSON arrays (caller puts) */
struct json_object *output__origins_json(const struct fw_alert *a);
struct json_object *output__chain_json(const struct fw_alert *a);
/* The chain on one line: "a.tlog -> gzip[41] -> 192.0.2.1:443/tcp" */
void output__chain_text(const struct fw_alert *a, char *buf, size_t size);
/* Wall time of a boot-time stamp of the traced host */
uint64_t output__wall_ns(const struct fw_output *o, uint64_t boot_ns);
/* The ready line's message (with the hooks not attached, if any) */
void output__ready_message(const struct fw_ready_info *info, char *buf,
			   size_t size);
/* The event types the kernel submits, as the statistics count them */
#define FW_KERNEL_TYPES 9
extern const uint32_t output__kernel_types[FW_KERNEL_TYPES];
/* The final statistics line's message */
void output__stats_message(const struct fw_run_stats *s, char *buf,
			   size_t size);
/* The kernel map behind an enum fw_lru_map ("tainted") */
const char *output__lru_name(uint32_t idx);
/* "connect", "sendmsg", "egress", "socket" (enum fw_block_hook) */
const char *output__block_hook_name(uint32_t hook);
/* Lower-case name of an event type ("file_read") */
const char *output__event_name(uint32_t type);

/* How memory moved between processes (enum fw_peek_how), as the chain
 * names it */
/* "a packet socket", "a socket of address family vsock (40)": what an
 * FW_ALERT_PACKET_SOCKET names */
void output__socket_what(uint32_t family, char *buf, size_t size);
const char *output__memory_move_name(uint32_t how);

#endif /* FW_OUTPUT_H */
