// SPDX-License-Identifier: GPL-2.0
/*
 * Socket events: TCP state changes end relayed loopback flows
 * (relays.bpf.h) and enforcement's marks (enforce.bpf.h); data arriving on a unix socket from a tainted sender
 * makes it a carrier (carriers.bpf.h)
 */
#include "carriers.bpf.h"
#include "enforce.bpf.h"
#include "relays.bpf.h"

/* TP_PROTO(const struct sock *sk, const int oldstate, const int newstate) */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(fw_tcp_state, const struct sock *sk, const int oldstate,
	     const int newstate)
{
	if (newstate == TCP_CLOSE) {
		relay_closed((struct sock *)sk);
		enforce_closed((struct sock *)sk);
	}
	return 0;
}

/* TP_PROTO(const struct sock *sk) */
SEC("tp_btf/sk_data_ready")
int BPF_PROG(fw_data_ready, const struct sock *sk)
{
	unix_data_ready((struct sock *)sk);
	return 0;
}

/*
 * Kernels before 6.6 have no sk_data_ready tracepoint. The function it sits
 * in, sock_def_readable(), is every unix socket's sk_data_ready callback:
 * unix_dgram_sendmsg() calls it on the receiver, in the sender's context,
 * once the datagram is queued. Where fentry programs load (stock kernels,
 * not every locked-down one) this variant follows the same datagrams.
 */
SEC("fentry/sock_def_readable")
int BPF_PROG(fw_data_ready_fentry, struct sock *sk)
{
	unix_data_ready(sk);
	return 0;
}
