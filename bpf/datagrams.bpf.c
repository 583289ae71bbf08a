// SPDX-License-Identifier: GPL-2.0
/*
 * Where a tainted process's datagrams really go. A sendto or sendmsg on
 * an unconnected UDP socket names its destination in the caller's memory;
 * the syscall hooks can read that memory only at the call's entry, before
 * the kernel copies it, and another thread of the caller can change it in
 * between (or it may sit in a page not yet faulted in, which a BPF
 * program cannot read). The cgroup sendmsg4/6 hooks run on the kernel's
 * own copy, in the sender's context, for each datagram that names its
 * destination: they record it for the thread, and the syscall's exit
 * (fw_io_exit) charges the bytes there. They never refuse anything
 * (enforcement has its own programs on the same hooks).
 *
 * A datagram to a socket of this host, at whichever of its addresses
 * (not only loopback: the address of an interface, a container's bridge)
 * and whether that socket is bound to the address or to the wildcard, is
 * a relay: the kernel's own lookup of the receiving socket, here, before
 * the datagram is queued, names the flow as that socket will see it
 * (relays.bpf.h), so that its reader is tainted by what it reads.
 */
#include "common.bpf.h"
#include "net.bpf.h"
#include "relays.bpf.h"

/* The slot for the current thread's next datagram destination, or NULL
 * when the sender is not tainted (or has more than FW_MMSG_MAX in one
 * call: the exit reads the rest back from its memory) */
static __always_inline struct fw_dest *
datagram_slot(struct fw_datagram_dests **record)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fw_datagram_dests *kd;
	__u32 tid = (__u32)id, n;
	struct fw_dest *d;

	if ((id >> 32) == fw_self_tgid || !is_tainted(id >> 32))
		return NULL;
	kd = bpf_map_lookup_elem(&datagram_dests, &tid);
	if (!kd) {
		bpf_map_update_elem(&datagram_dests, &tid, &fw_no_dests,
				    BPF_NOEXIST);
		kd = bpf_map_lookup_elem(&datagram_dests, &tid);
		if (!kd)
			return NULL;
	}
	*record = kd;
	n = kd->n;
	if (n >= FW_MMSG_MAX)
		return NULL;
	kd->n = n + 1;
	d = &kd->d[n & (FW_MMSG_MAX - 1)];
	__builtin_memset(d, 0, sizeof(*d));
	return d;
}

#define FW_LOCAL_DEVS 16
#define FW_LOCAL_ADDRS 8

/* Is d an address of an interface of the current task's network
 * namespace (the kernel delivers datagrams to it locally)? A socket
 * found by a lookup is no proof: a wildcard-bound one matches any
 * address, and IP_FREEBIND binds to addresses the host does not have. */
static __always_inline bool addr_is_local(const struct fw_dest *d)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct net *net = BPF_CORE_READ(task, nsproxy, net_ns);
	struct list_head *head = &net->dev_base_head;
	struct list_head *pos = BPF_CORE_READ(net, dev_base_head.next);
	const __u32 *want = (const __u32 *)d->addr;
	int i, j;

	for (i = 0; i < FW_LOCAL_DEVS && pos && pos != head; i++) {
		struct net_device *dev =
			container_of(pos, struct net_device, dev_list);

		if (d->family == FW_AF_INET) {
			struct in_ifaddr *ifa =
				BPF_CORE_READ(dev, ip_ptr, ifa_list);

			for (j = 0; j < FW_LOCAL_ADDRS && ifa; j++) {
				if (BPF_CORE_READ(ifa, ifa_local) == want[0])
					return true;
				ifa = BPF_CORE_READ(ifa, ifa_next);
			}
		} else {
			struct inet6_dev *idev = BPF_CORE_READ(dev, ip6_ptr);
			struct list_head *ahead = &idev->addr_list;
			struct list_head *a =
				BPF_CORE_READ(idev, addr_list.next);

			for (j = 0;
			     j < FW_LOCAL_ADDRS && idev && a && a != ahead;
			     j++) {
				struct inet6_ifaddr *ifa = container_of(
					a, struct inet6_ifaddr, if_list);
				struct in6_addr got = BPF_CORE_READ(ifa, addr);
				const __u32 *w = (const __u32 *)&got;

				if (w[0] == want[0] && w[1] == want[1] &&
				    w[2] == want[2] && w[3] == want[3])
					return true;
				a = BPF_CORE_READ(a, next);
			}
		}
		pos = BPF_CORE_READ(pos, next);
	}
	return false;
}

/* The receiving socket sk (a reference, released here) of a datagram
 * the record's sender sends: mark the relay as that socket sees it */
static __always_inline void datagram_relay(struct bpf_sock *sk, __u8 proto,
					   const struct fw_datagram_dests *kd)
{
	struct fw_dest local = {}, none = {};
	struct fw_relay_key key = {};

	if (sk->family == FW_AF_INET6) {
		__u32 a[4] = { sk->src_ip6[0], sk->src_ip6[1], sk->src_ip6[2],
			       sk->src_ip6[3] };

		dest_set_v6(&local, (const __u8 *)a);
	} else {
		__u32 a = sk->src_ip4;

		local.family = FW_AF_INET;
		__builtin_memcpy(local.addr, &a, 4);
	}
	local.port = sk->src_port;
	bpf_sk_release(sk);
	if (!kd->has_sender)
		return; /* not from a send the syscall hooks followed */
	relay_key(&key, &local, &none, proto);
	relay_mark_key(&key, &kd->sender);
}

SEC("cgroup/sendmsg4")
int fw_datagram_dest4(struct bpf_sock_addr *ctx)
{
	struct fw_datagram_dests *kd = NULL;
	struct fw_dest *d = datagram_slot(&kd);
	struct bpf_sock_tuple t = {};
	__u32 ip = ctx->user_ip4;
	struct bpf_sock *sk;

	if (!d || !kd)
		return 1;
	d->family = FW_AF_INET;
	__builtin_memcpy(d->addr, &ip, 4);
	d->port = bpf_ntohs((__u16)ctx->user_port);
	d->proto = ctx->protocol;
	if (!is_loopback(d)) {
		if (!addr_is_local(d))
			return 1;
		d->flags |= FW_DEST_LOCAL;
	}
	t.ipv4.daddr = ip;
	t.ipv4.dport = (__u16)ctx->user_port;
	sk = bpf_sk_lookup_udp(ctx, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (sk)
		datagram_relay(sk, d->proto, kd);
	return 1;
}

SEC("cgroup/sendmsg6")
int fw_datagram_dest6(struct bpf_sock_addr *ctx)
{
	__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
		       ctx->user_ip6[3] };
	struct fw_datagram_dests *kd = NULL;
	struct fw_dest *d = datagram_slot(&kd);
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;

	if (!d || !kd)
		return 1;
	dest_set_v6(d, (const __u8 *)a);
	d->port = bpf_ntohs((__u16)ctx->user_port);
	d->proto = ctx->protocol;
	if (d->family != FW_AF_INET6)
		return 1; /* v4-mapped: the sendmsg4 hook sees it too */
	if (!is_loopback(d)) {
		if (!addr_is_local(d))
			return 1;
		d->flags |= FW_DEST_LOCAL;
	}
	__builtin_memcpy(t.ipv6.daddr, a, 16);
	t.ipv6.dport = (__u16)ctx->user_port;
	sk = bpf_sk_lookup_udp(ctx, &t, sizeof(t.ipv6), BPF_F_CURRENT_NETNS, 0);
	if (sk)
		datagram_relay(sk, d->proto, kd);
	return 1;
}
