// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/config.h"
#include "cli/options.h"
#include "lib/util.h"

/* Codes of long options are above any letter, so that an error can tell
 * them from short ones by optopt; --verbose and --help get their own */
enum {
	OPT_LONG_ONLY = 0x100,
	OPT_JSON = OPT_LONG_ONLY,
	OPT_WATCH,
	OPT_PATTERN,
	OPT_ALLOW,
	OPT_NO_DEFAULTS,
	OPT_BTF,
	OPT_TAINT_EXPIRY,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_RECORD,
	OPT_MAX_SIZE,
	OPT_KEEP,
	OPT_CONFIG,
	OPT_OUTPUT,
	OPT_GEOIP,
	OPT_FRESH,
	OPT_STATE_DIR,
	OPT_RESOLVER,
	OPT_ENFORCE,
	OPT_HOOKS,
};

#define DEFAULT_KEEP 5

static const struct option run_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "watch", required_argument, NULL, OPT_WATCH },
	{ "pattern", required_argument, NULL, OPT_PATTERN },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "no-default-rules", no_argument, NULL, OPT_NO_DEFAULTS },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "taint-expiry", required_argument, NULL, OPT_TAINT_EXPIRY },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "geoip", required_argument, NULL, OPT_GEOIP },
	{ "fresh", no_argument, NULL, OPT_FRESH },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "resolver", required_argument, NULL, OPT_RESOLVER },
	{ "enforce", optional_argument, NULL, OPT_ENFORCE },
	{ "hooks", required_argument, NULL, OPT_HOOKS },
	{ NULL, 0, NULL, 0 },
};

void options__usage_run(FILE *out)
{
	fprintf(out,
		"Usage: flightwatch run [OPTIONS]\n"
		"Trace which processes read flight logs and where they send data.\n"
		"\n"
		"  --config FILE        read FILE instead of %s\n"
		"                       (used when it exists); options add to it\n"
		"  --output KIND        where alerts go: auto (journald when it runs, else\n"
		"                       text), journal, json (lines on stdout) or text\n"
		"  --json               the same as --output json\n"
		"  --watch DIR          also watch every file under DIR (repeatable)\n"
		"  --pattern GLOB       also watch files named GLOB, e.g. '*.ulg' (repeatable)\n"
		"  --allow CIDR[:PORT]  never alert for this destination (repeatable),\n"
		"                       e.g. 10.0.0.0/8, 192.0.2.7:443, [fd00::/8]:443\n"
		"  --no-default-rules   only --watch and --pattern, no built-in rules\n"
		"  --btf FILE           kernel BTF to use instead of /sys/kernel/btf/vmlinux\n"
		"  --taint-expiry SECS  a process stops carrying flight-log data SECS after\n"
		"                       its last read of it (default 0: never)\n"
		"  --record FILE        also record every event into the trace FILE (mode\n"
		"                       0600; see 'flightwatch replay' and 'report')\n"
		"  --max-size BYTES     rotate the trace before it exceeds BYTES (K, M, G)\n"
		"  --keep N             rotated traces kept: FILE.1 .. FILE.N (default %d)\n"
		"  --geoip FILE         MaxMind-format database (.mmdb): destination countries\n"
		"  --state-dir DIR      keep the kernel's taint state pinned in DIR, a\n"
		"                       bpffs directory (default %s):\n"
		"                       a restart carries on from it\n"
		"  --fresh              start clean: forget the pinned state\n"
		"  --resolver ADDR      a DNS server whose answers name destinations\n"
		"                       (repeatable; default: /etc/resolv.conf's)\n"
		"  --enforce[=dry-run]  refuse processes that carry flight-log data any\n"
		"                       destination --allow (or allow:) does not list;\n"
		"                       dry-run: report what would be refused, refuse nothing\n"
		"  --hooks TIER         the syscall hooks: fast (fentry/fexit on each followed\n"
		"                       syscall), tracepoint (sys_enter/sys_exit, every\n"
		"                       kernel) or auto (fast where it loads; the default)\n"
		"  -v, --verbose        also report watched-file reads and start-up details\n"
		"  -h, --help           this help\n"
		"SIGHUP reloads the config file; taint state is kept.\n",
		FW_DEFAULT_CONFIG, DEFAULT_KEEP, FW_DEFAULT_STATE_DIR);
}

void options__usage_record(FILE *out)
{
	fprintf(out,
		"Usage: flightwatch record -o FILE [OPTIONS]\n"
		"Record every event the tracer sees, with process snapshots and host\n"
		"metadata, into the trace FILE (created with mode 0600; it must not\n"
		"exist). The same as 'run --record FILE' without alert output.\n"
		"\n"
		"  -o FILE              the trace file\n"
		"  --output KIND        also send alerts to KIND: journal, json or text\n"
		"  --json               the same as --output json\n"
		"  --max-size BYTES     rotate before FILE exceeds BYTES (K, M, G suffixes)\n"
		"  --keep N             rotated traces kept: FILE.1 .. FILE.N (default %d)\n"
		"  --config, --watch, --pattern, --allow, --no-default-rules,\n"
		"  --btf, --taint-expiry, --geoip, --state-dir, --fresh,\n"
		"  --resolver, --hooks, -v\n"
		"                       as for 'flightwatch run'\n"
		"  -h, --help           this help\n",
		DEFAULT_KEEP);
}

int options__parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end && end[1] && strcmp(end + 1, "B") && strcmp(end + 1, "iB"))
		return -1;
	if (shift && v > (~0ull >> shift))
		return -1;
	*bytes = (uint64_t)v << shift;
	return 0;
}

int options__parse_sink(const char *s, enum fw_sink_kind *kind)
{
	static const char *const names[] = {
		[FW_SINK_AUTO] = "auto",
		[FW_SINK_TEXT] = "text",
		[FW_SINK_JSON] = "json",
		[FW_SINK_JOURNAL] = "journal",
	};

	int i = fw_name_index(names, FW_ARRAY_SIZE(names), s);

	if (i < 0)
		return -1;
	*kind = i;
	return 0;
}

void options__getopt_error(int c, char **argv, char *err, size_t size)
{
	size_t n;

	if (c == ':') {
		snprintf(err, size, "option '%s' needs an argument",
			 argv[optind - 1]);
		return;
	}
	/* an unknown letter inside a cluster (-xv) has not advanced optind:
	 * name the letter itself; a long option given a value it does not
	 * take (--json=yes) sets optopt to its code and is named whole */
	if (optopt > 0 && optopt < OPT_LONG_ONLY)
		snprintf(err, size, "unknown option '-%c'", optopt);
	else
		snprintf(err, size, "unknown option '%s'", argv[optind - 1]);
	n = strlen(err);
	snprintf(err + n, size - n, " (see 'flightwatch %s --help')", argv[0]);
}

/* The first pass: only --config and --help matter before the file is
 * read (errors are for the second pass to report) */
static void find_config(int argc, char **argv, struct fw_options *opts)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vho:", run_options, NULL)) !=
	       -1) {
		if (c == OPT_CONFIG)
			opts->config_path = optarg;
		else if (c == 'h' || c == OPT_HELP)
			opts->help = true;
	}
}

/* The file's settings, moved into opts: what the command line then adds
 * to or overrides */
static void take_config(struct fw_options *opts, struct fw_config *cfg)
{
	opts->default_rules = cfg->builtin;
	opts->rules = cfg->rules;
	opts->policy = cfg->policy;
	opts->taint_expiry_s = cfg->taint_expiry_s;
	opts->sink = cfg->sink;
	/* output: json is JSON lines on stdout, as --json */
	opts->json = cfg->sink == FW_SINK_JSON;
	opts->geoip_alloc = cfg->geoip_path;
	opts->geoip_path = cfg->geoip_path;
	_Static_assert(sizeof(opts->map_sizes) == sizeof(cfg->map_sizes),
		       "the same map sizes");
	memcpy(opts->map_sizes, cfg->map_sizes, sizeof(opts->map_sizes));
	opts->n_map_sizes = cfg->n_map_sizes;
	opts->enforce = cfg->enforce;
	opts->hooks = cfg->hooks;
	memset(cfg, 0, sizeof(*cfg));
}

int options__parse_run_err(int argc, char **argv, struct fw_options *opts,
			   char *err, size_t err_size)
{
	struct fw_config cfg;
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->default_rules = true;
	opts->passwd_file = "/etc/passwd";
	opts->keep = DEFAULT_KEEP;
	/* the environment's default first: test suites keep theirs apart */
	opts->state_dir = getenv("FLIGHTWATCH_STATE_DIR") ?
				  getenv("FLIGHTWATCH_STATE_DIR") :
				  FW_DEFAULT_STATE_DIR;
	opts->argc = argc;
	opts->argv = argv;
	find_config(argc, argv, opts);
	if (opts->help)
		return 0;
	/* the file first: what the command line says is applied over it */
	if (config__load(opts->config_path ? opts->config_path :
					     FW_DEFAULT_CONFIG,
			 opts->config_path != NULL, &cfg, err, err_size))
		goto bad;
	take_config(opts, &cfg);
	if (!opts->config_path && !access(FW_DEFAULT_CONFIG, F_OK))
		opts->config_path = FW_DEFAULT_CONFIG;
	optind = 0;
	opterr = 0;
	while ((optopt = 0, c = getopt_long(argc, argv, ":vho:", run_options,
					    NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			opts->json = true;
			opts->sink = FW_SINK_JSON;
			break;
		case OPT_OUTPUT:
			if (options__parse_sink(optarg, &opts->sink)) {
				snprintf(
					err, err_size,
					"bad --output '%s': auto, journal, json or text",
					optarg);
				goto bad;
			}
			opts->json = opts->sink == FW_SINK_JSON;
			break;
		case OPT_WATCH:
			if (rules__add_dir(&opts->rules, optarg, true, err,
					   err_size) ||
			    config__check_watch_dir(optarg, err, err_size))
				goto bad;
			break;
		case OPT_PATTERN:
			if (rules__add_pattern(&opts->rules, optarg, err,
					       err_size))
				goto bad;
			break;
		case OPT_ALLOW:
			if (policy__add_allow(&opts->policy, optarg, err,
					      err_size))
				goto bad;
			break;
		case OPT_NO_DEFAULTS:
			opts->default_rules = false;
			break;
		case OPT_CONFIG:
			break; /* read before the other options */
		case OPT_BTF:
			opts->btf_path = optarg;
			break;
		case OPT_FRESH:
			opts->fresh = true;
			break;
		case OPT_RESOLVER:
			if (resolvers__add(&opts->resolvers, optarg, err,
					   err_size))
				goto bad;
			break;
		case OPT_STATE_DIR:
			if (optarg[0] != '/') {
				snprintf(
					err, err_size,
					"invalid --state-dir '%s': expected an absolute path",
					optarg);
				goto bad;
			}
			opts->state_dir = optarg;
			break;
		case OPT_TAINT_EXPIRY: {
			char *end;

			errno = 0;
			opts->taint_expiry_s = strtoul(optarg, &end, 10);
			if (!isdigit((unsigned char)optarg[0]) || *end ||
			    errno ||
			    opts->taint_expiry_s > 100UL * 365 * 24 * 3600) {
				snprintf(
					err, err_size,
					"invalid --taint-expiry '%s': expected a number of seconds",
					optarg);
				goto bad;
			}
			break;
		}
		case 'o':
		case OPT_RECORD:
			opts->record_path = optarg;
			break;
		case OPT_MAX_SIZE:
			if (options__parse_size(optarg, &opts->max_size) ||
			    opts->max_size < 65536) {
				snprintf(
					err, err_size,
					"bad --max-size '%s': bytes (K, M, G suffixes), at least 64K",
					optarg);
				goto bad;
			}
			break;
		case OPT_KEEP: {
			char *end;
			unsigned long n;

			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *optarg < '0' || *optarg > '9' || *end ||
			    n > 1000) {
				snprintf(
					err, err_size,
					"bad --keep '%s': a count from 0 to 1000",
					optarg);
				goto bad;
			}
			opts->keep = n;
			break;
		}
		case OPT_GEOIP:
			opts->geoip_path = optarg;
			break;
		case OPT_ENFORCE:
			if (!optarg) {
				opts->enforce = FW_ENFORCE_BLOCK;
			} else if (!strcmp(optarg, "dry-run")) {
				opts->enforce = FW_ENFORCE_DRY_RUN;
			} else {
				snprintf(
					err, err_size,
					"bad --enforce '=%s': --enforce alone, or --enforce=dry-run",
					optarg);
				goto bad;
			}
			break;
		case OPT_HOOKS:
			if (config__parse_hooks(optarg, &opts->hooks)) {
				snprintf(
					err, err_size,
					"bad --hooks '%s': expected auto, tracepoint or fast",
					optarg);
				goto bad;
			}
			break;
		case 'v':
		case OPT_VERBOSE:
			opts->verbose++;
			break;
		default:
			options__getopt_error(c, argv, err, err_size);
			goto bad;
		}
	}
	if (optind < argc) {
		snprintf(err, err_size, "unexpected argument '%s'",
			 argv[optind]);
		goto bad;
	}
	if (!opts->resolvers.n)
		resolvers__load(&opts->resolvers, FW_RESOLV_CONF);
	if ((opts->max_size || opts->keep != DEFAULT_KEEP) &&
	    !opts->record_path) {
		snprintf(err, err_size,
			 "--max-size and --keep need a trace (--record FILE)");
		goto bad;
	}
	if (opts->default_rules &&
	    rules__add_defaults(&opts->rules, opts->passwd_file)) {
		snprintf(err, err_size, "cannot set up the built-in rules");
		goto bad;
	}
	if (!opts->rules.n_dirs && !opts->rules.n_patterns) {
		snprintf(
			err, err_size, "%s",
			opts->config_path ?
				"nothing to watch: without the built-in rules (--no-default-rules, watch.builtin: false) give --watch or --pattern, or watch.directories or watch.patterns in the config file" :
				"nothing to watch: --no-default-rules needs --watch or --pattern");
		goto bad;
	}
	return 0;
bad:
	options__free(opts);
	return -1;
}

int options__parse_run(int argc, char **argv, struct fw_options *opts)
{
	char err[1024];

	if (options__parse_run_err(argc, argv, opts, err, sizeof(err))) {
		fw_err("%s", err);
		return -1;
	}
	return 0;
}

int options__parse_record(int argc, char **argv, struct fw_options *opts)
{
	if (options__parse_run(argc, argv, opts))
		return -1;
	if (opts->help)
		return 0;
	if (!opts->record_path) {
		fw_err("record needs -o FILE (see 'flightwatch record --help')");
		options__free(opts);
		return -1;
	}
	/* alerts only when asked for: --json or --output */
	opts->record_only = opts->sink == FW_SINK_AUTO;
	return 0;
}

void options__free(struct fw_options *opts)
{
	rules__free(&opts->rules);
	policy__free(&opts->policy);
	free(opts->geoip_alloc);
	opts->geoip_alloc = NULL;
}
