// SPDX-License-Identifier: GPL-2.0
/* The report as text for people, one JSON document or a Graphviz graph */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/content.h"
#include "lib/escape.h"
#include "lib/json.h"
#include "lib/util.h"
#include "trace/report_model.h"

static void timestamp(const struct report *r, uint64_t boot_ns, char *buf,
		      size_t size)
{
	fw_format_time(r->wall_minus_boot_ns + boot_ns, buf, size);
}

/* Text for people: control bytes escaped so a name cannot forge lines */
static void safe(const char *in, char *out, size_t size)
{
	char *e = fw_escape_dup(in ? in : "");

	snprintf(out, size, "%s", e);
	free(e);
}

/* The same, for a short string: a process name, a kernel release */
struct comm_text {
	char s[256];
};

static const char *safe_comm(struct comm_text *t, const char *comm)
{
	safe(comm, t->s, sizeof(t->s));
	return t->s;
}

/* ---- text ------------------------------------------------------------- */

/* The flows of a station are a run of by_proc: where it starts */
static size_t station_start(const struct view *v, const struct station *st)
{
	size_t i = 0;

	while (i < v->n_flows && v->by_proc[i]->station != st)
		i++;
	return i;
}

static void print_stations_text(FILE *out, struct report *r,
				const struct view *v)
{
	struct comm_text c;
	char first[64], last[64], buf[8192], dest[FW_DEST_TEXT];

	fprintf(out, "\nStations\n");
	for (size_t s = 0; s < v->n_stations; s++) {
		const struct station *st = v->stations[s];
		size_t i = station_start(v, st), j, flows = 0;

		for (j = i; j < v->n_flows && v->by_proc[j]->station == st; j++)
			flows++;
		timestamp(r, st->first_ns, first, sizeof(first));
		timestamp(r, st->last_ns, last, sizeof(last));
		safe(st->host, buf, sizeof(buf));
		fprintf(out,
			"  %s: %zu flows, first seen %s, last seen %s, %" PRIu64
			" kernel events lost\n",
			buf, flows, first, last, st->lost);
		for (; i < v->n_flows && v->by_proc[i]->station == st; i = j) {
			const struct flow *f = v->by_proc[i];

			safe(f->exe, buf, sizeof(buf));
			fprintf(out, "      %s (pid %u) %s\n",
				safe_comm(&c, f->comm), f->pid, buf);
			for (j = i; j < v->n_flows &&
				    report_same_proc(v->by_proc[j], f);) {
				const struct flow *g = v->by_proc[j];
				uint64_t bytes;

				j = report_dest_run(v, j, &bytes);
				fw_format_dest(&g->dest, g->domain, dest,
					       sizeof(dest));
				timestamp(r, g->first_ns, first, sizeof(first));
				fprintf(out,
					"          -> %s%s%s%s: %" PRIu64
					" bytes, from %s\n",
					dest, g->country[0] ? " [" : "",
					g->country, g->country[0] ? "]" : "",
					bytes, first);
			}
		}
	}
	if (!v->n_stations)
		fprintf(out, "  (none)\n");
}

void report_print_text(FILE *out, struct report *r, const struct view *v,
		       const struct fw_trace_meta *m,
		       const struct fw_trace_read_stats *st)
{
	struct comm_text c, c2;
	char ts[64], buf[8192], buf2[8192], dest[FW_DEST_TEXT];
	size_t i, j;

	if (r->journal) {
		safe(r->journal, buf, sizeof(buf));
		fprintf(out,
			"flightwatch report: %" PRIu64
			" entries from %s%s, %zu stations\n",
			r->entries,
			*buf ? "the journal in " : "the system journal", buf,
			v->n_stations);
		fprintf(out, "  %" PRIu64 " kernel events lost\n", r->lost);
	} else {
		safe(m->hostname, buf, sizeof(buf));
		fprintf(out,
			"flightwatch report: %" PRIu64
			" trace files from host %s, kernel %s, boot %s\n",
			st->files, buf, safe_comm(&c, m->kernel_release),
			safe_comm(&c2, m->boot_id));
		fprintf(out,
			"  %" PRIu64 " events in %" PRIu64 " blocks, %" PRIu64
			" bytes raw, %" PRIu64 " bytes on disk; %" PRIu64
			" damaged places, %" PRIu64 " kernel events lost\n",
			st->events, st->blocks, st->raw_bytes, st->file_bytes,
			st->damaged, r->lost);
	}

	fprintf(out, "\nTimeline\n");
	for (i = 0; i < r->n_tl; i++) {
		timestamp(r, r->tl[i].ts_ns, ts, sizeof(ts));
		safe(r->tl[i].text, buf, sizeof(buf));
		fprintf(out, "  %s  %s\n", ts, buf);
	}
	if (!r->n_tl)
		fprintf(out, "  (nothing notable)\n");

	print_stations_text(out, r, v);

	fprintf(out, "\nFlight logs and who read them\n");
	for (i = 0; i < v->n_readers; i++) {
		const struct reader *rd = v->readers[i];

		if (!i || rd->station != v->readers[i - 1]->station ||
		    strcmp(rd->path, v->readers[i - 1]->path)) {
			safe(rd->path, buf, sizeof(buf));
			safe(rd->station->host, buf2, sizeof(buf2));
			fprintf(out, "  %s (%s)%s%s\n", buf,
				content__name(rd->content),
				r->journal ? " on " : "",
				r->journal ? buf2 : "");
		}
		safe(rd->exe, buf2, sizeof(buf2));
		fprintf(out, "      %s (pid %u) %s: %" PRIu64 " bytes read\n",
			safe_comm(&c, rd->comm), rd->key.pid, buf2, rd->bytes);
	}
	if (!v->n_readers)
		fprintf(out, "  (none)\n");

	fprintf(out, "\nProcesses and where they sent flight-log data\n");
	for (i = 0; i < v->n_flows; i = j) {
		const struct flow *f = v->by_proc[i];

		safe(f->exe, buf, sizeof(buf));
		safe(f->station->host, buf2, sizeof(buf2));
		fprintf(out, "  %s (pid %u) %s, parent %u, uid %u%s%s\n",
			safe_comm(&c, f->comm), f->pid, buf, f->ppid, f->uid,
			r->journal ? " on " : "", r->journal ? buf2 : "");
		for (j = i;
		     j < v->n_flows && report_same_proc(v->by_proc[j], f);) {
			const struct flow *g = v->by_proc[j];
			uint64_t bytes;

			j = report_dest_run(v, j, &bytes);
			fw_format_dest(&g->dest, g->domain, dest, sizeof(dest));
			safe(dest, buf2, sizeof(buf2));
			fprintf(out, "      -> %s: %" PRIu64 " bytes\n", buf2,
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
		safe(f->station->host, buf2, sizeof(buf2));
		fprintf(out,
			"  flow %" PRIu64 " [%s] from %s: %" PRIu64
			" bytes%s%s\n",
			f->id, f->verified ? "high" : "medium", ts, f->bytes,
			r->journal ? " on " : "", r->journal ? buf2 : "");
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
		fprintf(out, "   -> %s (pid %u, parent %u) %s\n",
			safe_comm(&c, f->comm), f->pid, f->ppid, buf);
		safe(dest, buf, sizeof(buf));
		fprintf(out, "   -> %s\n", buf);
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

static struct json_object *process_json(const struct flow *f)
{
	struct json_object *item = json_object_new_object();

	json_set_u64(item, "pid", f->pid);
	json_set_u64(item, "parent_pid", f->ppid);
	json_set_u64(item, "uid", f->uid);
	put_str(item, "name", f->comm);
	put_str(item, "executable", f->exe);
	put_str(item, "command_line", f->cmdline);
	return item;
}

/* The destinations of the process whose flows start at by_proc[i]; *end:
 * where the next process starts */
static struct json_object *
destinations_json(struct report *r, const struct view *v, size_t i, size_t *end)
{
	struct json_object *list = json_object_new_array(), *sub;
	const struct flow *f = v->by_proc[i];
	char ts[64];
	size_t j;

	for (j = i; j < v->n_flows && report_same_proc(v->by_proc[j], f);) {
		const struct flow *g = v->by_proc[j];
		uint64_t bytes;

		j = report_dest_run(v, j, &bytes);
		sub = json_object_new_object();
		put_dest(sub, g);
		json_set_u64(sub, "bytes", bytes);
		timestamp(r, g->first_ns, ts, sizeof(ts));
		put_str(sub, "first", ts);
		json_object_array_add(list, sub);
	}
	*end = j;
	return list;
}

/* Per station: first and last seen, the processes that sent and where */
static struct json_object *stations_json(struct report *r, const struct view *v)
{
	struct json_object *arr = json_object_new_array();
	char ts[64];

	for (size_t s = 0; s < v->n_stations; s++) {
		const struct station *st = v->stations[s];
		struct json_object *item = json_object_new_object();
		struct json_object *procs = json_object_new_array();
		size_t i = station_start(v, st), j, flows = 0;

		put_str(item, "host", st->host);
		timestamp(r, st->first_ns, ts, sizeof(ts));
		put_str(item, "first_seen", ts);
		timestamp(r, st->last_ns, ts, sizeof(ts));
		put_str(item, "last_seen", ts);
		json_set_u64(item, "lost_events", st->lost);
		for (; i < v->n_flows && v->by_proc[i]->station == st; i = j) {
			struct json_object *p = process_json(v->by_proc[i]);

			json_object_object_add(p, "destinations",
					       destinations_json(r, v, i, &j));
			json_object_array_add(procs, p);
			flows += j - i;
		}
		json_set_u64(item, "flows", flows);
		json_object_object_add(item, "processes", procs);
		json_object_array_add(arr, item);
	}
	return arr;
}

void report_print_json(FILE *out, struct report *r, const struct view *v,
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

	if (r->journal) {
		put_str(trace, "journal", *r->journal ? r->journal : "system");
		json_set_u64(trace, "entries", r->entries);
		json_set_u64(trace, "lost_events", r->lost);
		json_object_object_add(root, "journal", trace);
		goto timeline;
	}
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

timeline:
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
	json_object_object_add(root, "stations", stations_json(r, v));

	arr = json_object_new_array();
	for (i = 0; i < v->n_readers; i++) {
		const struct reader *rd = v->readers[i];

		if (!i || rd->station != v->readers[i - 1]->station ||
		    strcmp(rd->path, v->readers[i - 1]->path)) {
			item = json_object_new_object();
			put_str(item, "host", rd->station->host);
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

		item = process_json(f);
		put_str(item, "host", f->station->host);
		json_object_object_add(item, "destinations",
				       destinations_json(r, v, i, &j));
		json_object_array_add(arr, item);
	}
	json_object_object_add(root, "processes", arr);

	arr = json_object_new_array();
	for (i = 0; i < v->n_flows; i++) {
		const struct flow *f = v->flows[i];
		struct json_object *chain = json_object_new_array();

		item = json_object_new_object();
		json_set_u64(item, "id", f->id);
		put_str(item, "host", f->station->host);
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

/* A flight log node: one per path on each station */
struct dot_file {
	const struct station *station;
	const char *path;
};

static size_t file_index(const struct dot_file *files, size_t n,
			 const struct station *st, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (files[i].station == st && !strcmp(files[i].path, path))
			return i;
	return n;
}

static size_t index_of(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return n;
}

/* Processes are p<station>_<pid>: pids repeat across stations */
static void dot_proc(FILE *out, const struct station *st, uint32_t pid)
{
	fprintf(out, "p%zu_%u", st->index, pid);
}

/* The flight logs and processes of one station, in its cluster */
static void dot_station(FILE *out, const struct view *v,
			const struct station *st, struct dot_file *files,
			size_t *n_files)
{
	char label[128];
	size_t i, j;

	fprintf(out, "\tsubgraph cluster_s%zu {\n\t\tlabel=", st->index);
	dot_str(out, st->host);
	fprintf(out, ";\n");
	for (i = 0; i < v->n_readers + v->n_flows; i++) {
		const struct reader *rd = i < v->n_readers ? v->readers[i] :
							     NULL;
		const struct flow *f = rd ? NULL : v->flows[i - v->n_readers];
		size_t n_paths = rd ? 1 : f->n_origins;

		if ((rd ? rd->station : f->station) != st)
			continue;
		for (j = 0; j < n_paths; j++) {
			const char *path = rd ? rd->path : f->origins[j].path;

			if (file_index(files, *n_files, st, path) != *n_files)
				continue;
			files[*n_files].station = st;
			files[*n_files].path = path;
			fprintf(out,
				"\t\tf%zu [shape=note, label=", (*n_files)++);
			dot_str(out, path);
			fprintf(out, "];\n");
		}
	}
	for (i = 0; i < v->n_readers + v->n_flows; i++) {
		const struct reader *rd = i < v->n_readers ? v->readers[i] :
							     NULL;
		const struct flow *f = rd ? NULL : v->flows[i - v->n_readers];
		uint32_t pid = rd ? rd->key.pid : f->pid;
		bool seen = false;

		if ((rd ? rd->station : f->station) != st)
			continue;
		/* once per pid: an earlier reader or flow of it */
		for (j = 0; j < i && !seen; j++) {
			const struct reader *r2 =
				j < v->n_readers ? v->readers[j] : NULL;
			const struct flow *f2 = r2 ? NULL :
						     v->flows[j - v->n_readers];

			seen = (r2 ? r2->station : f2->station) == st &&
			       (r2 ? r2->key.pid : f2->pid) == pid;
		}
		if (seen)
			continue;
		snprintf(label, sizeof(label), "%s (pid %u)",
			 rd ? rd->comm : f->comm, pid);
		fprintf(out, "\t\t");
		dot_proc(out, st, pid);
		fprintf(out, " [shape=box, label=");
		dot_str(out, label);
		fprintf(out, "];\n");
	}
	fprintf(out, "\t}\n");
}

void report_print_dot(FILE *out, const struct view *v)
{
	size_t n_paths = v->n_readers, n_files = 0, n_dests = 0, i, j;
	struct dot_file *files;
	char **dests = fw_xcalloc(v->n_flows + 1, sizeof(*dests));
	char dest[FW_DEST_TEXT];

	for (i = 0; i < v->n_flows; i++)
		n_paths += v->flows[i]->n_origins;
	files = fw_xcalloc(n_paths + 1, sizeof(*files));
	fprintf(out, "digraph flightwatch {\n"
		     "\trankdir=LR;\n"
		     "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
		     "\tedge [fontname=\"Helvetica\", fontsize=9];\n");
	/* the nodes: each station's flight logs and processes in its box,
	 * every destination once */
	for (i = 0; i < v->n_stations; i++)
		dot_station(out, v, v->stations[i], files, &n_files);
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

		fprintf(out, "\tf%zu -> ",
			file_index(files, n_files, rd->station, rd->path));
		dot_proc(out, rd->station, rd->key.pid);
		fprintf(out, " [label=\"%" PRIu64 " B read\"];\n", rd->bytes);
	}
	for (i = 0; i < v->n_flows; i++) {
		const struct flow *f = v->flows[i];

		for (j = 0; j < f->n_origins; j++) {
			if (f->origins[j].bytes_read)
				continue;
			fprintf(out, "\tf%zu -> ",
				file_index(files, n_files, f->station,
					   f->origins[j].path));
			dot_proc(out, f->station, f->pid);
			fprintf(out, " [style=dashed, label=\"carried\"];\n");
		}
		fw_format_dest(&f->dest, f->domain, dest, sizeof(dest));
		fprintf(out, "\t");
		dot_proc(out, f->station, f->pid);
		fprintf(out,
			" -> d%zu [color=red, label=\"flow %" PRIu64
			": %" PRIu64 " B\"];\n",
			index_of(dests, n_dests, dest), f->id, f->bytes);
	}
	fprintf(out, "}\n");
	for (i = 0; i < n_dests; i++)
		free(dests[i]);
	free(dests);
	free(files);
}
