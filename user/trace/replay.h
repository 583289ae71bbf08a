/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `flightwatch replay` and the trace source shared with `report`: trace
 * files through the trace reader into the same correlator, policy and
 * sinks as live tracing. The correlator cannot tell the difference.
 */
#ifndef FW_REPLAY_H
#define FW_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include "core/correlator.h"
#include "trace/trace_reader.h"

/* What the META block of the run being replayed said */
struct fw_trace_meta {
	uint64_t wall_minus_boot_ns;
	uint64_t run_id;
	char hostname[256];
	char kernel_release[128];
	char boot_id[64];
	char version[32];
};

struct fw_replay_hooks {
	/* every event record, before the correlator sees it (may be NULL) */
	void (*event)(const void *rec, size_t size, void *ctx);
	/* the META block has been read (may be NULL) */
	void (*meta)(const struct fw_trace_meta *meta, void *ctx);
	/* a file of another run (another recording or host) begins: the
	 * caller ends the correlator it gave (already flushed) and returns
	 * a fresh one; NULL: one correlator, the first META block holds */
	struct fw_correlator *(*new_run)(const struct fw_trace_meta *meta,
					 void *ctx);
	void *ctx;
};

/*
 * Feeds the trace files, in order, through one correlator. policy may get
 * the recorded allow rules added (use_recorded_allow). Returns 0, or 1
 * when a file was damaged or unreadable (every valid block is still read).
 */
int replay__files(char **paths, int n_paths, struct fw_correlator *c,
		  struct fw_policy *policy, bool use_recorded_allow,
		  const struct fw_replay_hooks *hooks,
		  struct fw_trace_meta *meta,
		  struct fw_trace_read_stats *stats);

/*
 * The rules replay and report check a trace with: --allow CIDR (repeatable),
 * --no-recorded-allow, --config FILE (its allowlists and severity rules),
 * --geoip FILE. Option codes for their getopt_long tables.
 */
enum {
	FW_OPT_RECHECK_ALLOW = 0x180,
	FW_OPT_RECHECK_NO_RECORDED_ALLOW,
	FW_OPT_RECHECK_CONFIG,
	FW_OPT_RECHECK_GEOIP,
};
/* clang-format off */
#define FW_RECHECK_LONG_OPTIONS						\
	{ "allow", required_argument, NULL, FW_OPT_RECHECK_ALLOW },	\
	{ "no-recorded-allow", no_argument, NULL,			\
	  FW_OPT_RECHECK_NO_RECORDED_ALLOW },				\
	{ "config", required_argument, NULL, FW_OPT_RECHECK_CONFIG },	\
	{ "geoip", required_argument, NULL, FW_OPT_RECHECK_GEOIP }
/* clang-format on */

struct fw_geoip;
struct fw_recheck {
	struct fw_policy policy;
	bool use_recorded; /* add the allow rules the trace recorded */
	const char *config_path;
	const char *geoip_path;
	struct fw_geoip *geoip; /* after replay__recheck_load */
};

void replay__recheck_init(struct fw_recheck *r);
/* getopt_long's opt and optarg, for an option the command did not take
 * itself: 0 when it was one of the recheck options, else -1 after printing
 * the error (a bad argument, an unknown option of argv[0]) */
int replay__recheck_option(struct fw_recheck *r, int opt, const char *arg,
			   char **argv);
/* After the options: at least one trace FILE left in argv, the config
 * file's rules and the GeoIP database; -1 after printing the error */
int replay__recheck_load(struct fw_recheck *r, int argc, char **argv);
void replay__recheck_free(struct fw_recheck *r);

/* `flightwatch replay` (argv[0] is "replay"): the process exit status */
int replay__main(int argc, char **argv);

#endif /* FW_REPLAY_H */
