/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Egress destinations: the INET socket behind a descriptor and where a
 * send on it goes, from msg_name/sockaddr for unconnected UDP or from the
 * socket itself otherwise.
 */
#ifndef FW_NET_BPF_H
#define FW_NET_BPF_H

#include "common.bpf.h"

struct fw_sockaddr {
	__u16 family;
	__u16 port; /* network order */
	union {
		__u32 v4; /* sockaddr_in */
		struct {
			__u32 flowinfo;
			__u8 v6[16]; /* sockaddr_in6 */
		};
	};
};

struct fw_user_msghdr {
	__u64 msg_name;
	__u32 msg_namelen;
};

/* A 32-bit caller's msghdr (struct compat_msghdr) starts with the same
 * two fields, the pointer 32 bits wide; its mmsghdr is 32 bytes, msg_len
 * last */
struct fw_compat_msghdr {
	__u32 msg_name;
	__u32 msg_namelen;
};
#define FW_COMPAT_MMSGHDR_SIZE 32
#define FW_COMPAT_MMSGHDR_LEN 28

/* The name a caller's msghdr at uaddr gives; 0 or a negative error */
static __always_inline long user_msghdr_read(struct fw_user_msghdr *m,
					     __u64 uaddr, bool compat)
{
	struct fw_compat_msghdr c;
	long err;

	if (!compat)
		return bpf_probe_read_user(m, sizeof(*m), (void *)uaddr);
	err = bpf_probe_read_user(&c, sizeof(c), (void *)uaddr);
	if (err)
		return err;
	m->msg_name = c.msg_name;
	m->msg_namelen = c.msg_namelen;
	return 0;
}

/* ::ffff:a.b.c.d is an IPv4 peer reached through an IPv6 socket */
static __always_inline void dest_set_v6(struct fw_dest *d, const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	if (w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(0xffff)) {
		d->family = FW_AF_INET;
		__builtin_memcpy(d->addr, &w[3], 4);
		return;
	}
	d->family = FW_AF_INET6;
	__builtin_memcpy(d->addr, a, 16);
}

/* d's address: family's, a (IPv4) or a6 (IPv6, v4-mapped reported as
 * IPv4). Returns whether it is set (not all zeros) */
static __always_inline bool dest_set_addr(struct fw_dest *d, __u16 family,
					  __u32 a, const __u32 *a6)
{
	if (family == FW_AF_INET) {
		d->family = FW_AF_INET;
		__builtin_memcpy(d->addr, &a, 4);
		return a != 0;
	}
	dest_set_v6(d, (const __u8 *)a6);
	return a6[0] | a6[1] | a6[2] | a6[3];
}

/* The words of a typed in6_addr, copied out (typed object only) */
static __always_inline void typed_v6(__u32 *w, const struct in6_addr *a)
{
	w[0] = a->in6_u.u6_addr32[0];
	w[1] = a->in6_u.u6_addr32[1];
	w[2] = a->in6_u.u6_addr32[2];
	w[3] = a->in6_u.u6_addr32[3];
}

/*
 * Internal to the BPF side, never in an event: the call names its
 * destination in user memory (FW_DEST_NAMED: a datagram's, whose kernel
 * copy the cgroup sendmsg hooks give at exit), and that memory could not
 * be read at entry (FW_DEST_LATE: a page the caller never touched, which
 * the kernel faults in when it copies it; a BPF program cannot)
 */
#define FW_DEST_NAMED 0x40
#define FW_DEST_LATE 0x80
/* uaddr of a call whose msghdr could not be read: it may name one */
#define FW_UADDR_UNREAD (~0ULL)

/* 1: d is the sockaddr at uaddr; 0: none there (NULL, another family,
 * too short); -1: not readable now */
static __always_inline int dest_from_user(struct fw_dest *d, __u64 uaddr,
					  __u32 len)
{
	struct fw_sockaddr sa = {};

	if (!uaddr || len < 8)
		return 0;
	if (bpf_probe_read_user(&sa, sizeof(sa), (void *)uaddr))
		/* a short sockaddr_in may end at a page boundary */
		if (bpf_probe_read_user(&sa, 8, (void *)uaddr))
			return -1;
	d->port = bpf_ntohs(sa.port);
	if (sa.family == FW_AF_INET) {
		d->family = FW_AF_INET;
		__builtin_memcpy(d->addr, &sa.v4, 4);
		return 1;
	}
	if (sa.family == FW_AF_INET6 && len >= 24) {
		dest_set_v6(d, sa.v6);
		return 1;
	}
	return 0;
}

/* Is sk connected to an address of this host? The kernel gives a
 * connection to a local address that same address as its source. (A
 * socket's fields, unlike its cached route, do not change under it: the
 * answer is the same for every send, and so is the flow key.) */
static __always_inline bool sock_is_self(struct sock *sk, __u16 family)
{
	if (fw_typed_reads) {
		struct sock_common *c = &fw_typed(sk, struct sock)->__sk_common;
		bool self;

		if (family == FW_AF_INET) {
			self = c->skc_rcv_saddr == c->skc_daddr;
		} else {
			const __u32 *a = c->skc_v6_rcv_saddr.in6_u.u6_addr32;
			const __u32 *b = c->skc_v6_daddr.in6_u.u6_addr32;

			self = a[0] == b[0] && a[1] == b[1] && a[2] == b[2] &&
			       a[3] == b[3];
		}
		asm volatile("" ::: "memory"); /* see inode_key */
		return self;
	}
	if (family == FW_AF_INET)
		return BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr) ==
		       BPF_CORE_READ(sk, __sk_common.skc_daddr);
	struct in6_addr s = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
	struct in6_addr d = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);
	const __u32 *a = (const __u32 *)&s, *b = (const __u32 *)&d;

	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

static __always_inline bool dest_from_sock(struct fw_dest *d, struct sock *sk,
					   __u16 family)
{
	if (fw_typed_reads) {
		struct sock_common *c = &fw_typed(sk, struct sock)->__sk_common;
		__u32 a6[4], a = 0;

		d->port = bpf_ntohs(c->skc_dport);
		if (family == FW_AF_INET)
			a = c->skc_daddr;
		else
			typed_v6(a6, &c->skc_v6_daddr);
		asm volatile("" ::: "memory"); /* see inode_key */
		return dest_set_addr(d, family, a, a6);
	}
	d->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == FW_AF_INET) {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		d->family = FW_AF_INET;
		__builtin_memcpy(d->addr, &a, 4);
		return a != 0;
	}
	struct in6_addr a6 = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);
	const __u32 *w = (const __u32 *)&a6;

	dest_set_v6(d, (const __u8 *)&a6);
	return w[0] | w[1] | w[2] | w[3];
}

/*
 * The INET socket of file, or NULL; fills family, transport and type.
 * Every INET socket counts, not only TCP and UDP: raw sockets (any IP
 * protocol, ICMP included, or whole IP packets with IP_HDRINCL), ping
 * sockets (SOCK_DGRAM, ICMP), SCTP, UDP-Lite and MPTCP all carry bytes out.
 */
static __always_inline struct sock *
inet_sock_of(struct file *file, __u16 *family, __u8 *proto, __u16 *type)
{
	struct socket *sock;
	struct sock *sk;

	if (!file)
		return NULL;
	if (fw_typed_reads) {
		/* one helper call where the other object makes seven: sk
		 * itself stays a number, as callers hand it on */
		struct file *f = fw_typed(file, struct file);
		struct sock *typed;

		if ((f->f_inode->i_mode & FW_S_IFMT) != FW_S_IFSOCK)
			return NULL;
		sock = f->private_data;
		sk = BPF_CORE_READ(sock, sk);
		if (!sk)
			return NULL;
		typed = fw_typed(sk, struct sock);
		*family = typed->__sk_common.skc_family;
		*proto = typed->sk_protocol;
		*type = typed->sk_type;
		asm volatile("" ::: "memory"); /* see inode_key */
		if (*family != FW_AF_INET && *family != FW_AF_INET6)
			return NULL;
		return sk;
	}
	if (inode_mode_type(file_inode(file)) != FW_S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	*family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (*family != FW_AF_INET && *family != FW_AF_INET6)
		return NULL;
	/* u16 since 5.6; older kernels keep it in a bitfield. MPTCP (262)
	 * keeps its low byte, 6: it is reported as TCP, which it runs on */
	*proto = BPF_CORE_READ(sk, sk_protocol);
	*type = BPF_CORE_READ(sk, sk_type);
	return sk;
}

/*
 * Resolve the destination of a send by a tainted process. uaddr is the
 * caller's sockaddr (sendto, msg_name), or FW_UADDR_UNREAD. Datagram and
 * raw sockets send to it when given (their port is meaningless for raw:
 * 0); connection sockets ignore it, except an unconnected TCP socket's
 * sendto with MSG_FASTOPEN, which connects there and carries data in the
 * handshake. A destination that cannot be read now is marked
 * FW_DEST_LATE, for fw_io_exit to settle.
 */
static __always_inline struct sock *send_dest(struct file *file, __u64 uaddr,
					      __u32 addrlen, struct fw_dest *d)
{
	__u16 family = 0, type = 0;
	__u8 proto = 0;
	struct sock *sk = inet_sock_of(file, &family, &proto, &type);
	int named = uaddr == FW_UADDR_UNREAD ? -1 : 0;
	bool by_addr;

	if (!sk)
		return NULL;
	by_addr = type == SOCK_DGRAM || type == SOCK_RAW;
	d->proto = proto;
	if (by_addr && uaddr) {
		d->flags |= FW_DEST_NAMED;
		if (!named)
			named = dest_from_user(d, uaddr, addrlen);
		if (named > 0)
			goto found;
		if (named < 0) {
			d->flags |= FW_DEST_LATE;
			goto found;
		}
	}
	if (dest_from_sock(d, sk, family)) {
		if (sock_is_self(sk, family))
			d->flags |= FW_DEST_LOCAL;
		goto found;
	}
	/* not connected yet: a fast-open sendto names its peer */
	if (!by_addr && !named)
		named = dest_from_user(d, uaddr, addrlen);
	if (named > 0)
		goto found;
	if (named < 0 && !by_addr) {
		d->flags |= FW_DEST_LATE;
		goto found;
	}
	return NULL;
found:
	if (type == SOCK_RAW)
		d->port = 0;
	return sk;
}

static __always_inline void
emit_net(__u32 type, __u64 id, const struct fw_dest *dest, __u64 bytes, long fd)
{
	struct fw_net_event *e;
	struct fw_taint *t;
	__u32 tgid = id >> 32;

	e = event_reserve(sizeof(*e), type, tgid, (__u32)id);
	if (!e)
		return;
	e->dest = *dest;
	e->bytes = bytes;
	e->fd = fd;
	e->pad = 0;
	t = bpf_map_lookup_elem(&tainted, &tgid);
	if (t)
		e->origin = t->origin;
	else
		__builtin_memset(&e->origin, 0, sizeof(e->origin));
	event_submit(e);
}

/*
 * A socket whose traffic is not followed: AF_PACKET's frames bypass the
 * socket layer the send hooks read, and the other families (vsock to the
 * hypervisor, bluetooth, CAN, AF_XDP, KCM, ...) leave the host without the
 * IP stack. Followed or local: AF_UNIX 1 (a carrier), AF_INET 2, AF_INET6
 * 10, AF_KEY 15, AF_NETLINK 16, AF_ALG 38.
 */
static __always_inline bool family_unfollowed(long family)
{
	return family > 0 && family < 64 && family != 1 && family != 2 &&
	       family != 10 && family != 15 && family != 16 && family != 38;
}

/* The current (tainted) process holds such a socket: reported, since what
 * it sends there is not followed */
static __always_inline void emit_unfollowed_socket(long family, long type,
						   long protocol)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fw_packet_socket_event *e;

	e = event_reserve(sizeof(*e), FW_EV_PACKET_SOCKET, id >> 32, (__u32)id);
	if (!e)
		return;
	e->type = type & 0xf; /* without SOCK_NONBLOCK, SOCK_CLOEXEC */
	e->protocol = protocol;
	e->family = family;
	e->pad = 0;
	event_submit(e);
}

#endif /* FW_NET_BPF_H */
