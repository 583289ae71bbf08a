/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The correlator: turns the event stream (from the kernel, or from a trace
 * file in replay and report: it cannot tell) into flows and data-flow
 * alerts.
 *
 * A flow is (origin set, process, destination). Its first send raises an
 * alert; as bytes grow the same alert is updated, not repeated.
 */
#ifndef FW_CORRELATOR_H
#define FW_CORRELATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/dnscache.h"
#include "flightwatch.h"
#include "core/policy.h"
#include "core/proctab.h"

enum fw_alert_kind {
	FW_ALERT_EGRESS = 1, /* flight-log data left the host */
	FW_ALERT_LOST =
		2, /* kernel events were lost: the trace is incomplete */
	FW_NOTICE_READ = 3, /* a process read a flight log (informational) */
	/* the kernel refused a flow of a tainted process (--enforce), or
	 * would have (dry_run) */
	FW_ALERT_DENIED = 4,
	/* a process carrying flight-log data opened a packet socket, whose
	 * frames are not followed */
	FW_ALERT_PACKET_SOCKET = 5,
};

/* What an alert cannot vouch for, because kernel records were lost */
enum fw_uncertain {
	/* the process's executable or command line is not known */
	FW_UNCERTAIN_PROCESS = 1,
	/* records were lost while the process lived: it may have read
	 * flight logs the alert does not name, or none is named */
	FW_UNCERTAIN_ORIGIN = 2,
	/* the same for the path the data took to it */
	FW_UNCERTAIN_CHAIN = 4,
};

struct fw_alert {
	enum fw_alert_kind kind;
	bool update; /* a later state of an alert already raised */
	uint64_t flow_id;
	uint64_t ts_ns; /* CLOCK_BOOTTIME */
	const struct fw_proc *proc;
	struct fw_dest dest;
	const char *domain; /* dest's name from DNS answers, NULL: unknown */
	const char *country; /* dest's ISO country from GeoIP, NULL: unknown */
	uint64_t bytes; /* sent to dest */
	const struct fw_origin *origins;
	size_t n_origins;
	int severity;
	bool verified; /* some origin's content is a known flight-log format */
	uint64_t lost; /* FW_ALERT_LOST: events lost so far */
	/* FW_ALERT_DENIED: attempts (egress: packets) refused so far, where
	 * (enum fw_block_hook), and whether only reported (dry-run) */
	uint64_t blocked;
	uint32_t block_hook;
	bool dry_run;
	uint32_t uncertain; /* enum fw_uncertain bits: 0, every field holds */
};

typedef void (*fw_alert_fn)(const struct fw_alert *alert, void *ctx);

struct fw_correlator;
struct fw_geoip;

struct fw_correlator *correlator__new(const struct fw_policy *policy,
				      fw_alert_fn fn, void *ctx);
void correlator__free(struct fw_correlator *c);
/* The name DNS answers gave dest's address by ts_ns, NULL if none; valid
 * until the next event is fed */
const char *correlator__dest_name(struct fw_correlator *c,
				  const struct fw_dest *dest, uint64_t ts_ns);
/* Countries of destinations from this database (not owned; NULL: none) */
void correlator__set_geoip(struct fw_correlator *c, struct fw_geoip *geoip);
/* One event record as defined in flightwatch.h; malformed records are
 * counted and ignored. Returns 0 or -EINVAL. */
int correlator__feed(struct fw_correlator *c, const void *rec, size_t size);
/* Report flows whose byte counts grew since they were last reported */
void correlator__flush(struct fw_correlator *c);
/* Does the process carry flight-log data (has counters worth syncing)? */
/* DNS answers name destinations only when they answer a query seen
 * (dnscache__add_event): from the start, when the queries are followed */
void correlator__dns_strict(struct fw_correlator *c, bool strict);
/* Whether the correlator knows the process at pid that started at
 * start_ns by its exec, fork or /proc record (not only by its pid) */
bool correlator__knows(struct fw_correlator *c, uint32_t pid,
		       uint64_t start_ns);
bool correlator__tracks(struct fw_correlator *c, uint32_t pid);
struct fw_proctab *correlator__procs(struct fw_correlator *c);

struct fw_correlator_stats {
	uint64_t events;
	uint64_t malformed;
	uint64_t flows;
	uint64_t alerts;
	uint64_t updates;
	uint64_t carriers_evicted; /* forgotten: their hops are not named */
	uint64_t channels_evicted; /* reported and forgotten */
	uint64_t files_forgotten; /* referred to by nothing any more */
	/* a record of a process that reused the pid of one still known
	 * (that one's exit record was lost): the old one was forgotten */
	uint64_t pids_reused;
	struct fw_dnscache_stats dns; /* FW_EV_DNS: destination names */
};

/* How much the correlator keeps: memory stays bounded whatever the
 * event stream. Flight logs no process or carrier refers to are dropped
 * beyond files; the least recently used carriers and channels beyond
 * theirs. */
#define FW_CARRIERS_MAX 65536
#define FW_CHANNELS_MAX 65536
#define FW_FILES_MAX 16384
struct fw_correlator_limits {
	size_t carriers;
	size_t channels;
	size_t files;
};
/* For tests: smaller limits than the defaults */
void correlator__set_limits(struct fw_correlator *c,
			    const struct fw_correlator_limits *limits);
void correlator__stats(const struct fw_correlator *c,
		       struct fw_correlator_stats *stats);

#endif /* FW_CORRELATOR_H */
