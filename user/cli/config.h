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
#include "cli/options.h"

#ifndef FW_DEFAULT_CONFIG
#define FW_DEFAULT_CONFIG "/etc/flightwatch/flightwatch.yaml"
#endif

/*
 * Reads path into opts: directories, patterns, allow entries and severity
 * rules are added to what opts holds; the other keys are set. When the
 * file does not exist that is an error only if required. Returns 0, or -1
 * with "PATH:LINE: problem" (or "PATH: problem") in err.
 */
int config__load(const char *path, bool required, struct fw_options *opts,
		 char *err, size_t err_size);

/* For replay and report: the policy of path (allow entries and severity
 * rules) added to policy */
int config__load_policy(const char *path, struct fw_policy *policy, char *err,
			size_t err_size);

/* The kernel maps the maps: key may resize, in order; NULL after the last */
const char *config__map_name(size_t i);

#endif /* FW_CONFIG_H */
