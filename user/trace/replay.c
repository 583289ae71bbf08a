// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/config.h"
#include "core/geoip.h"
#include "sink/output.h"
#include "sink/sink.h"
#include "cli/options.h"
#include "core/policy.h"
#include "trace/replay.h"
#include "lib/util.h"

struct replay_ctx {
	struct fw_correlator *c;
	struct fw_policy *policy;
	bool use_recorded_allow;
	bool in_meta;
	const struct fw_replay_hooks *hooks;
	struct fw_trace_meta *meta; /* the run being replayed */
	struct fw_trace_meta block; /* the META block being read */
	char **allow; /* its recorded allow rules */
	size_t n_allow;
};

static void copy_field(char *dst, size_t size, const char *value)
{
	snprintf(dst, size, "%s", value);
}

static void on_meta(const char *key, const char *value, void *ctx)
{
	struct replay_ctx *r = ctx;
	struct fw_trace_meta *m = &r->block;

	if (!r->in_meta) {
		r->in_meta = true;
		memset(m, 0, sizeof(*m));
	}
	if (!strcmp(key, "clock_wall_minus_boot_ns"))
		m->wall_minus_boot_ns = strtoull(value, NULL, 10);
	else if (!strcmp(key, "run_id"))
		m->run_id = strtoull(value, NULL, 10);
	else if (!strcmp(key, "hostname"))
		copy_field(m->hostname, sizeof(m->hostname), value);
	else if (!strcmp(key, "kernel_release"))
		copy_field(m->kernel_release, sizeof(m->kernel_release), value);
	else if (!strcmp(key, "boot_id"))
		copy_field(m->boot_id, sizeof(m->boot_id), value);
	else if (!strcmp(key, "version"))
		copy_field(m->version, sizeof(m->version), value);
	else if (!strcmp(key, "allow") && r->use_recorded_allow) {
		r->allow = realloc(r->allow, (r->n_allow + 1) * sizeof(char *));
		if (!r->allow)
			abort();
		r->allow[r->n_allow++] = fw_xstrdup(value);
	}
}

static void add_recorded_allow(struct replay_ctx *r)
{
	char err[256];

	for (size_t i = 0; i < r->n_allow; i++)
		if (policy__add_allow(r->policy, r->allow[i], err, sizeof(err)))
			fw_warn("recorded allow rule '%s' ignored: %s",
				r->allow[i], err);
}

static void drop_recorded_allow(struct replay_ctx *r)
{
	for (size_t i = 0; i < r->n_allow; i++)
		free(r->allow[i]);
	free(r->allow);
	r->allow = NULL;
	r->n_allow = 0;
}

/*
 * The end of a file's META block. The first one starts the run; a later
 * one of the same run (the next file of a rotated set) changes nothing.
 * One of another run (another recording, another host's trace) starts a
 * new run when the caller can take it (hooks->new_run): a fresh
 * correlator, so that one host's pids and carriers never meet another's,
 * and that run's clock, name and allow rules. Without the hook the first
 * META block's values hold for every file.
 */
static void meta_done(struct replay_ctx *r)
{
	bool first = !r->meta->run_id && !r->meta->hostname[0];
	bool other = !first && r->block.run_id != r->meta->run_id;

	if (!r->in_meta)
		return;
	r->in_meta = false;
	if (other && r->hooks && r->hooks->new_run) {
		correlator__flush(r->c);
		*r->meta = r->block;
		r->c = r->hooks->new_run(r->meta, r->hooks->ctx);
		add_recorded_allow(r);
	} else if (first) {
		*r->meta = r->block;
		add_recorded_allow(r);
	} else {
		drop_recorded_allow(r);
		return;
	}
	drop_recorded_allow(r);
	if (r->hooks && r->hooks->meta)
		r->hooks->meta(r->meta, r->hooks->ctx);
}

static void on_event(const void *rec, size_t size, void *ctx)
{
	struct replay_ctx *r = ctx;

	meta_done(r);
	if (r->hooks && r->hooks->event)
		r->hooks->event(rec, size, r->hooks->ctx);
	/* unknown types are the correlator's to reject */
	correlator__feed(r->c, rec, size);
}

static void on_mark(const struct fw_event_header *hdr, void *ctx)
{
	struct replay_ctx *r = ctx;

	(void)hdr;
	meta_done(r);
	/* the live collector flushed here */
	correlator__flush(r->c);
}

int replay__files(char **paths, int n_paths, struct fw_correlator *c,
		  struct fw_policy *policy, bool use_recorded_allow,
		  const struct fw_replay_hooks *hooks,
		  struct fw_trace_meta *meta, struct fw_trace_read_stats *stats)
{
	struct replay_ctx r = {
		.c = c,
		.policy = policy,
		.use_recorded_allow = use_recorded_allow,
		.hooks = hooks,
		.meta = meta,
	};
	struct fw_trace_reader_cb cb = {
		.meta = on_meta,
		.event = on_event,
		.mark = on_mark,
		.ctx = &r,
	};
	int ret = 0, err;

	for (int i = 0; i < n_paths; i++) {
		err = trace_reader__read_file(paths[i], &cb, stats);
		meta_done(&r);
		if (err < 0) {
			fw_err("cannot read %s: %s", paths[i], strerror(-err));
			stats->damaged++;
			ret = 1;
		} else if (err) {
			ret = 1;
		}
	}
	drop_recorded_allow(&r);
	/* a trace cut short lacks the collector's last flush */
	correlator__flush(r.c);
	return ret;
}

void replay__recheck_init(struct fw_recheck *r)
{
	memset(r, 0, sizeof(*r));
	r->use_recorded = true;
}

int replay__recheck_option(struct fw_recheck *r, int opt, const char *arg,
			   char **argv)
{
	char err[512];

	switch (opt) {
	case FW_OPT_RECHECK_ALLOW:
		if (policy__add_allow(&r->policy, arg, err, sizeof(err)))
			break;
		return 0;
	case FW_OPT_RECHECK_NO_RECORDED_ALLOW:
		r->use_recorded = false;
		return 0;
	case FW_OPT_RECHECK_CONFIG:
		r->config_path = arg;
		return 0;
	case FW_OPT_RECHECK_GEOIP:
		r->geoip_path = arg;
		return 0;
	default:
		options__getopt_error(opt, argv, err, sizeof(err));
	}
	fw_err("%s", err);
	return -1;
}

int replay__recheck_load(struct fw_recheck *r, int argc, char **argv)
{
	char err[1024];

	if (optind >= argc) {
		fw_err("%s needs a trace FILE (see 'flightwatch %s --help')",
		       argv[0], argv[0]);
		return -1;
	}
	if (r->config_path &&
	    config__load_policy(r->config_path, &r->policy, err, sizeof(err))) {
		fw_err("%s", err);
		return -1;
	}
	if (r->geoip_path && !(r->geoip = geoip__open(r->geoip_path)))
		return -1;
	return 0;
}

void replay__recheck_free(struct fw_recheck *r)
{
	geoip__close(r->geoip);
	policy__free(&r->policy);
}

enum {
	OPT_JSON = 0x100,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_OUTPUT,
};

static const struct option replay_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	FW_RECHECK_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flightwatch replay [OPTIONS] FILE...\n"
		"Feed recorded traces (in the order given: FILE.2 FILE.1 FILE for a\n"
		"rotated set) through the same correlator and alert policy as live\n"
		"tracing. Timestamps come from the recorded clock mapping. A file of\n"
		"another recording (another host's, say) starts afresh, with its own\n"
		"clock and host. Exits 1 when a file is damaged: every valid block is\n"
		"still replayed.\n"
		"\n"
		"  --output KIND        text (default), json (lines on stdout) or journal\n"
		"                       (auto is text: a replay is not the live host);\n"
		"                       journal entries name the traced host in\n"
		"                       FLIGHTWATCH_HOST\n"
		"  --json               the same as --output json\n"
		"  --allow CIDR[:PORT]  never alert for this destination (repeatable),\n"
		"                       in addition to the recorded allow rules\n"
		"  --no-recorded-allow  ignore the allow rules recorded in the trace\n"
		"  --config FILE        also the allowlists and severity rules of the\n"
		"                       config FILE (no default file is read)\n"
		"  --geoip FILE         MaxMind-format database (.mmdb): destination countries\n"
		"  -v, --verbose        also report flight-log reads, and a summary\n"
		"  -h, --help           this help\n");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct replay_run {
	struct fw_sink sink;
	struct fw_recheck *rc;
	struct fw_correlator *c;
	struct fw_correlator_stats done; /* of the runs already ended */
};

/* The recorded clock mapping, run id and host, before the first alert:
 * the alerts get the traced host's times and name and the live run's
 * event ids */
static void use_meta(const struct fw_trace_meta *meta, void *ctx)
{
	struct fw_output *o = &((struct replay_run *)ctx)->sink.output;

	o->wall_minus_boot_ns = meta->wall_minus_boot_ns;
	o->run_id = meta->run_id;
	o->host = meta->hostname;
}

static struct fw_correlator *run_correlator(struct replay_run *run)
{
	struct fw_correlator *c =
		correlator__new(&run->rc->policy, sink__alert, &run->sink);

	correlator__set_geoip(c, run->rc->geoip);
	return c;
}

static void add_stats(struct fw_correlator_stats *sum,
		      const struct fw_correlator *c)
{
	struct fw_correlator_stats cs;

	correlator__stats(c, &cs);
	sum->events += cs.events;
	sum->alerts += cs.alerts;
	sum->updates += cs.updates;
}

/* Another host's trace (or another recording) follows: its own state */
static struct fw_correlator *next_run(const struct fw_trace_meta *meta,
				      void *ctx)
{
	struct replay_run *run = ctx;

	(void)meta;
	add_stats(&run->done, run->c);
	correlator__free(run->c);
	run->c = run_correlator(run);
	return run->c;
}

int replay__main(int argc, char **argv)
{
	struct fw_recheck rc;
	struct replay_run run = { .rc = &rc };
	enum fw_sink_kind kind = FW_SINK_TEXT;
	int verbose = 0;
	struct fw_trace_read_stats stats = { 0 };
	struct fw_trace_meta meta = { 0 };
	struct fw_replay_hooks hooks = { 0 };
	double t0, secs;
	int opt, ret = 2;

	replay__recheck_init(&rc);
	optind = 1;
	opterr = 0;
	while ((optopt = 0, opt = getopt_long(argc, argv, ":vh", replay_options,
					      NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			kind = FW_SINK_JSON;
			break;
		case OPT_OUTPUT:
			if (options__parse_sink(optarg, &kind)) {
				fw_err("bad --output '%s': auto, journal, json or text",
				       optarg);
				goto out;
			}
			if (kind == FW_SINK_AUTO)
				kind = FW_SINK_TEXT;
			break;
		case 'v':
		case OPT_VERBOSE:
			verbose++;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			ret = 0;
			goto out;
		default:
			if (replay__recheck_option(&rc, opt, optarg, argv))
				goto out;
		}
	}
	if (replay__recheck_load(&rc, argc, argv))
		goto out;
	fw_verbose = verbose;
	sink__open(&run.sink, kind, verbose, 0);
	run.c = run_correlator(&run);
	hooks.meta = use_meta;
	hooks.new_run = next_run;
	hooks.ctx = &run;
	t0 = now_s();
	ret = replay__files(argv + optind, argc - optind, run.c, &rc.policy,
			    rc.use_recorded, &hooks, &meta, &stats);
	secs = now_s() - t0;
	add_stats(&run.done, run.c);
	if (verbose || stats.damaged)
		fprintf(stderr,
			"flightwatch: replayed %" PRIu64 " events from %" PRIu64
			" blocks of %" PRIu64
			" files in %.3f s (%.0f events/s): "
			"%" PRIu64 " alerts, %" PRIu64 " updates, %" PRIu64
			" damaged, %" PRIu64 " bytes skipped\n",
			stats.events, stats.blocks, stats.files, secs,
			secs > 0 ? stats.events / secs : 0.0, run.done.alerts,
			run.done.updates, stats.damaged, stats.skipped_bytes);
	correlator__free(run.c);
	sink__close(&run.sink);
out:
	replay__recheck_free(&rc);
	return ret;
}
