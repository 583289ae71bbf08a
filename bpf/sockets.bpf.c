// SPDX-License-Identifier: GPL-2.0
/* TCP state changes: the end of a relayed loopback flow (relays.bpf.h) */
#include "relays.bpf.h"

/* TP_PROTO(const struct sock *sk, const int oldstate, const int newstate) */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(fw_tcp_state, const struct sock *sk, const int oldstate,
	     const int newstate)
{
	if (newstate == FW_TCP_CLOSE)
		relay_closed((struct sock *)sk);
	return 0;
}
