// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of the tracepoint tier: empty programs on the two hooks
 * flightwatch's syscall tracing rests on. What a workload pays with these
 * attached is what any tracer built on tp_btf sys_enter/sys_exit pays
 * before it does any work; tests/bench/programs.sh shows it beside
 * flightwatch's own cost.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_sys_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_sys_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
