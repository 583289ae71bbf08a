/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration file (YAML, read with libyaml): what counts as a flight
 * log, which flows never alert, severity rules, taint expiry, output,
 * GeoIP database and kernel map sizes. The schema is in README.md and the
 * commented example etc/flightwatch.yaml.
 *
 * Like sshd and sudo, a file that someone other than root could have
 * written (group/other writable, another owner, or in a directory others
 * may write) is refused: the file decides what is never reported.
 */
#ifndef FW_CONFIG_H
#define FW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/policy.h"
#include "core/rules.h"
#include "sink/sink.h"

#ifndef FW_DEFAULT_CONFIG
#define FW_DEFAULT_CONFIG "/etc/flightwatch/flightwatch.yaml"
#endif

/* The syscall hooks' tier (hooks:, --hooks) */
enum fw_hooks_tier {
	FW_HOOKS_AUTO, /* fast where fentry programs load, else tracepoint */
	FW_HOOKS_TRACEPOINT, /* tp_btf/sys_enter and sys_exit: every kernel */
	FW_HOOKS_FAST, /* fentry/fexit on each followed syscall's function */
};

/* A kernel map's size from the config's maps: section */
struct fw_map_size {
	const char *name; /* one of FW_SIZED_MAPS (include/flightwatch.h) */
	uint32_t entries;
};

#define FW_MAP_SIZES_MAX 16

/* What the file says. The command line adds to its lists and overrides
 * its values (options.c). */
struct fw_config {
	bool builtin; /* watch.builtin: the built-in rules too (default) */
	struct fw_rules rules; /* watch.directories, watch.patterns */
	struct fw_policy policy; /* allow: and severity.rules */
	unsigned long taint_expiry_s; /* 0: never */
	enum fw_sink_kind sink; /* output: */
	char *geoip_path; /* geoip:, or NULL */
	struct fw_map_size map_sizes[FW_MAP_SIZES_MAX]; /* in file order */
	size_t n_map_sizes;
	int enforce; /* mode: enum fw_enforce_mode (default detect) */
	enum fw_hooks_tier hooks; /* hooks: (default auto) */
};

/*
 * Sets cfg to the defaults, then to what path says. When the file does not
 * exist that is an error only if required. Returns 0, or -1 with
 * "PATH:LINE: problem" (or "PATH: problem") in err and cfg holding
 * nothing to free.
 */
int config__load(const char *path, bool required, struct fw_config *cfg,
		 char *err, size_t err_size);
void config__free(struct fw_config *cfg);

/* For replay and report: the policy of path (allow entries and severity
 * rules) added to policy */
int config__load_policy(const char *path, struct fw_policy *policy, char *err,
			size_t err_size);

/* "auto", "tracepoint" or "fast": 0 and *tier, or -1 */
int config__parse_hooks(const char *s, enum fw_hooks_tier *tier);

/* The kernel maps the maps: key may resize, in order; NULL after the last */
const char *config__map_name(size_t i);
/* A directory given to watch (--watch, watch.directories) that would make
 * every program's reads flight-log reads: the root, /usr, /etc, /proc,
 * /sys, /dev, a directory of the system's programs or libraries, or one
 * above or (for those) inside them. -1 with the reason in err. */
int config__check_watch_dir(const char *dir, char *err, size_t err_size);

#endif /* FW_CONFIG_H */
