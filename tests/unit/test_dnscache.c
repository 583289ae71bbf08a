// SPDX-License-Identifier: GPL-2.0
/*
 * The passive-DNS cache fed real DNS wire messages: the question built by
 * libresolv's res_mkquery, answer records appended with dn_comp (name
 * compression as servers do it). Then the correlator fed FW_EV_DNS
 * records, as the kernel or a trace would deliver them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "fw_test.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <arpa/nameser_compat.h>
#include <errno.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/correlator.h"
#include "core/dnscache.h"
#include "core/policy.h"

#define SEC 1000000000ull

/* ---- DNS messages ---- */

struct msg {
	uint8_t buf[2048]; /* larger than what the kernel copies */
	size_t len;
	const uint8_t *dnptrs[32]; /* dn_comp's table of names written */
};

/* A response to "name TYPE?": the question as res_mkquery writes it */
static void msg_init(struct msg *m, const char *name, int type)
{
	HEADER *h = (HEADER *)m->buf;
	int n;

	memset(m, 0, sizeof(*m));
	n = res_mkquery(ns_o_query, name, ns_c_in, type, NULL, 0, NULL, m->buf,
			sizeof(m->buf));
	assert_true(n > (int)sizeof(HEADER));
	m->len = n;
	h->qr = 1;
	h->ra = 1;
	/* answers' names may point back at the question name, as servers
	 * write them */
	m->dnptrs[0] = m->buf;
	m->dnptrs[1] = m->buf + NS_HFIXEDSZ;
	m->dnptrs[2] = NULL;
}

static void put16(struct msg *m, uint16_t v)
{
	assert_true(m->len + 2 <= sizeof(m->buf));
	m->buf[m->len++] = v >> 8;
	m->buf[m->len++] = v;
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v);
}

static void put_name(struct msg *m, const char *name)
{
	int n = dn_comp(name, m->buf + m->len, sizeof(m->buf) - m->len,
			(unsigned char **)m->dnptrs,
			(unsigned char **)&m->dnptrs[31]);

	assert_true(n > 0);
	m->len += n;
}

/* One answer record: owner, type, TTL, then the rdata */
static void rr_start(struct msg *m, const char *owner, int type, uint32_t ttl)
{
	HEADER *h = (HEADER *)m->buf;

	put_name(m, owner);
	put16(m, type);
	put16(m, ns_c_in);
	put32(m, ttl);
	h->ancount = htons(ntohs(h->ancount) + 1);
}

static void add_addr(struct msg *m, const char *owner, const char *ip,
		     uint32_t ttl)
{
	uint8_t addr[16];
	int af = strchr(ip, ':') ? AF_INET6 : AF_INET;
	size_t n = af == AF_INET ? 4 : 16;

	assert_int_equal(inet_pton(af, ip, addr), 1);
	rr_start(m, owner, af == AF_INET ? ns_t_a : ns_t_aaaa, ttl);
	put16(m, n);
	assert_true(m->len + n <= sizeof(m->buf));
	memcpy(m->buf + m->len, addr, n);
	m->len += n;
}

static void add_cname(struct msg *m, const char *owner, const char *target,
		      uint32_t ttl)
{
	size_t rdlen_at;

	rr_start(m, owner, ns_t_cname, ttl);
	rdlen_at = m->len;
	put16(m, 0);
	put_name(m, target);
	m->buf[rdlen_at] = (m->len - rdlen_at - 2) >> 8;
	m->buf[rdlen_at + 1] = m->len - rdlen_at - 2;
}

static int add(struct fw_dnscache *c, const struct msg *m, uint64_t ts)
{
	return dnscache__add_message(c, m->buf, m->len, m->len, ts);
}

static const char *lookup(struct fw_dnscache *c, const char *ip, uint64_t ts)
{
	int af = strchr(ip, ':') ? AF_INET6 : AF_INET;
	struct fw_dest d = fw_test_dest(af, ip, 443, 6);

	return dnscache__lookup(c, &d, ts);
}

static struct fw_dnscache_stats stats(const struct fw_dnscache *c)
{
	struct fw_dnscache_stats s;

	dnscache__stats(c, &s);
	return s;
}

/* ---- the cache ---- */

static void test_a(void **state)
{
	struct fw_dnscache *c = dnscache__new(16);
	struct msg m;

	(void)state;
	msg_init(&m, "upload.example", ns_t_a);
	add_addr(&m, "upload.example", "192.0.2.10", 300);
	add_addr(&m, "upload.example", "192.0.2.11", 300);
	assert_int_equal(add(c, &m, 5 * SEC), 2);
	assert_string_equal(lookup(c, "192.0.2.10", 6 * SEC), "upload.example");
	assert_string_equal(lookup(c, "192.0.2.11", 6 * SEC), "upload.example");
	assert_null(lookup(c, "192.0.2.12", 6 * SEC));
	assert_int_equal(stats(c).messages, 1);
	assert_int_equal(stats(c).addresses, 2);
	assert_int_equal(stats(c).entries, 2);
	assert_int_equal(stats(c).malformed, 0);
	dnscache__free(c);
}

static void test_aaaa_and_mapped(void **state)
{
	struct fw_dnscache *c = dnscache__new(16);
	struct msg m;

	(void)state;
	msg_init(&m, "v6.example", ns_t_aaaa);
	add_addr(&m, "v6.example", "2001:db8::10", 60);
	/* a v4-mapped answer names the IPv4 destination, as the tracer
	 * reports mapped destinations as IPv4 */
	add_addr(&m, "v6.example", "::ffff:192.0.2.77", 60);
	assert_int_equal(add(c, &m, SEC), 2);
	assert_string_equal(lookup(c, "2001:db8::10", SEC), "v6.example");
	assert_string_equal(lookup(c, "192.0.2.77", SEC), "v6.example");
	assert_null(lookup(c, "2001:db8::11", SEC));
	dnscache__free(c);
}

/* The name the program asked for, however long the chain and in whatever
 * order the records come */
static void test_cname_chain(void **state)
{
	struct fw_dnscache *c = dnscache__new(16);
	struct msg m;

	(void)state;
	msg_init(&m, "alias.example", ns_t_a);
	add_addr(&m, "edge.cdn.example", "192.0.2.20", 20);
	add_cname(&m, "mid.example", "edge.cdn.example", 300);
	add_cname(&m, "alias.example", "mid.example", 300);
	assert_int_equal(add(c, &m, SEC), 1);
	assert_string_equal(lookup(c, "192.0.2.20", SEC), "alias.example");
	dnscache__free(c);
}

/* A CNAME loop ends; an address for a name off the chain is not taken */
static void test_cname_loop_and_off_chain(void **state)
{
	struct fw_dnscache *c = dnscache__new(16);
	struct msg m;

	(void)state;
	msg_init(&m, "a.example", ns_t_a);
	add_cname(&m, "a.example", "b.example", 300);
	add_cname(&m, "b.example", "a.example", 300);
	add_addr(&m, "b.example", "192.0.2.30", 300);
	add_addr(&m, "bank.example", "192.0.2.31", 300);
	assert_int_equal(add(c, &m, SEC), 1);
	assert_string_equal(lookup(c, "192.0.2.30", SEC), "a.example");
	assert_null(lookup(c, "192.0.2.31", SEC));
	dnscache__free(c);
}

/* Names are compared and shown in lower case */
static void test_case(void **state)
{
	struct fw_dnscache *c = dnscache__new(16);
	struct msg m;

	(void)state;
	msg_init(&m, "Upload.EXAMPLE", ns_t_a);
	add_addr(&m, "upload.example", "192.0.2.40", 300);
	assert_int_equal(add(c, &m, SEC), 1);
	assert_string_equal(lookup(c, "192.0.2.40", SEC), "upload.example");
	dnscache__free(c);
}

/* A query, an error answer or another opcode teach nothing, and are not
 * malformed */
static void test_not_answers(void **state)
{
	struct fw_dnscache *c = dnscache__new(16);
	struct msg m;
	HEADER *h = (HEADER *)m.buf;

	(void)state;
	msg_init(&m, "q.example", ns_t_a);
	add_addr(&m, "q.example", "192.0.2.50", 300);
	h->qr = 0;
	assert_int_equal(add(c, &m, SEC), 0);
	h->qr = 1;
	h->rcode = ns_r_nxdomain;
	assert_int_equal(add(c, &m, SEC), 0);
	h->rcode = ns_r_noerror;
	h->opcode = ns_o_notify;
	assert_int_equal(add(c, &m, SEC), 0);
	assert_null(lookup(c, "192.0.2.50", SEC));
	h->opcode = ns_o_query;
	assert_int_equal(add(c, &m, SEC), 1);
	assert_int_equal(stats(c).messages, 4);
	assert_int_equal(stats(c).malformed, 0);
	dnscache__free(c);
}

/* Every prefix of a real answer: never a crash; a cut copy still names
 * what its whole records say, never a partial one; a short message that
 * claims to be whole is malformed */
static void test_truncated(void **state)
{
	size_t question, first;
	struct msg m;

	(void)state;
	msg_init(&m, "cut.example", ns_t_a);
	question = m.len;
	add_addr(&m, "cut.example", "192.0.2.60", 300);
	first = m.len;
	add_addr(&m, "cut.example", "192.0.2.61", 300);
	for (size_t n = 0; n < m.len; n++) {
		struct fw_dnscache *c = dnscache__new(16);
		int want = n < question ? -1 : n < first ? 0 : 1;

		assert_int_equal(dnscache__add_message(c, m.buf, n, m.len, SEC),
				 want);
		if (n < first)
			assert_null(lookup(c, "192.0.2.60", SEC));
		else
			assert_string_equal(lookup(c, "192.0.2.60", SEC),
					    "cut.example");
		assert_null(lookup(c, "192.0.2.61", SEC));
		assert_int_equal(dnscache__add_message(c, m.buf, n, n, SEC),
				 -1);
		assert_int_equal(stats(c).truncated, 1);
		assert_int_equal(stats(c).malformed, 1);
		dnscache__free(c);
	}
}

/* An answer longer than the kernel copies (an EDNS answer with many
 * addresses): the addresses in the first FW_DNS_MAX bytes are named */
static void test_long_answer_cut(void **state)
{
	struct fw_dnscache *c = dnscache__new(64);
	char ip[32];
	struct msg m;
	int fit;

	(void)state;
	msg_init(&m, "many.example", ns_t_a);
	/* each record: a 2-byte name pointer, 10 bytes of fields, 4 of
	 * address */
	fit = (FW_DNS_MAX - m.len) / 16;
	for (int i = 0; i < 50; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		add_addr(&m, "many.example", ip, 300);
	}
	assert_true(m.len > FW_DNS_MAX);
	assert_int_equal(
		dnscache__add_message(c, m.buf, FW_DNS_MAX, m.len, SEC), fit);
	snprintf(ip, sizeof(ip), "198.51.100.%d", fit - 1);
	assert_string_equal(lookup(c, ip, SEC), "many.example");
	snprintf(ip, sizeof(ip), "198.51.100.%d", fit);
	assert_null(lookup(c, ip, SEC));
	/* and the whole of it, when it is all there */
	assert_int_equal(add(c, &m, SEC), 50);
	assert_int_equal(stats(c).truncated, 1);
	assert_int_equal(stats(c).malformed, 0);
	dnscache__free(c);
}

static void test_malformed(void **state)
{
	struct fw_dnscache *c = dnscache__new(16);
	struct msg m;
	HEADER *h = (HEADER *)m.buf;
	uint8_t junk[64];

	(void)state;
	/* counts that promise records that are not there */
	msg_init(&m, "x.example", ns_t_a);
	h->ancount = htons(5);
	assert_int_equal(add(c, &m, SEC), -1);
	/* an A record whose owner is a compression pointer to itself */
	msg_init(&m, "x.example", ns_t_a);
	h->ancount = htons(1);
	m.buf[m.len] = 0xc0;
	m.buf[m.len + 1] = m.len;
	m.len += 2;
	put16(&m, ns_t_a);
	put16(&m, ns_c_in);
	put32(&m, 1);
	put16(&m, 4);
	put32(&m, 0xc0000201);
	assert_int_equal(add(c, &m, SEC), -1);
	/* a CNAME whose target runs off the end of its rdata */
	msg_init(&m, "x.example", ns_t_a);
	add_cname(&m, "x.example", "y.example", 1);
	m.buf[m.len - 1] = 0x3f; /* the root label becomes a long one */
	assert_int_equal(add(c, &m, SEC), -1);
	/* noise */
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = i * 37 + 11;
	assert_int_equal(dnscache__add_message(c, junk, sizeof(junk),
					       sizeof(junk), SEC),
			 -1);
	assert_int_equal(stats(c).malformed, 4);
	assert_int_equal(stats(c).entries, 0);
	dnscache__free(c);
}

/* Bounded: the entry least recently answered or looked up goes first */
static void test_eviction(void **state)
{
	struct fw_dnscache *c = dnscache__new(4);
	char name[32], ip[32];
	struct msg m;

	(void)state;
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "h%d.example", i);
		snprintf(ip, sizeof(ip), "192.0.2.%d", 100 + i);
		msg_init(&m, name, ns_t_a);
		add_addr(&m, name, ip, 300);
		assert_int_equal(add(c, &m, (i + 1) * SEC), 1);
	}
	/* h0 is used: h1 is now the least recent */
	assert_string_equal(lookup(c, "192.0.2.100", 5 * SEC), "h0.example");
	for (int i = 4; i < 6; i++) {
		snprintf(name, sizeof(name), "h%d.example", i);
		snprintf(ip, sizeof(ip), "192.0.2.%d", 100 + i);
		msg_init(&m, name, ns_t_a);
		add_addr(&m, name, ip, 300);
		assert_int_equal(add(c, &m, (i + 2) * SEC), 1);
	}
	assert_int_equal(stats(c).evicted, 2);
	assert_int_equal(stats(c).entries, 4);
	assert_null(lookup(c, "192.0.2.101", 9 * SEC));
	assert_null(lookup(c, "192.0.2.102", 9 * SEC));
	assert_string_equal(lookup(c, "192.0.2.100", 9 * SEC), "h0.example");
	assert_string_equal(lookup(c, "192.0.2.105", 9 * SEC), "h5.example");
	/* a new answer for a known address replaces its name, no eviction */
	msg_init(&m, "renamed.example", ns_t_a);
	add_addr(&m, "renamed.example", "192.0.2.103", 300);
	assert_int_equal(add(c, &m, 10 * SEC), 1);
	assert_string_equal(lookup(c, "192.0.2.103", 10 * SEC),
			    "renamed.example");
	assert_int_equal(stats(c).evicted, 2);
	dnscache__free(c);
}

/* Kept for the TTL, at least FW_DNS_KEEP_MIN_S */
/* ---- answers checked against the queries sent ---- */

/* A FW_EV_DNS record of m from or to server 10.0.0.SERVER */
static struct fw_dns_event dns_event(const struct msg *m, int server,
				     bool query, bool from_resolver)
{
	struct fw_dns_event e = { 0 };

	e.family = AF_INET;
	e.server[0] = 10;
	e.server[3] = server;
	e.query = query;
	e.from_resolver = from_resolver;
	e.len = e.wire_len = m->len;
	memcpy(e.data, m->buf, m->len);
	return e;
}

static void test_answers_need_queries(void **state)
{
	struct fw_dnscache *c = dnscache__new(16);
	struct fw_dns_event e;
	struct msg q, a, other;

	(void)state;
	/* the query this host sends: the answer's header and question */
	msg_init(&q, "upload.example", ns_t_a);
	((HEADER *)q.buf)->qr = 0;
	msg_init(&a, "upload.example", ns_t_a);
	memcpy(a.buf, q.buf, 2); /* the same id */
	add_addr(&a, "upload.example", "192.0.2.10", 300);
	msg_init(&other, "upload.example", ns_t_a);
	memcpy(other.buf, q.buf, 2);
	other.buf[1] ^= 1; /* another id */
	add_addr(&other, "upload.example", "192.0.2.66", 300);

	/* before any query, as in traces without them: unchecked */
	e = dns_event(&other, 1, false, false);
	assert_int_equal(dnscache__add_event(c, &e, SEC), 1);

	e = dns_event(&q, 1, true, false);
	assert_int_equal(dnscache__add_event(c, &e, 2 * SEC), 0);
	assert_int_equal(stats(c).queries, 1);
	/* from now on strict: an answer of another id, of another server,
	 * or not from a resolver teaches nothing */
	e = dns_event(&other, 1, false, true);
	assert_int_equal(dnscache__add_event(c, &e, 3 * SEC), 0);
	e = dns_event(&a, 2, false, true);
	assert_int_equal(dnscache__add_event(c, &e, 3 * SEC), 0);
	e = dns_event(&a, 1, false, false);
	assert_int_equal(dnscache__add_event(c, &e, 3 * SEC), 0);
	assert_int_equal(stats(c).unmatched, 3);
	assert_null(lookup(c, "192.0.2.10", 3 * SEC));
	/* the answer to the query, from its resolver: named */
	e = dns_event(&a, 1, false, true);
	assert_int_equal(dnscache__add_event(c, &e, 4 * SEC), 1);
	assert_string_equal(lookup(c, "192.0.2.10", 4 * SEC), "upload.example");
	/* one answer per query */
	assert_int_equal(dnscache__add_event(c, &e, 4 * SEC), 0);
	/* a query not answered in time is forgotten */
	e = dns_event(&q, 1, true, false);
	dnscache__add_event(c, &e, 5 * SEC);
	e = dns_event(&a, 1, false, true);
	assert_int_equal(
		dnscache__add_event(c, &e, (6 + FW_DNS_QUERY_WAIT_S) * SEC), 0);
	assert_int_equal(stats(c).unmatched, 5);
	dnscache__free(c);
}

static void test_keep_time(void **state)
{
	struct fw_dnscache *c = dnscache__new(16);
	uint64_t t0 = 100 * SEC, min = FW_DNS_KEEP_MIN_S * SEC;
	struct msg m;

	(void)state;
	msg_init(&m, "short.example", ns_t_a);
	add_addr(&m, "short.example", "192.0.2.70", 0);
	assert_int_equal(add(c, &m, t0), 1);
	msg_init(&m, "long.example", ns_t_a);
	add_addr(&m, "long.example", "192.0.2.71", 2 * FW_DNS_KEEP_MIN_S);
	assert_int_equal(add(c, &m, t0), 1);
	assert_string_equal(lookup(c, "192.0.2.70", t0 + min), "short.example");
	assert_null(lookup(c, "192.0.2.70", t0 + min + 1));
	assert_int_equal(stats(c).expired, 1);
	assert_string_equal(lookup(c, "192.0.2.71", t0 + 2 * min),
			    "long.example");
	assert_null(lookup(c, "192.0.2.71", t0 + 2 * min + 1));
	assert_int_equal(stats(c).expired, 2);
	assert_int_equal(stats(c).entries, 0);
	dnscache__free(c);
}

/* ---- the correlator: FW_EV_DNS names the destinations of alerts ---- */

struct fixture {
	struct fw_policy policy;
	struct fw_correlator *c;
	char domain[8][64]; /* of each egress alert, "-" when none */
	size_t n;
};

static void capture(const struct fw_alert *a, void *ctx)
{
	struct fixture *fx = ctx;

	if (a->kind != FW_ALERT_EGRESS || fx->n == 8)
		return;
	snprintf(fx->domain[fx->n++], sizeof(fx->domain[0]), "%s",
		 a->domain ? a->domain : "-");
}

static void feed_dns(struct fixture *fx, const struct msg *m, uint64_t ts)
{
	struct fw_dns_event e = { 0 };

	e.hdr.type = FW_EV_DNS;
	e.hdr.size = sizeof(e);
	e.hdr.ts_ns = ts;
	e.family = AF_INET;
	e.server[0] = 10;
	e.len = m->len;
	e.wire_len = m->len;
	memcpy(e.data, m->buf, m->len);
	assert_int_equal(correlator__feed(fx->c, &e, sizeof(e)), 0);
}

static void feed_read(struct fixture *fx, uint32_t pid, uint64_t ts)
{
	static struct fw_file_read_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = FW_EV_FILE_READ;
	e.hdr.size = sizeof(e);
	e.hdr.tgid = e.hdr.tid = pid;
	e.hdr.ts_ns = ts;
	e.file.ino = 42;
	e.file.dev = 1;
	e.bytes = 100;
	e.match = FW_MATCH_PATTERN;
	e.content = FW_CONTENT_TLOG;
	strcpy(e.path + FW_PATH_MAX - 1 - 7, "/a.tlog");
	e.path_off = FW_PATH_MAX - 1 - 7;
	assert_int_equal(correlator__feed(fx->c, &e, sizeof(e)), 0);
}

static void feed_send(struct fixture *fx, uint32_t pid, const char *ip,
		      uint64_t bytes, uint64_t ts)
{
	struct fw_net_event e = { 0 };

	e.hdr.type = FW_EV_SEND;
	e.hdr.size = sizeof(e);
	e.hdr.tgid = e.hdr.tid = pid;
	e.hdr.ts_ns = ts;
	e.dest = fw_test_dest(AF_INET, ip, 8000, 6);
	e.bytes = bytes;
	assert_int_equal(correlator__feed(fx->c, &e, sizeof(e)), 0);
}

static void feed_send_bytes(struct fixture *fx, uint32_t pid, const char *ip,
			    uint64_t bytes, uint64_t ts)
{
	struct fw_send_bytes_event e = { 0 };

	e.hdr.type = FW_EV_SEND_BYTES;
	e.hdr.size = sizeof(e);
	e.hdr.tgid = e.hdr.tid = pid;
	e.hdr.ts_ns = ts;
	e.dest = fw_test_dest(AF_INET, ip, 8000, 6);
	e.count.bytes = bytes;
	e.count.ops = 2;
	e.count.last_ns = ts;
	assert_int_equal(correlator__feed(fx->c, &e, sizeof(e)), 0);
}

/* One correlator per test; the policy is empty (everything alerts) */
static struct fixture the_fixture;

static int setup(void **state)
{
	memset(&the_fixture, 0, sizeof(the_fixture));
	the_fixture.c =
		correlator__new(&the_fixture.policy, capture, &the_fixture);
	*state = &the_fixture;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	correlator__free(the_fixture.c);
	return 0;
}

static void test_correlator_names_alert(void **state)
{
	struct fixture *fx = *state;
	struct fw_correlator_stats cs;
	struct msg m;

	msg_init(&m, "alias.example", ns_t_a);
	add_cname(&m, "alias.example", "upload.example", 300);
	add_addr(&m, "upload.example", "10.200.1.2", 300);
	feed_dns(fx, &m, 10 * SEC);
	feed_read(fx, 100, 11 * SEC);
	feed_send(fx, 100, "10.200.1.2", 500, 12 * SEC);
	assert_int_equal(fx->n, 1);
	assert_string_equal(fx->domain[0], "alias.example");
	correlator__stats(fx->c, &cs);
	assert_int_equal(cs.dns.messages, 1);
	assert_int_equal(cs.dns.addresses, 1);
}

/* The answer arrives after the first send: the next update has the name */
static void test_correlator_name_on_update(void **state)
{
	struct fixture *fx = *state;
	struct msg m;

	feed_read(fx, 200, 11 * SEC);
	feed_send(fx, 200, "10.200.1.3", 500, 12 * SEC);
	msg_init(&m, "late.example", ns_t_a);
	add_addr(&m, "late.example", "10.200.1.3", 300);
	feed_dns(fx, &m, 13 * SEC);
	feed_send_bytes(fx, 200, "10.200.1.3", 900, 14 * SEC);
	correlator__flush(fx->c);
	assert_int_equal(fx->n, 2);
	assert_string_equal(fx->domain[0], "-");
	assert_string_equal(fx->domain[1], "late.example");
}

/* A DNS record shorter than the wire struct is malformed, not parsed */
static void test_correlator_short_record(void **state)
{
	struct fixture *fx = *state;
	struct fw_dns_event e = { 0 };
	struct fw_correlator_stats cs;

	e.hdr.type = FW_EV_DNS;
	e.hdr.size = sizeof(e);
	assert_int_equal(correlator__feed(fx->c, &e, sizeof(e) - 1), -EINVAL);
	/* a length beyond the buffer is clamped to it */
	e.len = 0xffff;
	e.wire_len = 0xffff;
	assert_int_equal(correlator__feed(fx->c, &e, sizeof(e)), 0);
	correlator__stats(fx->c, &cs);
	assert_int_equal(cs.malformed, 1);
	assert_int_equal(cs.dns.messages, 1);
	assert_int_equal(cs.dns.truncated, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a),
		cmocka_unit_test(test_aaaa_and_mapped),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_cname_loop_and_off_chain),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_not_answers),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_long_answer_cut),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_keep_time),
		cmocka_unit_test(test_answers_need_queries),
		cmocka_unit_test_setup_teardown(test_correlator_names_alert,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_correlator_name_on_update,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_correlator_short_record,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
