// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/check_config.h"
#include "cli/config.h"
#include "core/geoip.h"
#include "cli/options.h"
#include "lib/escape.h"
#include "lib/util.h"

enum {
	OPT_HELP = 0x100,
};

static const struct option check_options[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flightwatch check-config [FILE]\n"
		"Validate the config FILE (default %s) and print\n"
		"the rules it gives with the built-in ones: watched directories and\n"
		"patterns, allowlists, severity rules, taint expiry, output, GeoIP\n"
		"database and kernel map sizes. On an error, prints FILE:LINE and the\n"
		"problem and exits 1. The file must be writable only by root (or, when\n"
		"not run as root, by you), as for 'flightwatch run'.\n"
		"\n"
		"  -h, --help           this help\n",
		FW_DEFAULT_CONFIG);
}

/* A string from the config file or the command line, through the one
 * escaping rule of text output */
static void put_safe(FILE *out, const char *s)
{
	char *safe = fw_escape_dup(s);

	fputs(safe, out);
	free(safe);
}

static void print_dest(FILE *out, const struct fw_dest_match *m)
{
	char buf[96];

	if (!m->domain) {
		policy__format_allow(&m->net, buf, sizeof(buf));
		fputs(buf, out);
		return;
	}
	put_safe(out, m->domain);
	for (size_t i = 0; i < m->n_ports; i++)
		fprintf(out, "%s%u", i ? "," : " port ", m->ports[i]);
}

static void print_strings(FILE *out, const char *label, char *const *list,
			  size_t n, bool *first)
{
	if (!n)
		return;
	fprintf(out, "%s%s ", *first ? "" : " and ", label);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? " or " : "", out);
		put_safe(out, list[i]);
	}
	*first = false;
}

static void print_rule(FILE *out, size_t idx, const struct fw_severity_rule *r)
{
	bool first = true;
	char buf[96];

	fprintf(out, "  %zu. ", idx + 1);
	print_strings(out, "country", r->countries, r->n_countries, &first);
	print_strings(out, "domain", r->domains, r->n_domains, &first);
	if (r->n_dests) {
		fprintf(out, "%sdestination ", first ? "" : " and ");
		for (size_t i = 0; i < r->n_dests; i++) {
			policy__format_allow(&r->dests[i], buf, sizeof(buf));
			fprintf(out, "%s%s", i ? " or " : "", buf);
		}
		first = false;
	}
	print_strings(out, "executable", r->exes, r->n_exes, &first);
	if (r->verified >= 0) {
		fprintf(out, "%sverified %s", first ? "" : " and ",
			r->verified ? "true" : "false");
		first = false;
	}
	if (first)
		fputs("every flow", out);
	policy__format_severity(r->severity, buf, sizeof(buf));
	fprintf(out, ": %s\n", buf);
}

static void print_policy(FILE *out, const struct fw_policy *p)
{
	char buf[96];
	size_t i;

	fputs("allowed destinations (never alert; loopback always):\n", out);
	for (i = 0; i < p->n_allow; i++) {
		policy__format_allow(&p->allow[i], buf, sizeof(buf));
		fprintf(out, "  %s\n", buf);
	}
	for (i = 0; i < p->n_allow_domains; i++) {
		fputs("  ", out);
		print_dest(out, &p->allow_domains[i]);
		fputc('\n', out);
	}
	if (!p->n_allow && !p->n_allow_domains)
		fputs("  (none)\n", out);
	fputs("allowed processes:\n", out);
	for (i = 0; i < p->n_allow_procs; i++) {
		const struct fw_proc_allow *a = &p->allow_procs[i];

		fputs("  ", out);
		put_safe(out, a->exe);
		fputs(" to ", out);
		if (!a->n_dests)
			fputs("any destination", out);
		for (size_t j = 0; j < a->n_dests; j++) {
			fputs(j ? ", " : "", out);
			print_dest(out, &a->dests[j]);
		}
		fputc('\n', out);
	}
	if (!p->n_allow_procs)
		fputs("  (none)\n", out);
	fputs("severity rules (first match wins):\n", out);
	for (i = 0; i < p->n_rules; i++)
		print_rule(out, i, &p->rules[i]);
	fprintf(out,
		"  otherwise: high (%d) for verified flight-log content, medium (%d) for other content\n",
		FW_SEVERITY_HIGH, FW_SEVERITY_MEDIUM);
}

static void print_effective(FILE *out, const struct fw_config *o,
			    size_t cfg_dirs, size_t cfg_patterns)
{
	static const char *const sinks[] = {
		[FW_SINK_AUTO] =
			"auto (journald when its socket exists, else text)",
		[FW_SINK_TEXT] = "text",
		[FW_SINK_JSON] = "json",
		[FW_SINK_JOURNAL] = "journal",
	};
	struct stat st;
	size_t i;

	fprintf(out, "watched directories%s:\n",
		o->builtin ? " (configured, then built-in)" : "");
	for (i = 0; i < o->rules.n_dirs; i++) {
		const char *dir = o->rules.dirs[i];
		bool exists = !stat(dir, &st) && S_ISDIR(st.st_mode);

		fputs("  ", out);
		put_safe(out, dir);
		fprintf(out, "%s\n",
			i < cfg_dirs ?
				(exists ? "" : " (does not exist yet)") :
				(exists ? " (built-in)" :
					  " (built-in, does not exist yet)"));
	}
	if (!o->rules.n_dirs)
		fputs("  (none)\n", out);
	fputs("file name patterns:\n", out);
	for (i = 0; i < o->rules.n_patterns; i++) {
		fputs("  ", out);
		put_safe(out, o->rules.pattern_text[i]);
		fprintf(out, "%s\n", i >= cfg_patterns ? " (built-in)" : "");
	}
	if (!o->rules.n_patterns)
		fputs("  (none)\n", out);
	print_policy(out, &o->policy);
	if (o->taint_expiry_s)
		fprintf(out, "taint expiry: %lu s after the last read\n",
			o->taint_expiry_s);
	else
		fputs("taint expiry: never\n", out);
	fprintf(out, "output: %s\n", sinks[o->sink]);
	fprintf(out, "mode: %s%s\n", policy__enforce_mode_name(o->enforce),
		o->enforce == FW_ENFORCE_BLOCK ?
			" (tainted processes are refused every destination not allowed by address)" :
		o->enforce == FW_ENFORCE_DRY_RUN ?
			" (what enforce would refuse is reported, nothing is refused)" :
			" (flows are reported, nothing is refused)");
	fputs("geoip: ", out);
	put_safe(out, o->geoip_path ? o->geoip_path : "(none)");
	fputc('\n', out);
	fputs("map sizes:", out);
	for (i = 0; i < o->n_map_sizes; i++)
		fprintf(out, "%s %s %u", i ? "," : "", o->map_sizes[i].name,
			o->map_sizes[i].entries);
	fprintf(out, "%s\n",
		o->n_map_sizes ? " (others built-in)" : " built-in");
}

int check_config__main(int argc, char **argv)
{
	struct fw_config cfg;
	const char *path;
	char err[1024];
	size_t cfg_dirs, cfg_patterns;
	int c, ret = 1;

	optind = 0;
	opterr = 0;
	while ((optopt = 0,
		c = getopt_long(argc, argv, ":h", check_options, NULL)) != -1) {
		switch (c) {
		case 'h':
		case OPT_HELP:
			usage(stdout);
			return 0;
		default:
			options__getopt_error(c, argv, err, sizeof(err));
			fw_err("%s", err);
			return 2;
		}
	}
	if (argc - optind > 1) {
		fw_err("check-config takes one FILE (see 'flightwatch check-config --help')");
		return 2;
	}
	path = optind < argc ? argv[optind] : FW_DEFAULT_CONFIG;
	if (config__load(path, true, &cfg, err, sizeof(err))) {
		fw_err("%s", err);
		return 1;
	}
	cfg_dirs = cfg.rules.n_dirs;
	cfg_patterns = cfg.rules.n_patterns;
	if (cfg.builtin && rules__add_defaults(&cfg.rules, "/etc/passwd")) {
		fw_err("cannot set up the built-in rules");
		goto out;
	}
	/* a database named but unusable would stop 'run' at start */
	if (cfg.geoip_path) {
		struct fw_geoip *g = geoip__open(cfg.geoip_path);

		if (!g)
			goto out;
		geoip__close(g);
	}
	put_safe(stdout, path);
	printf(": valid\n");
	print_effective(stdout, &cfg, cfg_dirs, cfg_patterns);
	if (!cfg.rules.n_dirs && !cfg.rules.n_patterns)
		printf("note: nothing to watch: 'flightwatch run' needs --watch or --pattern with this file\n");
	ret = 0;
out:
	config__free(&cfg);
	return ret;
}
