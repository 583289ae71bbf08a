// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/content.h"
#include "lib/hashmap.h"
#include "lib/json.h"
#include "sink/output.h"
#include "cli/options.h"
#include "core/policy.h"
#include "trace/replay.h"
#include "lib/util.h"

enum report_format { FMT_TEXT, FMT_JSON, FMT_DOT };

/* A flight log and one process that read it */
struct reader_key {
	struct fw_file_key file;
	uint32_t pid;
	uint32_t pad;
};

struct reader {
	struct reader_key key;
	char *path;
	uint32_t content;
	char comm[FW_COMM_LEN];
	char *exe;
	uint64_t bytes;
	uint64_t first_ns;
};

struct origin_copy {
	char *path;
	uint32_t content;
	uint64_t bytes_read;
};

struct flow {
	uint64_t id;
	uint32_t pid, ppid, uid;
	char comm[FW_COMM_LEN];
	char *exe, *cmdline;
	struct fw_dest dest;
	char *domain; /* from the DNS answers in the trace, NULL: unknown */
	char country[4]; /* with --geoip, "" unknown */
	uint64_t bytes;
	uint64_t first_ns, last_ns;
	int severity;
	bool verified;
	struct origin_copy *origins;
	size_t n_origins;
};

enum tl_kind { TL_READ, TL_SEND, TL_ALERT, TL_LOST };

struct tl_entry {
	uint64_t ts_ns;
	enum tl_kind kind;
	char *text;
};

struct report {
	struct fw_correlator *c;
	struct hashmap *readers; /* reader_key -> reader */
	struct hashmap *flows; /* flow id -> flow */
	struct tl_entry *tl;
	size_t n_tl, cap_tl;
	uint64_t wall_minus_boot_ns;
	uint64_t lost;
};

static void tl_add(struct report *r, uint64_t ts, enum tl_kind kind,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void tl_add(struct report *r, uint64_t ts, enum tl_kind kind,
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

static struct reader *reader_get(struct report *r, const struct fw_file_key *f,
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
	rd = reader_get(r, &o->file->key, a->proc->pid, true);
	if (!rd->path) {
		rd->path = fw_xstrdup(o->file->path);
		rd->exe = fw_xstrdup(a->proc->exe);
		memcpy(rd->comm, a->proc->comm, sizeof(rd->comm));
		rd->first_ns = a->ts_ns;
		tl_add(r, a->ts_ns, TL_READ,
		       "%s (pid %u) read flight log %s (%s)", a->proc->comm,
		       a->proc->pid, o->file->path,
		       content__name(o->file->content));
	}
	rd->content = o->file->content;
	if (o->bytes_read > rd->bytes)
		rd->bytes = o->bytes_read;
}

static void flow_free(struct flow *f)
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
		hashmap__put(r->flows, &f->id, f);
	}
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
		tl_add(r, a->ts_ns, TL_ALERT,
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
		tl_add(r, a->ts_ns, TL_LOST,
		       "trace incomplete: %" PRIu64
		       " kernel events lost so far",
		       a->lost);
		break;
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
		struct reader *rd = reader_get(r, &e->file, h->tgid, false);

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
		tl_add(r, h->ts_ns, TL_SEND,
		       "%s (pid %u) first send to %s (%" PRIu64 " bytes)",
		       p ? p->comm : "?", h->tgid, dest, (uint64_t)e->bytes);
	}
}

static void on_meta(const struct fw_trace_meta *m, void *ctx)
{
	struct report *r = ctx;

	r->wall_minus_boot_ns = m->wall_minus_boot_ns;
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
	int d = strcmp(x->path, y->path);

	if (d)
		return d;
	return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}

static int cmp_flow_id(const void *a, const void *b)
{
	const struct flow *x = *(void *const *)a, *y = *(void *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* by process, then destination: per-process totals are runs of this */
static int cmp_flow_proc(const void *a, const void *b)
{
	const struct flow *x = *(void *const *)a, *y = *(void *const *)b;
	int d;

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

static void timestamp(const struct report *r, uint64_t boot_ns, char *buf,
		      size_t size)
{
	fw_format_time(r->wall_minus_boot_ns + boot_ns, buf, size);
}

/* Text for people: control bytes escaped so a name cannot forge lines */
static void safe(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in && o + 5 < size; in++) {
		unsigned char ch = *in;

		if (ch < 0x20 || ch == 0x7f)
			o += snprintf(out + o, size - o, "\\x%02x", ch);
		else
			out[o++] = ch;
	}
	out[o] = '\0';
}

struct view {
	struct reader **readers;
	size_t n_readers;
	struct flow **flows; /* by id */
	struct flow **by_proc;
	size_t n_flows;
};

static void view_build(struct report *r, struct view *v)
{
	v->readers = (struct reader **)values(r->readers, &v->n_readers);
	qsort(v->readers, v->n_readers, sizeof(*v->readers), cmp_reader);
	v->flows = (struct flow **)values(r->flows, &v->n_flows);
	qsort(v->flows, v->n_flows, sizeof(*v->flows), cmp_flow_id);
	v->by_proc = fw_xcalloc(v->n_flows + 1, sizeof(*v->by_proc));
	memcpy(v->by_proc, v->flows, v->n_flows * sizeof(*v->flows));
	qsort(v->by_proc, v->n_flows, sizeof(*v->by_proc), cmp_flow_proc);
	qsort(r->tl, r->n_tl, sizeof(*r->tl), cmp_tl);
}

/* by_proc[j] starts a run of flows of one process to one destination (its
 * origin sets differ): the bytes of the run, and where the next one starts */
static size_t dest_run(const struct view *v, size_t j, uint64_t *bytes)
{
	const struct flow *g = v->by_proc[j];

	*bytes = 0;
	for (; j < v->n_flows && v->by_proc[j]->pid == g->pid &&
	       !memcmp(&v->by_proc[j]->dest, &g->dest, sizeof(g->dest));
	     j++)
		*bytes += v->by_proc[j]->bytes;
	return j;
}

static void view_free(struct view *v)
{
	free(v->readers);
	free(v->flows);
	free(v->by_proc);
}

/* ---- text ------------------------------------------------------------- */

static void print_text(FILE *out, struct report *r, const struct view *v,
		       const struct fw_trace_meta *m,
		       const struct fw_trace_read_stats *st)
{
	char ts[64], buf[8192], buf2[8192], dest[FW_DEST_TEXT];
	size_t i, j;

	safe(m->hostname, buf, sizeof(buf));
	fprintf(out,
		"flightwatch report: %" PRIu64
		" trace files from host %s, kernel %s, boot %s\n",
		st->files, buf, m->kernel_release, m->boot_id);
	fprintf(out,
		"  %" PRIu64 " events in %" PRIu64 " blocks, %" PRIu64
		" bytes raw, %" PRIu64 " bytes on disk; %" PRIu64
		" damaged places, %" PRIu64 " kernel events lost\n",
		st->events, st->blocks, st->raw_bytes, st->file_bytes,
		st->damaged, r->lost);

	fprintf(out, "\nTimeline\n");
	for (i = 0; i < r->n_tl; i++) {
		timestamp(r, r->tl[i].ts_ns, ts, sizeof(ts));
		safe(r->tl[i].text, buf, sizeof(buf));
		fprintf(out, "  %s  %s\n", ts, buf);
	}
	if (!r->n_tl)
		fprintf(out, "  (nothing notable)\n");

	fprintf(out, "\nFlight logs and who read them\n");
	for (i = 0; i < v->n_readers; i++) {
		const struct reader *rd = v->readers[i];

		if (!i || strcmp(rd->path, v->readers[i - 1]->path)) {
			safe(rd->path, buf, sizeof(buf));
			fprintf(out, "  %s (%s)\n", buf,
				content__name(rd->content));
		}
		safe(rd->exe, buf2, sizeof(buf2));
		fprintf(out, "      %s (pid %u) %s: %" PRIu64 " bytes read\n",
			rd->comm, rd->key.pid, buf2, rd->bytes);
	}
	if (!v->n_readers)
		fprintf(out, "  (none)\n");

	fprintf(out, "\nProcesses and where they sent flight-log data\n");
	for (i = 0; i < v->n_flows; i = j) {
		const struct flow *f = v->by_proc[i];

		safe(f->exe, buf, sizeof(buf));
		fprintf(out, "  %s (pid %u) %s, parent %u, uid %u\n", f->comm,
			f->pid, buf, f->ppid, f->uid);
		for (j = i; j < v->n_flows && v->by_proc[j]->pid == f->pid;) {
			const struct flow *g = v->by_proc[j];
			uint64_t bytes;

			j = dest_run(v, j, &bytes);
			fw_format_dest(&g->dest, g->domain, dest, sizeof(dest));
			fprintf(out, "      -> %s: %" PRIu64 " bytes\n", dest,
				bytes);
		}
	}
	if (!v->n_flows)
		fprintf(out, "  (none)\n");

	fprintf(out, "\nFlows\n");
	for (i = 0; i < v->n_flows; i++) {
		const struct flow *f = v->flows[i];

		timestamp(r, f->first_ns, ts, sizeof(ts));
		fw_format_dest(&f->dest, f->domain, dest, sizeof(dest));
		fprintf(out,
			"  flow %" PRIu64 " [%s] from %s: %" PRIu64 " bytes\n",
			f->id, f->verified ? "high" : "medium", ts, f->bytes);
		for (j = 0; j < f->n_origins; j++) {
			safe(f->origins[j].path, buf, sizeof(buf));
			fprintf(out,
				"      %s (%s, %" PRIu64 " bytes read%s)\n",
				buf, content__name(f->origins[j].content),
				f->origins[j].bytes_read,
				f->origins[j].bytes_read ? "" :
							   " here: inherited");
		}
		safe(f->cmdline, buf, sizeof(buf));
		fprintf(out, "   -> %s (pid %u, parent %u) %s\n", f->comm,
			f->pid, f->ppid, buf);
		fprintf(out, "   -> %s\n", dest);
	}
	if (!v->n_flows)
		fprintf(out, "  (none)\n");
}

/* ---- JSON ------------------------------------------------------------- */

static void put_str(struct json_object *o, const char *key, const char *s)
{
	json_set_str(o, key, s);
}

static void put_dest(struct json_object *o, const struct flow *f)
{
	char ip[INET6_ADDRSTRLEN];

	fw_format_ip(&f->dest, ip, sizeof(ip));
	put_str(o, "ip", ip);
	if (f->domain)
		put_str(o, "domain", f->domain);
	if (f->country[0])
		put_str(o, "country_iso_code", f->country);
	json_set_u64(o, "port", f->dest.port);
	put_str(o, "transport", fw_transport_name(f->dest.proto));
}

static void print_json(FILE *out, struct report *r, const struct view *v,
		       const struct fw_trace_meta *m,
		       const struct fw_trace_read_stats *st)
{
	static const char *const tl_names[] = { "read", "send", "alert",
						"lost" };
	struct json_object *root = json_object_new_object();
	struct json_object *trace = json_object_new_object();
	struct json_object *arr, *item, *sub, *list = NULL;
	char ts[64];
	size_t i, j;

	put_str(trace, "hostname", m->hostname);
	put_str(trace, "kernel_release", m->kernel_release);
	put_str(trace, "boot_id", m->boot_id);
	put_str(trace, "version", m->version);
	json_set_u64(trace, "files", st->files);
	json_set_u64(trace, "events", st->events);
	json_set_u64(trace, "blocks", st->blocks);
	json_set_u64(trace, "raw_bytes", st->raw_bytes);
	json_set_u64(trace, "file_bytes", st->file_bytes);
	json_set_u64(trace, "damaged", st->damaged);
	json_set_u64(trace, "lost_events", r->lost);
	json_object_object_add(root, "trace", trace);

	arr = json_object_new_array();
	for (i = 0; i < r->n_tl; i++) {
		item = json_object_new_object();
		timestamp(r, r->tl[i].ts_ns, ts, sizeof(ts));
		put_str(item, "@timestamp", ts);
		put_str(item, "kind", tl_names[r->tl[i].kind]);
		put_str(item, "message", r->tl[i].text);
		json_object_array_add(arr, item);
	}
	json_object_object_add(root, "timeline", arr);

	arr = json_object_new_array();
	for (i = 0; i < v->n_readers; i++) {
		const struct reader *rd = v->readers[i];

		if (!i || strcmp(rd->path, v->readers[i - 1]->path)) {
			item = json_object_new_object();
			put_str(item, "path", rd->path);
			put_str(item, "content", content__name(rd->content));
			list = json_object_new_array();
			json_object_object_add(item, "readers", list);
			json_object_array_add(arr, item);
		}
		sub = json_object_new_object();
		json_set_u64(sub, "pid", rd->key.pid);
		put_str(sub, "name", rd->comm);
		put_str(sub, "executable", rd->exe);
		json_set_u64(sub, "bytes_read", rd->bytes);
		json_object_array_add(list, sub);
	}
	json_object_object_add(root, "files", arr);

	arr = json_object_new_array();
	for (i = 0; i < v->n_flows; i = j) {
		const struct flow *f = v->by_proc[i];

		item = json_object_new_object();
		json_set_u64(item, "pid", f->pid);
		json_set_u64(item, "parent_pid", f->ppid);
		json_set_u64(item, "uid", f->uid);
		put_str(item, "name", f->comm);
		put_str(item, "executable", f->exe);
		put_str(item, "command_line", f->cmdline);
		list = json_object_new_array();
		for (j = i; j < v->n_flows && v->by_proc[j]->pid == f->pid;) {
			const struct flow *g = v->by_proc[j];
			uint64_t bytes;

			j = dest_run(v, j, &bytes);
			sub = json_object_new_object();
			put_dest(sub, g);
			json_set_u64(sub, "bytes", bytes);
			json_object_array_add(list, sub);
		}
		json_object_object_add(item, "destinations", list);
		json_object_array_add(arr, item);
	}
	json_object_object_add(root, "processes", arr);

	arr = json_object_new_array();
	for (i = 0; i < v->n_flows; i++) {
		const struct flow *f = v->flows[i];
		struct json_object *chain = json_object_new_array();

		item = json_object_new_object();
		json_set_u64(item, "id", f->id);
		timestamp(r, f->first_ns, ts, sizeof(ts));
		put_str(item, "first", ts);
		timestamp(r, f->last_ns, ts, sizeof(ts));
		put_str(item, "last", ts);
		json_set_u64(item, "severity", f->severity);
		put_str(item, "confidence", f->verified ? "high" : "medium");
		json_set_u64(item, "bytes", f->bytes);
		sub = json_object_new_object();
		json_set_u64(sub, "pid", f->pid);
		json_set_u64(sub, "parent_pid", f->ppid);
		put_str(sub, "name", f->comm);
		put_str(sub, "executable", f->exe);
		put_str(sub, "command_line", f->cmdline);
		json_object_object_add(item, "process", sub);
		sub = json_object_new_object();
		put_dest(sub, f);
		json_object_object_add(item, "destination", sub);
		list = json_object_new_array();
		for (j = 0; j < f->n_origins; j++) {
			struct json_object *o = json_object_new_object();
			struct json_object *hop = json_object_new_object();

			put_str(o, "path", f->origins[j].path);
			put_str(o, "content",
				content__name(f->origins[j].content));
			json_set_u64(o, "bytes_read", f->origins[j].bytes_read);
			json_object_array_add(list, o);
			put_str(hop, "file", f->origins[j].path);
			json_object_array_add(chain, hop);
		}
		json_object_object_add(item, "origins", list);
		sub = json_object_new_object();
		json_set_u64(sub, "process", f->pid);
		json_object_array_add(chain, sub);
		sub = json_object_new_object();
		put_dest(sub, f);
		json_object_array_add(chain, sub);
		json_object_object_add(item, "chain", chain);
		json_object_array_add(arr, item);
	}
	json_object_object_add(root, "flows", arr);

	fprintf(out, "%s\n",
		json_object_to_json_string_ext(
			root, JSON_C_TO_STRING_PRETTY |
				      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

/* ---- Graphviz --------------------------------------------------------- */

/* A DOT string body: quotes and backslashes escaped, control bytes and
 * bytes outside ASCII written as \xNN text so any name gives valid input */
static void dot_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(out, "\\\\x%02x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static size_t index_of(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return n;
}

static void print_dot(FILE *out, const struct view *v)
{
	char **files = fw_xcalloc(v->n_readers + 1, sizeof(*files));
	char **dests = fw_xcalloc(v->n_flows + 1, sizeof(*dests));
	uint32_t *pids =
		fw_xcalloc(v->n_readers + v->n_flows + 1, sizeof(*pids));
	size_t n_files = 0, n_dests = 0, n_pids = 0, i, j, k;
	char dest[FW_DEST_TEXT], label[128];

	fprintf(out, "digraph flightwatch {\n"
		     "\trankdir=LR;\n"
		     "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
		     "\tedge [fontname=\"Helvetica\", fontsize=9];\n");
	/* the nodes: every flight log, process and destination once */
	for (i = 0; i < v->n_readers; i++) {
		const struct reader *rd = v->readers[i];

		if (index_of(files, n_files, rd->path) == n_files) {
			files[n_files] = rd->path;
			fprintf(out, "\tf%zu [shape=note, label=", n_files++);
			dot_str(out, rd->path);
			fprintf(out, "];\n");
		}
	}
	for (i = 0; i < v->n_flows; i++)
		for (j = 0; j < v->flows[i]->n_origins; j++) {
			const char *p = v->flows[i]->origins[j].path;

			if (index_of(files, n_files, p) != n_files)
				continue;
			files = realloc(files, (n_files + 2) * sizeof(*files));
			if (!files)
				abort();
			files[n_files] = (char *)p;
			fprintf(out, "\tf%zu [shape=note, label=", n_files++);
			dot_str(out, p);
			fprintf(out, "];\n");
		}
	for (k = 0; k < v->n_readers + v->n_flows; k++) {
		uint32_t pid = k < v->n_readers ?
				       v->readers[k]->key.pid :
				       v->flows[k - v->n_readers]->pid;
		const char *comm = k < v->n_readers ?
					   v->readers[k]->comm :
					   v->flows[k - v->n_readers]->comm;

		for (j = 0; j < n_pids && pids[j] != pid; j++)
			;
		if (j < n_pids)
			continue;
		pids[n_pids++] = pid;
		snprintf(label, sizeof(label), "%s (pid %u)", comm, pid);
		fprintf(out, "\tp%u [shape=box, label=", pid);
		dot_str(out, label);
		fprintf(out, "];\n");
	}
	for (i = 0; i < v->n_flows; i++) {
		fw_format_dest(&v->flows[i]->dest, v->flows[i]->domain, dest,
			       sizeof(dest));
		if (index_of(dests, n_dests, dest) != n_dests)
			continue;
		dests[n_dests] = fw_xstrdup(dest);
		fprintf(out, "\td%zu [shape=ellipse, label=", n_dests++);
		dot_str(out, dest);
		fprintf(out, "];\n");
	}
	/* the edges: reads, carried origins, sends */
	for (i = 0; i < v->n_readers; i++) {
		const struct reader *rd = v->readers[i];

		fprintf(out, "\tf%zu -> p%u [label=\"%" PRIu64 " B read\"];\n",
			index_of(files, n_files, rd->path), rd->key.pid,
			rd->bytes);
	}
	for (i = 0; i < v->n_flows; i++) {
		const struct flow *f = v->flows[i];

		for (j = 0; j < f->n_origins; j++)
			if (!f->origins[j].bytes_read)
				fprintf(out,
					"\tf%zu -> p%u [style=dashed, label=\"carried\"];\n",
					index_of(files, n_files,
						 f->origins[j].path),
					f->pid);
		fw_format_dest(&f->dest, f->domain, dest, sizeof(dest));
		fprintf(out,
			"\tp%u -> d%zu [color=red, label=\"flow %" PRIu64
			": %" PRIu64 " B\"];\n",
			f->pid, index_of(dests, n_dests, dest), f->id,
			f->bytes);
	}
	fprintf(out, "}\n");
	for (i = 0; i < n_dests; i++)
		free(dests[i]);
	free(dests);
	free(files);
	free(pids);
}

/* ---- the command ------------------------------------------------------ */

enum {
	OPT_FORMAT = 0x100,
	OPT_HELP,
};

static const struct option report_options[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, OPT_HELP },
	FW_RECHECK_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flightwatch report [OPTIONS] FILE...\n"
		"Summarise recorded traces: a timeline of notable events, per flight\n"
		"log who read it and how much, per process where it sent and how\n"
		"much, and every flow with its chain. Exits 1 when a file is damaged\n"
		"(the report still covers every valid block).\n"
		"\n"
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
		flow_free(v);
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
	r.readers = hashmap__new(sizeof(struct reader_key));
	r.flows = hashmap__new(sizeof(uint64_t));
	r.c = correlator__new(&rc.policy, on_alert, &r);
	correlator__set_geoip(r.c, rc.geoip);
	hooks.event = on_event;
	hooks.meta = on_meta;
	hooks.ctx = &r;
	ret = replay__files(argv + optind, argc - optind, r.c, &rc.policy,
			    rc.use_recorded, &hooks, &meta, &st);
	view_build(&r, &v);
	switch (fmt) {
	case FMT_TEXT:
		print_text(stdout, &r, &v, &meta, &st);
		break;
	case FMT_JSON:
		print_json(stdout, &r, &v, &meta, &st);
		break;
	case FMT_DOT:
		print_dot(stdout, &v);
		break;
	}
	fflush(stdout);
	view_free(&v);
	correlator__free(r.c);
	report_free(&r);
out:
	replay__recheck_free(&rc);
	return ret;
}
