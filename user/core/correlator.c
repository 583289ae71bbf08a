// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/content.h"
#include "core/correlator.h"
#include "core/geoip.h"
#include "lib/hashmap.h"
#include "lib/util.h"

/* What one process sent to one destination, as the kernel counts it */
struct channel {
	struct fw_flow_key key;
	uint64_t created_ns;
	uint64_t sent; /* cumulative kernel count */
	struct flow *flow; /* the flow now receiving the bytes */
	struct flow **history; /* earlier flows (origin set changed) */
	size_t n_history;
};

struct flow {
	uint64_t id;
	uint64_t base; /* channel count when this flow began */
	uint64_t bytes;
	uint64_t reported_bytes;
	uint64_t reported_read;
	uint64_t last_ns;
	uint32_t origins_version;
	size_t n_origins; /* a prefix of the process's origins */
	char *domain; /* the destination's name, once a DNS answer gave it */
	char country[4]; /* GeoIP ISO code, "" when unknown */
	bool reported;
};

/* A pipe, FIFO, unix socket or derived file a tainted process wrote into:
 * whoever reads it receives these origins by this chain */
struct carrier {
	uint32_t type; /* enum fw_carrier_type */
	uint32_t writer; /* pid of the first tainted writer */
	char *name;
	char *path;
	const struct fw_file **origins;
	size_t n_origins;
	struct fw_hop *chain; /* up to and including the writer */
	size_t n_chain;
	uint64_t last_ns; /* last written or read: the oldest go first */
};

struct fw_correlator {
	const struct fw_policy *policy;
	fw_alert_fn fn;
	void *ctx;
	struct fw_proctab *procs;
	struct hashmap *files; /* fw_file_key -> struct fw_file */
	struct hashmap *channels; /* fw_flow_key -> struct channel */
	struct hashmap *carriers; /* fw_file_key -> struct carrier */
	struct hashmap *blocked; /* fw_block_key -> struct blocked_flow */
	struct fw_dnscache *dns; /* destination names from FW_EV_DNS */
	struct fw_geoip *geoip; /* NULL: no country */
	uint64_t next_flow_id;
	uint64_t lost_reported;
	uint64_t lost_seen_ns; /* when the last loss was reported */
	struct fw_correlator_limits limits;
	size_t files_gc_at; /* file count that triggers forget_unused_files */
	struct fw_correlator_stats stats;
};

struct fw_correlator *correlator__new(const struct fw_policy *policy,
				      fw_alert_fn fn, void *ctx)
{
	struct fw_correlator *c = fw_xcalloc(1, sizeof(*c));

	c->policy = policy;
	c->fn = fn;
	c->ctx = ctx;
	c->procs = proctab__new();
	c->files = hashmap__new(sizeof(struct fw_file_key));
	c->channels = hashmap__new(sizeof(struct fw_flow_key));
	c->carriers = hashmap__new(sizeof(struct fw_file_key));
	c->blocked = hashmap__new(sizeof(struct fw_block_key));
	c->dns = dnscache__new(FW_DNSCACHE_DEFAULT_MAX);
	c->next_flow_id = 1;
	c->limits.carriers = FW_CARRIERS_MAX;
	c->limits.channels = FW_CHANNELS_MAX;
	c->limits.files = FW_FILES_MAX;
	c->files_gc_at = FW_FILES_MAX;
	return c;
}

void correlator__set_limits(struct fw_correlator *c,
			    const struct fw_correlator_limits *limits)
{
	c->limits = *limits;
	c->files_gc_at = limits->files;
}

const char *correlator__dest_name(struct fw_correlator *c,
				  const struct fw_dest *dest, uint64_t ts_ns)
{
	return dnscache__lookup(c->dns, dest, ts_ns);
}

void correlator__set_geoip(struct fw_correlator *c, struct fw_geoip *geoip)
{
	c->geoip = geoip;
}

static void flow_free(struct flow *f)
{
	if (f)
		free(f->domain);
	free(f);
}

static void channel_free(struct channel *ch)
{
	for (size_t i = 0; i < ch->n_history; i++)
		flow_free(ch->history[i]);
	free(ch->history);
	flow_free(ch->flow);
	free(ch);
}

static void file_free(struct fw_file *f)
{
	free(f->path);
	free(f);
}

static void carrier_free(struct carrier *k)
{
	free(k->name);
	free(k->path);
	free(k->origins);
	chain__free(k->chain, k->n_chain);
	free(k);
}

void correlator__free(struct fw_correlator *c)
{
	struct hashmap_cursor cur = { 0 };
	void *value;

	if (!c)
		return;
	while (hashmap__next(c->channels, &cur, NULL, &value))
		channel_free(value);
	memset(&cur, 0, sizeof(cur));
	while (hashmap__next(c->files, &cur, NULL, &value))
		file_free(value);
	memset(&cur, 0, sizeof(cur));
	while (hashmap__next(c->carriers, &cur, NULL, &value))
		carrier_free(value);
	memset(&cur, 0, sizeof(cur));
	while (hashmap__next(c->blocked, &cur, NULL, &value))
		free(value);
	hashmap__free(c->blocked);
	hashmap__free(c->carriers);
	dnscache__free(c->dns);
	hashmap__free(c->channels);
	hashmap__free(c->files);
	proctab__free(c->procs);
	free(c);
}

struct fw_proctab *correlator__procs(struct fw_correlator *c)
{
	return c->procs;
}

void correlator__stats(const struct fw_correlator *c,
		       struct fw_correlator_stats *stats)
{
	*stats = c->stats;
	dnscache__stats(c->dns, &stats->dns);
}

bool correlator__tracks(struct fw_correlator *c, uint32_t pid)
{
	struct fw_proc *p = proctab__get(c->procs, pid);

	return p && p->n_origins;
}

static uint64_t read_total(const struct fw_proc *p, size_t n)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n && i < p->n_origins; i++)
		total += p->origins[i].bytes_read;
	return total;
}

/* The destination's name (from the DNS answers seen so far) and country,
 * for the policy and the alert; a name learnt later is added then */
static void name_flow(struct fw_correlator *c, struct flow *f,
		      const struct fw_dest *dest, uint64_t ts_ns)
{
	const char *name;

	if (!f->domain && (name = dnscache__lookup(c->dns, dest, ts_ns)))
		f->domain = fw_xstrdup(name);
	if (c->geoip && !f->country[0])
		geoip__country(c->geoip, dest, f->country, sizeof(f->country));
}

/* What an alert about p, naming n_origins flight logs, cannot vouch for.
 * A loss is reported after it happened: one reported after p began may
 * have been p's (conservative) */
static uint32_t uncertain(const struct fw_correlator *c,
			  const struct fw_proc *p, size_t n_origins)
{
	uint32_t u = 0;

	if (!strcmp(p->comm, "?") || !p->exe[0])
		u |= FW_UNCERTAIN_PROCESS;
	if (c->lost_reported &&
	    (!p->birth_ns || c->lost_seen_ns >= p->birth_ns))
		u |= FW_UNCERTAIN_ORIGIN | FW_UNCERTAIN_CHAIN;
	if (!n_origins)
		u |= FW_UNCERTAIN_ORIGIN;
	return u;
}

static void report_flow(struct fw_correlator *c, const struct channel *ch,
			struct flow *f)
{
	struct fw_proc *p = proctab__get(c->procs, ch->key.tgid);
	struct fw_alert a = { 0 };
	struct fw_flow_facts facts = { 0 };
	size_t i;

	if (!p)
		return;
	a.kind = FW_ALERT_EGRESS;
	a.update = f->reported;
	a.flow_id = f->id;
	a.ts_ns = f->last_ns;
	a.proc = p;
	a.dest = ch->key.dest;
	name_flow(c, f, &a.dest, f->last_ns);
	a.domain = f->domain;
	a.country = f->country[0] ? f->country : NULL;
	a.bytes = f->bytes;
	a.origins = p->origins;
	a.n_origins = f->n_origins < p->n_origins ? f->n_origins : p->n_origins;
	for (i = 0; i < a.n_origins; i++)
		if (content__is_flight_log(a.origins[i].file->content))
			a.verified = true;
	/* decided now, not when the flow began: the destination's name may
	 * have become known since, or the policy reloaded */
	facts.exe = p->exe;
	facts.dest = &a.dest;
	facts.domain = a.domain;
	facts.country = a.country;
	facts.verified = a.verified;
	if (policy__allowed(c->policy, &facts))
		return;
	a.severity = policy__severity(c->policy, &facts);
	a.uncertain = uncertain(c, p, a.n_origins);
	f->reported_bytes = f->bytes;
	f->reported_read = read_total(p, a.n_origins);
	if (f->reported)
		c->stats.updates++;
	else
		c->stats.alerts++;
	f->reported = true;
	c->fn(&a, c->ctx);
}

static bool flow_grew(const struct fw_correlator *c, const struct channel *ch,
		      const struct flow *f)
{
	struct fw_proc *p = proctab__get(c->procs, ch->key.tgid);

	return p && (f->bytes != f->reported_bytes ||
		     read_total(p, f->n_origins) != f->reported_read);
}

static uint64_t channel_age(const void *value)
{
	const struct channel *ch = value;

	return ch->flow ? ch->flow->last_ns : ch->created_ns;
}

struct channel_trim {
	struct fw_correlator *c;
	struct channel *keep; /* the one being added */
};

/* An evicted channel's flow was alerted already: report its last counts
 * now; more bytes on it later start a new alert, none are missed */
static void channel_drop(void *value, void *ctx)
{
	struct channel_trim *t = ctx;
	struct channel *ch = value;

	if (ch == t->keep) {
		/* the newest is never the oldest, unless every age ties */
		hashmap__put(t->c->channels, &ch->key, ch);
		return;
	}
	if (ch->flow && ch->flow->reported && flow_grew(t->c, ch, ch->flow))
		report_flow(t->c, ch, ch->flow);
	channel_free(ch);
	t->c->stats.channels_evicted++;
}

/* Too many (process, destination) channels: drop the least recently
 * active eighth at once, so that trimming stays rare */
static void trim_channels(struct fw_correlator *c, struct channel *keep)
{
	struct channel_trim t = { c, keep };
	size_t max = c->limits.channels;

	hashmap__trim(c->channels, max - max / 8, channel_age, channel_drop,
		      &t);
}

/* The kernel's cumulative count for (process, destination) is now sent:
 * attribute the growth to the flow of the process's current origin set */
static void channel_account(struct fw_correlator *c,
			    const struct fw_flow_key *key, uint64_t sent,
			    uint64_t ts_ns)
{
	struct fw_proc *p = proctab__get_or_add(c->procs, key->tgid);
	struct channel *ch = hashmap__get(c->channels, key);
	struct flow *f;

	if (!ch) {
		ch = fw_xcalloc(1, sizeof(*ch));
		ch->key = *key;
		ch->created_ns = ts_ns;
		hashmap__put(c->channels, key, ch);
		if (hashmap__count(c->channels) > c->limits.channels)
			trim_channels(c, ch);
	}
	if (sent < ch->sent)
		return; /* an older count than one already seen */
	f = ch->flow;
	if (!f || f->origins_version != p->origins_version) {
		if (f) {
			struct flow **h = realloc(
				ch->history, (ch->n_history + 1) * sizeof(*h));

			if (!h)
				return;
			ch->history = h;
			ch->history[ch->n_history++] = f;
		}
		f = fw_xcalloc(1, sizeof(*f));
		f->id = c->next_flow_id++;
		f->base = ch->sent;
		f->origins_version = p->origins_version;
		f->n_origins = p->n_origins;
		ch->flow = f;
		c->stats.flows++;
	}
	ch->sent = sent;
	f->bytes = sent - f->base;
	f->last_ns = ts_ns;
	if (!f->reported && f->bytes)
		report_flow(c, ch, f);
}

static void mark_used(struct hashmap *used, const struct fw_file *f)
{
	hashmap__put(used, &f, (void *)f);
}

/* Flight logs that no process and no carrier refers to any more are
 * forgotten (a later read brings them back): the table stays near
 * limits.files unless that many are in use, and then the next sweep
 * waits until it has doubled */
static void forget_unused_files(struct fw_correlator *c)
{
	struct hashmap *used = hashmap__new(sizeof(struct fw_file *));
	struct hashmap_cursor cur = { 0 };
	struct fw_file_key *unused = NULL;
	size_t n_unused = 0;
	struct fw_proc *p;
	const void *key;
	void *value;

	while (proctab__next(c->procs, &cur, &p))
		for (size_t i = 0; i < p->n_origins; i++)
			mark_used(used, p->origins[i].file);
	memset(&cur, 0, sizeof(cur));
	while (hashmap__next(c->carriers, &cur, NULL, &value)) {
		struct carrier *k = value;

		for (size_t i = 0; i < k->n_origins; i++)
			mark_used(used, k->origins[i]);
	}
	unused = fw_xcalloc(hashmap__count(c->files), sizeof(*unused));
	memset(&cur, 0, sizeof(cur));
	while (hashmap__next(c->files, &cur, &key, &value))
		if (!hashmap__get(used, &value))
			unused[n_unused++] = *(const struct fw_file_key *)key;
	for (size_t i = 0; i < n_unused; i++)
		file_free(hashmap__remove(c->files, &unused[i]));
	c->stats.files_forgotten += n_unused;
	free(unused);
	hashmap__free(used);
	c->files_gc_at = hashmap__count(c->files) * 2;
	if (c->files_gc_at < c->limits.files)
		c->files_gc_at = c->limits.files;
}

static struct fw_file *file_upsert(struct fw_correlator *c,
				   const struct fw_file_read_event *e)
{
	struct fw_file *f = hashmap__get(c->files, &e->file);
	const char *path = fw_event_path(e->path, e->path_off);

	if (!f) {
		f = fw_xcalloc(1, sizeof(*f));
		f->key = e->file;
		if (hashmap__count(c->files) >= c->files_gc_at)
			forget_unused_files(c);
		hashmap__put(c->files, &e->file, f);
	}
	if (!f->path || (*path && strcmp(f->path, path))) {
		free(f->path);
		f->path = fw_xstrdup(path);
	}
	f->match = e->match;
	if (e->content != FW_CONTENT_UNKNOWN || !f->content)
		f->content = e->content;
	return f;
}

static const char *carrier_type_name(uint32_t type)
{
	switch (type) {
	case FW_CARRIER_FILE:
		return "file";
	case FW_CARRIER_PIPE:
		return "pipe";
	case FW_CARRIER_FIFO:
		return "fifo";
	case FW_CARRIER_UNIX:
		return "socket";
	case FW_CARRIER_LOOPBACK:
		return "loopback";
	case FW_CARRIER_PTY:
		return "pty";
	case FW_CARRIER_MSGQ:
		return "msgqueue";
	case FW_CARRIER_FUSE:
		return "fuse";
	default:
		return "carrier";
	}
}

/* A tainted process wrote into a carrier: it now holds what the writer
 * holds, and remembers how it got there */
/* The carrier holds whatever its writer holds */
static void carrier_take_origins(struct carrier *k, const struct fw_proc *w)
{
	for (size_t i = 0; i < w->n_origins; i++) {
		const struct fw_file *f = w->origins[i].file;
		const struct fw_file **grown;
		size_t j;

		for (j = 0; j < k->n_origins && k->origins[j] != f; j++)
			;
		if (j < k->n_origins)
			continue;
		grown = realloc(k->origins,
				(k->n_origins + 1) * sizeof(*grown));
		if (!grown)
			return;
		k->origins = grown;
		k->origins[k->n_origins++] = f;
	}
}

static void blocked_origins_grew(struct fw_correlator *c,
				 const struct fw_proc *p);

/* p's origin set grew: so did that of the carriers it writes into (a
 * sendfile or copy_file_range reports the carrier before the read), and
 * its refused flows' alerts name the new origins */
static void origins_grew(struct fw_correlator *c, const struct fw_proc *p)
{
	blocked_origins_grew(c, p);
	for (size_t i = 0; i < p->n_written; i++) {
		struct carrier *k = hashmap__get(c->carriers, &p->written[i]);

		if (k)
			carrier_take_origins(k, p);
	}
}

static void remember_written(struct fw_proc *w, const struct fw_file_key *key)
{
	struct fw_file_key *grown;

	for (size_t i = 0; i < w->n_written; i++)
		if (!memcmp(&w->written[i], key, sizeof(*key)))
			return;
	grown = realloc(w->written, (w->n_written + 1) * sizeof(*grown));
	if (!grown)
		return;
	w->written = grown;
	w->written[w->n_written++] = *key;
}

static uint64_t carrier_age(const void *value)
{
	return ((const struct carrier *)value)->last_ns;
}

struct carrier_trim {
	struct fw_correlator *c;
	struct carrier *keep; /* the one being added */
	const struct fw_file_key *keep_key;
};

static void carrier_drop(void *value, void *ctx)
{
	struct carrier_trim *t = ctx;

	if (value == t->keep) {
		hashmap__put(t->c->carriers, t->keep_key, value);
		return;
	}
	carrier_free(value);
	t->c->stats.carriers_evicted++;
}

/* Too many carriers: forget the least recently used eighth. A later reader
 * of a forgotten one is still tainted by the kernel, but its alert can no
 * longer name the hops before it: counted, and reported in the stats. */
static void trim_carriers(struct fw_correlator *c, struct carrier *keep,
			  const struct fw_file_key *key)
{
	struct carrier_trim t = { c, keep, key };
	size_t max = c->limits.carriers;

	hashmap__trim(c->carriers, max - max / 8, carrier_age, carrier_drop,
		      &t);
}

/* A tainted process wrote into a carrier: it now holds what the writer
 * holds, and remembers how it got there */
static void on_carrier(struct fw_correlator *c,
		       const struct fw_carrier_event *e)
{
	struct fw_proc *w = proctab__get_or_add(c->procs, e->hdr.tgid);
	struct carrier *k = hashmap__get(c->carriers, &e->carrier);
	struct fw_hop writer = hop__process(w);
	const char *path = fw_event_path(e->path, e->path_off);
	char name[64];

	if (!k) {
		k = fw_xcalloc(1, sizeof(*k));
		k->writer = w->pid;
		k->last_ns = e->hdr.ts_ns;
		hashmap__put(c->carriers, &e->carrier, k);
		if (hashmap__count(c->carriers) > c->limits.carriers)
			trim_carriers(c, k, &e->carrier);
	}
	k->type = e->carrier_type;
	k->last_ns = e->hdr.ts_ns;
	if (e->carrier_type == FW_CARRIER_MSGQ)
		/* its id, as ipcs shows it (the high half is the IPC
		 * namespace's number) */
		snprintf(name, sizeof(name), "%s:[%u]",
			 carrier_type_name(e->carrier_type),
			 (unsigned)e->carrier.ino);
	else if (e->carrier_type == FW_CARRIER_FUSE && e->carrier.ino)
		/* its device, as /proc/PID/mountinfo shows the mount's */
		snprintf(name, sizeof(name), "%s:[%u:%u]",
			 carrier_type_name(e->carrier_type),
			 (unsigned)(e->carrier.ino >> 20),
			 (unsigned)(e->carrier.ino & 0xfffff));
	else if (e->carrier_type == FW_CARRIER_FUSE)
		/* the kernel's FUSE types unknown: any connection */
		snprintf(name, sizeof(name), "%s:[any]",
			 carrier_type_name(e->carrier_type));
	else if (e->carrier.dev == 0)
		/* a unix connection not yet accepted: its key is a kernel
		 * address, which is not shown */
		snprintf(name, sizeof(name), "%s:[connecting]",
			 carrier_type_name(e->carrier_type));
	else
		snprintf(name, sizeof(name), "%s:[%llu]",
			 carrier_type_name(e->carrier_type),
			 (unsigned long long)e->carrier.ino);
	free(k->name);
	k->name = fw_xstrdup(name);
	free(k->path);
	k->path = fw_xstrdup(*path ? path : name);
	carrier_take_origins(k, w);
	remember_written(w, &e->carrier);
	/* the first writer's chain: the one that brought the data here */
	if (!k->n_chain)
		chain__set(&k->chain, &k->n_chain, w->chain, w->n_chain,
			   &writer);
}

/* A process read a carrier: it receives the carrier's origins */
static void on_carrier_read(struct fw_correlator *c, struct carrier *k,
			    const struct fw_file_read_event *e)
{
	struct fw_proc *p = proctab__get_or_add(c->procs, e->hdr.tgid);
	struct fw_hop hop = {
		.type = FW_HOP_CARRIER,
		.carrier_type = k->type,
		.bytes = e->bytes,
		.name = k->name,
		.path = k->path,
	};
	bool had_origins = p->n_origins > 0;

	k->last_ns = e->hdr.ts_ns;
	/* reading back what it wrote itself (its own pipe) adds nothing */
	if (k->writer == p->pid)
		return;
	for (size_t i = 0; i < k->n_origins; i++)
		proc__add_origin(p, k->origins[i]);
	origins_grew(c, p);
	/* a process that read flight logs itself keeps its own chain */
	if (!had_origins || !p->n_chain)
		chain__set(&p->chain, &p->n_chain, k->chain, k->n_chain, &hop);
}

/* A tainted process opened a packet socket, or one of a family that
 * leaves the host without the IP stack: alerted at once, since what it
 * sends there is not followed. size: the record's (one written before the
 * family was added is AF_PACKET's). */
static void on_packet_socket(struct fw_correlator *c,
			     const struct fw_packet_socket_event *e,
			     size_t size)
{
	struct fw_proc *p = proctab__get_or_add(c->procs, e->hdr.tgid);
	struct fw_alert a = { 0 };
	struct fw_flow_facts facts = { 0 };

	a.kind = FW_ALERT_PACKET_SOCKET;
	a.ts_ns = e->hdr.ts_ns;
	a.proc = p;
	a.origins = p->origins;
	a.n_origins = p->n_origins;
	for (size_t i = 0; i < p->n_origins; i++)
		a.verified |=
			content__is_flight_log(p->origins[i].file->content);
	a.dest.family = size >= sizeof(*e) ? e->family : 17 /* AF_PACKET */;
	a.dest.port = e->type;
	facts.exe = p->exe;
	facts.verified = a.verified;
	a.severity = policy__severity(c->policy, &facts);
	a.uncertain = uncertain(c, p, a.n_origins);
	c->stats.alerts++;
	c->fn(&a, c->ctx);
}

/* The process read a tainted one's memory: it holds what that one holds,
 * reached through it (a process hop, as for a child) */
static void on_peek(struct fw_correlator *c, const struct fw_peek_event *e)
{
	struct fw_proc *p = proctab__get_or_add(c->procs, e->hdr.tgid);
	struct fw_proc *source = proctab__get(c->procs, e->source);
	struct fw_hop hop;
	bool had_origins = p->n_origins > 0;

	if (!source || source == p || !source->n_origins)
		return;
	hop = hop__process(source);
	hop.via = e->how;
	for (size_t i = 0; i < source->n_origins; i++)
		proc__add_origin(p, source->origins[i].file);
	origins_grew(c, p);
	if (!had_origins || !p->n_chain)
		chain__set(&p->chain, &p->n_chain, source->chain,
			   source->n_chain, &hop);
}

static void on_file_read(struct fw_correlator *c,
			 const struct fw_file_read_event *e)
{
	struct carrier *k = hashmap__get(c->carriers, &e->file);
	struct fw_file *file;
	struct fw_proc *p;
	struct fw_origin *o;
	struct fw_alert a = { 0 };
	struct fw_flow_facts facts = { 0 };

	if (k) {
		on_carrier_read(c, k, e);
		return;
	}
	if (e->match == FW_MATCH_CARRIER)
		return; /* its carrier event was lost: counted by the kernel */
	file = file_upsert(c, e);
	p = proctab__get_or_add(c->procs, e->hdr.tgid);
	o = proc__add_origin(p, file);
	if (!o)
		return;
	origins_grew(c, p);
	if (e->bytes > o->bytes_read)
		o->bytes_read = e->bytes;
	a.kind = FW_NOTICE_READ;
	a.ts_ns = e->hdr.ts_ns;
	a.proc = p;
	a.origins = o;
	a.n_origins = 1;
	a.verified = content__is_flight_log(file->content);
	facts.exe = p->exe;
	facts.verified = a.verified;
	a.severity = policy__severity(c->policy, &facts);
	c->fn(&a, c->ctx);
}

static void on_read_bytes(struct fw_correlator *c,
			  const struct fw_read_bytes_event *e)
{
	struct fw_proc *p = proctab__get(c->procs, e->hdr.tgid);
	struct fw_origin *o = p ? proc__find_origin(p, &e->file) : NULL;

	if (o && e->count.bytes > o->bytes_read)
		o->bytes_read = e->count.bytes;
}

static void on_lost(struct fw_correlator *c, const struct fw_lost_event *e)
{
	struct fw_alert a = { 0 };
	uint64_t lost = e->dropped + e->pending_full;

	if (lost <= c->lost_reported)
		return;
	a.kind = FW_ALERT_LOST;
	a.update = c->lost_reported != 0;
	a.ts_ns = e->hdr.ts_ns;
	a.lost = lost;
	a.severity = FW_SEVERITY_MEDIUM;
	c->lost_reported = lost;
	c->lost_seen_ns = e->hdr.ts_ns;
	c->fn(&a, c->ctx);
}

/* Drop what the correlator holds for pid's sends, reporting the last
 * counts first when the process really ended (report) */
static void forget_channels(struct fw_correlator *c, uint32_t pid, bool report)
{
	struct hashmap_cursor cur = { 0 };
	struct fw_flow_key *dead = NULL;
	size_t n_dead = 0;
	void *value;

	while (hashmap__next(c->channels, &cur, NULL, &value)) {
		struct channel *ch = value;
		struct fw_flow_key *grown;

		if (ch->key.tgid != pid)
			continue;
		if (report && ch->flow && ch->flow->reported &&
		    flow_grew(c, ch, ch->flow))
			report_flow(c, ch, ch->flow);
		grown = realloc(dead, (n_dead + 1) * sizeof(*dead));
		if (!grown)
			break;
		dead = grown;
		dead[n_dead++] = ch->key;
	}
	for (size_t i = 0; i < n_dead; i++)
		channel_free(hashmap__remove(c->channels, &dead[i]));
	free(dead);
}

/* The process is gone: report what its flows reached, then forget it */
static void on_exit_event(struct fw_correlator *c, uint32_t pid)
{
	forget_channels(c, pid, true);
	proctab__remove(c->procs, pid);
}

/* A new process: if its pid was in use (the old one's exit was lost),
 * none of the old one's counts or flows may stick to it */
static void on_fork(struct fw_correlator *c, const struct fw_fork_event *e)
{
	forget_channels(c, e->hdr.tgid, false);
	proctab__fork(c->procs, e);
}

/* A refused flow: the kernel's first record, then its growing count */
struct blocked_flow {
	uint64_t id;
	uint64_t count; /* reported so far */
	uint64_t ts_ns; /* of the last count */
	uint32_t mode; /* enum fw_enforce_mode of the last count */
	size_t n_origins; /* named in the last alert */
};

/* The alert of a refused flow b (key) of process p */
static void report_blocked(struct fw_correlator *c,
			   const struct fw_block_key *key,
			   struct blocked_flow *b, const struct fw_proc *p,
			   bool update)
{
	struct fw_alert a = { 0 };
	struct fw_flow_facts facts = { 0 };

	a.kind = FW_ALERT_DENIED;
	a.update = update;
	a.flow_id = b->id;
	a.ts_ns = b->ts_ns;
	a.proc = p;
	a.dest = key->dest;
	if (key->hook != FW_BLOCK_SOCKET) {
		a.domain = correlator__dest_name(c, &a.dest, a.ts_ns);
		a.country = NULL;
	}
	a.blocked = b->count;
	a.block_hook = key->hook;
	a.dry_run = b->mode == FW_ENFORCE_DRY_RUN;
	a.origins = p->origins;
	a.n_origins = p->n_origins;
	for (size_t i = 0; i < a.n_origins; i++)
		if (content__is_flight_log(a.origins[i].file->content))
			a.verified = true;
	facts.exe = p->exe;
	facts.dest = key->hook != FW_BLOCK_SOCKET ? &a.dest : NULL;
	facts.domain = a.domain;
	facts.verified = a.verified;
	a.severity = policy__severity(c->policy, &facts);
	a.uncertain = uncertain(c, p, a.n_origins);
	b->n_origins = p->n_origins;
	if (a.update)
		c->stats.updates++;
	else
		c->stats.alerts++;
	c->fn(&a, c->ctx);
}

/*
 * The kernel refused (or in dry-run would have refused) a flow of a
 * tainted process: one alert per (process, destination, hook), updated
 * as the count grows, with the chain that made the process a carrier.
 */
static void on_blocked(struct fw_correlator *c, const struct fw_block_event *e)
{
	struct fw_block_key key = { .dest = e->dest,
				    .tgid = e->hdr.tgid,
				    .hook = e->hook };
	struct blocked_flow *b = hashmap__get(c->blocked, &key);
	struct fw_proc *p;
	bool update = b != NULL;

	if (b && e->count <= b->count)
		return; /* the collector's sync of a count already told */
	p = proctab__get(c->procs, e->hdr.tgid);
	if (b && !p)
		return; /* a count after the exit: the process is forgotten */
	if (!b) {
		b = fw_xcalloc(1, sizeof(*b));
		b->id = c->next_flow_id++;
		hashmap__put(c->blocked, &key, b);
	}
	if (!p)
		p = proctab__get_or_add(c->procs, e->hdr.tgid);
	b->count = e->count;
	b->ts_ns = e->hdr.ts_ns;
	b->mode = e->mode;
	report_blocked(c, &key, b, p, update);
}

/* p's origins grew: its refused flows alerted before the read's record
 * came (a packet dropped during the very call that read the log, as a
 * sendfile's) name them now */
static void blocked_origins_grew(struct fw_correlator *c,
				 const struct fw_proc *p)
{
	struct hashmap_cursor cur = { 0 };
	const void *k;
	void *value;

	if (!hashmap__count(c->blocked))
		return;
	while (hashmap__next(c->blocked, &cur, &k, &value)) {
		const struct fw_block_key *key = k;
		struct blocked_flow *b = value;

		if (key->tgid == p->pid && b->n_origins < p->n_origins)
			report_blocked(c, key, b, p, true);
	}
}

static size_t expected_size(uint32_t type)
{
	switch (type) {
	case FW_EV_EXEC:
		return sizeof(struct fw_exec_event);
	case FW_EV_FORK:
		return sizeof(struct fw_fork_event);
	case FW_EV_EXIT:
		return sizeof(struct fw_exit_event);
	case FW_EV_FILE_READ:
		return sizeof(struct fw_file_read_event);
	case FW_EV_CONNECT:
	case FW_EV_SEND:
		return sizeof(struct fw_net_event);
	case FW_EV_READ_BYTES:
		return sizeof(struct fw_read_bytes_event);
	case FW_EV_SEND_BYTES:
		return sizeof(struct fw_send_bytes_event);
	case FW_EV_LOST:
		return sizeof(struct fw_lost_event);
	case FW_EV_CARRIER:
		return sizeof(struct fw_carrier_event);
	case FW_EV_DNS:
		return sizeof(struct fw_dns_event);
	case FW_EV_PEEK:
		return sizeof(struct fw_peek_event);
	case FW_EV_PACKET_SOCKET:
		return FW_PACKET_SOCKET_EVENT_V1_SIZE;
	case FW_EV_BLOCKED:
		return sizeof(struct fw_block_event);
	default:
		return 0;
	}
}

void correlator__dns_strict(struct fw_correlator *c, bool strict)
{
	dnscache__set_strict(c->dns, strict);
}

bool correlator__knows(struct fw_correlator *c, uint32_t pid, uint64_t start_ns)
{
	struct fw_proc *p = proctab__get(c->procs, pid);

	return p && p->birth_ns && fw_same_start(p->birth_ns, start_ns);
}

/* A record names its process by pid and start: if the pid's entry is an
 * older process (its exit record was lost and the pid reused), nothing of
 * the old one may stick to the new one */
static void forget_reused_pid(struct fw_correlator *c,
			      const struct fw_event_header *hdr)
{
	struct fw_proc *p = proctab__get(c->procs, hdr->tgid);

	if (!p || fw_same_start(p->birth_ns, hdr->start_ns))
		return;
	c->stats.pids_reused++;
	forget_channels(c, hdr->tgid, false);
	proctab__remove(c->procs, hdr->tgid);
}

/* The first record of a process created its entry: its start is known,
 * and its name when no exec, fork or /proc record gave one */
static void note_birth(struct fw_correlator *c,
		       const struct fw_event_header *hdr)
{
	struct fw_proc *p = proctab__get(c->procs, hdr->tgid);

	if (!p)
		return;
	if (!p->birth_ns)
		p->birth_ns = hdr->start_ns;
	if (!strcmp(p->comm, "?") && hdr->comm[0]) {
		memcpy(p->comm, hdr->comm, FW_COMM_LEN);
		p->comm[FW_COMM_LEN - 1] = '\0';
	}
}

int correlator__feed(struct fw_correlator *c, const void *rec, size_t size)
{
	const struct fw_event_header *hdr = rec;
	struct fw_flow_key key = { 0 };
	size_t want;

	c->stats.events++;
	if (size < sizeof(*hdr) || !(want = expected_size(hdr->type)) ||
	    size < want) {
		c->stats.malformed++;
		return -EINVAL;
	}
	/* a fork's pid is new by definition (proctab__fork starts afresh) */
	if (hdr->tgid && hdr->start_ns && hdr->type != FW_EV_FORK)
		forget_reused_pid(c, hdr);
	if (hdr->tgid &&
	    (hdr->type == FW_EV_FILE_READ || hdr->type == FW_EV_CONNECT ||
	     hdr->type == FW_EV_SEND || hdr->type == FW_EV_CARRIER ||
	     hdr->type == FW_EV_PEEK || hdr->type == FW_EV_PACKET_SOCKET)) {
		/* what the record says of its process, before it is used */
		proctab__get_or_add(c->procs, hdr->tgid);
		note_birth(c, hdr);
	}
	switch (hdr->type) {
	case FW_EV_EXEC:
		proctab__exec(c->procs, rec);
		break;
	case FW_EV_FORK:
		on_fork(c, rec);
		break;
	case FW_EV_EXIT:
		on_exit_event(c, hdr->tgid);
		break;
	case FW_EV_FILE_READ:
		on_file_read(c, rec);
		break;
	case FW_EV_CONNECT:
		/* no data has left yet: the first send raises the alert */
		break;
	case FW_EV_SEND: {
		const struct fw_net_event *e = rec;

		key.dest = e->dest;
		key.tgid = hdr->tgid;
		channel_account(c, &key, e->bytes, hdr->ts_ns);
		break;
	}
	case FW_EV_READ_BYTES:
		on_read_bytes(c, rec);
		break;
	case FW_EV_SEND_BYTES: {
		const struct fw_send_bytes_event *e = rec;

		key.dest = e->dest;
		key.tgid = hdr->tgid;
		/* a count with no SEND event before it means that event
		 * was lost: still account it if the process is tainted */
		if (hashmap__get(c->channels, &key) ||
		    correlator__tracks(c, key.tgid))
			channel_account(c, &key, e->count.bytes,
					e->count.last_ns);
		break;
	}
	case FW_EV_LOST:
		on_lost(c, rec);
		break;
	case FW_EV_CARRIER:
		on_carrier(c, rec);
		break;
	case FW_EV_PEEK:
		on_peek(c, rec);
		break;
	case FW_EV_PACKET_SOCKET:
		on_packet_socket(c, rec, size);
		break;
	case FW_EV_BLOCKED:
		on_blocked(c, rec);
		break;
	case FW_EV_DNS: {
		const struct fw_dns_event *e = rec;

		/* names for the sends that follow */
		dnscache__add_event(c->dns, e, hdr->ts_ns);
		break;
	}
	}
	if (hdr->tgid && (hdr->type == FW_EV_EXEC || hdr->type == FW_EV_FORK))
		note_birth(c, hdr);
	return 0;
}

void correlator__flush(struct fw_correlator *c)
{
	struct hashmap_cursor cur = { 0 };
	void *value;

	while (hashmap__next(c->channels, &cur, NULL, &value)) {
		struct channel *ch = value;

		if (ch->flow && ch->flow->reported &&
		    flow_grew(c, ch, ch->flow))
			report_flow(c, ch, ch->flow);
	}
}
