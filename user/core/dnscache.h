/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Destination names from passive DNS: the answers the host received map
 * each address they carried to the name that was asked for (the question
 * name, at the head of any CNAME chain: what the program looked up, which
 * is what an operator recognises; the chain's end is often a CDN host).
 *
 * Messages are parsed with libresolv (ns_initparse, ns_parserr,
 * ns_name_uncompress). The cache is bounded: past max_entries the entry
 * least recently answered or looked up is evicted (counted).
 *
 * Times are the events' CLOCK_BOOTTIME stamps, never this host's clock, so
 * that replaying a trace names destinations exactly as the live run did.
 */
#ifndef FW_DNSCACHE_H
#define FW_DNSCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flightwatch.h"

/*
 * How long a name is kept: its TTL, but at least this long. Programs keep
 * connections (and often their own resolver caches) far longer than
 * answers' TTLs, and local servers answer with TTL 0 (dnsmasq's
 * --address): a destination reached minutes after its lookup must still
 * be named.
 */
#define FW_DNS_KEEP_MIN_S 3600
#define FW_DNSCACHE_DEFAULT_MAX 8192

struct fw_dnscache_stats {
	uint64_t messages; /* DNS messages seen */
	uint64_t addresses; /* address -> name mappings learnt */
	uint64_t malformed; /* whole but not parseable (libresolv refused) */
	uint64_t truncated; /* only the start of the message was captured */
	uint64_t evicted; /* dropped to stay within max_entries */
	uint64_t expired; /* dropped when looked up after their keep time */
	uint64_t entries; /* in the cache now */
	uint64_t queries; /* queries this host sent */
	/* answers that named nothing: no query of this host's waited for
	 * them (id, question, server), or not from a configured resolver */
	uint64_t unmatched;
	uint64_t queries_dropped; /* not remembered: too many waiting */
};

/* How long a query waits for its answer, and how many may wait */
#define FW_DNS_QUERY_WAIT_S 30
#define FW_DNS_QUERIES_MAX 4096

struct fw_dnscache;

struct fw_dnscache *dnscache__new(size_t max_entries);
void dnscache__free(struct fw_dnscache *c);
/*
 * One DNS message received at ts_ns. len bytes of it are in msg; wire_len
 * is the length it had on the wire (more than len: the copy was cut, and
 * only the answer records that fit whole are read). Every A and AAAA
 * answer whose owner is the question name or on its CNAME chain maps its
 * address to the question name. Queries, error answers and records off
 * the chain teach nothing. Returns the number of addresses learnt, or -1
 * when the message could not be parsed (counted).
 */
int dnscache__add_message(struct fw_dnscache *c, const uint8_t *msg, size_t len,
			  size_t wire_len, uint64_t ts_ns);
/*
 * One FW_EV_DNS record at ts_ns. A query is remembered; an answer is
 * added (dnscache__add_message) only when it comes from a configured
 * resolver and answers a query still waiting (same id, question name and
 * server). Until the first query is seen, or strict is set (the collector
 * does when the query hook is attached), answers count unchecked: traces
 * recorded before queries were, or a kernel without the query hook.
 * Returns the addresses learnt.
 */
int dnscache__add_event(struct fw_dnscache *c, const struct fw_dns_event *e,
			uint64_t ts_ns);
void dnscache__set_strict(struct fw_dnscache *c, bool strict);
/* The name of dest's address at ts_ns, NULL if none is known. The string
 * stays valid until the next call that adds a message. */
const char *dnscache__lookup(struct fw_dnscache *c, const struct fw_dest *dest,
			     uint64_t ts_ns);
void dnscache__stats(const struct fw_dnscache *c,
		     struct fw_dnscache_stats *stats);

#endif /* FW_DNSCACHE_H */
