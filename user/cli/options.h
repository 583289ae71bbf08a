/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line options of `flightwatch run` and `flightwatch record` */
#ifndef FW_OPTIONS_H
#define FW_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "cli/config.h"
#include "core/policy.h"
#include "core/resolvers.h"
#include "core/rules.h"
#include "sink/sink.h"

#define FW_RESOLV_CONF "/etc/resolv.conf"

/* Where the kernel's taint state is pinned between runs */
#define FW_DEFAULT_STATE_DIR "/sys/fs/bpf/flightwatch"

struct fw_options {
	bool json;
	bool default_rules;
	bool help;
	int verbose;
	const char *btf_path; /* NULL: the running kernel's */
	/* bpffs directory of the pinned taint state; fresh: forget it */
	const char *state_dir;
	bool fresh;
	/* DNS servers whose answers count (--resolver, or resolv.conf) */
	struct fw_resolvers resolvers;
	unsigned long taint_expiry_s; /* 0: never */
	const char *passwd_file; /* homes for the built-in directories */
	struct fw_rules rules;
	struct fw_policy policy;
	const char *record_path; /* --record / record -o: trace file */
	uint64_t max_size; /* --max-size: rotate the trace, 0: never */
	unsigned int keep; /* --keep: rotated traces kept */
	bool record_only; /* `record` without --json: no alert output */
	enum fw_sink_kind sink;
	const char *config_path; /* --config; NULL: the default if present */
	const char *geoip_path; /* --geoip: a MaxMind-format country database */
	char *geoip_alloc; /* geoip_path when the config file gave it */
	struct fw_map_size map_sizes[FW_MAP_SIZES_MAX]; /* before load */
	size_t n_map_sizes;
	int enforce; /* enum fw_enforce_mode: --enforce, config mode: */
	enum fw_hooks_tier hooks; /* --hooks, config hooks: */
	/* the command line as given: SIGHUP parses it again, with the
	 * config file re-read, so that options still add to the file */
	int argc;
	char **argv;
};

/* Parses argv of `run` (argv[0] is "run") after reading the config file
 * (--config FILE, or the default one when it exists): options add to the
 * file's lists (directories, patterns, allow entries) and override its
 * values. Prints one error line and returns -1 on bad input;
 * 0 otherwise (help set on --help). */
int options__parse_run(int argc, char **argv, struct fw_options *opts);
/* The same without printing: the error goes into err */
int options__parse_run_err(int argc, char **argv, struct fw_options *opts,
			   char *err, size_t err_size);
void options__usage_run(FILE *out);
/* The error for getopt_long's return c (':' or unknown) in err. Works
 * for every command whose long-only options have codes >= 0x100 and that
 * sets optopt to 0 before each getopt_long call; argv[0] is the command. */
void options__getopt_error(int c, char **argv, char *err, size_t size);
/* `flightwatch record`: run's options, -o FILE required, alerts only with
 * --json */
int options__parse_record(int argc, char **argv, struct fw_options *opts);
void options__usage_record(FILE *out);
/* "auto", "journal", "json", "text" (--output, config `output:`);
 * -1 if none of them */
int options__parse_sink(const char *s, enum fw_sink_kind *kind);
/* "64M", "1G", "4096": bytes (K, M, G are powers of 1024); -1 if bad */
int options__parse_size(const char *s, uint64_t *bytes);
void options__free(struct fw_options *opts);

#endif /* FW_OPTIONS_H */
