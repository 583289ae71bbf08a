/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside `flightwatch report`: the model report.c gathers from a replay,
 * or report_journal.c from a journal's entries (stations, readers of each
 * flight log, flows, a timeline), sorted into a view, and the renderers
 * of report_render.c (text, JSON, Graphviz).
 */
#ifndef FW_REPORT_MODEL_H
#define FW_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "flightwatch.h"
#include "trace/replay.h"

struct hashmap;

/* A host whose alerts the report covers: the traced host of a trace, each
 * host that sent entries to a journal */
struct station {
	char *host;
	size_t index; /* in view.stations */
	uint64_t first_ns, last_ns; /* of its alerts and reads */
	uint64_t lost; /* kernel events it lost */
};

/* A flight log and one process that read it */
struct reader_key {
	struct fw_file_key file;
	uint32_t pid;
	uint32_t pad;
};

struct reader {
	struct reader_key key;
	struct station *station;
	char *path;
	uint32_t content;
	char comm[FW_COMM_LEN];
	char *exe;
	uint64_t bytes;
	uint64_t first_ns;
};

struct origin_copy {
	char *path;
	uint32_t content;
	uint64_t bytes_read;
};

struct flow {
	uint64_t id;
	struct station *station;
	uint32_t pid, ppid, uid;
	char comm[FW_COMM_LEN];
	char *exe, *cmdline;
	struct fw_dest dest;
	char *domain; /* from the DNS answers in the trace, NULL: unknown */
	char country[4]; /* with --geoip, "" unknown */
	uint64_t bytes;
	uint64_t first_ns, last_ns;
	int severity;
	bool verified;
	struct origin_copy *origins;
	size_t n_origins;
};

enum tl_kind { TL_READ, TL_SEND, TL_ALERT, TL_LOST };

struct tl_entry {
	uint64_t ts_ns;
	enum tl_kind kind;
	char *text;
};

struct report {
	struct fw_correlator *c;
	struct hashmap *stations; /* hash of the host name -> station */
	struct hashmap *readers; /* reader_key -> reader */
	struct hashmap *flows; /* flow id (journal: hash) -> flow */
	struct tl_entry *tl;
	size_t n_tl, cap_tl;
	uint64_t wall_minus_boot_ns; /* journal: 0, times are wall times */
	uint64_t lost;
	struct station *traced; /* a trace's host */
	const char *journal; /* a journal: its directory, "" the system's */
	uint64_t entries; /* a journal's entries read */
};

struct view {
	struct station **stations; /* by name */
	size_t n_stations;
	struct reader **readers;
	size_t n_readers;
	struct flow **flows; /* by id */
	struct flow **by_proc;
	size_t n_flows;
};

/* The station of a host name, added when new */
struct station *report_station(struct report *r, const char *host);
/* An alert or read of the station at ts: its first and last seen */
void report_station_seen(struct station *st, uint64_t ts);
/* A flight log's reader (added when new and add) */
struct reader *report_reader(struct report *r, const struct fw_file_key *f,
			     uint32_t pid, bool add);
/* A line of the timeline */
void report_tl_add(struct report *r, uint64_t ts, enum tl_kind kind,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Free a flow's origins, names and itself */
void report_flow_free(struct flow *f);
/* Both processes the same (one pid on one station)? */
bool report_same_proc(const struct flow *a, const struct flow *b);

/* Fills r from the FLIGHTWATCH_* entries of the journal in directory dir
 * (NULL: the system journal): 0, or -1 after printing the error */
int report_journal__read(struct report *r, const char *dir);

/* by_proc[j] starts a run of flows of one process to one destination (its
 * origin sets differ): the bytes of the run, and where the next one starts */
size_t report_dest_run(const struct view *v, size_t j, uint64_t *bytes);

void report_print_text(FILE *out, struct report *r, const struct view *v,
		       const struct fw_trace_meta *m,
		       const struct fw_trace_read_stats *st);
/* One JSON document */
void report_print_json(FILE *out, struct report *r, const struct view *v,
		       const struct fw_trace_meta *m,
		       const struct fw_trace_read_stats *st);
/* A Graphviz graph: flight logs -> processes -> destinations */
void report_print_dot(FILE *out, const struct view *v);

#endif /* FW_REPORT_MODEL_H */
