// SPDX-License-Identifier: GPL-2.0
/* `flightwatch report`: the command, and the model it gathers from the
 * replayed alerts and events (report_render.c prints it) */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/content.h"
#include "core/policy.h"
#include "lib/hashmap.h"
#include "lib/util.h"
#include "sink/output.h"
#include "trace/replay.h"
#include "trace/report.h"
#include "trace/report_model.h"

enum report_format { FMT_TEXT, FMT_JSON, FMT_DOT };

void report_tl_add(struct report *r, uint64_t ts, enum tl_kind kind,
		   const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (r->n_tl == r->cap_tl) {
		size_t cap = r->cap_tl ? r->cap_tl * 2 : 64;
		struct tl_entry *p = realloc(r->tl, cap * sizeof(*p));

		if (!p)
			return;
		r->tl = p;
		r->cap_tl = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (!text)
		return;
	r->tl[r->n_tl].ts_ns = ts;
	r->tl[r->n_tl].kind = kind;
	r->tl[r->n_tl].text = text;
	r->n_tl++;
}

/* FNV-1a: stations are keyed by their name's hash */
static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

struct station *report_station(struct report *r, const char *host)
{
	uint64_t key;
	struct station *st;

	if (!host || !*host)
		host = "(unknown)";
	key = name_hash(host);
	st = hashmap__get(r->stations, &key);
	if (!st) {
		st = fw_xcalloc(1, sizeof(*st));
		st->host = fw_xstrdup(host);
		hashmap__put(r->stations, &key, st);
	}
	return st;
}

void report_station_seen(struct station *st, uint64_t ts)
{
	if (!st->first_ns || ts < st->first_ns)
		st->first_ns = ts;
	if (ts > st->last_ns)
		st->last_ns = ts;
}

/* The traced host of a trace (whose META block may be missing) */
static struct station *traced(struct report *r)
{
	if (!r->traced)
		r->traced = report_station(r, NULL);
	return r->traced;
}

struct reader *report_reader(struct report *r, const struct fw_file_key *f,
			     uint32_t pid, bool add)
{
	struct reader_key key = { .file = *f, .pid = pid };
	struct reader *rd = hashmap__get(r->readers, &key);

	if (!rd && add) {
		rd = fw_xcalloc(1, sizeof(*rd));
		rd->key = key;
		hashmap__put(r->readers, &key, rd);
	}
	return rd;
}

static void on_read_notice(struct report *r, const struct fw_alert *a)
{
	const struct fw_origin *o = a->origins;
	struct reader *rd;

	if (!a->n_origins)
		return;
	rd = report_reader(r, &o->file->key, a->proc->pid, true);
	rd->station = traced(r);
	report_station_seen(rd->station, a->ts_ns);
	if (!rd->path) {
		rd->path = fw_xstrdup(o->file->path);
		rd->exe = fw_xstrdup(a->proc->exe);
		memcpy(rd->comm, a->proc->comm, sizeof(rd->comm));
		rd->first_ns = a->ts_ns;
		report_tl_add(r, a->ts_ns, TL_READ,
			      "%s (pid %u) read flight log %s (%s)",
			      a->proc->comm, a->proc->pid, o->file->path,
			      content__name(o->file->content));
	}
	rd->content = o->file->content;
	if (o->bytes_read > rd->bytes)
		rd->bytes = o->bytes_read;
}

void report_flow_free(struct flow *f)
{
	for (size_t i = 0; i < f->n_origins; i++)
		free(f->origins[i].path);
	free(f->origins);
	free(f->exe);
	free(f->cmdline);
	free(f->domain);
	free(f);
}

static void on_egress(struct report *r, const struct fw_alert *a)
{
	struct flow *f = hashmap__get(r->flows, &a->flow_id);
	char dest[FW_DEST_TEXT];

	if (!f) {
		f = fw_xcalloc(1, sizeof(*f));
		f->id = a->flow_id;
		f->first_ns = a->ts_ns;
		f->station = traced(r);
		hashmap__put(r->flows, &f->id, f);
	}
	report_station_seen(f->station, a->ts_ns);
	for (size_t i = 0; i < f->n_origins; i++)
		free(f->origins[i].path);
	free(f->origins);
	free(f->exe);
	free(f->cmdline);
	f->pid = a->proc->pid;
	f->ppid = a->proc->ppid;
	f->uid = a->proc->uid;
	memcpy(f->comm, a->proc->comm, sizeof(f->comm));
	f->exe = fw_xstrdup(a->proc->exe);
	f->cmdline = fw_xstrdup(a->proc->cmdline);
	f->dest = a->dest;
	if (a->domain && !f->domain)
		f->domain = fw_xstrdup(a->domain);
	if (a->country)
		snprintf(f->country, sizeof(f->country), "%s", a->country);
	f->bytes = a->bytes;
	f->last_ns = a->ts_ns;
	f->severity = a->severity;
	f->verified = a->verified;
	f->n_origins = a->n_origins;
	f->origins = fw_xcalloc(a->n_origins ? a->n_origins : 1,
				sizeof(*f->origins));
	for (size_t i = 0; i < a->n_origins; i++) {
		f->origins[i].path = fw_xstrdup(a->origins[i].file->path);
		f->origins[i].content = a->origins[i].file->content;
		f->origins[i].bytes_read = a->origins[i].bytes_read;
	}
	if (!a->update) {
		fw_format_dest(&a->dest, a->domain, dest, sizeof(dest));
		report_tl_add(r, a->ts_ns, TL_ALERT,
			      "ALERT flow %" PRIu64
			      ": %s (pid %u) sent flight-log data to %s",
			      a->flow_id, a->proc->comm, a->proc->pid, dest);
	}
}

static void on_alert(const struct fw_alert *a, void *ctx)
{
	struct report *r = ctx;

	switch (a->kind) {
	case FW_NOTICE_READ:
		on_read_notice(r, a);
		break;
	case FW_ALERT_EGRESS:
		on_egress(r, a);
		break;
	case FW_ALERT_LOST:
		r->lost = a->lost;
		traced(r)->lost = a->lost;
		report_tl_add(r, a->ts_ns, TL_LOST,
			      "trace incomplete: %" PRIu64
			      " kernel events lost so far",
			      a->lost);
		break;
	case FW_ALERT_PACKET_SOCKET: {
		char what[64];

		output__socket_what(a->dest.family, what, sizeof(what));
		report_tl_add(
			r, a->ts_ns, TL_ALERT,
			"ALERT %s (pid %u) opened %s carrying flight-log data",
			a->proc->comm, a->proc->pid, what);
		break;
	}
	default:
		break;
	case FW_ALERT_DENIED: {
		char msg[1024];

		/* the timeline names each refused flow once, at its start */
		if (a->update)
			break;
		output__message(a, msg, sizeof(msg));
		report_tl_add(r, a->ts_ns, TL_ALERT, "%s", msg);
		break;
	}
	}
}

/* Raw events the alerts do not carry: later read counts, first sends */
static void on_event(const void *rec, size_t size, void *ctx)
{
	const struct fw_event_header *h = rec;
	struct report *r = ctx;

	if (h->type == FW_EV_READ_BYTES &&
	    size >= sizeof(struct fw_read_bytes_event)) {
		const struct fw_read_bytes_event *e = rec;
		struct reader *rd = report_reader(r, &e->file, h->tgid, false);

		if (rd && e->count.bytes > rd->bytes)
			rd->bytes = e->count.bytes;
	} else if (h->type == FW_EV_SEND &&
		   size >= sizeof(struct fw_net_event)) {
		const struct fw_net_event *e = rec;
		struct fw_proc *p =
			proctab__get(correlator__procs(r->c), h->tgid);
		char dest[FW_DEST_TEXT];

		fw_format_dest(&e->dest,
			       correlator__dest_name(r->c, &e->dest, h->ts_ns),
			       dest, sizeof(dest));
		report_tl_add(r, h->ts_ns, TL_SEND,
			      "%s (pid %u) first send to %s (%" PRIu64
			      " bytes)",
			      p ? p->comm : "?", h->tgid, dest,
			      (uint64_t)e->bytes);
	}
}

static void on_meta(const struct fw_trace_meta *m, void *ctx)
{
	struct report *r = ctx;

	r->wall_minus_boot_ns = m->wall_minus_boot_ns;
	r->traced = report_station(r, m->hostname);
}

/* ---- gathering for output -------------------------------------------- */

static void **values(struct hashmap *map, size_t *n)
{
	struct hashmap_cursor cur = { 0 };
	void **out = fw_xcalloc(hashmap__count(map) + 1, sizeof(*out));
	void *v;

	*n = 0;
	while (hashmap__next(map, &cur, NULL, &v))
		out[(*n)++] = v;
	return out;
}

static int cmp_reader(const void *a, const void *b)
{
	const struct reader *x = *(void *const *)a, *y = *(void *const *)b;
	int d;

	if (x->station != y->station)
		return x->station->index < y->station->index ? -1 : 1;
	d = strcmp(x->path, y->path);
	if (d)
		return d;
	return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}

static int cmp_station(const void *a, const void *b)
{
	const struct station *x = *(void *const *)a, *y = *(void *const *)b;

	return strcmp(x->host, y->host);
}

/* by station, then id (a journal holds the flow ids of many runs) */
static int cmp_flow_id(const void *a, const void *b)
{
	const struct flow *x = *(void *const *)a, *y = *(void *const *)b;

	if (x->station != y->station)
		return x->station->index < y->station->index ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}

bool report_same_proc(const struct flow *a, const struct flow *b)
{
	return a->pid == b->pid && a->station == b->station;
}

/* by station and process, then destination: per-process totals are runs
 * of this */
static int cmp_flow_proc(const void *a, const void *b)
{
	const struct flow *x = *(void *const *)a, *y = *(void *const *)b;
	int d;

	if (x->station != y->station)
		return x->station->index < y->station->index ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	d = memcmp(&x->dest, &y->dest, sizeof(x->dest));
	if (d)
		return d;
	return cmp_flow_id(a, b);
}

static int cmp_tl(const void *a, const void *b)
{
	const struct tl_entry *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void view_build(struct report *r, struct view *v)
{
	v->stations = (struct station **)values(r->stations, &v->n_stations);
	qsort(v->stations, v->n_stations, sizeof(*v->stations), cmp_station);
	for (size_t i = 0; i < v->n_stations; i++)
		v->stations[i]->index = i;
	v->readers = (struct reader **)values(r->readers, &v->n_readers);
	qsort(v->readers, v->n_readers, sizeof(*v->readers), cmp_reader);
	v->flows = (struct flow **)values(r->flows, &v->n_flows);
	qsort(v->flows, v->n_flows, sizeof(*v->flows), cmp_flow_id);
	v->by_proc = fw_xcalloc(v->n_flows + 1, sizeof(*v->by_proc));
	memcpy(v->by_proc, v->flows, v->n_flows * sizeof(*v->flows));
	qsort(v->by_proc, v->n_flows, sizeof(*v->by_proc), cmp_flow_proc);
	qsort(r->tl, r->n_tl, sizeof(*r->tl), cmp_tl);
}

size_t report_dest_run(const struct view *v, size_t j, uint64_t *bytes)
{
	const struct flow *g = v->by_proc[j];

	*bytes = 0;
	for (; j < v->n_flows && report_same_proc(v->by_proc[j], g) &&
	       !memcmp(&v->by_proc[j]->dest, &g->dest, sizeof(g->dest));
	     j++)
		*bytes += v->by_proc[j]->bytes;
	return j;
}

static void view_free(struct view *v)
{
	free(v->stations);
	free(v->readers);
	free(v->flows);
	free(v->by_proc);
}

/* ---- the command ------------------------------------------------------ */

enum {
	OPT_FORMAT = 0x100,
	OPT_HELP,
	OPT_JOURNAL,
};

static const struct option report_options[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "journal", optional_argument, NULL, OPT_JOURNAL },
	{ "help", no_argument, NULL, OPT_HELP },
	FW_RECHECK_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flightwatch report [OPTIONS] FILE...\n"
		"       flightwatch report --journal [DIR] [--format FORMAT]\n"
		"Summarise recorded traces: a timeline of notable events, per station\n"
		"what it sent where and when, per flight log who read it and how much,\n"
		"per process where it sent and how much, and every flow with its\n"
		"chain. Exits 1 when a file is damaged (the report still covers every\n"
		"valid block).\n"
		"\n"
		"  --journal [DIR]      report the alerts stored in the journal files\n"
		"                       under DIR (e.g. what systemd-journal-remote\n"
		"                       receives from many stations), or in the system\n"
		"                       journal\n"
		"  --format FORMAT      text (default), json (one document) or dot (a\n"
		"                       Graphviz graph: 'dot -Tsvg' renders it)\n"
		"  --allow CIDR[:PORT]  never alert for this destination (repeatable)\n"
		"  --no-recorded-allow  ignore the allow rules recorded in the trace\n"
		"  --config FILE        also the allowlists and severity rules of the\n"
		"                       config FILE (no default file is read)\n"
		"  --geoip FILE         MaxMind-format database (.mmdb): destination countries\n"
		"  -h, --help           this help\n");
}

static void report_free(struct report *r)
{
	struct hashmap_cursor cur = { 0 };
	void *v;

	while (hashmap__next(r->readers, &cur, NULL, &v)) {
		struct reader *rd = v;

		free(rd->path);
		free(rd->exe);
		free(rd);
	}
	memset(&cur, 0, sizeof(cur));
	while (hashmap__next(r->flows, &cur, NULL, &v))
		report_flow_free(v);
	memset(&cur, 0, sizeof(cur));
	while (hashmap__next(r->stations, &cur, NULL, &v)) {
		struct station *st = v;

		free(st->host);
		free(st);
	}
	hashmap__free(r->stations);
	hashmap__free(r->readers);
	hashmap__free(r->flows);
	for (size_t i = 0; i < r->n_tl; i++)
		free(r->tl[i].text);
	free(r->tl);
}

int report__main(int argc, char **argv)
{
	enum report_format fmt = FMT_TEXT;
	struct fw_recheck rc;
	struct fw_trace_read_stats st = { 0 };
	struct fw_trace_meta meta = { 0 };
	struct fw_replay_hooks hooks = { 0 };
	struct report r = { 0 };
	struct view v = { 0 };
	bool journal = false, rechecks = false;
	const char *journal_dir = NULL;
	int opt, ret = 2;

	replay__recheck_init(&rc);
	optind = 1;
	opterr = 0;
	while ((optopt = 0, opt = getopt_long(argc, argv, ":h", report_options,
					      NULL)) != -1) {
		switch (opt) {
		case OPT_FORMAT:
			if (!strcmp(optarg, "text")) {
				fmt = FMT_TEXT;
			} else if (!strcmp(optarg, "json")) {
				fmt = FMT_JSON;
			} else if (!strcmp(optarg, "dot")) {
				fmt = FMT_DOT;
			} else {
				fw_err("bad --format '%s': text, json or dot",
				       optarg);
				goto out;
			}
			break;
		case OPT_JOURNAL:
			journal = true;
			journal_dir = optarg;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			ret = 0;
			goto out;
		default:
			if (replay__recheck_option(&rc, opt, optarg, argv))
				goto out;
			rechecks = true;
		}
	}
	r.stations = hashmap__new(sizeof(uint64_t));
	r.readers = hashmap__new(sizeof(struct reader_key));
	r.flows = hashmap__new(sizeof(uint64_t));
	if (journal) {
		/* `--journal DIR` as well as `--journal=DIR` */
		if (!journal_dir && optind < argc)
			journal_dir = argv[optind++];
		if (optind < argc) {
			fw_err("report --journal takes one directory, not '%s'",
			       argv[optind]);
			goto free;
		}
		if (rechecks) {
			fw_err("--allow, --no-recorded-allow, --config and --geoip re-check traces; a journal holds alerts already decided");
			goto free;
		}
		if (report_journal__read(&r, journal_dir))
			goto free;
		ret = 0;
	} else {
		if (replay__recheck_load(&rc, argc, argv))
			goto free;
		r.c = correlator__new(&rc.policy, on_alert, &r);
		correlator__set_geoip(r.c, rc.geoip);
		hooks.event = on_event;
		hooks.meta = on_meta;
		hooks.ctx = &r;
		ret = replay__files(argv + optind, argc - optind, r.c,
				    &rc.policy, rc.use_recorded, &hooks, &meta,
				    &st);
	}
	view_build(&r, &v);
	switch (fmt) {
	case FMT_TEXT:
		report_print_text(stdout, &r, &v, &meta, &st);
		break;
	case FMT_JSON:
		report_print_json(stdout, &r, &v, &meta, &st);
		break;
	case FMT_DOT:
		report_print_dot(stdout, &v);
		break;
	}
	fflush(stdout);
	view_free(&v);
free:
	if (r.c)
		correlator__free(r.c);
	report_free(&r);
out:
	replay__recheck_free(&rc);
	return ret;
}
