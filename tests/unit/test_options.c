// SPDX-License-Identifier: GPL-2.0
/* `flightwatch run` command-line parsing */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/options.h"

#define N_DEFAULT_PATTERNS 9
#define N_HOME_DIRS 8

struct fixture {
	char dir1[64];
	char dir2[64];
	char err_path[128];
	int saved_stderr;
	struct fw_options opts;
	char err[1024]; /* what the parser printed on stderr */
};

/* getopt keeps state between calls (the position inside a cluster of
 * short options); options__parse_run only resets optind to 1. Start each
 * test from a clean slate: optind = 0 makes glibc reinitialise. */
static void getopt_reset(void)
{
	char *argv[] = { "reset", NULL };

	optind = 0;
	opterr = 0;
	getopt(1, argv, "");
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir1, sizeof(fx->dir1), "/tmp/fw-opt1-XXXXXX");
	snprintf(fx->dir2, sizeof(fx->dir2), "/tmp/fw-opt2-XXXXXX");
	if (!mkdtemp(fx->dir1) || !mkdtemp(fx->dir2))
		return -1;
	snprintf(fx->err_path, sizeof(fx->err_path), "%s/stderr", fx->dir1);
	fx->saved_stderr = -1;
	getopt_reset();
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	options__free(&fx->opts);
	unlink(fx->err_path);
	rmdir(fx->dir1);
	rmdir(fx->dir2);
	free(fx);
	return 0;
}

/* Runs the parser with stderr sent to a file, then reads it back */
static int parse(struct fixture *fx, int argc, char **argv)
{
	FILE *f;
	size_t n;
	int fd, ret;

	fflush(stderr);
	fx->saved_stderr = dup(STDERR_FILENO);
	assert_true(fx->saved_stderr >= 0);
	fd = open(fx->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	ret = options__parse_run(argc, argv, &fx->opts);
	fflush(stderr);
	assert_int_equal(dup2(fx->saved_stderr, STDERR_FILENO), STDERR_FILENO);
	close(fx->saved_stderr);
	fx->saved_stderr = -1;

	f = fopen(fx->err_path, "r");
	assert_non_null(f);
	n = fread(fx->err, 1, sizeof(fx->err) - 1, f);
	fx->err[n] = '\0';
	fclose(f);
	return ret;
}

#define PARSE(fx, ...)                                                  \
	({                                                              \
		char *argv_[] = { "run", __VA_ARGS__, NULL };           \
		parse(fx, sizeof(argv_) / sizeof(argv_[0]) - 1, argv_); \
	})

static void expect_error(struct fixture *fx, const char *line)
{
	char want[600];

	snprintf(want, sizeof(want), "flightwatch: %s\n", line);
	assert_string_equal(fx->err, want);
	/* the options were freed on the way out */
	assert_int_equal(fx->opts.rules.n_dirs, 0);
	assert_int_equal(fx->opts.rules.n_patterns, 0);
	assert_null(fx->opts.rules.dirs);
	assert_int_equal(fx->opts.policy.n_allow, 0);
	assert_null(fx->opts.policy.allow);
}

static void test_defaults(void **state)
{
	struct fixture *fx = *state;
	char *argv[] = { "run", NULL };
	size_t i;
	bool root = false;

	assert_int_equal(parse(fx, 1, argv), 0);
	assert_string_equal(fx->err, "");
	assert_false(fx->opts.json);
	assert_false(fx->opts.help);
	assert_true(fx->opts.default_rules);
	assert_int_equal(fx->opts.verbose, 0);
	assert_null(fx->opts.btf_path);
	assert_string_equal(fx->opts.passwd_file, "/etc/passwd");
	assert_int_equal(fx->opts.rules.n_patterns, N_DEFAULT_PATTERNS);
	assert_string_equal(fx->opts.rules.pattern_text[0], "*.ulg");
	/* one set of ground-station directories per home, /root included */
	assert_true(fx->opts.rules.n_dirs >= N_HOME_DIRS);
	assert_int_equal(fx->opts.rules.n_dirs % N_HOME_DIRS, 0);
	for (i = 0; i < fx->opts.rules.n_dirs; i++) {
		assert_false(fx->opts.rules.dir_required[i]);
		root |= !strcmp(fx->opts.rules.dirs[i],
				"/root/Documents/QGroundControl/Telemetry");
	}
	assert_true(root);
	assert_int_equal(fx->opts.policy.n_allow, 0);
}

static void test_json(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--json"), 0);
	assert_true(fx->opts.json);
	assert_true(fx->opts.default_rules);
	assert_int_equal(fx->opts.verbose, 0);
	assert_string_equal(fx->err, "");
}

static void test_output(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "-v"), 0);
	assert_int_equal(fx->opts.sink, FW_SINK_AUTO);
	options__free(&fx->opts);
	assert_int_equal(PARSE(fx, "--output", "journal"), 0);
	assert_int_equal(fx->opts.sink, FW_SINK_JOURNAL);
	assert_false(fx->opts.json);
	options__free(&fx->opts);
	/* --json is --output json; the last one given wins */
	assert_int_equal(PARSE(fx, "--json", "--output", "text"), 0);
	assert_int_equal(fx->opts.sink, FW_SINK_TEXT);
	assert_false(fx->opts.json);
	options__free(&fx->opts);
	assert_int_equal(PARSE(fx, "--output=json"), 0);
	assert_int_equal(fx->opts.sink, FW_SINK_JSON);
	assert_true(fx->opts.json);
	options__free(&fx->opts);
	assert_int_equal(PARSE(fx, "--output", "syslog"), -1);
	expect_error(fx, "bad --output 'syslog': auto, journal, json or text");
}

static void test_repeated_watch(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--no-default-rules", "--watch", fx->dir1,
			       "--watch", fx->dir2),
			 0);
	assert_false(fx->opts.default_rules);
	assert_int_equal(fx->opts.rules.n_dirs, 2);
	assert_string_equal(fx->opts.rules.dirs[0], fx->dir1);
	assert_string_equal(fx->opts.rules.dirs[1], fx->dir2);
	assert_true(fx->opts.rules.dir_required[0]);
	assert_true(fx->opts.rules.dir_required[1]);
	assert_int_equal(fx->opts.rules.n_patterns, 0);
}

static void test_watch_equals_form(void **state)
{
	struct fixture *fx = *state;
	char arg[96];

	snprintf(arg, sizeof(arg), "--watch=%s", fx->dir1);
	assert_int_equal(PARSE(fx, arg, "--no-default-rules"), 0);
	assert_int_equal(fx->opts.rules.n_dirs, 1);
	assert_string_equal(fx->opts.rules.dirs[0], fx->dir1);
}

static void test_watch_with_defaults(void **state)
{
	struct fixture *fx = *state;

	/* user directories first, the built-in ones after */
	assert_int_equal(PARSE(fx, "--watch", fx->dir1), 0);
	assert_true(fx->opts.rules.n_dirs >= 1 + N_HOME_DIRS);
	assert_string_equal(fx->opts.rules.dirs[0], fx->dir1);
	assert_true(fx->opts.rules.dir_required[0]);
	assert_false(fx->opts.rules.dir_required[1]);
	assert_int_equal(fx->opts.rules.n_patterns, N_DEFAULT_PATTERNS);
}

static void test_pattern(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--pattern", "*.bin", "--no-default-rules",
			       "--pattern", "flight.log"),
			 0);
	assert_int_equal(fx->opts.rules.n_patterns, 2);
	assert_string_equal(fx->opts.rules.pattern_text[0], "*.bin");
	assert_string_equal(fx->opts.rules.pattern_text[1], "flight.log");
	assert_int_equal(fx->opts.rules.n_dirs, 0);
	assert_true(rules__name_matches(&fx->opts.rules, "x.bin"));
	assert_true(rules__name_matches(&fx->opts.rules, "flight.log"));
	assert_false(rules__name_matches(&fx->opts.rules, "x.ulg"));
}

static void test_pattern_with_defaults(void **state)
{
	struct fixture *fx = *state;

	/* a user pattern that is also built in is kept once */
	assert_int_equal(PARSE(fx, "--pattern", "*.ulg", "--pattern", "*.bin"),
			 0);
	assert_int_equal(fx->opts.rules.n_patterns, N_DEFAULT_PATTERNS + 1);
	assert_string_equal(fx->opts.rules.pattern_text[0], "*.ulg");
	assert_string_equal(fx->opts.rules.pattern_text[1], "*.bin");
}

static void test_bad_pattern(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--pattern", "a*b*c"), -1);
	expect_error(
		fx,
		"invalid pattern 'a*b*c': expected a file name with at most one '*', e.g. '*.ulg'");
}

static void test_allow(void **state)
{
	struct fixture *fx = *state;
	uint8_t v6[16];

	assert_int_equal(
		PARSE(fx, "--allow", "10.0.0.0/8", "--allow", "[::1]:53"), 0);
	assert_int_equal(fx->opts.policy.n_allow, 2);
	assert_int_equal(fx->opts.policy.allow[0].family, AF_INET);
	assert_int_equal(fx->opts.policy.allow[0].prefix, 8);
	assert_int_equal(fx->opts.policy.allow[0].port, 0);
	assert_int_equal(fx->opts.policy.allow[0].addr[0], 10);
	assert_int_equal(fx->opts.policy.allow[1].family, AF_INET6);
	assert_int_equal(fx->opts.policy.allow[1].prefix, 128);
	assert_int_equal(fx->opts.policy.allow[1].port, 53);
	assert_int_equal(inet_pton(AF_INET6, "::1", v6), 1);
	assert_memory_equal(fx->opts.policy.allow[1].addr, v6, 16);
}

static void test_bad_allow(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--allow", "10.0.0.0/8", "--allow",
			       "10.0.0.0/33"),
			 -1);
	expect_error(
		fx,
		"invalid --allow '10.0.0.0/33': expected CIDR[:PORT], e.g. 10.0.0.0/8:443 or [fd00::/8]:443");
}

static void test_verbose(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "-v", "-v"), 0);
	assert_int_equal(fx->opts.verbose, 2);
	options__free(&fx->opts);

	getopt_reset();
	assert_int_equal(PARSE(fx, "-vvv", "--verbose"), 0);
	assert_int_equal(fx->opts.verbose, 4);
}

static void test_btf(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--btf", "/boot/vmlinux.btf"), 0);
	assert_string_equal(fx->opts.btf_path, "/boot/vmlinux.btf");
}

static void test_taint_expiry(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx->opts.taint_expiry_s, 0);
	assert_int_equal(PARSE(fx, "--taint-expiry", "900"), 0);
	assert_int_equal(fx->opts.taint_expiry_s, 900);
	options__free(&fx->opts);

	getopt_reset();
	assert_int_equal(PARSE(fx, "--taint-expiry", "15m"), -1);
	expect_error(
		fx,
		"invalid --taint-expiry '15m': expected a number of seconds");
	getopt_reset();
	assert_int_equal(PARSE(fx, "--taint-expiry", "-5"), -1);
	expect_error(
		fx,
		"invalid --taint-expiry '-5': expected a number of seconds");
}

static void test_enforce(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx->opts.enforce, FW_ENFORCE_OFF);
	assert_int_equal(PARSE(fx, "--enforce"), 0);
	assert_int_equal(fx->opts.enforce, FW_ENFORCE_BLOCK);
	options__free(&fx->opts);
	getopt_reset();
	assert_int_equal(PARSE(fx, "--enforce=dry-run"), 0);
	assert_int_equal(fx->opts.enforce, FW_ENFORCE_DRY_RUN);
	options__free(&fx->opts);
	getopt_reset();
	assert_int_equal(PARSE(fx, "--enforce=block"), -1);
	expect_error(
		fx,
		"bad --enforce '=block': --enforce alone, or --enforce=dry-run");
}

static void test_hooks(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(fx->opts.hooks, FW_HOOKS_AUTO);
	assert_int_equal(PARSE(fx, "--hooks", "fast"), 0);
	assert_int_equal(fx->opts.hooks, FW_HOOKS_FAST);
	options__free(&fx->opts);
	getopt_reset();
	assert_int_equal(PARSE(fx, "--hooks=tracepoint"), 0);
	assert_int_equal(fx->opts.hooks, FW_HOOKS_TRACEPOINT);
	options__free(&fx->opts);
	getopt_reset();
	assert_int_equal(PARSE(fx, "--hooks", "kprobe"), -1);
	expect_error(fx,
		     "bad --hooks 'kprobe': expected auto, tracepoint or fast");
}

static void test_no_defaults_needs_rules(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--no-default-rules"), -1);
	expect_error(
		fx,
		"nothing to watch: --no-default-rules needs --watch or --pattern");
	options__free(&fx->opts);

	/* --allow is no rule about files */
	getopt_reset();
	assert_int_equal(
		PARSE(fx, "--no-default-rules", "--allow", "10.0.0.0/8"), -1);
	expect_error(
		fx,
		"nothing to watch: --no-default-rules needs --watch or --pattern");
}

static void test_unknown_option(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--json", "--bogus"), -1);
	expect_error(fx,
		     "unknown option '--bogus' (see 'flightwatch run --help')");
	options__free(&fx->opts);

	getopt_reset();
	assert_int_equal(PARSE(fx, "-x"), -1);
	expect_error(fx, "unknown option '-x' (see 'flightwatch run --help')");
	options__free(&fx->opts);

	/* an argument given to an option that takes none */
	getopt_reset();
	assert_int_equal(PARSE(fx, "--json=yes"), -1);
	expect_error(
		fx,
		"unknown option '--json=yes' (see 'flightwatch run --help')");
}

static void test_unknown_short_in_cluster(void **state)
{
	struct fixture *fx = *state;

	/* the error must name what the user typed, not another argument */
	assert_int_equal(PARSE(fx, "--json", "-xv"), -1);
	if (!strstr(fx->err, "'-x"))
		fail_msg("the error names another argument: %s", fx->err);
}

static void test_missing_argument(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--json", "--watch"), -1);
	expect_error(fx, "option '--watch' needs an argument");
	options__free(&fx->opts);

	getopt_reset();
	assert_int_equal(PARSE(fx, "--allow"), -1);
	expect_error(fx, "option '--allow' needs an argument");
}

static void test_nonexistent_watch(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--watch", fx->dir1, "--watch",
			       "/nonexistent/fw-test"),
			 -1);
	expect_error(
		fx,
		"cannot watch '/nonexistent/fw-test': No such file or directory");
}

static void test_watch_file_not_dir(void **state)
{
	struct fixture *fx = *state;
	char want[256];

	assert_int_equal(PARSE(fx, "--watch", "/etc/passwd"), -1);
	snprintf(want, sizeof(want), "cannot watch '%s': not a directory",
		 "/etc/passwd");
	expect_error(fx, want);
}

static void test_stray_argument(void **state)
{
	struct fixture *fx = *state;

	/* getopt moves the stray word to the end: still refused */
	assert_int_equal(PARSE(fx, "stray", "--json"), -1);
	expect_error(fx, "unexpected argument 'stray'");
	options__free(&fx->opts);

	getopt_reset();
	assert_int_equal(PARSE(fx, "--json", "--", "--watch"), -1);
	expect_error(fx, "unexpected argument '--watch'");
}

static void test_help(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(PARSE(fx, "--json", "--help"), 0);
	assert_true(fx->opts.help);
	assert_string_equal(fx->err, "");
	options__free(&fx->opts);

	getopt_reset();
	assert_int_equal(PARSE(fx, "-h"), 0);
	assert_true(fx->opts.help);
	options__free(&fx->opts);

	/* help wins over what would be an error later on the line */
	getopt_reset();
	assert_int_equal(PARSE(fx, "--help", "--no-default-rules"), 0);
	assert_true(fx->opts.help);
}

static void test_usage_mentions_every_option(void **state)
{
	static const char *const names[] = { "--json",
					     "--watch",
					     "--pattern",
					     "--allow",
					     "--no-default-rules",
					     "--btf",
					     "--verbose",
					     "--help" };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	options__usage_run(f);
	fclose(f);
	assert_memory_equal(buf, "Usage: flightwatch run [OPTIONS]\n", 33);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(strstr(buf, names[i]));
	free(buf);
}

static void test_reparse_resets(void **state)
{
	struct fixture *fx = *state;

	/* a second parse starts from nothing, not from the first one */
	assert_int_equal(PARSE(fx, "--json", "-v", "--allow", "10.0.0.0/8"), 0);
	options__free(&fx->opts);
	assert_int_equal(PARSE(fx, "--pattern", "*.bin", "--no-default-rules"),
			 0);
	assert_false(fx->opts.json);
	assert_int_equal(fx->opts.verbose, 0);
	assert_int_equal(fx->opts.policy.n_allow, 0);
	assert_int_equal(fx->opts.rules.n_patterns, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_defaults),
		T(test_json),
		T(test_output),
		T(test_repeated_watch),
		T(test_watch_equals_form),
		T(test_watch_with_defaults),
		T(test_pattern),
		T(test_pattern_with_defaults),
		T(test_bad_pattern),
		T(test_allow),
		T(test_bad_allow),
		T(test_verbose),
		T(test_btf),
		T(test_taint_expiry),
		T(test_no_defaults_needs_rules),
		T(test_unknown_option),
		T(test_unknown_short_in_cluster),
		T(test_missing_argument),
		T(test_nonexistent_watch),
		T(test_watch_file_not_dir),
		T(test_stray_argument),
		T(test_help),
		T(test_usage_mentions_every_option),
		T(test_reparse_resets),
		T(test_enforce),
		T(test_hooks),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
