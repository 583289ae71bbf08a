// SPDX-License-Identifier: GPL-2.0
/*
 * The passive-DNS program fw_dns_ingress (cgroup_skb/ingress,
 * bpf/dns.bpf.c) run with BPF_PROG_TEST_RUN on crafted packets: no
 * network, no cgroup, nothing attached. The project's skeleton is opened
 * with every other program's autoload turned off and loaded; each case
 * hands the kernel an Ethernet frame (IPv4 or IPv6, UDP, a DNS message),
 * which it turns into an skb with the Ethernet header pulled, so the
 * program sees the IP header at skb->data as on the real ingress path.
 * The FW_EV_DNS records are read back from the `events` ring buffer
 * (ring_buffer__consume) and every field is checked: header, server
 * address and family, len and wire_len, the copied bytes against the
 * payload and the zeroed rest, and the stats map's DNS event count.
 *
 * Cases: an A answer over IPv4 (also behind IPv4 options), an AAAA answer
 * over IPv6, answers of 512, 513 and more bytes (cut to FW_DNS_MAX, with
 * wire_len the real length), the smallest message (a bare 12-byte header),
 * a UDP length shorter than the packet (the UDP header decides); and no
 * record for: a source port other than 53, a DNS header under 12 bytes, a
 * UDP length beyond the packet, a frame cut inside the UDP header, TCP
 * from port 53 (IPv4 and IPv6), an ARP frame. The program returns 1 (pass)
 * for every packet.
 *
 * Needs root (CAP_BPF, CAP_NET_ADMIN): tests/run.sh runs it as root after
 * the unit tests. When the kernel refuses for a reason outside the test
 * (EPERM: no privileges; ENOSYS or EOPNOTSUPP: no BPF or no test runs)
 * every test is skipped with the reason; any other failure to load, and
 * every wrong field, fails. Build: make unit (build/tests/bpf/).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flightwatch.h"
#include "flightwatch.skel.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's internal "not supported" */
#endif

#define ETH_HLEN_ 14
#define ETH_P_IP_ 0x0800
#define ETH_P_IPV6_ 0x86DD
#define ETH_P_ARP_ 0x0806
#define IPPROTO_UDP_ 17
#define IPPROTO_TCP_ 6
#define CLIENT_PORT 40123
/* room for the longest frame: Ethernet, IPv6, UDP, a 900-byte message */
#define FRAME_MAX 1024
#define MAX_RECORDS 8

static const char SERVER4[] = "192.0.2.53";
static const char CLIENT4[] = "198.51.100.7";
static const char SERVER6[] = "2001:db8::53";
static const char CLIENT6[] = "2001:db8::7";

/* ---- the loaded program and what it wrote --------------------------------- */

static struct {
	struct flightwatch_bpf *skel;
	struct ring_buffer *rb;
	int prog_fd; /* fw_dns_ingress */
	int egress_fd; /* fw_dns_egress */
	int err; /* negative errno of the load, 0 when loaded */
	const char *step; /* what failed */
	int skip; /* the failure is the environment's, not the program's */
	struct fw_dns_event rec[MAX_RECORDS];
	size_t n_rec; /* records consumed (may exceed MAX_RECORDS) */
	size_t bad_size; /* records of another size */
} g;

/* libbpf's messages (the verifier's log on a refused load) as TAP
 * comments */
static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char *buf, *line, *save = NULL;

	if (level == LIBBPF_DEBUG || vasprintf(&buf, fmt, ap) < 0)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "# %s\n", line);
	free(buf);
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size != sizeof(struct fw_dns_event)) {
		g.bad_size++;
		return 0;
	}
	if (g.n_rec < MAX_RECORDS)
		memcpy(&g.rec[g.n_rec], data, size);
	g.n_rec++;
	return 0;
}

static int env_errno(int err)
{
	return err == EPERM || err == ENOSYS || err == EOPNOTSUPP ||
	       err == ENOTSUPP;
}

static void load_failed(const char *step, int err)
{
	g.step = step;
	g.err = err < 0 ? err : -EINVAL;
	g.skip = env_errno(-g.err);
	fprintf(stderr, "# %s: %s%s\n", step, strerror(-g.err),
		g.skip ? " (outside this test: the tests are skipped)" : "");
}

static int setup(void **state)
{
	struct bpf_program *prog;
	int err;

	(void)state;
	libbpf_set_print(print_libbpf);
	g.skel = flightwatch_bpf__open();
	if (!g.skel) {
		load_failed("open the skeleton", -errno);
		return 0;
	}
	bpf_object__for_each_program(prog, g.skel->obj) {
		if (prog != g.skel->progs.fw_dns_ingress &&
		    prog != g.skel->progs.fw_dns_egress)
			bpf_program__set_autoload(prog, false);
	}
	err = flightwatch_bpf__load(g.skel);
	if (err) {
		load_failed("load fw_dns_ingress and fw_dns_egress", err);
		return 0;
	}
	g.prog_fd = bpf_program__fd(g.skel->progs.fw_dns_ingress);
	g.egress_fd = bpf_program__fd(g.skel->progs.fw_dns_egress);
	g.rb = ring_buffer__new(bpf_map__fd(g.skel->maps.events), on_record,
				NULL, NULL);
	if (!g.rb)
		load_failed("ring_buffer__new on the events map", -errno);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ring_buffer__free(g.rb);
	flightwatch_bpf__destroy(g.skel);
	return 0;
}

/* Every test starts here: skipped when the environment refused, failed
 * when the program did not load for another reason */
static void need_program(void)
{
	if (g.err && g.skip)
		skip();
	if (g.err)
		fail_msg("%s failed: %s (the libbpf lines above say why)",
			 g.step, strerror(-g.err));
}

/* ---- checks with expected and actual values ------------------------------- */

#define EXPECT_EQ(what, expected, actual)                                 \
	do {                                                              \
		unsigned long long e_ = (expected), a_ = (actual);        \
		if (e_ != a_)                                             \
			fail_msg("%s: %s: expected %llu, got %llu", name, \
				 what, e_, a_);                           \
	} while (0)

static void expect_bytes(const char *name, const char *what,
			 const uint8_t *expected, const uint8_t *actual,
			 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (expected[i] != actual[i])
			fail_msg("%s: %s: byte %zu of %zu: expected 0x%02x, "
				 "got 0x%02x",
				 name, what, i, n, expected[i], actual[i]);
}

/* ---- packets -------------------------------------------------------------- */

struct pkt {
	const char *name;
	int family; /* 4 or 6; 0: an ARP frame */
	uint8_t proto; /* IPPROTO_UDP_ unless another is tested */
	uint16_t sport, dport;
	int ip_options; /* IPv4: 4-byte words of options (NOPs) */
	const uint8_t *dns; /* the UDP payload */
	size_t dns_len;
	int udp_len_delta; /* added to the UDP length field */
	size_t cut; /* when not 0: the frame is cut to this many bytes */
	bool query; /* sent by this host (fw_dns_egress): client to server */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void addr(int family, const char *text, uint8_t *out)
{
	assert_int_equal(inet_pton(family, text, out), 1);
}

/* Build the frame into buf; returns its length */
static size_t frame(const struct pkt *k, uint8_t *buf)
{
	uint8_t *p = buf + ETH_HLEN_, *l4;
	size_t ip_len, l4_len = 8 + k->dns_len, n;

	assert_true(k->dns_len + 80 <= FRAME_MAX);
	memset(buf, 0, FRAME_MAX);
	/* destination and source MAC: locally administered */
	memcpy(buf, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	if (k->family == 0) {
		/* an ARP request (who has 198.51.100.7) */
		put16(buf + 12, ETH_P_ARP_);
		memcpy(p, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
		memcpy(p + 8, buf + 6, 6);
		addr(AF_INET, SERVER4, p + 14);
		addr(AF_INET, CLIENT4, p + 24);
		return ETH_HLEN_ + 28;
	}
	if (k->family == 4) {
		size_t ihl = 20 + 4 * k->ip_options;

		put16(buf + 12, ETH_P_IP_);
		ip_len = ihl + l4_len;
		p[0] = 0x40 | (ihl / 4);
		put16(p + 2, ip_len);
		put16(p + 4, 0x1234); /* id */
		put16(p + 6, 0x4000); /* DF */
		p[8] = 64;
		p[9] = k->proto;
		addr(AF_INET, k->query ? CLIENT4 : SERVER4, p + 12);
		addr(AF_INET, k->query ? SERVER4 : CLIENT4, p + 16);
		memset(p + 20, 1, ihl - 20); /* NOP options */
		put16(p + 10, ip_checksum(p, ihl));
		l4 = p + ihl;
	} else {
		put16(buf + 12, ETH_P_IPV6_);
		ip_len = 40 + l4_len;
		p[0] = 0x60;
		put16(p + 4, l4_len);
		p[6] = k->proto;
		p[7] = 64;
		addr(AF_INET6, k->query ? CLIENT6 : SERVER6, p + 8);
		addr(AF_INET6, k->query ? SERVER6 : CLIENT6, p + 24);
		l4 = p + 40;
	}
	put16(l4, k->sport);
	put16(l4 + 2, k->dport);
	if (k->proto == IPPROTO_UDP_) {
		put16(l4 + 4, (uint16_t)(l4_len + k->udp_len_delta));
		/* checksum 0: none (IPv4); the program does not look */
		memcpy(l4 + 8, k->dns, k->dns_len);
	} else {
		/* a TCP segment: sequence numbers, data offset 5, PSH|ACK,
		 * then the message as its payload */
		memset(l4 + 4, 0, 16);
		l4[12] = 5 << 4;
		l4[13] = 0x18;
		put16(l4 + 14, 65535);
		memcpy(l4 + 20, k->dns, k->dns_len);
		ip_len += 12;
		if (k->family == 4) {
			put16(p + 2, ip_len);
			p[10] = p[11] = 0;
			put16(p + 10, ip_checksum(p, 20 + 4 * k->ip_options));
		} else {
			put16(p + 4, ip_len - 40);
		}
	}
	n = ETH_HLEN_ + ip_len;
	if (k->cut && k->cut < n)
		n = k->cut;
	return n;
}

/* ---- DNS messages --------------------------------------------------------- */

struct dns {
	uint8_t buf[900];
	size_t len;
};

static void dns_put(struct dns *m, const void *p, size_t n)
{
	assert_true(m->len + n <= sizeof(m->buf));
	memcpy(m->buf + m->len, p, n);
	m->len += n;
}

/* A response to "flight.example.com TYPE?" with n answers of the given
 * RDATA size (4: A, 16: AAAA); answers name the question by pointer */
static void dns_answer(struct dns *m, uint16_t type, int n, int rdlen)
{
	static const uint8_t qname[] = "\x06"
				       "flight"
				       "\x07"
				       "example"
				       "\x03"
				       "com";
	uint8_t h[12] = { 0xbe, 0xef, 0x81, 0x80 }, rr[12];
	int i;

	m->len = 0;
	put16(h + 4, 1);
	put16(h + 6, n);
	dns_put(m, h, sizeof(h));
	dns_put(m, qname, sizeof(qname)); /* with its terminating 0 */
	put16(rr, type);
	put16(rr + 2, 1); /* IN */
	dns_put(m, rr, 4);
	for (i = 0; i < n; i++) {
		uint8_t rdata[16];

		put16(rr, 0xc00c);
		put16(rr + 2, type);
		put16(rr + 4, 1);
		put16(rr + 6, 0);
		put16(rr + 8, 300); /* TTL */
		put16(rr + 10, rdlen);
		dns_put(m, rr, 12);
		memset(rdata, 0, sizeof(rdata));
		if (rdlen == 4)
			addr(AF_INET, "203.0.113.0", rdata);
		else
			addr(AF_INET6, "2001:db8:f1::", rdata);
		rdata[rdlen - 1] = (uint8_t)(i + 1);
		dns_put(m, rdata, rdlen);
	}
}

/* A message of exactly len bytes: an A answer padded by a last record
 * whose RDATA fills the rest (a TXT-like blob of a known pattern) */
static void dns_of_size(struct dns *m, size_t len)
{
	uint8_t rr[12];
	size_t rdlen, i;

	dns_answer(m, 1, 1, 4);
	assert_true(len >= m->len + 12 && len <= sizeof(m->buf));
	rdlen = len - m->len - 12;
	put16(m->buf + 6, 2);
	put16(rr, 0xc00c);
	put16(rr + 2, 16); /* TXT */
	put16(rr + 4, 1);
	put16(rr + 6, 0);
	put16(rr + 8, 60);
	put16(rr + 10, rdlen);
	dns_put(m, rr, 12);
	for (i = 0; i < rdlen; i++)
		m->buf[m->len + i] = (uint8_t)(i * 7 + 3);
	m->len += rdlen;
	assert_int_equal(m->len, len);
}

/* ---- running the program -------------------------------------------------- */

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The stats map's slot idx, summed over the CPUs */
static uint64_t stat_sum(uint32_t idx)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t *v, sum = 0;

	assert_true(ncpu > 0);
	v = calloc(ncpu, sizeof(*v));
	assert_non_null(v);
	if (bpf_map_lookup_elem(bpf_map__fd(g.skel->maps.stats), &idx, v)) {
		free(v);
		fail_msg("stats[%u]: lookup failed: %s", idx, strerror(errno));
	}
	for (i = 0; i < ncpu; i++)
		sum += v[i];
	free(v);
	return sum;
}

/* Run the program once on k's frame; the records it wrote are in g.rec,
 * how many in g.n_rec; t0 and t1 bracket the run (CLOCK_BOOTTIME) */
static void run(const struct pkt *k, uint64_t *t0, uint64_t *t1)
{
	const char *name = k->name;
	uint8_t buf[FRAME_MAX];
	size_t len = frame(k, buf);
	uint64_t dns0 = stat_sum(FW_STAT_EVENTS + FW_EV_DNS);
	uint64_t dropped0 = stat_sum(FW_STAT_RB_DROPPED);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf,
		    .data_size_in = len, .repeat = 1);
	int err, n;

	g.n_rec = 0;
	g.bad_size = 0;
	/* nothing left over from an earlier case */
	n = ring_buffer__consume(g.rb);
	EXPECT_EQ("records in the ring buffer before the run", 0, n);
	*t0 = boot_ns();
	err = bpf_prog_test_run_opts(k->query ? g.egress_fd : g.prog_fd, &opts);
	*t1 = boot_ns();
	if (err)
		fail_msg("%s: BPF_PROG_TEST_RUN: %s", name, strerror(errno));
	EXPECT_EQ("return value (1: pass the packet)", 1, opts.retval);
	n = ring_buffer__consume(g.rb);
	if (n < 0)
		fail_msg("%s: ring_buffer__consume: %s", name, strerror(-n));
	EXPECT_EQ("records of another size than struct fw_dns_event", 0,
		  g.bad_size);
	EXPECT_EQ("stats: ring-buffer reservations failed", dropped0,
		  stat_sum(FW_STAT_RB_DROPPED));
	EXPECT_EQ("stats: DNS events counted", dns0 + g.n_rec,
		  stat_sum(FW_STAT_EVENTS + FW_EV_DNS));
}

/* k must give exactly one record of the message k->dns, cut to
 * FW_DNS_MAX, with wire_len */
static void expect_record(const struct pkt *k, size_t wire_len)
{
	const char *name = k->name;
	const struct fw_dns_event *e = &g.rec[0];
	uint8_t server[16] = { 0 }, zeros[FW_DNS_MAX] = { 0 };
	size_t want_len = wire_len < FW_DNS_MAX ? wire_len : FW_DNS_MAX;
	uint64_t t0, t1;

	run(k, &t0, &t1);
	EXPECT_EQ("FW_EV_DNS records", 1, g.n_rec);
	EXPECT_EQ("hdr.type", FW_EV_DNS, e->hdr.type);
	EXPECT_EQ("hdr.size", sizeof(struct fw_dns_event), e->hdr.size);
	EXPECT_EQ("hdr.tgid (no process where the packet is seen)", 0,
		  e->hdr.tgid);
	EXPECT_EQ("hdr.tid", 0, e->hdr.tid);
	if (e->hdr.ts_ns < t0 || e->hdr.ts_ns > t1)
		fail_msg("%s: hdr.ts_ns: expected CLOCK_BOOTTIME within "
			 "[%llu, %llu], got %llu",
			 name, (unsigned long long)t0, (unsigned long long)t1,
			 (unsigned long long)e->hdr.ts_ns);
	if (k->family == 4) {
		EXPECT_EQ("family", AF_INET, e->family);
		addr(AF_INET, SERVER4, server);
	} else {
		EXPECT_EQ("family", AF_INET6, e->family);
		addr(AF_INET6, SERVER6, server);
	}
	expect_bytes(name,
		     k->family == 4 ?
			     "server (192.0.2.53, then 12 zero bytes)" :
			     "server (2001:db8::53)",
		     server, e->server, sizeof(server));
	EXPECT_EQ("query (1: sent by this host)", k->query, e->query);
	EXPECT_EQ("from_resolver", 0, e->from_resolver);
	EXPECT_EQ("pad", 0, e->pad);
	EXPECT_EQ("wire_len (the message's length)", wire_len, e->wire_len);
	EXPECT_EQ("len (bytes copied)", want_len, e->len);
	expect_bytes(name, "data (the message)", k->dns, e->data, want_len);
	expect_bytes(name, "data after len (zeroed)", zeros, e->data + want_len,
		     FW_DNS_MAX - want_len);
}

static void expect_no_record(const struct pkt *k)
{
	const char *name = k->name;
	uint64_t t0, t1;

	run(k, &t0, &t1);
	EXPECT_EQ("FW_EV_DNS records", 0, g.n_rec);
}

static struct pkt udp(const char *name, int family, const struct dns *m)
{
	struct pkt k = {
		.name = name,
		.family = family,
		.proto = IPPROTO_UDP_,
		.sport = 53,
		.dport = CLIENT_PORT,
		.dns = m->buf,
		.dns_len = m->len,
	};
	return k;
}

/* ---- the cases ------------------------------------------------------------ */

static void test_a_over_ipv4(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 1, 2, 4);
	k = udp("A over IPv4", 4, &m);
	expect_record(&k, m.len);
}

/* A query this host sends: the egress program's record names where to */
static void test_query(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 1, 0, 4);
	m.buf[2] &= 0x7f; /* QR 0: a query */
	k = udp("query over IPv4", 4, &m);
	k.query = true;
	k.sport = CLIENT_PORT;
	k.dport = 53;
	expect_record(&k, m.len);
	k = udp("query over IPv6", 6, &m);
	k.query = true;
	k.sport = CLIENT_PORT;
	k.dport = 53;
	expect_record(&k, m.len);
	/* a packet this host sends from port 53 (a server of its own) is
	 * no query */
	k = udp("sent from port 53", 4, &m);
	k.query = true;
	k.sport = 53;
	k.dport = CLIENT_PORT;
	expect_no_record(&k);
}

static void test_a_over_ipv4_options(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 1, 1, 4);
	k = udp("A over IPv4 with 8 bytes of options (IHL 7)", 4, &m);
	k.ip_options = 2;
	expect_record(&k, m.len);
}

static void test_aaaa_over_ipv6(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 28, 2, 16);
	k = udp("AAAA over IPv6", 6, &m);
	expect_record(&k, m.len);
}

static void test_long_answers_cut(void **state)
{
	static const size_t sizes[] = { FW_DNS_MAX, FW_DNS_MAX + 1, 871 };
	char name[96];
	struct dns m;
	struct pkt k;
	size_t i;
	int fam;

	(void)state;
	need_program();
	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			dns_of_size(&m, sizes[i]);
			snprintf(name, sizeof(name),
				 "a %zu-byte answer over IPv%d", sizes[i], fam);
			k = udp(name, fam, &m);
			expect_record(&k, sizes[i]);
		}
	}
	/* the longest: 50 A records */
	dns_answer(&m, 1, 50, 4);
	k = udp("50 A records over IPv4", 4, &m);
	expect_record(&k, m.len);
}

static void test_bare_header(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 1, 0, 4);
	m.len = 12; /* the header only */
	k = udp("a bare 12-byte DNS header over IPv4", 4, &m);
	expect_record(&k, 12);
	k = udp("a bare 12-byte DNS header over IPv6", 6, &m);
	expect_record(&k, 12);
}

static void test_udp_length_shorter_than_packet(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 1, 2, 4);
	/* trailing bytes after the datagram (as Ethernet padding would be):
	 * the message is what the UDP header says */
	k = udp("UDP length 16 bytes short of the packet", 4, &m);
	k.udp_len_delta = -16;
	expect_record(&k, m.len - 16);
}

static void test_not_from_port_53(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 1, 1, 4);
	k = udp("IPv4 from port 5353", 4, &m);
	k.sport = 5353;
	expect_no_record(&k);
	k = udp("IPv6 from port 5353", 6, &m);
	k.sport = 5353;
	expect_no_record(&k);
	/* a query: to port 53, from a client port */
	k = udp("IPv4 query to port 53", 4, &m);
	k.sport = CLIENT_PORT;
	k.dport = 53;
	expect_no_record(&k);
	/* the port's bytes swapped (53 read in host order on x86) */
	k = udp("IPv4 from port 13568 (53 byte-swapped)", 4, &m);
	k.sport = 53 << 8;
	expect_no_record(&k);
}

static void test_short_dns_header(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 1, 0, 4);
	m.len = 11;
	k = udp("an 11-byte DNS message over IPv4", 4, &m);
	expect_no_record(&k);
	k = udp("an 11-byte DNS message over IPv6", 6, &m);
	expect_no_record(&k);
	m.len = 0;
	k = udp("an empty UDP datagram from port 53", 4, &m);
	expect_no_record(&k);
}

static void test_udp_length_beyond_packet(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 1, 1, 4);
	k = udp("IPv4, UDP length 1 byte beyond the packet", 4, &m);
	k.udp_len_delta = 1;
	expect_no_record(&k);
	k = udp("IPv6, UDP length 1 byte beyond the packet", 6, &m);
	k.udp_len_delta = 1;
	expect_no_record(&k);
	k = udp("IPv4, UDP length 65535", 4, &m);
	k.udp_len_delta = 65535 - (int)(m.len + 8);
	expect_no_record(&k);
}

static void test_cut_in_udp_header(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 1, 1, 4);
	k = udp("IPv4 frame cut 4 bytes into the UDP header", 4, &m);
	k.cut = ETH_HLEN_ + 20 + 4;
	expect_no_record(&k);
	k = udp("IPv6 frame cut 4 bytes into the UDP header", 6, &m);
	k.cut = ETH_HLEN_ + 40 + 4;
	expect_no_record(&k);
	/* (a frame cut inside the IP header is refused by the test run
	 * itself, EINVAL, and never reaches a socket on the real path) */
}

static void test_not_udp(void **state)
{
	struct dns m;
	struct pkt k;

	(void)state;
	need_program();
	dns_answer(&m, 1, 1, 4);
	k = udp("TCP from port 53 over IPv4", 4, &m);
	k.proto = IPPROTO_TCP_;
	expect_no_record(&k);
	k = udp("TCP from port 53 over IPv6", 6, &m);
	k.proto = IPPROTO_TCP_;
	expect_no_record(&k);
	k = udp("an ARP request", 0, &m);
	expect_no_record(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_over_ipv4),
		cmocka_unit_test(test_a_over_ipv4_options),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_aaaa_over_ipv6),
		cmocka_unit_test(test_long_answers_cut),
		cmocka_unit_test(test_bare_header),
		cmocka_unit_test(test_udp_length_shorter_than_packet),
		cmocka_unit_test(test_not_from_port_53),
		cmocka_unit_test(test_short_dns_header),
		cmocka_unit_test(test_udp_length_beyond_packet),
		cmocka_unit_test(test_cut_in_udp_header),
		cmocka_unit_test(test_not_udp),
	};

	return cmocka_run_group_tests_name("fw_dns_ingress", tests, setup,
					   teardown);
}
