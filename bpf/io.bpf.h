/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a followed read, send or carrier write decided before the data
 * moved (struct fw_pending), accounted once the call or the io_uring
 * request completed with its byte count. Shared by the syscall hooks and
 * the io_uring hooks.
 */
#ifndef FW_IO_BPF_H
#define FW_IO_BPF_H

#include "common.bpf.h"
#include "carriers.bpf.h"
#include "enforce.bpf.h"
#include "files.bpf.h"
#include "net.bpf.h"
#include "relays.bpf.h"

/*
 * A tainted process opened, or writes to, a socket whose traffic is not
 * followed (net.bpf.h; one it writes to it may have opened before it was
 * tainted): reported the first time, the (socket, process) pair kept in
 * carries under the sock's address (dev 0, FW_UNFOLLOWED_SOCK_GEN). Not
 * inlined: the io_uring program that calls it has little stack left.
 */
static __noinline void unfollowed_socket(struct file *file)
{
	struct fw_carry_key ck = { .carrier = { .gen = FW_UNFOLLOWED_SOCK_GEN },
				   .tgid = current_tgid() };
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (!file || inode_mode_type(file_inode(file)) != FW_S_IFSOCK)
		return;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (!family_unfollowed(family))
		return;
	ck.carrier.ino = (__u64)sk;
	if (counter_add(&carries, FW_LRU_CARRIES, &ck, 0,
			bpf_ktime_get_boot_ns()))
		emit_unfollowed_socket(family, BPF_CORE_READ(sk, sk_type),
				       BPF_CORE_READ(sk, sk_protocol));
}

/* Where a write by a tainted process goes: an INET destination or a
 * carrier. Untainted processes pay the one lookup in is_tainted(). */
static __always_inline void write_target(struct file *file, __u64 uaddr,
					 long addrlen, struct fw_pending *p)
{
	struct sock *sk = send_dest(file, uaddr, addrlen, &p->dest);

	if (sk && (p->dest.flags & FW_DEST_LATE)) {
		/* nowhere known yet to mark: settled at exit */
		p->kind |= FW_PENDING_SEND;
	} else if (sk) {
		/* bytes the egress hook will drop have not left */
		if (!enforce_mark(sk, &p->dest))
			p->kind |= FW_PENDING_SEND;
		relay_mark(sk, &p->dest, file);
	} else if (!carrier_of(file, p)) {
		unfollowed_socket(file);
	}
}

static __always_inline void send_done(const struct fw_dest *dest, __u64 id,
				      __u64 bytes, __u32 fd, __u64 now)
{
	struct fw_flow_key fk = { .dest = *dest, .tgid = id >> 32 };

	if (counter_add(&flows, FW_LRU_FLOWS, &fk, bytes, now))
		emit_net(FW_EV_SEND, id, &fk.dest, bytes, fd);
}

/*
 * The exit of a send whose entry could not settle where it goes, or whose
 * datagram names its destination: the kernel's copy of that destination
 * (kd: the cgroup sendmsg hooks, for UDP) decides; else the user memory
 * that names it, which the kernel has faulted in by now; else the socket
 * (a fast open connected it). false: still unknown.
 */
static __always_inline bool send_dest_settle(struct fw_pending *p,
					     const struct fw_datagram_dests *kd)
{
	struct fw_dest *d = &p->dest;
	bool late = d->flags & FW_DEST_LATE;
	struct fw_user_msghdr m = {};
	__u64 uaddr = p->user_dest;
	__u32 len = p->user_dest_len;
	__u16 family, type;
	struct sock *sk;
	__u8 proto;

	d->flags &= ~(FW_DEST_NAMED | FW_DEST_LATE);
	if (kd && kd->n) {
		*d = kd->d[0];
		return true;
	}
	if (!late)
		return true;
	sk = inet_sock_of(fd_to_file(p->fd), &family, &proto, &type);
	if (!sk)
		return false;
	if (!len && !user_msghdr_read(&m, uaddr, p->kind & FW_PENDING_IA32)) {
		uaddr = m.msg_name; /* a msghdr */
		len = m.msg_namelen;
	}
	if ((type == SOCK_DGRAM || type == SOCK_RAW) &&
	    dest_from_user(d, uaddr, len) > 0) {
		if (type == SOCK_RAW)
			d->port = 0;
		return true;
	}
	if (!dest_from_sock(d, sk, family))
		return false;
	if (sock_is_self(sk, family))
		d->flags |= FW_DEST_LOCAL;
	return true;
}

/* The send or carrier write that p describes moved ret bytes for thread
 * id. (sendmmsg's messages are accounted by mmsg_done first, in
 * syscalls.bpf.c: its loop is kept out of the io_uring programs, where
 * 6.1's verifier refuses the shape the compiler gives it there, "back-edge
 * from insn ...".) */
static __always_inline void write_done(struct fw_pending *p, __u64 id, long ret,
				       __u64 now)
{
	if (p->kind & FW_PENDING_SEND)
		send_done(&p->dest, id, ret, p->fd, now);
	if (p->kind & FW_PENDING_CARRY)
		carry_done(p, id, ret, now);
}

#endif /* FW_IO_BPF_H */
