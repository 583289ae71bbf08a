// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <resolv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/dnscache.h"
#include "lib/hashmap.h"
#include "lib/util.h"

/* CNAME hops followed from the question name: resolvers give up at 8-16 */
#define FW_DNS_CHAIN 12

struct dns_key {
	uint8_t addr[16];
	uint8_t family;
	uint8_t pad[7];
};

struct dns_entry {
	struct dns_key key;
	char *name;
	uint64_t keep_until_ns;
	uint32_t ttl; /* of the answer, kept for the record */
	/* least recently answered or looked up first */
	struct dns_entry *prev, *next;
};

/* A query waiting for its answer; the question name by its hash */
struct query_key {
	uint8_t server[16];
	uint64_t name_hash;
	uint16_t id;
	uint8_t family;
	uint8_t pad[5];
};

struct fw_dnscache {
	struct hashmap *map; /* dns_key -> dns_entry */
	/* query_key -> its expiry (boot ns, as a pointer-sized integer) */
	struct hashmap *queries;
	bool strict;
	struct dns_entry *oldest, *newest;
	size_t max;
	struct fw_dnscache_stats stats;
	/* the question name and the CNAME targets reached from it */
	char chain[FW_DNS_CHAIN][NS_MAXDNAME];
	size_t n_chain;
};

struct fw_dnscache *dnscache__new(size_t max_entries)
{
	struct fw_dnscache *c = fw_xcalloc(1, sizeof(*c));

	c->map = hashmap__new(sizeof(struct dns_key));
	c->queries = hashmap__new(sizeof(struct query_key));
	c->max = max_entries ? max_entries : 1;
	return c;
}

static void entry_free(struct dns_entry *e)
{
	free(e->name);
	free(e);
}

void dnscache__free(struct fw_dnscache *c)
{
	struct dns_entry *e, *next;

	if (!c)
		return;
	for (e = c->oldest; e; e = next) {
		next = e->next;
		entry_free(e);
	}
	hashmap__free(c->map);
	hashmap__free(c->queries);
	free(c);
}

void dnscache__stats(const struct fw_dnscache *c,
		     struct fw_dnscache_stats *stats)
{
	*stats = c->stats;
	stats->entries = hashmap__count(c->map);
}

static void list_unlink(struct fw_dnscache *c, struct dns_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->oldest = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->newest = e->prev;
	e->prev = e->next = NULL;
}

static void list_append(struct fw_dnscache *c, struct dns_entry *e)
{
	e->prev = c->newest;
	e->next = NULL;
	if (c->newest)
		c->newest->next = e;
	else
		c->oldest = e;
	c->newest = e;
}

static void entry_drop(struct fw_dnscache *c, struct dns_entry *e)
{
	list_unlink(c, e);
	hashmap__remove(c->map, &e->key);
	entry_free(e);
}

/* An address as the tracer stores destinations: v4-mapped IPv6 as IPv4 */
static void make_key(struct dns_key *key, int family, const uint8_t *addr)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	memset(key, 0, sizeof(*key));
	if (family == AF_INET6 && !memcmp(addr, mapped, sizeof(mapped))) {
		family = AF_INET;
		addr += sizeof(mapped);
	}
	key->family = family;
	memcpy(key->addr, addr, family == AF_INET ? 4 : 16);
}

static void remember(struct fw_dnscache *c, int family, const uint8_t *addr,
		     const char *name, uint32_t ttl, uint64_t ts_ns)
{
	uint64_t keep = ttl > FW_DNS_KEEP_MIN_S ? ttl : FW_DNS_KEEP_MIN_S;
	struct dns_key key;
	struct dns_entry *e;

	make_key(&key, family, addr);
	e = hashmap__get(c->map, &key);
	if (e) {
		list_unlink(c, e);
		if (strcmp(e->name, name)) {
			free(e->name);
			e->name = fw_xstrdup(name);
		}
	} else {
		if (hashmap__count(c->map) >= c->max) {
			entry_drop(c, c->oldest);
			c->stats.evicted++;
		}
		e = fw_xcalloc(1, sizeof(*e));
		e->key = key;
		e->name = fw_xstrdup(name);
		hashmap__put(c->map, &key, e);
	}
	e->ttl = ttl;
	e->keep_until_ns = ts_ns + keep * 1000000000ull;
	list_append(c, e);
	c->stats.addresses++;
}

static bool on_chain(const struct fw_dnscache *c, const char *name)
{
	for (size_t i = 0; i < c->n_chain; i++)
		if (!strcasecmp(c->chain[i], name))
			return true;
	return false;
}

/* Names are case-insensitive; they are shown and matched in lower case */
static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

/*
 * Follow CNAME records from the question name, in whatever order the
 * answer lists them, up to FW_DNS_CHAIN names. Returns -1 on a record
 * libresolv cannot parse.
 */
static int follow_cnames(struct fw_dnscache *c, ns_msg *msg)
{
	int n = ns_msg_count(*msg, ns_s_an);
	bool grew = true;

	while (grew && c->n_chain < FW_DNS_CHAIN) {
		grew = false;
		for (int i = 0; i < n && c->n_chain < FW_DNS_CHAIN; i++) {
			char *target = c->chain[c->n_chain];
			ns_rr rr;

			if (ns_parserr(msg, ns_s_an, i, &rr))
				return -1;
			if (ns_rr_type(rr) != ns_t_cname ||
			    ns_rr_class(rr) != ns_c_in ||
			    !on_chain(c, ns_rr_name(rr)))
				continue;
			if (ns_name_uncompress(
				    ns_msg_base(*msg), ns_msg_end(*msg),
				    ns_rr_rdata(rr), target, NS_MAXDNAME) < 0)
				return -1;
			if (on_chain(c, target))
				continue;
			c->n_chain++;
			grew = true;
		}
	}
	return 0;
}

/*
 * A copy cut short (the kernel copies at most FW_DNS_MAX bytes) still
 * names what its whole records say: libresolv's ns_skiprr measures the
 * question and the answer records that fit, and the header's counts are
 * lowered to match in a copy (out, len bytes), so that ns_initparse
 * accepts it. Returns the salvaged length, 0 when not even the question
 * fits.
 */
static size_t salvage(const uint8_t *msg, size_t len, uint8_t *out)
{
	const uint8_t *p, *eom = out + len;
	unsigned int answers, whole = 0;
	int n;

	if (len < NS_HFIXEDSZ)
		return 0;
	memcpy(out, msg, len);
	if (ns_get16(out + 4) != 1)
		return 0;
	answers = ns_get16(out + 6);
	p = out + NS_HFIXEDSZ;
	n = ns_skiprr(p, eom, ns_s_qd, 1);
	if (n < 0)
		return 0;
	for (p += n; whole < answers; p += n, whole++) {
		n = ns_skiprr(p, eom, ns_s_an, 1);
		if (n < 0)
			break;
	}
	ns_put16(whole, out + 6);
	ns_put16(0, out + 8); /* authority and additional records: dropped */
	ns_put16(0, out + 10);
	return p - out;
}

static int parse_message(struct fw_dnscache *c, const uint8_t *msg, size_t len,
			 uint64_t ts_ns)
{
	ns_msg h;
	ns_rr rr;
	int n, learnt = 0;

	if (len > NS_MAXMSG || ns_initparse(msg, len, &h))
		return -1;
	/* only answers to standard queries that succeeded name anything */
	if (!ns_msg_getflag(h, ns_f_qr) ||
	    ns_msg_getflag(h, ns_f_opcode) != ns_o_query ||
	    ns_msg_getflag(h, ns_f_rcode) != ns_r_noerror ||
	    ns_msg_count(h, ns_s_qd) != 1)
		return 0;
	if (ns_parserr(&h, ns_s_qd, 0, &rr))
		return -1;
	if (!ns_rr_name(rr)[0] || !strcmp(ns_rr_name(rr), "."))
		return 0;
	strcpy(c->chain[0], ns_rr_name(rr));
	lower(c->chain[0]);
	c->n_chain = 1;
	if (follow_cnames(c, &h))
		return -1;
	n = ns_msg_count(h, ns_s_an);
	for (int i = 0; i < n; i++) {
		int family;

		if (ns_parserr(&h, ns_s_an, i, &rr))
			return -1;
		if (ns_rr_type(rr) == ns_t_a && ns_rr_rdlen(rr) == 4)
			family = AF_INET;
		else if (ns_rr_type(rr) == ns_t_aaaa && ns_rr_rdlen(rr) == 16)
			family = AF_INET6;
		else
			continue;
		/* an address for a name nobody asked about here (off the
		 * chain) could be planted to label someone else's server */
		if (ns_rr_class(rr) != ns_c_in || !on_chain(c, ns_rr_name(rr)))
			continue;
		remember(c, family, ns_rr_rdata(rr), c->chain[0], ns_rr_ttl(rr),
			 ts_ns);
		learnt++;
	}
	return learnt;
}

int dnscache__add_message(struct fw_dnscache *c, const uint8_t *msg, size_t len,
			  size_t wire_len, uint64_t ts_ns)
{
	uint8_t *cut;
	size_t n;
	int ret;

	c->stats.messages++;
	if (len >= wire_len) {
		ret = parse_message(c, msg, len, ts_ns);
		if (ret < 0)
			c->stats.malformed++;
		return ret;
	}
	c->stats.truncated++;
	if (len > NS_MAXMSG)
		return -1;
	cut = fw_xcalloc(1, len ? len : 1);
	n = salvage(msg, len, cut);
	ret = n ? parse_message(c, cut, n, ts_ns) : -1;
	free(cut);
	return ret;
}

const char *dnscache__lookup(struct fw_dnscache *c, const struct fw_dest *dest,
			     uint64_t ts_ns)
{
	struct dns_key key;
	struct dns_entry *e;

	make_key(&key, dest->family, dest->addr);
	e = hashmap__get(c->map, &key);
	if (!e)
		return NULL;
	if (ts_ns > e->keep_until_ns) {
		entry_drop(c, e);
		c->stats.expired++;
		return NULL;
	}
	list_unlink(c, e);
	list_append(c, e);
	return e->name;
}

void dnscache__set_strict(struct fw_dnscache *c, bool strict)
{
	c->strict = strict;
}

/* FNV-1a of the lower-cased name */
static uint64_t name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *name; name++) {
		h ^= (unsigned char)tolower((unsigned char)*name);
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The key of the one question of msg (which may be cut after it) as sent
 * to or answered by server; false when it has not exactly one */
static bool question_key(const struct fw_dns_event *e, size_t len,
			 struct query_key *key)
{
	char name[NS_MAXDNAME];
	struct dns_key server;

	if (len < NS_HFIXEDSZ || ns_get16(e->data + 4) != 1 ||
	    ns_name_uncompress(e->data, e->data + len, e->data + NS_HFIXEDSZ,
			       name, sizeof(name)) < 0)
		return false;
	memset(key, 0, sizeof(*key));
	make_key(&server, e->family, e->server);
	memcpy(key->server, server.addr, sizeof(key->server));
	key->family = server.family;
	key->id = ns_get16(e->data);
	key->name_hash = name_hash(name);
	return true;
}

/* Forget the queries whose answer did not come in time */
static void expire_queries(struct fw_dnscache *c, uint64_t ts_ns)
{
	struct hashmap_cursor cur = { 0 };
	struct query_key *gone;
	const void *key;
	void *value;
	size_t n = 0;

	gone = fw_xcalloc(hashmap__count(c->queries) + 1, sizeof(*gone));
	while (hashmap__next(c->queries, &cur, &key, &value))
		if ((uint64_t)(uintptr_t)value < ts_ns)
			memcpy(&gone[n++], key, sizeof(*gone));
	for (size_t i = 0; i < n; i++)
		hashmap__remove(c->queries, &gone[i]);
	free(gone);
}

int dnscache__add_event(struct fw_dnscache *c, const struct fw_dns_event *e,
			uint64_t ts_ns)
{
	size_t len = e->len < FW_DNS_MAX ? e->len : FW_DNS_MAX;
	uint64_t until = ts_ns + FW_DNS_QUERY_WAIT_S * 1000000000ull;
	struct query_key key;
	void *waiting;

	if (e->query) {
		c->strict = true;
		c->stats.queries++;
		if (len < NS_HFIXEDSZ || (e->data[2] & 0x80) ||
		    !question_key(e, len, &key))
			return 0; /* not a query with one question */
		if (hashmap__count(c->queries) >= FW_DNS_QUERIES_MAX)
			expire_queries(c, ts_ns);
		if (hashmap__count(c->queries) >= FW_DNS_QUERIES_MAX) {
			c->stats.queries_dropped++;
			return 0;
		}
		hashmap__put(c->queries, &key, (void *)(uintptr_t)until);
		return 0;
	}
	if (c->strict) {
		if (!e->from_resolver || !question_key(e, len, &key) ||
		    !(waiting = hashmap__get(c->queries, &key)) ||
		    (uint64_t)(uintptr_t)waiting < ts_ns) {
			c->stats.messages++;
			c->stats.unmatched++;
			return 0;
		}
		/* one answer per query: a second one is not trusted */
		hashmap__remove(c->queries, &key);
	}
	return dnscache__add_message(c, e->data, len, e->wire_len, ts_ns);
}
