// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "core/rules.h"
#include "lib/util.h"

/* Names that are flight logs wherever they are (FLIGHTLOGS.md). Generic
 * extensions (.bin, .log, .txt) only count inside watched directories. */
static const char *const default_patterns[] = {
	"*.ulg", /* PX4 ULog */
	"*.ulge", /* encrypted ULog */
	"*.tlog", /* MAVLink telemetry: QGC, Mission Planner, MAVProxy */
	"*.tlog.raw", /* MAVProxy raw */
	"*.rlog", /* Mission Planner raw */
	"*.px4log", /* legacy PX4 */
	"FlightData*.mavlink", /* QGC in-flight temp file */
	"DJIFlightRecord_*.txt", /* DJI flight record */
	"FLY*.DAT", /* DJI aircraft .DAT */
};

/* Ground-station log directories, relative to a home directory */
static const char *const default_home_dirs[] = {
	"Documents/QGroundControl/Telemetry",
	"Documents/QGroundControl/Logs",
	"Documents/QGroundControl/Missions",
	"Documents/QGroundControl/Parameters",
	".local/share/Mission Planner/logs",
	"Documents/Mission Planner/logs",
	"apmplanner2/tlogs",
	"apmplanner2/dataflashLogs",
};

int rules__parse_pattern(const char *glob, struct fw_pattern *pat, char *err,
			 size_t err_size)
{
	const char *star = strchr(glob, '*');
	size_t plen, slen;

	memset(pat, 0, sizeof(*pat));
	if (!*glob || strchr(glob, '/') || (star && strchr(star + 1, '*'))) {
		snprintf(
			err, err_size,
			"invalid pattern '%s': expected a file name with at most one '*', e.g. '*.ulg'",
			glob);
		return -1;
	}
	plen = star ? (size_t)(star - glob) : strlen(glob);
	slen = star ? strlen(star + 1) : 0;
	if (plen > FW_PATTERN_PART || slen > FW_PATTERN_PART) {
		snprintf(
			err, err_size,
			"invalid pattern '%s': each side of '*' is limited to %d bytes",
			glob, FW_PATTERN_PART);
		return -1;
	}
	memcpy(pat->prefix, glob, plen);
	if (star)
		memcpy(pat->suffix, star + 1, slen);
	pat->prefix_len = plen;
	pat->suffix_len = slen;
	pat->exact = !star;
	pat->used = 1;
	return 0;
}

int rules__add_pattern(struct fw_rules *rules, const char *glob, char *err,
		       size_t err_size)
{
	struct fw_pattern pat;
	size_t i;

	if (rules__parse_pattern(glob, &pat, err, err_size))
		return -1;
	for (i = 0; i < rules->n_patterns; i++)
		if (!strcmp(rules->pattern_text[i], glob))
			return 0;
	if (rules->n_patterns == FW_PATTERN_MAX) {
		snprintf(err, err_size, "too many patterns (at most %d)",
			 FW_PATTERN_MAX);
		return -1;
	}
	rules->patterns[rules->n_patterns] = pat;
	rules->pattern_text[rules->n_patterns++] = fw_xstrdup(glob);
	return 0;
}

int rules__add_dir(struct fw_rules *rules, const char *dir, bool required,
		   char *err, size_t err_size)
{
	struct fw_dir_key key;
	char **dirs;
	bool *req;
	int ret;

	if (dir[0] != '/' && !required) {
		snprintf(err, err_size,
			 "watched directory '%s' is not absolute", dir);
		return -1;
	}
	if (required) {
		ret = rules__resolve_dir(dir, &key);
		if (ret) {
			snprintf(err, err_size, "cannot watch '%s': %s", dir,
				 ret == -ENOTDIR ? "not a directory" :
						   strerror(-ret));
			return -1;
		}
	}
	dirs = realloc(rules->dirs, (rules->n_dirs + 1) * sizeof(*dirs));
	if (!dirs)
		return -1;
	rules->dirs = dirs;
	req = realloc(rules->dir_required, (rules->n_dirs + 1) * sizeof(*req));
	if (!req)
		return -1;
	rules->dir_required = req;
	if (dir[0] == '/') {
		rules->dirs[rules->n_dirs] = fw_xstrdup(dir);
	} else {
		/* the kernel matches inodes: any spelling of the path will do,
		 * but keep an absolute one for messages */
		char *abs = realpath(dir, NULL);

		rules->dirs[rules->n_dirs] = abs ? abs : fw_xstrdup(dir);
	}
	rules->dir_required[rules->n_dirs++] = required;
	return 0;
}

int rules__add_defaults(struct fw_rules *rules, const char *passwd_file)
{
	char err[256], path[4096];
	struct passwd *pw;
	bool saw_root = false;
	size_t i;
	FILE *f;

	for (i = 0; i < FW_ARRAY_SIZE(default_patterns); i++)
		if (rules__add_pattern(rules, default_patterns[i], err,
				       sizeof(err)))
			return -1;

	f = fopen(passwd_file, "re");
	while (f && (pw = fgetpwent(f))) {
		if (!pw->pw_dir || pw->pw_dir[0] != '/' ||
		    !strcmp(pw->pw_dir, "/") || strstr(pw->pw_dir, "/nonexist"))
			continue;
		/* system accounts: only those with a home under /home or /root */
		if (strncmp(pw->pw_dir, "/home/", 6) &&
		    strcmp(pw->pw_dir, "/root"))
			continue;
		saw_root |= !strcmp(pw->pw_dir, "/root");
		for (i = 0; i < FW_ARRAY_SIZE(default_home_dirs); i++) {
			snprintf(path, sizeof(path), "%s/%s", pw->pw_dir,
				 default_home_dirs[i]);
			if (rules__add_dir(rules, path, false, err,
					   sizeof(err)))
				return -1;
		}
	}
	if (f)
		fclose(f);
	for (i = 0; !saw_root && i < FW_ARRAY_SIZE(default_home_dirs); i++) {
		snprintf(path, sizeof(path), "/root/%s", default_home_dirs[i]);
		if (rules__add_dir(rules, path, false, err, sizeof(err)))
			return -1;
	}
	return 0;
}

bool rules__name_matches(const struct fw_rules *rules, const char *name)
{
	size_t len = strlen(name), i;

	if (len >= FW_NAME_MAX)
		return false;
	for (i = 0; i < rules->n_patterns; i++)
		if (fw_pattern_match(&rules->patterns[i], name, len))
			return true;
	return false;
}

void rules__free(struct fw_rules *rules)
{
	size_t i;

	for (i = 0; i < rules->n_dirs; i++)
		free(rules->dirs[i]);
	for (i = 0; i < rules->n_patterns; i++)
		free(rules->pattern_text[i]);
	free(rules->dirs);
	free(rules->dir_required);
	memset(rules, 0, sizeof(*rules));
}

int rules__resolve_dir(const char *dir, struct fw_dir_key *key)
{
	struct stat st;

	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	memset(key, 0, sizeof(*key));
	key->ino = st.st_ino;
	/* the kernel's s_dev is MKDEV(major, minor) = major << 20 | minor */
	key->dev = (major(st.st_dev) << 20) | minor(st.st_dev);
	return 0;
}
