// SPDX-License-Identifier: GPL-2.0
/*
 * Enforcement (run --enforce): a process that carries flight-log data
 * cannot send to a destination the policy does not allow. The kernel
 * decides, at the attempt; no byte waits for the collector.
 *
 * Why cgroup hooks on the cgroup v2 root: they see the sockets of every
 * process, can refuse with EPERM without kprobes or error injection
 * (which stock kernels may lack, and which this project cannot rely on),
 * are a stable ABI since 4.17, and run in the calling task's context
 * (connect, sendmsg, socket), where bpf_get_current_pid_tgid names the
 * process whose taint decides.
 *
 *   connect4/6        connect() and a TCP fast-open sendto: EPERM
 *   sendmsg4/6        an unconnected UDP sendto/sendmsg: EPERM
 *   sock_create       a raw socket of a tainted process: EPERM
 *   cgroup_skb/egress the packets of a flow set up before the taint: the
 *                     tainted sender's next send marks the flow
 *                     (enforce_mark, from the syscall hooks) and the
 *                     packets of a marked flow are dropped, in whatever
 *                     context they leave (a retransmit from a softirq,
 *                     where the current task is not the sender)
 *
 * Untainted processes are never touched: every program passes them after
 * one map lookup (the egress hook after one lookup of the flow). In
 * dry-run mode the attempts are counted and reported, and nothing is
 * refused.
 */
#include "enforce.bpf.h"

/* The verdict of a cgroup hook for an attempt of the current task to
 * reach d: 1 lets it through, 0 refuses it with EPERM */
static __always_inline int enforce_verdict(const struct fw_dest *d, __u32 hook)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, mode = enforce_mode();

	if (mode == FW_ENFORCE_OFF || tgid == fw_self_tgid ||
	    !is_tainted(tgid) || (d && enforce_allows(d)))
		return 1;
	block_count(tgid, (__u32)id, d, hook, mode);
	return mode == FW_ENFORCE_BLOCK ? 0 : 1;
}

static __always_inline void dest_v4(struct fw_dest *d, __u32 ip, __u32 port,
				    __u32 proto)
{
	d->family = FW_AF_INET;
	__builtin_memcpy(d->addr, &ip, 4);
	d->port = bpf_ntohs((__u16)port);
	d->proto = proto;
}

static __always_inline void dest_v6(struct fw_dest *d,
				    const struct bpf_sock_addr *ctx)
{
	__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
		       ctx->user_ip6[3] };

	dest_set_v6(d, (const __u8 *)a);
	d->port = bpf_ntohs((__u16)ctx->user_port);
	d->proto = ctx->protocol;
}

SEC("cgroup/connect4")
int fw_enforce_connect4(struct bpf_sock_addr *ctx)
{
	struct fw_dest d = {};

	dest_v4(&d, ctx->user_ip4, ctx->user_port, ctx->protocol);
	return enforce_verdict(&d, FW_BLOCK_CONNECT);
}

SEC("cgroup/connect6")
int fw_enforce_connect6(struct bpf_sock_addr *ctx)
{
	struct fw_dest d = {};

	dest_v6(&d, ctx);
	return enforce_verdict(&d, FW_BLOCK_CONNECT);
}

SEC("cgroup/sendmsg4")
int fw_enforce_sendmsg4(struct bpf_sock_addr *ctx)
{
	struct fw_dest d = {};

	dest_v4(&d, ctx->user_ip4, ctx->user_port, ctx->protocol);
	return enforce_verdict(&d, FW_BLOCK_SENDMSG);
}

SEC("cgroup/sendmsg6")
int fw_enforce_sendmsg6(struct bpf_sock_addr *ctx)
{
	struct fw_dest d = {};

	dest_v6(&d, ctx);
	return enforce_verdict(&d, FW_BLOCK_SENDMSG);
}

/*
 * A raw socket (any IP protocol, or whole IP packets with IP_HDRINCL)
 * would carry data past the address hooks: a tainted process gets none.
 * The destination is unknown here: the record carries the family, the
 * socket type as the port and the protocol. The kernel runs this hook
 * from inet_create and inet6_create only: packet (AF_PACKET) sockets do
 * not reach it, and are not refused (their frames do not pass the
 * cgroup_skb hooks either); they need CAP_NET_RAW.
 */
SEC("cgroup/sock_create")
int fw_enforce_sock_create(struct bpf_sock *ctx)
{
	struct fw_dest d = {};

	if (ctx->type != SOCK_RAW)
		return 1;
	d.family = ctx->family;
	d.port = ctx->type;
	d.proto = ctx->protocol;
	return enforce_verdict(&d, FW_BLOCK_SOCKET);
}

/* The remote end of a packet's socket, as enforce_mark keyed it */
static __always_inline bool
egress_flow(struct bpf_sock *sk, struct fw_enforce_flow *key, struct fw_dest *d)
{
	if (sk->family == FW_AF_INET) {
		dest_v4(d, sk->dst_ip4, sk->dst_port, sk->protocol);
	} else if (sk->family == FW_AF_INET6) {
		__u32 a[4] = { sk->dst_ip6[0], sk->dst_ip6[1], sk->dst_ip6[2],
			       sk->dst_ip6[3] };

		dest_set_v6(d, (const __u8 *)a);
		d->port = bpf_ntohs((__u16)sk->dst_port);
		d->proto = sk->protocol;
	} else {
		return false;
	}
	__builtin_memcpy(key->remote, d->addr, 16);
	key->remote_port = d->port;
	key->local_port = sk->src_port;
	key->family = d->family;
	key->proto = d->proto;
	return true;
}

SEC("cgroup_skb/egress")
int fw_enforce_egress(struct __sk_buff *skb)
{
	struct fw_enforce_flow key = {};
	struct fw_enforce_mark *mark;
	struct fw_dest d = {};
	struct bpf_sock *sk = skb->sk;
	__u32 mode;

	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk || !egress_flow(sk, &key, &d))
		return 1;
	mark = bpf_map_lookup_elem(&enforce_marks, &key);
	if (!mark)
		return 1;
	mode = enforce_mode();
	if (mode == FW_ENFORCE_OFF)
		return 1;
	/* the sender, not the current task (often none: a softirq) */
	block_count(mark->tgid, 0, &d, FW_BLOCK_EGRESS, mode);
	return mode == FW_ENFORCE_BLOCK ? 0 : 1;
}
