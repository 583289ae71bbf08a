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
#include "files.bpf.h"
#include "net.bpf.h"
#include "relays.bpf.h"

/* Where a write by a tainted process goes: an INET destination or a
 * carrier. Untainted processes pay the one lookup in is_tainted(). */
static __always_inline void write_target(struct file *file, __u64 uaddr,
					 long addrlen, struct fw_pending *p)
{
	struct sock *sk = send_dest(file, uaddr, addrlen, &p->dest);

	if (sk) {
		p->kind |= FW_PENDING_SEND;
		relay_mark(sk, &p->dest, file);
	} else {
		carrier_of(file, p);
	}
}

/* The send or carrier write that p describes moved ret bytes (or
 * messages, for sendmmsg) for thread id */
static __always_inline void write_done(struct fw_pending *p, __u64 id, long ret,
				       __u64 now)
{
	if (p->kind & FW_PENDING_SEND) {
		struct fw_flow_key fk = { .dest = p->dest, .tgid = id >> 32 };
		__u64 bytes = p->mmsg_vec ? mmsg_bytes(p->mmsg_vec, ret) : ret;

		if (counter_add(&flows, FW_LRU_FLOWS, &fk, bytes, now))
			emit_net(FW_EV_SEND, id, &fk.dest, bytes, p->fd);
	}
	if (p->kind & FW_PENDING_CARRY)
		carry_done(p, id, ret, now);
}

#endif /* FW_IO_BPF_H */
