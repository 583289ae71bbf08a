/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-syscall handlers of the hook families, called by the dispatch in
 * syscalls.bpf.c. They are global BPF functions: each is verified once, on
 * its own, and takes only scalars (descriptors, return values, user
 * addresses).
 */
#ifndef FW_HANDLERS_BPF_H
#define FW_HANDLERS_BPF_H

/* files.bpf.c */
int fw_file_open_exit(long ret);
int fw_file_read_enter(long fd);
int fw_file_read_exit(long ret);

/* net.bpf.c */
int fw_net_connect(long fd, __u64 uaddr, long addrlen);
int fw_net_send_enter(long fd, __u64 uaddr, long addrlen);
int fw_net_sendmsg_enter(long fd, __u64 umsg, long is_mmsg);
int fw_net_send_exit(long ret);

#endif /* FW_HANDLERS_BPF_H */
