/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local relays: a tainted process sends to a loopback TCP or UDP socket
 * and another process (a local proxy, a forwarder) reads it and sends it
 * on. The sender's flow is recorded as the receiving socket will see it;
 * a read from an INET socket whose flow was recorded taints the reader.
 * The sender's own socket inode stands for the carrier.
 *
 * A TCP flow ends when its receiving socket closes (fw_tcp_state): the
 * 4-tuple may then serve an unrelated connection. A UDP receiving socket
 * is not connected, so its flow is keyed by the local end only and goes
 * stale FW_UDP_RELAY_NS after the last tainted datagram sent to it.
 */
#ifndef FW_RELAYS_BPF_H
#define FW_RELAYS_BPF_H

#include "common.bpf.h"
#include "carriers.bpf.h"
#include "net.bpf.h"

#define FW_UDP_RELAY_NS (10 * 1000000000ull)

static __always_inline bool is_loopback(const struct fw_dest *d)
{
	const __u32 *w = (const __u32 *)d->addr;

	if (d->family == FW_AF_INET)
		return d->addr[0] == 127;
	return !w[0] && !w[1] && !w[2] && w[3] == bpf_htonl(1); /* ::1 */
}

/* The local address of sk, v4-mapped reported as IPv4 */
static __always_inline void sock_local(struct sock *sk, struct fw_dest *d)
{
	if (fw_typed_reads) {
		struct sock_common *c = &fw_typed(sk, struct sock)->__sk_common;
		__u16 family = c->skc_family;
		__u32 a6[4], a = 0;

		d->port = c->skc_num;
		if (family == FW_AF_INET)
			a = c->skc_rcv_saddr;
		else
			typed_v6(a6, &c->skc_v6_rcv_saddr);
		asm volatile("" ::: "memory"); /* see inode_key */
		dest_set_addr(d, family, a, a6);
		return;
	}
	d->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == FW_AF_INET) {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		d->family = FW_AF_INET;
		__builtin_memcpy(d->addr, &a, 4);
		return;
	}
	struct in6_addr a6 = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);

	dest_set_v6(d, (const __u8 *)&a6);
}

static __always_inline void relay_key(struct fw_relay_key *k,
				      const struct fw_dest *local,
				      const struct fw_dest *remote, __u8 proto)
{
	__builtin_memcpy(k->local, local->addr, 16);
	k->local_port = local->port;
	k->family = local->family;
	k->proto = proto;
	if (proto == IPPROTO_TCP) {
		__builtin_memcpy(k->remote, remote->addr, 16);
		k->remote_port = remote->port;
	}
}

/* A UDP relay's mark is renewed at most this often: a send into a marked
 * flow then writes nothing, and the receiver's CPU keeps its copy of the
 * entry. The flow goes stale between FW_UDP_RELAY_NS less this and
 * FW_UDP_RELAY_NS after the last tainted datagram. */
#define FW_UDP_RELAY_RENEW_NS (FW_UDP_RELAY_NS / 10)

/* How long ago relay was marked, by now (tick_boot_ns): signed, as a tick's
 * time may be a little before the precise one a new mark took */
static __always_inline __s64 relay_age(const struct fw_relay *relay, __u64 now)
{
	return (__s64)(now - relay->marked_ns);
}

/* The current (tainted) process sends into the local flow key, from its
 * socket named carrier: record it and report the carrier once */
static __always_inline void relay_mark_key(const struct fw_relay_key *key,
					   const struct fw_file_key *carrier)
{
	struct fw_relay *known = bpf_map_lookup_elem(&relays, key);
	__u32 zero = 0;
	__u64 *count;

	if (known && known->carrier.ino == carrier->ino &&
	    known->carrier.dev == carrier->dev &&
	    known->carrier.gen == carrier->gen) {
		/* every send after the first: already marked and reported.
		 * A TCP flow lasts until its receiver closes; a UDP one is
		 * kept fresh by its sends */
		__u64 now;

		if (key->proto != IPPROTO_UDP)
			return;
		now = tick_boot_ns();
		if (relay_age(known, now) > (__s64)FW_UDP_RELAY_RENEW_NS)
			known->marked_ns = now;
		return;
	}
	struct fw_relay relay = { .carrier = *carrier,
				  .marked_ns = bpf_ktime_get_boot_ns() };
	struct fw_pending p = { .carrier = *carrier,
				.carrier_type = FW_CARRIER_LOOPBACK };

	if (lru_put(&relays, FW_LRU_RELAYS, key, &relay, true))
		return;
	count = bpf_map_lookup_elem(&relay_count, &zero);
	if (count && !*count)
		__sync_fetch_and_add(count, 1);
	carry_start(&p);
}

/* A tainted process is about to send on sk to dest: if dest is local,
 * record the flow and report the carrier once. (A datagram to any other
 * address of this host is marked by the kernel's own delivery lookup:
 * bpf/datagrams.bpf.c.) */
static __always_inline void
relay_mark(struct sock *sk, const struct fw_dest *dest, struct file *file)
{
	if (!is_loopback(dest) && !(dest->flags & FW_DEST_LOCAL))
		return; /* every send to another host */
	struct fw_relay_key key = {};
	struct fw_file_key carrier;
	struct fw_dest self = {};

	sock_local(sk, &self);
	relay_key(&key, dest, &self, dest->proto);
	pseudo_inode_key(file_inode_typed(file), &carrier);
	relay_mark_key(&key, &carrier);
}

/* Was a relay ever recorded? Until one is, socket reads cost nothing */
static __always_inline bool relays_exist(void)
{
	__u32 zero = 0;
	__u64 *count = bpf_map_lookup_elem(&relay_count, &zero);

	return count && *count;
}

/* Is file (NULL: none) an INET socket receiving a recorded flow? Fills
 * the READ part of p */
static __always_inline bool relay_read(struct file *file, struct fw_pending *p)
{
	struct fw_relay_key key = {};
	struct fw_dest local = {}, remote = {};
	struct fw_relay *relay;
	struct sock *sk;
	__u16 family, type;
	__u8 proto;

	if (!relays_exist())
		return false;
	sk = inet_sock_of(file, &family, &proto, &type);
	if (!sk)
		return false;
	sock_local(sk, &local);
	if (proto == IPPROTO_TCP && !dest_from_sock(&remote, sk, family))
		return false;
	relay_key(&key, &local, &remote, proto);
	relay = bpf_map_lookup_elem(&relays, &key);
	if (!relay)
		return false;
	if (proto == IPPROTO_UDP &&
	    relay_age(relay, tick_boot_ns()) > (__s64)FW_UDP_RELAY_NS) {
		lru_delete(&relays, FW_LRU_RELAYS, &key);
		return false;
	}
	p->file = relay->carrier;
	p->file_ptr = (__u64)file;
	p->kind |= FW_PENDING_READ;
	return true;
}

/* A TCP socket closed: if it received a relayed flow, the flow is over.
 * Only the receiving side ends it: the sender may close before the relay
 * has read what is still queued. */
static __always_inline void relay_closed(struct sock *sk)
{
	struct fw_dest local = {}, remote = {};
	struct fw_relay_key key = {};
	__u32 zero = 0;
	__u64 *count;
	__u16 family;

	count = bpf_map_lookup_elem(&relay_count, &zero);
	if (!count || !*count)
		return;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != FW_AF_INET && family != FW_AF_INET6)
		return;
	sock_local(sk, &local);
	/* by now the port was released (skc_num is 0); the header's source
	 * port is still there */
	local.port =
		bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	if (!dest_from_sock(&remote, sk, family))
		return;
	relay_key(&key, &local, &remote, IPPROTO_TCP);
	lru_delete(&relays, FW_LRU_RELAYS, &key);
}

#endif /* FW_RELAYS_BPF_H */
