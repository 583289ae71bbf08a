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

/* Text for people: every name from the trace goes through the one
 * escaping rule (lib/escape.h). The escaped copies a line needs, each slot
 * reused by the next line. */
struct safe_text {
	char *slot[3];
};

static const char *safe(struct safe_text *t, size_t slot, const char *in)
{
	free(t->slot[slot]);
	t->slot[slot] = fw_escape_dup(in);
	return t->slot[slot];
}

static void safe_free(struct safe_text *t)
{
	for (size_t i = 0; i < FW_ARRAY_SIZE(t->slot); i++)
		free(t->slot[i]);
}

/* ---- text ------------------------------------------------------------- */

void report_print_text(FILE *out, struct report *r, const struct view *v,
		       const struct fw_trace_meta *m,
		       const struct fw_trace_read_stats *st)
{
	char ts[64], dest[FW_DEST_TEXT];
	struct safe_text t = { 0 };
	size_t i, j;

	fprintf(out,
		"flightwatch report: %" PRIu64
		" trace files from host %s, kernel %s, boot %s\n",
		st->files, safe(&t, 0, m->hostname),
		safe(&t, 1, m->kernel_release), safe(&t, 2, m->boot_id));
	fprintf(out,
		"  %" PRIu64 " events in %" PRIu64 " blocks, %" PRIu64
		" bytes raw, %" PRIu64 " bytes on disk; %" PRIu64
		" damaged places, %" PRIu64 " kernel events lost\n",
		st->events, st->blocks, st->raw_bytes, st->file_bytes,
		st->damaged, r->lost);

	fprintf(out, "\nTimeline\n");
	for (i = 0; i < r->n_tl; i++) {
		timestamp(r, r->tl[i].ts_ns, ts, sizeof(ts));
		fprintf(out, "  %s  %s\n", ts, safe(&t, 0, r->tl[i].text));
	}
	if (!r->n_tl)
		fprintf(out, "  (nothing notable)\n");

	fprintf(out, "\nFlight logs and who read them\n");
	for (i = 0; i < v->n_readers; i++) {
		const struct reader *rd = v->readers[i];

		if (!i || strcmp(rd->path, v->readers[i - 1]->path))
			fprintf(out, "  %s (%s)\n", safe(&t, 0, rd->path),
				content__name(rd->content));
		fprintf(out, "      %s (pid %u) %s: %" PRIu64 " bytes read\n",
			safe(&t, 0, rd->comm), rd->key.pid,
			safe(&t, 1, rd->exe), rd->bytes);
	}
	if (!v->n_readers)
		fprintf(out, "  (none)\n");

	fprintf(out, "\nProcesses and where they sent flight-log data\n");
	for (i = 0; i < v->n_flows; i = j) {
		const struct flow *f = v->by_proc[i];

		fprintf(out, "  %s (pid %u) %s, parent %u, uid %u\n",
			safe(&t, 0, f->comm), f->pid, safe(&t, 1, f->exe),
			f->ppid, f->uid);
		for (j = i; j < v->n_flows && v->by_proc[j]->pid == f->pid;) {
			const struct flow *g = v->by_proc[j];
			uint64_t bytes;

			j = report_dest_run(v, j, &bytes);
			fw_format_dest(&g->dest, g->domain, dest, sizeof(dest));
			fprintf(out, "      -> %s: %" PRIu64 " bytes\n",
				safe(&t, 0, dest), bytes);
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
		for (j = 0; j < f->n_origins; j++)
			fprintf(out,
				"      %s (%s, %" PRIu64 " bytes read%s)\n",
				safe(&t, 0, f->origins[j].path),
				content__name(f->origins[j].content),
				f->origins[j].bytes_read,
				f->origins[j].bytes_read ? "" :
							   " here: inherited");
		fprintf(out, "   -> %s (pid %u, parent %u) %s\n",
			safe(&t, 0, f->comm), f->pid, f->ppid,
			safe(&t, 1, f->cmdline));
		fprintf(out, "   -> %s\n", safe(&t, 0, dest));
	}
	if (!v->n_flows)
		fprintf(out, "  (none)\n");
	safe_free(&t);
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

			j = report_dest_run(v, j, &bytes);
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

void report_print_dot(FILE *out, const struct view *v)
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
