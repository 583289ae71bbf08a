/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which files are flight logs: watched directories and name patterns,
 * built-in (the ground-station locations and names of FLIGHTLOGS.md) and
 * from the command line.
 */
#ifndef FW_RULES_H
#define FW_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include "flightwatch.h"

struct fw_rules {
	char **dirs; /* absolute paths; built-in ones may not exist (yet) */
	bool *dir_required; /* from the user: must exist */
	size_t n_dirs;
	struct fw_pattern patterns[FW_PATTERN_MAX];
	char *pattern_text[FW_PATTERN_MAX];
	size_t n_patterns;
};

/* "PREFIX*SUFFIX" or an exact name; at most one '*', no '/'.
 * Returns 0, or -1 with a reason in err. */
int rules__parse_pattern(const char *glob, struct fw_pattern *pat, char *err,
			 size_t err_size);
int rules__add_pattern(struct fw_rules *rules, const char *glob, char *err,
		       size_t err_size);
/* required: the directory must exist now (a --watch argument) */
int rules__add_dir(struct fw_rules *rules, const char *dir, bool required,
		   char *err, size_t err_size);
/* The built-in set: patterns, and the ground-station directories under
 * each home directory in passwd_file ("/etc/passwd") and /root */
int rules__add_defaults(struct fw_rules *rules, const char *passwd_file);
bool rules__name_matches(const struct fw_rules *rules, const char *name);
void rules__free(struct fw_rules *rules);

/* Kernel-encoded device+inode of an existing directory; -errno */
int rules__resolve_dir(const char *dir, struct fw_dir_key *key);

#endif /* FW_RULES_H */
