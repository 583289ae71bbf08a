// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall dispatch: one BTF tracepoint on sys_enter and one on
 * sys_exit route the syscalls flightwatch follows to their handlers.
 *
 * Why raw tracepoints rather than syscalls:sys_enter_<name>: the
 * per-syscall tracepoints copy every call's arguments into a perf record
 * before the program runs, which measured here at about 250 ns on a
 * pread64 (a 2x slowdown of a 4 KiB cached read). The raw tracepoint
 * hands the program pt_regs directly; a syscall that is not followed costs
 * a comparison. It also needs no tracefs.
 */
#include "common.bpf.h"
#include "handlers.bpf.h"
#include "syscall_arch.bpf.h"

/* TP_PROTO(struct pt_regs *regs, long id) */
SEC("tp_btf/sys_enter")
int BPF_PROG(fw_sys_enter, struct pt_regs *regs, long id)
{
	switch (id) {
	case FW_NR_read:
	case FW_NR_pread64:
	case FW_NR_readv:
	case FW_NR_preadv:
	case FW_NR_preadv2:
		if (sys_is_compat())
			return 0;
		return fw_file_read_enter(sys_arg(regs, 0));
	case FW_NR_write:
	case FW_NR_writev:
		if (sys_is_compat())
			return 0;
		return fw_net_send_enter(sys_arg(regs, 0), 0, 0);
	case FW_NR_sendto:
		if (sys_is_compat())
			return 0;
		return fw_net_send_enter(sys_arg(regs, 0), sys_arg(regs, 4),
					 sys_arg(regs, 5));
	case FW_NR_sendmsg:
		if (sys_is_compat())
			return 0;
		return fw_net_sendmsg_enter(sys_arg(regs, 0), sys_arg(regs, 1),
					    0);
	case FW_NR_sendmmsg:
		if (sys_is_compat())
			return 0;
		return fw_net_sendmsg_enter(sys_arg(regs, 0), sys_arg(regs, 1),
					    1);
	case FW_NR_connect:
		if (sys_is_compat())
			return 0;
		return fw_net_connect(sys_arg(regs, 0), sys_arg(regs, 1),
				      sys_arg(regs, 2));
	}
	return 0;
}

/* TP_PROTO(struct pt_regs *regs, long ret) */
SEC("tp_btf/sys_exit")
int BPF_PROG(fw_sys_exit, struct pt_regs *regs, long ret)
{
	switch (sys_nr(regs)) {
	case FW_NR_open:
	case FW_NR_openat:
	case FW_NR_openat2:
		if (sys_is_compat())
			return 0;
		return fw_file_open_exit(ret);
	case FW_NR_read:
	case FW_NR_pread64:
	case FW_NR_readv:
	case FW_NR_preadv:
	case FW_NR_preadv2:
		return fw_file_read_exit(ret);
	case FW_NR_write:
	case FW_NR_writev:
	case FW_NR_sendto:
	case FW_NR_sendmsg:
	case FW_NR_sendmmsg:
		return fw_net_send_exit(ret);
	}
	return 0;
}
