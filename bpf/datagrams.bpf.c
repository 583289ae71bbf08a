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
 */
#include "common.bpf.h"
#include "net.bpf.h"

/* An empty record for a thread's first datagram of a call */
static const struct fw_datagram_dests no_dests;

/* The slot for the current thread's next datagram destination, or NULL
 * when the sender is not tainted (or has more than FW_MMSG_MAX in one
 * call: the exit reads the rest back from its memory) */
static __always_inline struct fw_dest *datagram_slot(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fw_datagram_dests *kd;
	__u32 tid = (__u32)id, n;
	struct fw_dest *d;

	if ((id >> 32) == fw_self_tgid || !is_tainted(id >> 32))
		return NULL;
	kd = bpf_map_lookup_elem(&datagram_dests, &tid);
	if (!kd) {
		bpf_map_update_elem(&datagram_dests, &tid, &no_dests,
				    BPF_NOEXIST);
		kd = bpf_map_lookup_elem(&datagram_dests, &tid);
		if (!kd)
			return NULL;
	}
	n = kd->n;
	if (n >= FW_MMSG_MAX)
		return NULL;
	kd->n = n + 1;
	d = &kd->d[n & (FW_MMSG_MAX - 1)];
	__builtin_memset(d, 0, sizeof(*d));
	return d;
}

SEC("cgroup/sendmsg4")
int fw_datagram_dest4(struct bpf_sock_addr *ctx)
{
	struct fw_dest *d = datagram_slot();
	__u32 ip = ctx->user_ip4;

	if (!d)
		return 1;
	d->family = FW_AF_INET;
	__builtin_memcpy(d->addr, &ip, 4);
	d->port = bpf_ntohs((__u16)ctx->user_port);
	d->proto = ctx->protocol;
	return 1;
}

SEC("cgroup/sendmsg6")
int fw_datagram_dest6(struct bpf_sock_addr *ctx)
{
	__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
		       ctx->user_ip6[3] };
	struct fw_dest *d = datagram_slot();

	if (!d)
		return 1;
	dest_set_v6(d, (const __u8 *)a);
	d->port = bpf_ntohs((__u16)ctx->user_port);
	d->proto = ctx->protocol;
	return 1;
}
