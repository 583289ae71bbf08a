// SPDX-License-Identifier: GPL-2.0
/* The config file: values, every kind of error with its FILE:LINE, unsafe
 * files, precedence of the command line, and the policy it gives
 * (allowlists and severity rules evaluated on flow facts) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "fw_test.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli/config.h"
#include "cli/config_yaml.h"
#include "cli/options.h"
#include "cli/reload.h"
#include "core/policy.h"

struct fixture {
	char dir[64];
	char path[128];
	char err[1024];
	struct fw_config cfg; /* what load() read */
	struct fw_options opts; /* what the command line made of it */
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fw-cfg-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/flightwatch.yaml", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	config__free(&fx->cfg);
	options__free(&fx->opts);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd))
		return -1;
	free(fx);
	return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* Load text as the config file into fx->cfg (emptied first) */
static int load(struct fixture *fx, const char *text)
{
	config__free(&fx->cfg);
	fx->err[0] = '\0';
	write_file(fx->path, text, 0644);
	return config__load(fx->path, true, &fx->cfg, fx->err, sizeof(fx->err));
}

static void load_ok(struct fixture *fx, const char *text)
{
	if (load(fx, text))
		fail_msg("rejected: %s\n---\n%s", fx->err, text);
}

/* The error must be exactly "PATH:" + want */
static void expect_error(struct fixture *fx, const char *text, const char *want)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s:%s", fx->path, want);
	if (!load(fx, text))
		fail_msg("accepted, expected '%s'\n---\n%s", want, text);
	assert_string_equal(fx->err, full);
}

static const char full_config[] =
	"# every key\n"
	"watch:\n"
	"  builtin: false\n"
	"  directories:\n"
	"    - /srv/flightlogs\n"
	"    - /var/lib/logs\n"
	"  patterns:\n"
	"    - \"*.ulg\"\n"
	"    - \"DJIFlightRecord_*.txt\"\n"
	"allow:\n"
	"  destinations:\n"
	"    - 10.0.0.0/8\n"
	"    - \"[fd00::/8]:443\"\n"
	"    - domain: \"*.corp.example\"\n"
	"      ports: [443, 8443]\n"
	"    - domain: mirror.example.org\n"
	"  processes:\n"
	"    - executable: /opt/qgc/QGroundControl\n"
	"      destinations:\n"
	"        - 192.0.2.10:443\n"
	"        - domain: sync.example.org\n"
	"    - executable: /usr/bin/rsync\n"
	"severity:\n"
	"  rules:\n"
	"    - country: [cn, RU]\n"
	"      severity: critical\n"
	"    - domain: \"*.example.net\"\n"
	"      severity: high\n"
	"    - destination: 192.0.2.0/24\n"
	"      executable: /usr/bin/curl\n"
	"      severity: medium\n"
	"    - destination: [198.51.100.7:53, \"[2001:db8::/32]:443\"]\n"
	"      severity: 60\n"
	"    - verified: false\n"
	"      severity: low\n"
	"taint_expiry: 3600\n"
	"output: journal\n"
	"hooks: tracepoint\n"
	"geoip: /usr/share/GeoIP/GeoLite2-Country.mmdb\n"
	"maps:\n"
	"  tainted: 65536\n"
	"  flows: 16384\n"
	"  events: 33554432\n";

static void test_full(void **state)
{
	struct fixture *fx = *state;
	const struct fw_policy *p = &fx->cfg.policy;
	char buf[96];

	load_ok(fx, full_config);
	assert_false(fx->cfg.builtin);
	assert_int_equal(fx->cfg.rules.n_dirs, 2);
	assert_string_equal(fx->cfg.rules.dirs[0], "/srv/flightlogs");
	assert_string_equal(fx->cfg.rules.dirs[1], "/var/lib/logs");
	assert_false(fx->cfg.rules.dir_required[0]);
	assert_int_equal(fx->cfg.rules.n_patterns, 2);
	assert_string_equal(fx->cfg.rules.pattern_text[1],
			    "DJIFlightRecord_*.txt");

	assert_int_equal(p->n_allow, 2);
	policy__format_allow(&p->allow[0], buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.0/8");
	policy__format_allow(&p->allow[1], buf, sizeof(buf));
	assert_string_equal(buf, "[fd00::/8]:443");
	assert_int_equal(p->n_allow_domains, 2);
	assert_string_equal(p->allow_domains[0].domain, "*.corp.example");
	assert_int_equal(p->allow_domains[0].n_ports, 2);
	assert_int_equal(p->allow_domains[0].ports[0], 443);
	assert_int_equal(p->allow_domains[0].ports[1], 8443);
	assert_int_equal(p->allow_domains[1].n_ports, 0);
	assert_int_equal(p->n_allow_procs, 2);
	assert_string_equal(p->allow_procs[0].exe, "/opt/qgc/QGroundControl");
	assert_int_equal(p->allow_procs[0].n_dests, 2);
	assert_null(p->allow_procs[0].dests[0].domain);
	assert_int_equal(p->allow_procs[0].dests[0].net.port, 443);
	assert_string_equal(p->allow_procs[0].dests[1].domain,
			    "sync.example.org");
	assert_int_equal(p->allow_procs[1].n_dests, 0);

	assert_int_equal(p->n_rules, 5);
	assert_int_equal(p->rules[0].n_countries, 2);
	assert_string_equal(p->rules[0].countries[0], "CN");
	assert_string_equal(p->rules[0].countries[1], "RU");
	assert_int_equal(p->rules[0].severity, 99);
	assert_int_equal(p->rules[0].verified, -1);
	assert_string_equal(p->rules[1].domains[0], "*.example.net");
	assert_int_equal(p->rules[1].severity, 73);
	assert_int_equal(p->rules[2].n_dests, 1);
	assert_string_equal(p->rules[2].exes[0], "/usr/bin/curl");
	assert_int_equal(p->rules[2].severity, 47);
	assert_int_equal(p->rules[3].n_dests, 2);
	assert_int_equal(p->rules[3].severity, 60);
	assert_int_equal(p->rules[4].verified, 0);
	assert_int_equal(p->rules[4].severity, 21);

	assert_int_equal(fx->cfg.taint_expiry_s, 3600);
	assert_int_equal(fx->cfg.sink, FW_SINK_JOURNAL);
	assert_int_equal(fx->cfg.hooks, FW_HOOKS_TRACEPOINT);
	assert_string_equal(fx->cfg.geoip_path,
			    "/usr/share/GeoIP/GeoLite2-Country.mmdb");
	assert_int_equal(fx->cfg.n_map_sizes, 3);
	assert_string_equal(fx->cfg.map_sizes[0].name, "tainted");
	assert_int_equal(fx->cfg.map_sizes[0].entries, 65536);
	assert_string_equal(fx->cfg.map_sizes[2].name, "events");
	assert_int_equal(fx->cfg.map_sizes[2].entries, 33554432);
}

static void test_empty_and_comments(void **state)
{
	struct fixture *fx = *state;

	load_ok(fx, "");
	load_ok(fx, "# nothing but a comment\n\n");
	load_ok(fx, "watch:\nallow:\n  destinations:\n");
	assert_true(fx->cfg.builtin);
	assert_int_equal(fx->cfg.rules.n_dirs, 0);
	assert_int_equal(fx->cfg.policy.n_allow, 0);
	load_ok(fx, "output: json\n");
	assert_int_equal(fx->cfg.sink, FW_SINK_JSON);
	/* a single value where a list is taken for one item */
	load_ok(fx,
		"severity:\n  rules:\n    - country: cn\n      severity: 5\n");
	assert_string_equal(fx->cfg.policy.rules[0].countries[0], "CN");
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "watchh: 1\n",
		  "1: unknown key 'watchh' (known: watch, allow, severity, taint_expiry, output, geoip, maps, mode, hooks)" },
		{ "hooks: quick\n",
		  "1: bad hooks 'quick': expected auto, tracepoint or fast" },
		{ "hooks: [fast]\n",
		  "1: expected auto, tracepoint or fast, got a list" },
		{ "watch:\n  builtin: true\n  dirs: [/a]\n",
		  "3: unknown key 'dirs' in watch (known: builtin, directories, patterns)" },
		{ "allow:\n  processes:\n    - executable: /bin/x\n      dest: []\n",
		  "4: unknown key 'dest' in a process (known: executable, destinations)" },
		{ "severity:\n  rules:\n    - severity: low\n      contry: CN\n",
		  "4: unknown key 'contry' in a severity rule (known: country, domain, destination, executable, verified, severity)" },
		{ "watch:\n  directories: /srv\n",
		  "2: expected a list, got '/srv'" },
		{ "watch:\n  directories:\n    a: b\n",
		  "3: expected a list, got a mapping" },
		{ "watch: [a]\n",
		  "1: expected a mapping (key: value) in watch, got a list" },
		{ "- a\n",
		  "1: expected a mapping of keys such as watch: and allow:, got a list" },
		{ "watch:\n  directories:\n    - [a]\n",
		  "3: expected a directory, got a list" },
		{ "watch:\n  directories:\n    - srv/logs\n",
		  "3: watched directory 'srv/logs' is not absolute" },
		{ "watch:\n  patterns:\n    - \"a*b*c\"\n",
		  "3: invalid pattern 'a*b*c': expected a file name with at most one '*', e.g. '*.ulg'" },
		{ "watch:\n  builtin: maybe\n",
		  "2: expected true or false, got 'maybe'" },
		{ "watch:\n  builtin: true\n  builtin: false\n",
		  "3: duplicate key 'builtin' in watch" },
		{ "allow:\n  destinations:\n    - 10.0.0.0/33\n",
		  "3: bad CIDR '10.0.0.0/33': expected CIDR[:PORT], e.g. 10.0.0.0/8, 192.0.2.7:443 or [fd00::/8]:443" },
		{ "allow:\n  destinations:\n    - domain: a.example\n      ports: [0]\n",
		  "4: expected a port number from 1 to 65535, got 0" },
		{ "allow:\n  destinations:\n    - domain: a.example\n      ports: 70000\n",
		  "4: expected a port number from 1 to 65535, got '70000'" },
		{ "allow:\n  destinations:\n    - domain: \"a..example\"\n",
		  "3: bad domain 'a..example': expected a name such as sync.example.org, or *.example.org for any subdomain" },
		{ "allow:\n  destinations:\n    - domain: \"a.*.example\"\n",
		  "3: bad domain 'a.*.example': expected a name such as sync.example.org, or *.example.org for any subdomain" },
		{ "allow:\n  destinations:\n    - ports: [443]\n",
		  "3: a destination mapping needs 'domain' (write an address as CIDR[:PORT])" },
		{ "allow:\n  destinations:\n    - [1]\n",
		  "3: expected a destination (CIDR[:PORT], or domain: NAME with optional ports:), got a list" },
		{ "allow:\n  processes:\n    - destinations: [10.0.0.1]\n",
		  "3: a process entry needs 'executable'" },
		{ "allow:\n  processes:\n    - executable: curl\n",
		  "3: expected an absolute path, got 'curl'" },
		{ "allow:\n  processes:\n    - /usr/bin/curl\n",
		  "3: expected a process (executable: PATH, optional destinations:), got a value" },
		{ "severity:\n  rules:\n    - country: CHN\n      severity: high\n",
		  "3: bad country code 'CHN': expected two letters (ISO 3166-1 alpha-2), e.g. CN" },
		{ "severity:\n  rules:\n    - domain: a.example\n",
		  "3: a severity rule needs 'severity'" },
		{ "severity:\n  rules:\n    - severity: 101\n",
		  "3: bad severity '101': expected low, medium, high, critical or a number from 0 to 100" },
		{ "severity:\n  rules:\n    - severity: urgent\n",
		  "3: bad severity 'urgent': expected low, medium, high, critical or a number from 0 to 100" },
		{ "severity:\n  rules:\n    - destination: 10.0.0.1:0\n      severity: low\n",
		  "3: bad CIDR '10.0.0.1:0': expected CIDR[:PORT], e.g. 10.0.0.0/8, 192.0.2.7:443 or [fd00::/8]:443" },
		{ "severity:\n  rules:\n    - verified: sometimes\n      severity: low\n",
		  "3: expected true or false, got 'sometimes'" },
		{ "taint_expiry: -5\n",
		  "1: expected a number of seconds (0: never), got '-5'" },
		{ "taint_expiry:\n",
		  "1: expected a number of seconds (0: never), got nothing" },
		{ "output: syslog\n",
		  "1: bad output 'syslog': expected auto, journal, json or text" },
		{ "geoip: GeoLite2-Country.mmdb\n",
		  "1: expected an absolute path, got 'GeoLite2-Country.mmdb'" },
		{ "maps:\n  tainted: 0\n",
		  "2: bad size 0 for map 'tainted': expected 64 to 4194304" },
		{ "maps:\n  flows: 99999999999\n",
		  "2: bad size 99999999999 for map 'flows': expected 64 to 4194304" },
		{ "maps:\n  events: 100000\n",
		  "2: bad size 100000 for map 'events': expected a power of two from 65536 to 1073741824" },
		{ "maps:\n  patterns: 64\n",
		  "2: unknown map 'patterns' (known: events, tainted, reads, flows, carries, relays, embryos, watched_dirs, watched_files, watched_inodes, uring_reqs, blocked, enforce_marks)" },
		{ "maps:\n  flows: 1024\n  flows: 2048\n",
		  "3: duplicate key 'flows' in maps" },
		{ "maps: 1024\n",
		  "1: expected a mapping (map: entries) in maps, got a value" },
		{ "a: 1\n---\nb: 2\n", "3: only one YAML document is allowed" },
		{ "watch:\n  directories: [/a\n",
		  "3: YAML syntax: did not find expected ',' or ']' while parsing a flow sequence" },
		{ "watch:\n\tbuiltin: true\n",
		  "2: YAML syntax: found character that cannot start any token while scanning for the next token" },
	};
	struct fixture *fx = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(fx, cases[i].text, cases[i].want);
}

static void test_files(void **state)
{
	struct fixture *fx = *state;
	char path[256], want[512];
	struct fw_config o;

	/* a missing file: an error only when asked for */
	snprintf(path, sizeof(path), "%s/none.yaml", fx->dir);
	assert_int_equal(
		config__load(path, false, &o, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(config__load(path, true, &o, fx->err, sizeof(fx->err)),
			 -1);
	snprintf(want, sizeof(want),
		 "cannot read config file %s: No such file or directory", path);
	assert_string_equal(fx->err, want);

	/* writable by the group, or by others: refused */
	write_file(fx->path, "watch:\n  builtin: true\n", 0664);
	assert_int_equal(
		config__load(fx->path, true, &o, fx->err, sizeof(fx->err)), -1);
	snprintf(
		want, sizeof(want),
		"%s: refusing a config file writable by group or others (uid %u, mode 0664): it must be writable only by %s (chmod go-w, chown)",
		fx->path, (unsigned)geteuid(),
		geteuid() ? "root or you" : "root");
	assert_string_equal(fx->err, want);
	assert_int_equal(chmod(fx->path, 0646), 0);
	assert_int_equal(
		config__load(fx->path, true, &o, fx->err, sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "writable by group or others"));
	assert_int_equal(chmod(fx->path, 0600), 0);
	assert_int_equal(
		config__load(fx->path, true, &o, fx->err, sizeof(fx->err)), 0);

	/* in a directory others may write (not sticky): refused */
	assert_int_equal(chmod(fx->dir, 0777), 0);
	assert_int_equal(
		config__load(fx->path, true, &o, fx->err, sizeof(fx->err)), -1);
	snprintf(
		want, sizeof(want),
		"%s: refusing a config file in %s, a directory writable by group or others",
		fx->path, fx->dir);
	assert_memory_equal(fx->err, want, strlen(want));
	/* sticky, as /tmp: others cannot replace the file */
	assert_int_equal(chmod(fx->dir, 01777), 0);
	assert_int_equal(
		config__load(fx->path, true, &o, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(chmod(fx->dir, 0700), 0);

	/* a directory is not a config file */
	assert_int_equal(
		config__load(fx->dir, true, &o, fx->err, sizeof(fx->err)), -1);
	snprintf(want, sizeof(want), "%s: not a regular file", fx->dir);
	assert_string_equal(fx->err, want);
	config__free(&o);
}

/* The sink the command line gives with the file, and JSON lines only for
 * the JSON sink */
static void expect_sink(struct fixture *fx, int argc, char **argv,
			enum fw_sink_kind want)
{
	assert_int_equal(options__parse_run_err(argc, argv, &fx->opts, fx->err,
						sizeof(fx->err)),
			 0);
	assert_int_equal(fx->opts.sink, want);
	assert_int_equal(fx->opts.json, want == FW_SINK_JSON);
	options__free(&fx->opts);
}

/* The command line adds to lists and overrides values of the file */
static void test_command_line_over_file(void **state)
{
	struct fixture *fx = *state;
	char *argv[] = { "run",	      "--config",  fx->path, "--taint-expiry",
			 "60",	      "--pattern", "*.tlog", "--allow",
			 "192.0.2.1", NULL };
	char *text[] = { "run", "--config", fx->path, "--output", "text", NULL };
	int argc = sizeof(argv) / sizeof(argv[0]) - 1;

	write_file(fx->path,
		   "watch:\n  builtin: false\n  patterns: ['*.ulg']\n"
		   "allow:\n  destinations: [10.0.0.0/8]\n"
		   "taint_expiry: 3600\n",
		   0644);
	assert_int_equal(options__parse_run_err(argc, argv, &fx->opts, fx->err,
						sizeof(fx->err)),
			 0);
	assert_false(fx->opts.default_rules);
	assert_int_equal(fx->opts.taint_expiry_s, 60);
	assert_int_equal(fx->opts.rules.n_patterns, 2);
	assert_string_equal(fx->opts.rules.pattern_text[0], "*.ulg");
	assert_string_equal(fx->opts.rules.pattern_text[1], "*.tlog");
	assert_int_equal(fx->opts.policy.n_allow, 2);
	assert_string_equal(fx->opts.config_path, fx->path);
	assert_int_equal(fx->opts.argc, argc);
	options__free(&fx->opts);

	/* output: json is JSON lines, as --json; --output overrides it */
	write_file(fx->path,
		   "watch:\n  builtin: false\n  patterns: ['*.ulg']\n"
		   "output: json\n",
		   0644);
	expect_sink(fx, 3, argv, FW_SINK_JSON);
	expect_sink(fx, 5, text, FW_SINK_TEXT);

	/* an error in the file fails the command line */
	write_file(fx->path, "watch:\n  bultin: false\n", 0644);
	assert_int_equal(options__parse_run_err(argc, argv, &fx->opts, fx->err,
						sizeof(fx->err)),
			 -1);
	assert_non_null(strstr(fx->err, ":2: unknown key 'bultin' in watch"));
	memset(&fx->opts, 0, sizeof(fx->opts));
}

static bool allowed(const struct fw_policy *p, const char *exe, const char *ip,
		    uint16_t port, const char *domain)
{
	struct fw_dest d = fw_test_dest(strchr(ip, ':') ? AF_INET6 : AF_INET,
					ip, port, IPPROTO_TCP);
	struct fw_flow_facts f = {
		.exe = exe,
		.dest = &d,
		.domain = domain,
	};

	return policy__allowed(p, &f);
}

static void test_allowlists(void **state)
{
	struct fixture *fx = *state;
	const struct fw_policy *p = &fx->cfg.policy;

	load_ok(fx, full_config);
	/* addresses */
	assert_true(allowed(p, "/bin/x", "10.1.2.3", 80, NULL));
	assert_true(allowed(p, "/bin/x", "fd00::1", 443, NULL));
	assert_false(allowed(p, "/bin/x", "fd00::1", 80, NULL));
	/* domains: "*." is any subdomain, not the name itself; ports */
	assert_true(allowed(p, "/bin/x", "192.0.2.99", 443, "a.corp.example"));
	assert_true(
		allowed(p, "/bin/x", "192.0.2.99", 8443, "x.y.CORP.example."));
	assert_false(allowed(p, "/bin/x", "192.0.2.99", 80, "a.corp.example"));
	assert_false(allowed(p, "/bin/x", "192.0.2.99", 443, "corp.example"));
	assert_false(
		allowed(p, "/bin/x", "192.0.2.99", 443, "evilcorp.example"));
	assert_false(allowed(p, "/bin/x", "192.0.2.99", 443, NULL));
	assert_true(
		allowed(p, "/bin/x", "192.0.2.99", 21, "Mirror.Example.org"));
	assert_false(
		allowed(p, "/bin/x", "192.0.2.99", 21, "a.mirror.example.org"));
	/* processes: anywhere, or only to their destinations */
	assert_true(allowed(p, "/usr/bin/rsync", "203.0.113.5", 873, NULL));
	assert_false(allowed(p, "/usr/bin/rsync2", "203.0.113.5", 873, NULL));
	assert_false(allowed(p, NULL, "203.0.113.5", 873, NULL));
	assert_true(
		allowed(p, "/opt/qgc/QGroundControl", "192.0.2.10", 443, NULL));
	assert_false(
		allowed(p, "/opt/qgc/QGroundControl", "192.0.2.10", 80, NULL));
	assert_true(allowed(p, "/opt/qgc/QGroundControl", "203.0.113.9", 443,
			    "sync.example.org"));
	assert_false(allowed(p, "/opt/qgc/QGroundControl", "203.0.113.9", 443,
			     "other.example.org"));
	assert_false(allowed(p, "/usr/bin/curl", "192.0.2.10", 443, NULL));
	/* loopback never leaves */
	assert_true(allowed(p, "/bin/x", "127.0.0.1", 9, NULL));
}

static int severity(const struct fw_policy *p, const char *exe, const char *ip,
		    uint16_t port, const char *domain, const char *country,
		    bool verified)
{
	struct fw_dest d;
	struct fw_flow_facts f = {
		.exe = exe,
		.domain = domain,
		.country = country,
		.verified = verified,
	};

	if (ip) {
		d = fw_test_dest(strchr(ip, ':') ? AF_INET6 : AF_INET, ip, port,
				 IPPROTO_TCP);
		f.dest = &d;
	}
	return policy__severity(p, &f);
}

static void test_severity_rules(void **state)
{
	struct fixture *fx = *state;
	const struct fw_policy *p = &fx->cfg.policy;

	load_ok(fx, full_config);
	/* country (case of the database's code does not matter) */
	assert_int_equal(severity(p, "/bin/x", "203.0.113.1", 443, NULL, "CN",
				  true),
			 99);
	assert_int_equal(severity(p, "/bin/x", "203.0.113.1", 443, NULL, "ru",
				  false),
			 99);
	/* the first match wins: a country rule before the verified one */
	assert_int_equal(severity(p, "/bin/x", "203.0.113.1", 443,
				  "a.example.net", "RU", false),
			 99);
	/* domain with "*." */
	assert_int_equal(severity(p, "/bin/x", "203.0.113.1", 443,
				  "cdn.example.net", "DE", false),
			 73);
	assert_int_equal(severity(p, "/bin/x", "203.0.113.1", 443,
				  "example.net", NULL, true),
			 73); /* no rule: verified content is high */
	assert_int_equal(severity(p, "/bin/x", "203.0.113.1", 443,
				  "example.net", NULL, false),
			 21); /* the verified: false rule */
	/* destination CIDR and executable, both needed */
	assert_int_equal(severity(p, "/usr/bin/curl", "192.0.2.77", 80, NULL,
				  NULL, true),
			 47);
	assert_int_equal(severity(p, "/usr/bin/wget", "192.0.2.77", 80, NULL,
				  NULL, true),
			 73);
	assert_int_equal(severity(p, "/usr/bin/curl", "192.0.3.1", 80, NULL,
				  NULL, true),
			 73);
	assert_int_equal(severity(p, NULL, "192.0.2.77", 80, NULL, NULL, true),
			 73);
	/* destination CIDR:PORT, either of a list, v4 and v6 */
	assert_int_equal(severity(p, "/bin/x", "198.51.100.7", 53, NULL, NULL,
				  true),
			 60);
	assert_int_equal(severity(p, "/bin/x", "198.51.100.7", 54, NULL, NULL,
				  true),
			 73);
	assert_int_equal(severity(p, "/bin/x", "2001:db8::5", 443, NULL, NULL,
				  true),
			 60);
	/* no destination (a read): destination rules do not match */
	assert_int_equal(
		severity(p, "/usr/bin/curl", NULL, 0, NULL, NULL, true), 73);
	assert_int_equal(
		severity(p, "/usr/bin/curl", NULL, 0, NULL, NULL, false), 21);
}

static void test_severity_names(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(policy__parse_severity("low"), 21);
	assert_int_equal(policy__parse_severity("Medium"), 47);
	assert_int_equal(policy__parse_severity("high"), 73);
	assert_int_equal(policy__parse_severity("critical"), 99);
	assert_int_equal(policy__parse_severity("0"), 0);
	assert_int_equal(policy__parse_severity("100"), 100);
	assert_int_equal(policy__parse_severity("101"), -1);
	assert_int_equal(policy__parse_severity("-1"), -1);
	assert_int_equal(policy__parse_severity(" 5"), -1);
	assert_int_equal(policy__parse_severity(""), -1);
	policy__format_severity(99, buf, sizeof(buf));
	assert_string_equal(buf, "critical (99)");
	policy__format_severity(42, buf, sizeof(buf));
	assert_string_equal(buf, "42");
}

/* replay --config: the file's policy, then what the command line allowed */
static void test_load_policy(void **state)
{
	struct fixture *fx = *state;
	struct fw_policy p = { 0 };
	char err[256];

	write_file(fx->path, full_config, 0644);
	assert_int_equal(
		policy__add_allow(&p, "203.0.113.0/24", err, sizeof(err)), 0);
	assert_int_equal(
		config__load_policy(fx->path, &p, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(p.n_allow, 3);
	assert_int_equal(p.n_allow_procs, 2);
	assert_int_equal(p.n_rules, 5);
	assert_true(allowed(&p, "/bin/x", "203.0.113.4", 1, NULL));
	assert_true(allowed(&p, "/bin/x", "10.0.0.1", 1, NULL));
	policy__free(&p);
	write_file(fx->path, "allow: 1\n", 0644);
	assert_int_equal(config__load_policy(fx->path, &p, fx->err,
					     sizeof(fx->err)),
			 -1);
	assert_non_null(strstr(fx->err, ":1: expected a mapping"));
	policy__free(&p);
}

/* text of n opening and n closing brackets after prefix (caller frees) */
static char *nested(const char *prefix, size_t n)
{
	size_t len = strlen(prefix);
	char *text = malloc(len + 2 * n + 2);

	assert_non_null(text);
	memcpy(text, prefix, len);
	memset(text + len, '[', n);
	memset(text + len + n, ']', n);
	strcpy(text + len + 2 * n, "\n");
	return text;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_limits(void **state)
{
	struct fixture *fx = *state;
	char *text, block[4096];
	size_t o = 0;
	double t0;

	/* the top mapping, watch and 30 lists: 32 levels, the schema says */
	text = nested("watch:\n  directories: ", 30);
	expect_error(fx, text, "2: expected a directory, got a list");
	free(text);
	text = nested("watch:\n  directories: ", 31);
	expect_error(fx, text, "2: nested deeper than the limit of 32 levels");
	free(text);
	/* block style: a key per level, the line of the first too deep */
	for (int i = 0; i < 40; i++)
		o += snprintf(block + o, sizeof(block) - o, "%*sk:\n", i, "");
	expect_error(fx, block,
		     "33: nested deeper than the limit of 32 levels");
	/* 100,000 levels: libyaml alone takes about a minute */
	text = nested("watch: ", 100000);
	t0 = now_s();
	expect_error(fx, text, "1: nested deeper than the limit of 32 levels");
	assert_true(now_s() - t0 < 1.0);
	free(text);

	/* size: 1 MiB of comments is fine, a byte more is not */
	text = malloc(FW_CONFIG_MAX_BYTES + 2);
	assert_non_null(text);
	memset(text, '#', FW_CONFIG_MAX_BYTES);
	for (size_t i = 99; i < FW_CONFIG_MAX_BYTES; i += 100)
		text[i] = '\n';
	text[FW_CONFIG_MAX_BYTES] = '\0';
	load_ok(fx, text);
	text[FW_CONFIG_MAX_BYTES] = '#';
	text[FW_CONFIG_MAX_BYTES + 1] = '\0';
	assert_int_equal(load(fx, text), -1);
	snprintf(block, sizeof(block), "%s: bigger than the limit of %d bytes",
		 fx->path, FW_CONFIG_MAX_BYTES);
	assert_string_equal(fx->err, block);
	free(text);
}

/* An alias used many times, each to a long list: the walk is bounded */
static void test_alias_budget(void **state)
{
	struct fixture *fx = *state;
	size_t size = 64 * 1024, o = 0;
	char *text = malloc(size);

	assert_non_null(text);
	o += snprintf(text + o, size - o,
		      "allow:\n  processes:\n    - executable: /bin/a\n"
		      "      destinations: &d [");
	for (int i = 0; i < 400; i++)
		o += snprintf(text + o, size - o, "%s10.0.0.1", i ? "," : "");
	o += snprintf(text + o, size - o, "]\n");
	/* 300 uses of 400 values: 120,000 */
	for (int i = 0; i < 300; i++)
		o += snprintf(text + o, size - o,
			      "    - executable: /bin/b%d\n"
			      "      destinations: *d\n",
			      i);
	assert_true(o < size - 1);
	assert_int_equal(load(fx, text), -1);
	assert_non_null(strstr(
		fx->err,
		"expands to more than the limit of 100000 values (each use of an alias counts)"));
	free(text);
	/* a few uses are fine */
	load_ok(fx,
		"allow:\n  processes:\n"
		"    - executable: /bin/a\n      destinations: &d [10.0.0.1]\n"
		"    - executable: /bin/b\n      destinations: *d\n");
	assert_int_equal(fx->cfg.policy.n_allow_procs, 2);
}

/* Watch sets that would make every program's reads flight-log reads */
static void test_system_dirs_refused(void **state)
{
	static const char *const refused[] = {
		"/",	      "//",    "/usr",	   "/usr/",
		"/usr/./bin", "/bin",  "/usr/lib", "/usr/local/bin",
		"/etc",	      "/boot", "/proc",	   "/proc/self",
		"/sys/fs",    "/dev",  "/dev/shm", "/usr/bin/../sbin",
	};
	static const char *const accepted[] = {
		"/tmp",		 "/srv/flightlogs",
		"/home/pilot",	 "/usr/share/qgc-logs",
		"/var/lib/logs", "/etcetera",
		"/devices",	 "/opt/bin-logs",
	};
	struct fixture *fx = *state;
	char err[512];

	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		if (!config__check_watch_dir(refused[i], err, sizeof(err)))
			fail_msg("accepted %s", refused[i]);
		assert_non_null(strstr(err, "every program that runs"));
	}
	for (size_t i = 0; i < sizeof(accepted) / sizeof(*accepted); i++)
		if (config__check_watch_dir(accepted[i], err, sizeof(err)))
			fail_msg("refused %s: %s", accepted[i], err);
	expect_error(
		fx, "watch:\n  directories:\n    - /srv/a\n    - /usr\n",
		"4: refusing to watch '/usr': it holds /usr/bin, so every program that runs would read a flight log (watch the directories the flight logs are in)");
}

/* SIGHUP's parse in a thread: the result comes back whole */
static void test_reload_thread(void **state)
{
	struct fixture *fx = *state;
	char cfg_opt[160];
	char *argv[] = { "run",	  "--no-default-rules",
			 cfg_opt, "--watch",
			 fx->dir, NULL };
	struct fw_reload *r;
	int i;

	snprintf(cfg_opt, sizeof(cfg_opt), "--config=%s", fx->path);
	write_file(fx->path, "watch:\n  patterns: [\"*.abc\"]\n", 0644);
	assert_int_equal(reload__start(&r, 5, argv), 0);
	for (i = 0; i < 500 && !reload__done(r); i++)
		usleep(10000);
	assert_true(i < 500);
	assert_int_equal(r->ret, 0);
	assert_int_equal(r->fresh.rules.n_dirs, 1);
	assert_int_equal(r->fresh.rules.n_patterns, 1);
	assert_string_equal(r->fresh.rules.pattern_text[0], "*.abc");
	reload__free(r);

	/* a broken file: the error, nothing to take */
	write_file(fx->path, "watch: [[[\n", 0644);
	assert_int_equal(reload__start(&r, 5, argv), 0);
	for (i = 0; i < 500 && !reload__done(r); i++)
		usleep(10000);
	assert_true(i < 500);
	assert_int_equal(r->ret, -1);
	assert_non_null(strstr(r->err, "YAML syntax"));
	reload__free(r);
	/* nothing started: nothing done, nothing to free */
	assert_false(reload__done(NULL));
	reload__abandon(NULL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_full),
		T(test_empty_and_comments),
		T(test_errors),
		T(test_files),
		T(test_command_line_over_file),
		T(test_allowlists),
		T(test_severity_rules),
		cmocka_unit_test(test_severity_names),
		T(test_load_policy),
		T(test_limits),
		T(test_alias_budget),
		T(test_reload_thread),
		T(test_system_dirs_refused),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
