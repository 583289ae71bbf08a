// SPDX-License-Identifier: GPL-2.0
/*
 * Passive DNS: the DNS answers the host actually receives, so that the
 * collector can name the destinations of alerts (the name a program asked
 * for, not a reverse lookup done later, which often names a CDN or
 * nothing).
 *
 * Why cgroup_skb/ingress on the cgroup v2 root: it sees every packet
 * delivered to a socket of any process, in any network namespace, with the
 * IP header at skb->data (__cgroup_bpf_run_filter_skb pushes the network
 * header back before running the program), whatever resolver library the
 * program uses (glibc, musl, c-ares, a Go or Java runtime, systemd-resolved
 * and its stub on 127.0.0.53). A uprobe on getaddrinfo would miss every
 * resolver but glibc's. It is a stable ABI, works on 4.10+ kernels, and
 * needs no tracefs.
 *
 * Cost: every received packet runs the protocol and source-port test on
 * headers already in the linear area (the UDP layer pulled them before the
 * socket filter runs); only UDP from port 53 goes further. The program
 * never drops anything: it always returns 1.
 */
#include "common.bpf.h"

#define FW_ETH_P_IP 0x0800
#define FW_ETH_P_IPV6 0x86DD
#define FW_DNS_PORT 53
/* A DNS header: id, flags and four counts */
#define FW_DNS_HDR_LEN 12

/* Copy the message (UDP payload at off) into a FW_EV_DNS record. Not
 * inlined: verified once, off the common path. */
static __noinline int dns_report(struct __sk_buff *skb, __u32 off,
				 __u32 wire_len, __u32 family, __u32 query)
{
	struct fw_dns_event *e;
	__u64 copy; /* 64-bit: a 32-bit value's zero-extension would give
		     * the verifier a copy it does not link to the bounds */

	e = event_reserve(sizeof(*e), FW_EV_DNS, 0, 0);
	if (!e)
		return 0;
	/* the record is stored as is in traces: no stale ring-buffer bytes */
	__builtin_memset(e->server, 0, sizeof(e->server));
	__builtin_memset(e->data, 0, sizeof(e->data));
	e->family = family;
	e->query = query != 0;
	e->from_resolver = 0;
	e->pad = 0;
	/* the server: where an answer came from, where a query goes (the
	 * addresses' offsets in the IP headers are the wire format's) */
	if (family == FW_AF_INET)
		bpf_skb_load_bytes(skb, query ? 16 : 12, e->server, 4);
	else
		bpf_skb_load_bytes(skb, query ? 24 : 8, e->server, 16);
	copy = wire_len < FW_DNS_MAX ? wire_len : FW_DNS_MAX;
	/*
	 * The verifier needs the length proven within 1..FW_DNS_MAX on the
	 * register passed. A compare proves it to 6.8+ verifiers only: 6.1's
	 * loses the bound between the test and the call ("R3 min value is
	 * outside of the allowed memory range"). A mask and an add carry it
	 * on the register itself, on every verifier: for 1..FW_DNS_MAX (a
	 * power of two) the value is unchanged. barrier_var hides from the
	 * compiler that it is, so that it keeps both.
	 */
	barrier_var(copy);
	copy = ((copy - 1) & (FW_DNS_MAX - 1)) + 1;
	if (!wire_len || bpf_skb_load_bytes(skb, off, e->data, copy))
		copy = 0;
	e->len = copy;
	e->wire_len = wire_len;
	event_submit(e);
	return 0;
}

/* The UDP payload of a DNS message to or from port 53 (query: to it):
 * its offset in *off, its length, or 0 when this is not one */
static __always_inline __u32 dns_message(struct __sk_buff *skb, bool query,
					 __u32 *off, __u32 *family)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct udphdr *udp;
	__u32 len;

	if (skb->protocol == bpf_htons(FW_ETH_P_IP)) {
		struct iphdr *ip = data;

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP)
			return 0;
		/* IHL, the low nibble of the first byte, in 32-bit words */
		*off = (*(__u8 *)ip & 0x0f) * 4;
		*family = FW_AF_INET;
	} else if (skb->protocol == bpf_htons(FW_ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;

		/* extension headers before UDP: not followed (rare for DNS) */
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return 0;
		*off = sizeof(*ip6);
		*family = FW_AF_INET6;
	} else {
		return 0;
	}
	udp = data + *off;
	if ((void *)(udp + 1) > end ||
	    (query ? udp->dest : udp->source) != bpf_htons(FW_DNS_PORT))
		return 0;
	len = bpf_ntohs(udp->len);
	if (len < sizeof(*udp) + FW_DNS_HDR_LEN || len > skb->len - *off)
		return 0;
	*off += sizeof(*udp);
	return len - sizeof(*udp);
}

SEC("cgroup_skb/ingress")
int fw_dns_ingress(struct __sk_buff *skb)
{
	__u32 off, family, len = dns_message(skb, false, &off, &family);

	if (len)
		dns_report(skb, off, len, family, 0);
	return 1;
}

/*
 * The queries: an answer names a destination only when it answers one of
 * them (same id, question and server), so a process cannot label its own
 * destination with a datagram from port 53. Egress holds the same IP
 * header at skb->data, and costs every sent packet the same header test.
 */
SEC("cgroup_skb/egress")
int fw_dns_egress(struct __sk_buff *skb)
{
	__u32 off, family, len = dns_message(skb, true, &off, &family);

	if (len)
		dns_report(skb, off, len, family, 1);
	return 1;
}
