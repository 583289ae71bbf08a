// SPDX-License-Identifier: GPL-2.0
/* File-name patterns, the built-in rule set and watched directories */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "core/rules.h"

static const char *const home_dirs[] = {
	"Documents/QGroundControl/Telemetry",
	"Documents/QGroundControl/Logs",
	"Documents/QGroundControl/Missions",
	"Documents/QGroundControl/Parameters",
	".local/share/Mission Planner/logs",
	"Documents/Mission Planner/logs",
	"apmplanner2/tlogs",
	"apmplanner2/dataflashLogs",
};

#define N_HOME_DIRS (sizeof(home_dirs) / sizeof(home_dirs[0]))
#define N_DEFAULT_PATTERNS 9

static int parse(const char *glob, struct fw_pattern *pat, char *err,
		 size_t size)
{
	err[0] = '\0';
	return rules__parse_pattern(glob, pat, err, size);
}

static bool match(const char *glob, const char *name)
{
	struct fw_pattern pat;
	char err[256];

	assert_int_equal(parse(glob, &pat, err, sizeof(err)), 0);
	return fw_pattern_match(&pat, name, strlen(name));
}

static void test_parse_prefix_suffix(void **state)
{
	struct fw_pattern pat;
	char err[256];

	(void)state;
	assert_int_equal(parse("FLY*.DAT", &pat, err, sizeof(err)), 0);
	assert_int_equal(pat.prefix_len, 3);
	assert_int_equal(pat.suffix_len, 4);
	assert_memory_equal(pat.prefix, "FLY", 3);
	assert_memory_equal(pat.suffix, ".DAT", 4);
	assert_int_equal(pat.exact, 0);
	assert_int_equal(pat.used, 1);
	/* the rest is zeroed: the struct goes into a BPF map as is */
	assert_int_equal(pat.prefix[3], 0);
	assert_int_equal(pat.suffix[4], 0);
	assert_int_equal(pat.pad[0] | pat.pad[1] | pat.pad[2] | pat.pad[3], 0);

	assert_int_equal(parse("*.ulg", &pat, err, sizeof(err)), 0);
	assert_int_equal(pat.prefix_len, 0);
	assert_int_equal(pat.suffix_len, 4);
	assert_memory_equal(pat.suffix, ".ulg", 4);
	assert_int_equal(pat.exact, 0);

	assert_int_equal(parse("FlightData*", &pat, err, sizeof(err)), 0);
	assert_int_equal(pat.prefix_len, 10);
	assert_int_equal(pat.suffix_len, 0);
	assert_int_equal(pat.exact, 0);

	assert_int_equal(parse("*", &pat, err, sizeof(err)), 0);
	assert_int_equal(pat.prefix_len, 0);
	assert_int_equal(pat.suffix_len, 0);
	assert_int_equal(pat.exact, 0);
	assert_int_equal(pat.used, 1);
}

static void test_parse_exact(void **state)
{
	struct fw_pattern pat;
	char err[256];

	(void)state;
	assert_int_equal(parse("flight.bin", &pat, err, sizeof(err)), 0);
	assert_int_equal(pat.exact, 1);
	assert_int_equal(pat.prefix_len, 10);
	assert_int_equal(pat.suffix_len, 0);
	assert_memory_equal(pat.prefix, "flight.bin", 10);
	assert_true(fw_pattern_match(&pat, "flight.bin", 10));
	assert_false(fw_pattern_match(&pat, "flight.bin2", 11));
	assert_false(fw_pattern_match(&pat, "flight.bi", 9));
	assert_false(fw_pattern_match(&pat, "xflight.bin", 11));
}

static void test_parse_limits(void **state)
{
	char part32[33], part33[34], glob[80];
	struct fw_pattern pat;
	char err[256];

	(void)state;
	memset(part32, 'a', 32);
	part32[32] = '\0';
	memset(part33, 'b', 33);
	part33[33] = '\0';

	/* 32 bytes on each side is the limit, inclusive */
	snprintf(glob, sizeof(glob), "%s*%s", part32, part32);
	assert_int_equal(parse(glob, &pat, err, sizeof(err)), 0);
	assert_int_equal(pat.prefix_len, 32);
	assert_int_equal(pat.suffix_len, 32);
	assert_int_equal(parse(part32, &pat, err, sizeof(err)), 0);
	assert_int_equal(pat.exact, 1);

	snprintf(glob, sizeof(glob), "%s*.ulg", part33);
	assert_int_equal(parse(glob, &pat, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "limited to 32 bytes"));
	assert_non_null(strstr(err, part33));

	snprintf(glob, sizeof(glob), "x*%s", part33);
	assert_int_equal(parse(glob, &pat, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "limited to 32 bytes"));

	/* an exact name is all prefix */
	assert_int_equal(parse(part33, &pat, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "limited to 32 bytes"));
	/* and a failure leaves nothing usable behind */
	assert_int_equal(pat.used, 0);
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"a*b*c", "**", "*.ulg*", "logs/*.ulg", "/x.ulg", "a/", ""
	};
	struct fw_pattern pat;
	char err[256], want[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&pat, 0x55, sizeof(pat));
		assert_int_equal(parse(bad[i], &pat, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "invalid pattern '%s':", bad[i]);
		assert_memory_equal(err, want, strlen(want));
		assert_non_null(strstr(err, "at most one '*'"));
		assert_int_equal(pat.used, 0);
		assert_int_equal(pat.prefix_len, 0);
	}
}

static void test_match_edges(void **state)
{
	(void)state;
	/* the star may match nothing, but prefix and suffix never overlap */
	assert_true(match("ab*ba", "abba"));
	assert_true(match("ab*ba", "ab-ba"));
	assert_false(match("ab*ba", "aba"));
	assert_false(match("ab*ba", "abb"));
	assert_true(match("*", ""));
	assert_true(match("*", "anything"));
	assert_true(match("pre*", "pre"));
	assert_true(match("pre*", "prefix"));
	assert_false(match("pre*", "pr"));
	assert_false(match("pre*", "xpre"));
	/* case matters */
	assert_false(match("*.ulg", "x.ULG"));
}

static void test_match_guards(void **state)
{
	struct fw_pattern pat;
	char err[256];

	(void)state;
	assert_int_equal(parse("*.ulg", &pat, err, sizeof(err)), 0);
	/* a corrupt pattern never matches */
	pat.suffix_len = FW_PATTERN_PART + 1;
	assert_false(fw_pattern_match(&pat, "a.ulg", 5));
	/* only len bytes count, not what follows */
	assert_int_equal(parse("*.ulg", &pat, err, sizeof(err)), 0);
	assert_true(fw_pattern_match(&pat, "a.ulg.bak", 5));
	assert_false(fw_pattern_match(&pat, "a.ulg.bak", 9));
}

/* A passwd file of our own, in a temporary directory */
struct defaults_fixture {
	char dir[64];
	char passwd[128];
	struct fw_rules rules;
};

static int defaults_setup(void **state)
{
	struct defaults_fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fw-rules-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->passwd, sizeof(fx->passwd), "%s/passwd", fx->dir);
	*state = fx;
	return 0;
}

static int defaults_teardown(void **state)
{
	struct defaults_fixture *fx = *state;

	rules__free(&fx->rules);
	unlink(fx->passwd);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void write_passwd(struct defaults_fixture *fx, const char *text)
{
	FILE *f = fopen(fx->passwd, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Index of dir in rules->dirs, or -1 */
static long find_dir(const struct fw_rules *rules, const char *dir)
{
	size_t i;

	for (i = 0; i < rules->n_dirs; i++)
		if (!strcmp(rules->dirs[i], dir))
			return i;
	return -1;
}

static void assert_home(const struct fw_rules *rules, const char *home,
			size_t first)
{
	char path[512];
	size_t i;

	for (i = 0; i < N_HOME_DIRS; i++) {
		snprintf(path, sizeof(path), "%s/%s", home, home_dirs[i]);
		assert_true(first + i < rules->n_dirs);
		assert_string_equal(rules->dirs[first + i], path);
		assert_false(rules->dir_required[first + i]);
	}
}

static void test_defaults_homes(void **state)
{
	struct defaults_fixture *fx = *state;
	size_t i;

	write_passwd(
		fx,
		"root:x:0:0:root:/root:/bin/bash\n"
		"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
		"alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
		"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
		"ghost:x:1001:1001::/home/nonexistent:/bin/sh\n"
		"slash:x:1002:1002::/:/bin/sh\n"
		"rel:x:1003:1003::home/rel:/bin/sh\n"
		"bob:x:1004:1004:Bob B:/home/bob:/bin/sh\n");
	assert_int_equal(rules__add_defaults(&fx->rules, fx->passwd), 0);

	assert_int_equal(fx->rules.n_patterns, N_DEFAULT_PATTERNS);
	/* root, alice, bob; in passwd order; /root not added twice */
	assert_int_equal(fx->rules.n_dirs, 3 * N_HOME_DIRS);
	assert_home(&fx->rules, "/root", 0);
	assert_home(&fx->rules, "/home/alice", N_HOME_DIRS);
	assert_home(&fx->rules, "/home/bob", 2 * N_HOME_DIRS);
	assert_true(
		find_dir(&fx->rules,
			 "/home/alice/Documents/QGroundControl/Telemetry") >=
		0);
	assert_true(find_dir(&fx->rules,
			     "/root/.local/share/Mission Planner/logs") >= 0);
	for (i = 0; i < fx->rules.n_dirs; i++) {
		assert_null(strstr(fx->rules.dirs[i], "/usr/sbin"));
		assert_null(strstr(fx->rules.dirs[i], "nonexist"));
		assert_int_equal(fx->rules.dirs[i][0], '/');
		assert_int_not_equal(fx->rules.dirs[i][1], '/');
	}
}

static void test_defaults_root_always(void **state)
{
	struct defaults_fixture *fx = *state;

	/* no root entry: /root is still watched, after the others */
	write_passwd(fx, "alice:x:1000:1000::/home/alice:/bin/bash\n");
	assert_int_equal(rules__add_defaults(&fx->rules, fx->passwd), 0);
	assert_int_equal(fx->rules.n_dirs, 2 * N_HOME_DIRS);
	assert_home(&fx->rules, "/home/alice", 0);
	assert_home(&fx->rules, "/root", N_HOME_DIRS);
}

static void test_defaults_missing_passwd(void **state)
{
	struct defaults_fixture *fx = *state;

	assert_int_equal(rules__add_defaults(&fx->rules,
					     "/nonexistent/fw-test/passwd"),
			 0);
	assert_int_equal(fx->rules.n_patterns, N_DEFAULT_PATTERNS);
	assert_int_equal(fx->rules.n_dirs, N_HOME_DIRS);
	assert_home(&fx->rules, "/root", 0);
}

static void test_defaults_names(void **state)
{
	static const char *const yes[] = {
		"log_1.ulg",
		".ulg",
		"secret.ulge",
		"2024-01-01 10-00-00.tlog",
		"mav.tlog.raw",
		"mav.tlog",
		"2019-05-05.rlog",
		"log001.px4log",
		"FlightData0.mavlink",
		"FlightData.mavlink",
		"DJIFlightRecord_2024-01-01_[10-00-00].txt",
		"FLY001.DAT",
		"FLY.DAT",
	};
	static const char *const no[] = {
		"ulg",
		"x.ulg.bak",
		"x.ULG",
		"notes.txt",
		"flight.bin",
		"flight.log",
		"fly001.dat",
		"FLY001.dat",
		"DJIFlightRecord.txt",
		"FlightData0.mavlink.bak",
		"tlog",
		"a.tlog.raw.1",
		"",
	};
	struct defaults_fixture *fx = *state;
	char long_name[FW_NAME_MAX + 8];
	size_t i;

	assert_int_equal(rules__add_defaults(&fx->rules,
					     "/nonexistent/fw-test/passwd"),
			 0);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!rules__name_matches(&fx->rules, yes[i]))
			fail_msg("'%s' should match the built-in patterns",
				 yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (rules__name_matches(&fx->rules, no[i]))
			fail_msg("'%s' should not match the built-in patterns",
				 no[i]);

	/* the longest name the kernel can test still matches ... */
	memset(long_name, 'x', FW_NAME_MAX - 1);
	strcpy(long_name + FW_NAME_MAX - 1 - 4, ".ulg");
	assert_int_equal(strlen(long_name), FW_NAME_MAX - 1);
	assert_true(rules__name_matches(&fx->rules, long_name));
	/* ... a longer one never does */
	memset(long_name, 'x', FW_NAME_MAX);
	strcpy(long_name + FW_NAME_MAX - 4, ".ulg");
	assert_int_equal(strlen(long_name), FW_NAME_MAX);
	assert_false(rules__name_matches(&fx->rules, long_name));
}

static void test_add_pattern_dedup_and_limit(void **state)
{
	struct fw_rules rules = { 0 };
	char err[256], glob[32];
	int i;

	(void)state;
	assert_int_equal(rules__add_pattern(&rules, "*.bin", err, sizeof(err)),
			 0);
	assert_int_equal(rules__add_pattern(&rules, "*.bin", err, sizeof(err)),
			 0);
	assert_int_equal(rules.n_patterns, 1);
	assert_string_equal(rules.pattern_text[0], "*.bin");
	assert_true(rules__name_matches(&rules, "a.bin"));
	assert_false(rules__name_matches(&rules, "a.ulg"));

	for (i = 1; i < FW_PATTERN_MAX; i++) {
		snprintf(glob, sizeof(glob), "*.x%d", i);
		assert_int_equal(
			rules__add_pattern(&rules, glob, err, sizeof(err)), 0);
	}
	assert_int_equal(rules.n_patterns, FW_PATTERN_MAX);
	/* full: a duplicate is still fine, a new one is not */
	assert_int_equal(rules__add_pattern(&rules, "*.x5", err, sizeof(err)),
			 0);
	err[0] = '\0';
	assert_int_equal(rules__add_pattern(&rules, "*.new", err, sizeof(err)),
			 -1);
	assert_string_equal(err, "too many patterns (at most 32)");
	assert_int_equal(rules.n_patterns, FW_PATTERN_MAX);
	/* an invalid pattern is refused before anything else */
	assert_int_equal(rules__add_pattern(&rules, "a*b*", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "invalid pattern 'a*b*'"));

	rules__free(&rules);
	assert_int_equal(rules.n_patterns, 0);
	assert_null(rules.dirs);
}

static void test_add_dir(void **state)
{
	char dir[] = "/tmp/fw-rules-dir-XXXXXX", file[128], err[256], *cwd;
	struct fw_rules rules = { 0 };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/plain", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);

	/* a required directory must exist ... */
	assert_int_equal(rules__add_dir(&rules, dir, true, err, sizeof(err)),
			 0);
	assert_int_equal(rules.n_dirs, 1);
	assert_string_equal(rules.dirs[0], dir);
	assert_true(rules.dir_required[0]);

	err[0] = '\0';
	assert_int_equal(rules__add_dir(&rules, "/nonexistent/fw-test/logs",
					true, err, sizeof(err)),
			 -1);
	assert_string_equal(
		err,
		"cannot watch '/nonexistent/fw-test/logs': No such file or directory");
	err[0] = '\0';
	assert_int_equal(rules__add_dir(&rules, file, true, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, file));
	assert_non_null(strstr(err, "not a directory"));
	assert_int_equal(rules.n_dirs, 1);

	/* ... a built-in one need not */
	assert_int_equal(rules__add_dir(&rules, "/nonexistent/fw-test/logs",
					false, err, sizeof(err)),
			 0);
	assert_int_equal(rules.n_dirs, 2);
	assert_string_equal(rules.dirs[1], "/nonexistent/fw-test/logs");
	assert_false(rules.dir_required[1]);
	/* but it must be absolute */
	err[0] = '\0';
	assert_int_equal(rules__add_dir(&rules, "relative/logs", false, err,
					sizeof(err)),
			 -1);
	assert_string_equal(
		err, "watched directory 'relative/logs' is not absolute");
	assert_int_equal(rules.n_dirs, 2);

	/* a relative required directory is kept as an absolute path */
	cwd = getcwd(NULL, 0);
	assert_non_null(cwd);
	assert_int_equal(chdir("/tmp"), 0);
	assert_int_equal(rules__add_dir(&rules, dir + strlen("/tmp/"), true,
					err, sizeof(err)),
			 0);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
	assert_int_equal(rules.n_dirs, 3);
	assert_string_equal(rules.dirs[2], dir);
	assert_true(rules.dir_required[2]);

	rules__free(&rules);
	assert_int_equal(rules.n_dirs, 0);
	assert_null(rules.dirs);
	assert_null(rules.dir_required);
	unlink(file);
	rmdir(dir);
}

static void test_resolve_dir(void **state)
{
	static const char *const dirs[] = { "/", "/tmp", "/proc", "/dev",
					    "/sys" };
	struct fw_dir_key key;
	struct stat st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (stat(dirs[i], &st))
			continue;
		memset(&key, 0xaa, sizeof(key));
		assert_int_equal(rules__resolve_dir(dirs[i], &key), 0);
		assert_int_equal(key.ino, st.st_ino);
		assert_int_equal(key.dev,
				 (major(st.st_dev) << 20) | minor(st.st_dev));
		assert_int_equal(key.pad, 0);
	}
	/* the encoding itself, independent of this host's devices */
	assert_int_equal((major(makedev(8, 1)) << 20) | minor(makedev(8, 1)),
			 0x800001);

	assert_int_equal(rules__resolve_dir("/nonexistent/fw-test", &key),
			 -ENOENT);
	assert_int_equal(rules__resolve_dir("/proc/self/status", &key),
			 -ENOTDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_prefix_suffix),
		cmocka_unit_test(test_parse_exact),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_match_edges),
		cmocka_unit_test(test_match_guards),
		cmocka_unit_test_setup_teardown(
			test_defaults_homes, defaults_setup, defaults_teardown),
		cmocka_unit_test_setup_teardown(test_defaults_root_always,
						defaults_setup,
						defaults_teardown),
		cmocka_unit_test_setup_teardown(test_defaults_missing_passwd,
						defaults_setup,
						defaults_teardown),
		cmocka_unit_test_setup_teardown(
			test_defaults_names, defaults_setup, defaults_teardown),
		cmocka_unit_test(test_add_pattern_dedup_and_limit),
		cmocka_unit_test(test_add_dir),
		cmocka_unit_test(test_resolve_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
