// SPDX-License-Identifier: GPL-2.0
/*
 * `flightwatch report --journal [DIR]`: the report's model from the
 * entries the journald sink wrote (user/sink/journal_entry.c), in the
 * system journal or in a directory of journal files, such as the one
 * systemd-journal-remote fills from many stations. The alerts there are
 * already decided: each egress entry is the flow as it stood then (the
 * last one has its final counts), each read notice a reader, each
 * events-lost entry a station's cumulative loss.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <json-c/json.h>
#include <systemd/sd-journal.h>
#include "core/content.h"
#include "lib/hashmap.h"
#include "lib/util.h"
#include "sink/journal_entry.h"
#include "trace/report_model.h"

/* The fields of one entry this reader uses, as NUL-terminated copies */
struct entry {
	sd_journal *j;
	char *values[64];
	size_t n;
};

static const char *field(struct entry *e, const char *name)
{
	size_t len = strlen(name);
	const void *data;
	size_t size;
	char *v;

	if (e->n == FW_ARRAY_SIZE(e->values) ||
	    sd_journal_get_data(e->j, name, &data, &size) < 0 || size <= len ||
	    ((const char *)data)[len] != '=')
		return NULL;
	v = fw_xcalloc(1, size - len);
	memcpy(v, (const char *)data + len + 1, size - len - 1);
	e->values[e->n++] = v;
	return v;
}

static uint64_t number(struct entry *e, const char *name)
{
	const char *v = field(e, name);

	return v ? strtoull(v, NULL, 10) : 0;
}

static const char *text(struct entry *e, const char *name)
{
	const char *v = field(e, name);

	return v ? v : "";
}

static void entry_free(struct entry *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->values[i]);
	e->n = 0;
}

/* When it happened: FLIGHTWATCH_TIMESTAMP (an entry re-sent from the
 * spool, or a replayed trace, was received later), else the journal's */
static uint64_t when(struct entry *e)
{
	const char *ts = field(e, "FLIGHTWATCH_TIMESTAMP");
	uint64_t usec = 0;
	unsigned frac = 0;
	struct tm tm = { 0 };
	const char *rest;

	if (ts && (rest = strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm)) &&
	    sscanf(rest, ".%6uZ", &frac) == 1)
		return (uint64_t)timegm(&tm) * 1000000000ull + frac * 1000ull;
	sd_journal_get_realtime_usec(e->j, &usec);
	return usec * 1000;
}

static uint64_t name_hash(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull;
}

static enum fw_content content_of(const char *name)
{
	for (int c = FW_CONTENT_UNKNOWN; c <= FW_CONTENT_DJI_DAT; c++)
		if (name && !strcmp(name, content__name(c)))
			return c;
	return FW_CONTENT_UNKNOWN;
}

static void parse_dest(struct entry *e, struct fw_dest *d)
{
	const char *ip = text(e, "FLIGHTWATCH_DESTINATION_IP");
	const char *transport = text(e, "FLIGHTWATCH_NETWORK_TRANSPORT");

	memset(d, 0, sizeof(*d));
	if (inet_pton(AF_INET, ip, d->addr) == 1)
		d->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, d->addr) == 1)
		d->family = AF_INET6;
	d->port = number(e, "FLIGHTWATCH_DESTINATION_PORT");
	for (unsigned p = 0; p < 256; p++)
		if (!strcmp(transport, fw_transport_name(p))) {
			d->proto = p;
			break;
		}
}

/* The reader of a flight log on a station: keyed by the station and the
 * path, the journal has no inode */
static void add_reader(struct report *r, struct station *st, uint32_t pid,
		       const char *comm, const char *exe, const char *path,
		       enum fw_content content, uint64_t bytes, uint64_t ts)
{
	struct fw_file_key key = { .ino = name_hash(name_hash(0, st->host),
						    path) };
	struct reader *rd = report_reader(r, &key, pid, true);

	if (!rd->path) {
		rd->station = st;
		rd->path = fw_xstrdup(path);
		rd->exe = fw_xstrdup(exe);
		snprintf(rd->comm, sizeof(rd->comm), "%s", comm);
		rd->first_ns = ts;
	}
	rd->content = content;
	if (bytes > rd->bytes)
		rd->bytes = bytes;
}

/* FLIGHTWATCH_ORIGINS_JSON: [{path, bytes_read, match, content}...] */
static void parse_origins(struct entry *e, struct flow *f)
{
	struct json_object *list =
		json_tokener_parse(text(e, "FLIGHTWATCH_ORIGINS_JSON"));
	size_t n = list && json_object_is_type(list, json_type_array) ?
			   json_object_array_length(list) :
			   0;

	for (size_t i = 0; i < f->n_origins; i++)
		free(f->origins[i].path);
	free(f->origins);
	f->origins = fw_xcalloc(n ? n : 1, sizeof(*f->origins));
	f->n_origins = n;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(list, i), *v;

		f->origins[i].path =
			fw_xstrdup(json_object_object_get_ex(o, "path", &v) ?
					   json_object_get_string(v) :
					   "?");
		if (json_object_object_get_ex(o, "bytes_read", &v))
			f->origins[i].bytes_read = json_object_get_uint64(v);
		if (json_object_object_get_ex(o, "content", &v))
			f->origins[i].content =
				content_of(json_object_get_string(v));
	}
	json_object_put(list);
}

static void process_of(struct entry *e, struct flow *f)
{
	free(f->exe);
	free(f->cmdline);
	f->pid = number(e, "FLIGHTWATCH_PROCESS_PID");
	f->ppid = number(e, "FLIGHTWATCH_PROCESS_PARENT_PID");
	f->uid = number(e, "FLIGHTWATCH_USER_ID");
	snprintf(f->comm, sizeof(f->comm), "%s",
		 text(e, "FLIGHTWATCH_PROCESS_NAME"));
	f->exe = fw_xstrdup(text(e, "FLIGHTWATCH_PROCESS_EXECUTABLE"));
	f->cmdline = fw_xstrdup(text(e, "FLIGHTWATCH_PROCESS_COMMAND_LINE"));
}

/* The flow as this entry has it */
static void flow_update(struct report *r, struct entry *e, struct station *st,
			struct flow *f, uint64_t bytes, uint64_t ts)
{
	const char *domain = field(e, "FLIGHTWATCH_DESTINATION_DOMAIN");
	const char *country = field(e, "FLIGHTWATCH_DESTINATION_COUNTRY");

	f->bytes = bytes;
	process_of(e, f);
	parse_dest(e, &f->dest);
	if (domain && !f->domain)
		f->domain = fw_xstrdup(domain);
	if (country)
		snprintf(f->country, sizeof(f->country), "%s", country);
	f->severity = number(e, "FLIGHTWATCH_SEVERITY");
	f->verified = number(e, "FLIGHTWATCH_VERIFIED");
	parse_origins(e, f);
	/* the sender's own reads make it a reader of those flight logs */
	for (size_t i = 0; i < f->n_origins; i++)
		if (f->origins[i].bytes_read)
			add_reader(r, st, f->pid, f->comm, f->exe,
				   f->origins[i].path, f->origins[i].content,
				   f->origins[i].bytes_read, ts);
}

static void on_egress(struct report *r, struct entry *e, struct station *st,
		      uint64_t ts)
{
	const char *event_id = text(e, "FLIGHTWATCH_EVENT_ID");
	uint64_t key = name_hash(name_hash(0, st->host), event_id);
	struct flow *f = hashmap__get(r->flows, &key);
	uint64_t bytes = number(e, "FLIGHTWATCH_DESTINATION_BYTES");
	char dest[FW_DEST_TEXT];

	if (!f) {
		f = fw_xcalloc(1, sizeof(*f));
		f->station = st;
		f->id = number(e, "FLIGHTWATCH_FLOW_ID");
		f->first_ns = ts;
		hashmap__put(r->flows, &key, f);
	}
	if (ts < f->first_ns)
		f->first_ns = ts;
	if (ts > f->last_ns)
		f->last_ns = ts;
	/* entries of one flow may come out of order (a spool re-sent,
	 * two journal files merged): the largest count is the latest */
	if (bytes >= f->bytes)
		flow_update(r, e, st, f, bytes, ts);
	if (number(e, "FLIGHTWATCH_UPDATE"))
		return;
	fw_format_dest(&f->dest, f->domain, dest, sizeof(dest));
	report_tl_add(r, ts, TL_ALERT,
		      "%s: ALERT flow %" PRIu64
		      ": %s (pid %u) sent flight-log data to %s",
		      st->host, f->id, f->comm, f->pid, dest);
}

static void on_read(struct report *r, struct entry *e, struct station *st,
		    uint64_t ts)
{
	struct flow p = { 0 };
	struct json_object *list =
		json_tokener_parse(text(e, "FLIGHTWATCH_ORIGINS_JSON"));
	struct json_object *o = list ? json_object_array_get_idx(list, 0) :
				       NULL;
	struct json_object *v;
	const char *path;

	process_of(e, &p);
	if (o && json_object_object_get_ex(o, "path", &v)) {
		path = json_object_get_string(v);
		add_reader(r, st, p.pid, p.comm, p.exe, path,
			   json_object_object_get_ex(o, "content", &v) ?
				   content_of(json_object_get_string(v)) :
				   FW_CONTENT_UNKNOWN,
			   number(e, "FLIGHTWATCH_BYTES_READ"), ts);
		report_tl_add(r, ts, TL_READ,
			      "%s: %s (pid %u) read flight log %s", st->host,
			      p.comm, p.pid, path);
	}
	json_object_put(list);
	free(p.exe);
	free(p.cmdline);
}

static void on_lost(struct report *r, struct entry *e, struct station *st,
		    uint64_t ts)
{
	uint64_t lost = number(e, "FLIGHTWATCH_LOST_EVENTS");

	/* each entry has the station's running total */
	if (lost > st->lost) {
		r->lost += lost - st->lost;
		st->lost = lost;
	}
	report_tl_add(r, ts, TL_LOST,
		      "%s: trace incomplete: %" PRIu64
		      " kernel events lost so far",
		      st->host, lost);
}

static int add_matches(sd_journal *j)
{
	static const char *const ids[] = { FW_MSGID_EGRESS, FW_MSGID_READ,
					   FW_MSGID_LOST };
	char match[64];
	int err = 0;

	/* matches on one field are alternatives */
	for (size_t i = 0; i < FW_ARRAY_SIZE(ids) && !err; i++) {
		snprintf(match, sizeof(match), "MESSAGE_ID=%s", ids[i]);
		err = sd_journal_add_match(j, match, 0);
	}
	return err;
}

int report_journal__read(struct report *r, const char *dir)
{
	struct entry e = { 0 };
	struct stat sb;
	sd_journal *j;
	int err;

	if (dir && stat(dir, &sb)) {
		fw_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (dir && !S_ISDIR(sb.st_mode)) {
		fw_err("%s: not a directory of journal files", dir);
		return -1;
	}
	err = dir ? sd_journal_open_directory(&j, dir, 0) :
		    sd_journal_open(&j, 0);
	if (err < 0) {
		fw_err("cannot open the journal%s%s: %s", dir ? " in " : "",
		       dir ? dir : "", strerror(-err));
		return -1;
	}
	err = add_matches(j);
	if (err < 0) {
		fw_err("journal match: %s", strerror(-err));
		sd_journal_close(j);
		return -1;
	}
	r->journal = dir ? dir : "";
	e.j = j;
	while ((err = sd_journal_next(j)) > 0) {
		const char *id = field(&e, "MESSAGE_ID");
		const char *host = field(&e, "FLIGHTWATCH_HOST");
		struct station *st;
		uint64_t ts = when(&e);

		/* a replayed trace names its host; else journald's */
		if (!host)
			host = field(&e, "_HOSTNAME");
		st = report_station(r, host);
		r->entries++;
		report_station_seen(st, ts);
		if (id && !strcmp(id, FW_MSGID_EGRESS))
			on_egress(r, &e, st, ts);
		else if (id && !strcmp(id, FW_MSGID_READ))
			on_read(r, &e, st, ts);
		else if (id && !strcmp(id, FW_MSGID_LOST))
			on_lost(r, &e, st, ts);
		entry_free(&e);
	}
	sd_journal_close(j);
	if (err < 0) {
		fw_err("reading the journal: %s", strerror(-err));
		return -1;
	}
	return 0;
}
