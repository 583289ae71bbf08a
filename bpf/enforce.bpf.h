/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Enforcement decisions shared by the cgroup programs (enforce.bpf.c) and
 * the send path of the syscall and io_uring hooks (io.bpf.h): the mode,
 * whether a destination is allowed, counting a refused flow, and marking
 * a connected socket whose packets the egress hook must drop.
 *
 * Taint is tested only through is_tainted(): how it is stored is not this
 * file's business.
 */
#ifndef FW_ENFORCE_BPF_H
#define FW_ENFORCE_BPF_H

#include "common.bpf.h"
#include "net.bpf.h"
#include "relays.bpf.h"

/* The mode the collector set (reloadable), FW_ENFORCE_OFF when unset */
static __always_inline __u32 enforce_mode(void)
{
	struct fw_enforce_config *cfg;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&enforce_config, &zero);
	return cfg ? cfg->mode : FW_ENFORCE_OFF;
}

/*
 * May a tainted process reach d? Loopback and this host's own addresses
 * stay open: the data has not left, and the relay that reads it is
 * followed (it becomes tainted and is judged when it sends on). Otherwise
 * the longest allowed prefix decides, with the ports merged into it.
 */
static __always_inline bool enforce_allows(const struct fw_dest *d)
{
	struct fw_enforce_key k = { .family = d->family };
	struct fw_enforce_allow *a;
	int i;

	if (is_loopback(d) || (d->flags & FW_DEST_LOCAL))
		return true;
	k.prefixlen = 8 + (d->family == FW_AF_INET ? 32 : 128);
	__builtin_memcpy(k.addr, d->addr, 16);
	a = bpf_map_lookup_elem(&enforce_allow, &k);
	if (!a)
		return false;
	if (a->any_port)
		return true;
	for (i = 0; i < FW_ENFORCE_PORTS; i++) {
		if (i >= a->n_ports)
			break;
		if (a->ports[i] == d->port)
			return true;
	}
	return false;
}

/* Count one refused attempt of (tgid, d, hook); the first of a flow is
 * reported at once, the later ones only counted (the collector reads the
 * counts): under attack, one record per flow, not one per packet */
static __always_inline void block_count(__u32 tgid, __u32 tid,
					const struct fw_dest *d, __u32 hook,
					__u32 mode)
{
	struct fw_block_key k = { .dest = *d, .tgid = tgid, .hook = hook };
	__u64 now = bpf_ktime_get_boot_ns();
	struct fw_block_count fresh = {
		.count = 1, .first_ns = now, .last_ns = now, .mode = mode
	};
	struct fw_block_count *c;
	struct fw_block_event *e;

	c = bpf_map_lookup_elem(&blocked, &k);
	if (!c && lru_put(&blocked, FW_LRU_BLOCKED, &k, &fresh, false))
		/* another CPU created it first: count into theirs */
		c = bpf_map_lookup_elem(&blocked, &k);
	if (c) {
		__sync_fetch_and_add(&c->count, 1);
		c->last_ns = now;
		return;
	}
	e = event_reserve(sizeof(*e), FW_EV_BLOCKED, tgid, tid);
	if (!e)
		return;
	e->dest = *d;
	e->count = 1;
	e->hook = hook;
	e->mode = mode;
	event_submit(e);
}

/*
 * A tainted process is about to send on sk, connected to dest (from the
 * syscall or io_uring hook, where the sender is the current task and sk
 * its socket). A flow set up before the taint arrived is not seen by the
 * connect hook: when dest is refused, mark the flow so that the egress
 * hook drops its packets, whichever context sends them (a retransmit
 * leaves from a softirq, where the current task is not the sender).
 * Unconnected sends are the sendmsg hooks' business. Returns true when
 * the flow's packets will be dropped (enforce mode, not dry-run): the
 * send is then no egress, and is reported as refused instead.
 */
static __always_inline bool enforce_mark(struct sock *sk,
					 const struct fw_dest *dest)
{
	__u32 mode = enforce_mode();
	__u16 family;

	if (mode == FW_ENFORCE_OFF || enforce_allows(dest))
		return false; /* every send when not enforcing */
	struct fw_enforce_mark mark = { .tgid = current_tgid() };
	struct fw_enforce_flow key = {};
	struct fw_dest self = {}, peer = {};

	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (!dest_from_sock(&peer, sk, family))
		return false; /* not connected */
	sock_local(sk, &self);
	__builtin_memcpy(key.remote, peer.addr, 16);
	key.remote_port = peer.port;
	key.local_port = self.port;
	key.family = peer.family;
	key.proto = dest->proto;
	/* an eviction (the map full) would let a marked flow's packets
	 * through again: counted like every LRU map's, and reported */
	lru_put(&enforce_marks, FW_LRU_ENFORCE_MARKS, &key, &mark, true);
	return mode == FW_ENFORCE_BLOCK;
}

/* A TCP socket closed: its flow, if marked, sends nothing more; the mark
 * goes, so that only live flows fill the map */
static __always_inline void enforce_closed(struct sock *sk)
{
	struct fw_enforce_flow key = {};
	struct fw_dest peer = {};
	__u16 family;

	if (enforce_mode() == FW_ENFORCE_OFF)
		return;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if ((family != FW_AF_INET && family != FW_AF_INET6) ||
	    !dest_from_sock(&peer, sk, family))
		return;
	__builtin_memcpy(key.remote, peer.addr, 16);
	key.remote_port = peer.port;
	/* the port is released by now (skc_num 0): the header's is kept */
	key.local_port =
		bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	key.family = peer.family;
	key.proto = IPPROTO_TCP;
	lru_delete(&enforce_marks, FW_LRU_ENFORCE_MARKS, &key);
}

#endif /* FW_ENFORCE_BPF_H */
