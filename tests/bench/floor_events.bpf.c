// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of a tier without raw syscall hooks: empty programs on the
 * per-syscall tracepoints (syscalls:sys_enter_X, sys_exit_X) of every call
 * the fast tier follows, entered where it has an fentry program and left
 * where it has an fexit one. A syscall nobody attached to pays only the
 * kernel's test of its bit; an attached one pays the perf record the
 * kernel builds for it before the program runs.
 *
 * Built with FW_FLOOR_HOT, the reads and socket sends leave the syscall
 * tracepoints for the events that fire only where the work is:
 * filemap:mm_filemap_get_pages (a page-cache read, 6.12 and later) and
 * sock:sock_send_length (a socket send, 6.3 and later). That is the
 * cheapest such a tier could be on the six workloads; whether it could
 * follow what the syscalls follow is another question (BENCHMARKS.md).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define FLOOR_ENTER(fn)                           \
	SEC("tracepoint/syscalls/sys_enter_" #fn) \
	int floor_enter_##fn(void *ctx)           \
	{                                         \
		return 0;                         \
	}
#define FLOOR_EXIT(fn)                           \
	SEC("tracepoint/syscalls/sys_exit_" #fn) \
	int floor_exit_##fn(void *ctx)           \
	{                                        \
		return 0;                        \
	}

FLOOR_ENTER(write)
FLOOR_ENTER(writev)
FLOOR_ENTER(pwrite64)
FLOOR_ENTER(pwritev)
FLOOR_ENTER(pwritev2)
FLOOR_ENTER(vmsplice)
FLOOR_ENTER(mq_timedsend)
FLOOR_ENTER(sendfile64)
FLOOR_ENTER(tee)
FLOOR_ENTER(splice)
FLOOR_ENTER(copy_file_range)
FLOOR_ENTER(truncate)
FLOOR_ENTER(connect)
FLOOR_ENTER(msgsnd)

FLOOR_EXIT(open)
FLOOR_EXIT(creat)
FLOOR_EXIT(rename)
FLOOR_EXIT(openat)
FLOOR_EXIT(openat2)
FLOOR_EXIT(ftruncate)
FLOOR_EXIT(truncate)
FLOOR_EXIT(recvfrom)
FLOOR_EXIT(recvmsg)
FLOOR_EXIT(recvmmsg)
FLOOR_EXIT(mq_timedreceive)
FLOOR_EXIT(accept)
FLOOR_EXIT(accept4)
FLOOR_EXIT(ptrace)
FLOOR_EXIT(process_vm_readv)
FLOOR_EXIT(process_vm_writev)
FLOOR_EXIT(socket)
FLOOR_EXIT(mmap)
FLOOR_EXIT(shmat)
FLOOR_EXIT(mremap)
FLOOR_EXIT(sendfile64)
FLOOR_EXIT(tee)
FLOOR_EXIT(splice)
FLOOR_EXIT(copy_file_range)
FLOOR_EXIT(write)
FLOOR_EXIT(writev)
FLOOR_EXIT(pwrite64)
FLOOR_EXIT(pwritev)
FLOOR_EXIT(pwritev2)
FLOOR_EXIT(vmsplice)
FLOOR_EXIT(mq_timedsend)
FLOOR_EXIT(msgsnd)
FLOOR_EXIT(msgrcv)
FLOOR_EXIT(renameat)
FLOOR_EXIT(renameat2)
FLOOR_EXIT(mount)
FLOOR_EXIT(umount)
FLOOR_EXIT(pivot_root)
FLOOR_EXIT(move_mount)

#ifdef FW_FLOOR_HOT
SEC("tp_btf/mm_filemap_get_pages")
int BPF_PROG(floor_filemap_read, struct address_space *mapping,
	     unsigned long index, unsigned long last_index)
{
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(floor_sock_send, struct sock *sk, int ret, int flags)
{
	return 0;
}
#else
FLOOR_ENTER(sendto)
FLOOR_ENTER(sendmsg)
FLOOR_ENTER(sendmmsg)
FLOOR_EXIT(read)
FLOOR_EXIT(pread64)
FLOOR_EXIT(readv)
FLOOR_EXIT(preadv)
FLOOR_EXIT(preadv2)
FLOOR_EXIT(sendto)
FLOOR_EXIT(sendmsg)
FLOOR_EXIT(sendmmsg)
#endif

char LICENSE[] SEC("license") = "GPL";
