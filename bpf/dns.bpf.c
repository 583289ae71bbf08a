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
				 __u32 wire_len, __u32 family)
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
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	if (family == FW_AF_INET)
		bpf_skb_load_bytes(skb, offsetof(struct iphdr, saddr),
				   e->server, 4);
	else
		bpf_skb_load_bytes(skb, offsetof(struct ipv6hdr, saddr),
				   e->server, 16);
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

SEC("cgroup_skb/ingress")
int fw_dns_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct udphdr *udp;
	__u32 off, family, len;

	if (skb->protocol == bpf_htons(FW_ETH_P_IP)) {
		struct iphdr *ip = data;

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP)
			return 1;
		/* IHL, the low nibble of the first byte, in 32-bit words */
		off = (*(__u8 *)ip & 0x0f) * 4;
		family = FW_AF_INET;
	} else if (skb->protocol == bpf_htons(FW_ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data;

		/* extension headers before UDP: not followed (rare for DNS) */
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return 1;
		off = sizeof(*ip6);
		family = FW_AF_INET6;
	} else {
		return 1;
	}
	udp = data + off;
	if ((void *)(udp + 1) > end || udp->source != bpf_htons(FW_DNS_PORT))
		return 1;
	len = bpf_ntohs(udp->len);
	if (len < sizeof(*udp) + FW_DNS_HDR_LEN || len > skb->len - off)
		return 1;
	dns_report(skb, off + sizeof(*udp), len - sizeof(*udp), family);
	return 1;
}
