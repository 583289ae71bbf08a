// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "options.h"
#include "util.h"

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
};

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
	{ NULL, 0, NULL, 0 },
};

void options__usage_run(FILE *out)
{
	fprintf(out,
		"Usage: flightwatch run [OPTIONS]\n"
		"Trace which processes read flight logs and where they send data.\n"
		"\n"
		"  --json               JSON lines on stdout (default: text)\n"
		"  --watch DIR          also watch every file under DIR (repeatable)\n"
		"  --pattern GLOB       also watch files named GLOB, e.g. '*.ulg' (repeatable)\n"
		"  --allow CIDR[:PORT]  never alert for this destination (repeatable),\n"
		"                       e.g. 10.0.0.0/8, 192.0.2.7:443, [fd00::/8]:443\n"
		"  --no-default-rules   only --watch and --pattern, no built-in rules\n"
		"  --btf FILE           kernel BTF to use instead of /sys/kernel/btf/vmlinux\n"
		"  --taint-expiry SECS  a process stops carrying flight-log data SECS after\n"
		"                       its last read of it (default 0: never)\n"
		"  -v, --verbose        also report watched-file reads and start-up details\n"
		"  -h, --help           this help\n");
}

int options__parse_run(int argc, char **argv, struct fw_options *opts)
{
	char err[512];
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->default_rules = true;
	opts->passwd_file = "/etc/passwd";
	optind = 1;
	opterr = 0;
	while ((optopt = 0,
		c = getopt_long(argc, argv, ":vh", run_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			opts->json = true;
			break;
		case OPT_WATCH:
			if (rules__add_dir(&opts->rules, optarg, true, err,
					   sizeof(err)))
				goto bad;
			break;
		case OPT_PATTERN:
			if (rules__add_pattern(&opts->rules, optarg, err,
					       sizeof(err)))
				goto bad;
			break;
		case OPT_ALLOW:
			if (policy__add_allow(&opts->policy, optarg, err,
					      sizeof(err)))
				goto bad;
			break;
		case OPT_NO_DEFAULTS:
			opts->default_rules = false;
			break;
		case OPT_BTF:
			opts->btf_path = optarg;
			break;
		case OPT_TAINT_EXPIRY: {
			char *end;

			errno = 0;
			opts->taint_expiry_s = strtoul(optarg, &end, 10);
			if (!isdigit((unsigned char)optarg[0]) || *end ||
			    errno ||
			    opts->taint_expiry_s > 100UL * 365 * 24 * 3600) {
				snprintf(
					err, sizeof(err),
					"invalid --taint-expiry '%s': expected a number of seconds",
					optarg);
				goto bad;
			}
			break;
		}
		case 'v':
		case OPT_VERBOSE:
			opts->verbose++;
			break;
		case 'h':
		case OPT_HELP:
			opts->help = true;
			return 0;
		case ':':
			snprintf(err, sizeof(err),
				 "option '%s' needs an argument",
				 argv[optind - 1]);
			goto bad;
		default:
			/* an unknown letter inside a cluster (-xv) has not
			 * advanced optind: name the letter itself; a long
			 * option given a value it does not take (--json=yes)
			 * sets optopt to its code and is named whole */
			if (optopt > 0 && optopt < OPT_LONG_ONLY)
				snprintf(err, sizeof(err),
					 "unknown option '-%c'", optopt);
			else
				snprintf(err, sizeof(err),
					 "unknown option '%s'",
					 argv[optind - 1]);
			strncat(err, " (see 'flightwatch run --help')",
				sizeof(err) - strlen(err) - 1);
			goto bad;
		}
	}
	if (optind < argc) {
		snprintf(err, sizeof(err), "unexpected argument '%s'",
			 argv[optind]);
		goto bad;
	}
	if (opts->default_rules &&
	    rules__add_defaults(&opts->rules, opts->passwd_file)) {
		snprintf(err, sizeof(err), "cannot set up the built-in rules");
		goto bad;
	}
	if (!opts->rules.n_dirs && !opts->rules.n_patterns) {
		snprintf(
			err, sizeof(err),
			"nothing to watch: --no-default-rules needs --watch or --pattern");
		goto bad;
	}
	return 0;
bad:
	fw_err("%s", err);
	options__free(opts);
	return -1;
}

void options__free(struct fw_options *opts)
{
	rules__free(&opts->rules);
	policy__free(&opts->policy);
}
