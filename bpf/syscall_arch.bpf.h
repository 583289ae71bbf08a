/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the raw sys_enter/sys_exit tracepoints need per architecture: the
 * syscall numbers of interest and where the arguments sit in pt_regs.
 * pt_regs comes typed (BTF) from the tracepoint, so these are plain loads.
 */
#ifndef FW_SYSCALL_ARCH_BPF_H
#define FW_SYSCALL_ARCH_BPF_H

#if defined(__TARGET_ARCH_x86)
/* The syscalls' own functions (the fast tier attaches there) */
#define FW_SYSCALL_FN_PREFIX "__x64_sys_"
#define FW_IA32_SYSCALL_FN_PREFIX "__ia32_sys_"
/* arch/x86/entry/syscalls/syscall_64.tbl */
#define FW_NR_read 0
#define FW_NR_write 1
#define FW_NR_open 2
#define FW_NR_pread64 17
#define FW_NR_readv 19
#define FW_NR_writev 20
#define FW_NR_connect 42
#define FW_NR_sendto 44
#define FW_NR_sendmsg 46
#define FW_NR_openat 257
#define FW_NR_preadv 295
#define FW_NR_sendmmsg 307
#define FW_NR_preadv2 327
#define FW_NR_openat2 437
#define FW_NR_sendfile 40
#define FW_NR_mmap 9
#define FW_NR_accept 43
#define FW_NR_accept4 288
#define FW_NR_recvfrom 45
#define FW_NR_recvmsg 47
#define FW_NR_splice 275
#define FW_NR_tee 276
#define FW_NR_recvmmsg 299
#define FW_NR_copy_file_range 326
#define FW_NR_pwrite64 18
#define FW_NR_pwritev 296
#define FW_NR_pwritev2 328
#define FW_NR_vmsplice 278
#define FW_NR_creat 85
#define FW_NR_ftruncate 77
#define FW_NR_truncate 76
#define FW_NR_ptrace 101
#define FW_NR_process_vm_readv 310
#define FW_NR_process_vm_writev 311
#define FW_NR_socket 41
#define FW_NR_mq_timedsend 242
#define FW_NR_mq_timedreceive 243
#define FW_NR_shmat 30
#define FW_NR_mremap 25
#define FW_NR_rename 82
#define FW_NR_renameat 264
#define FW_NR_renameat2 316
#define FW_NR_mount 165
#define FW_NR_umount2 166
#define FW_NR_pivot_root 155
#define FW_NR_move_mount 429
/* arch/x86/entry/syscalls/syscall_32.tbl: the calls a 32-bit task moves
 * directories or mounts with (sys_exit's cases for them check the task) */
#define FW_NR_IA32_rename 38
#define FW_NR_IA32_renameat 302
#define FW_NR_IA32_renameat2 353
#define FW_NR_IA32_mount 21
#define FW_NR_IA32_umount2 52
#define FW_NR_IA32_pivot_root 217

static __always_inline unsigned long sys_arg(struct pt_regs *regs, int n)
{
	switch (n) {
	case 0:
		return regs->di;
	case 1:
		return regs->si;
	case 2:
		return regs->dx;
	case 3:
		return regs->r10;
	case 4:
		return regs->r8;
	default:
		return regs->r9;
	}
}

static __always_inline long sys_nr(struct pt_regs *regs)
{
	return regs->orig_ax;
}

/* A 32-bit (ia32) task numbers its syscalls differently: such calls are
 * not decoded (per-syscall tracepoints skip them too). TS_COMPAT = 2. */
static __always_inline bool sys_is_compat(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return task->thread_info.status & 0x0002;
}

#elif defined(__TARGET_ARCH_arm64)
#define FW_SYSCALL_FN_PREFIX "__arm64_sys_"
/* include/uapi/asm-generic/unistd.h */
#define FW_NR_read 63
#define FW_NR_write 64
#define FW_NR_open -1 /* none */
#define FW_NR_pread64 67
#define FW_NR_readv 65
#define FW_NR_writev 66
#define FW_NR_connect 203
#define FW_NR_sendto 206
#define FW_NR_sendmsg 211
#define FW_NR_openat 56
#define FW_NR_preadv 69
#define FW_NR_sendmmsg 269
#define FW_NR_preadv2 286
#define FW_NR_openat2 437
#define FW_NR_sendfile 71
#define FW_NR_mmap 222
#define FW_NR_accept 202
#define FW_NR_accept4 242
#define FW_NR_recvfrom 207
#define FW_NR_recvmsg 212
#define FW_NR_splice 76
#define FW_NR_tee 77
#define FW_NR_recvmmsg 243
#define FW_NR_copy_file_range 285
#define FW_NR_pwrite64 68
#define FW_NR_pwritev 70
#define FW_NR_pwritev2 287
#define FW_NR_vmsplice 75
#define FW_NR_creat -2 /* none (not -1: FW_NR_open) */
#define FW_NR_ftruncate 46
#define FW_NR_truncate 45
#define FW_NR_ptrace 117
#define FW_NR_process_vm_readv 270
#define FW_NR_process_vm_writev 271
#define FW_NR_socket 198
#define FW_NR_mq_timedsend 182
#define FW_NR_mq_timedreceive 183
#define FW_NR_shmat 196
#define FW_NR_mremap 216
#define FW_NR_rename -3 /* none */
#define FW_NR_renameat 38
#define FW_NR_renameat2 276
#define FW_NR_mount 40
#define FW_NR_umount2 39
#define FW_NR_pivot_root 41
#define FW_NR_move_mount 429

static __always_inline unsigned long sys_arg(struct pt_regs *regs, int n)
{
	return n == 0 ? regs->orig_x0 : regs->regs[n & 7];
}

static __always_inline long sys_nr(struct pt_regs *regs)
{
	return regs->syscallno;
}

static __always_inline bool sys_is_compat(void)
{
	return false; /* AArch32 tasks: not decoded */
}

#else
#error "flightwatch: syscall numbers for this architecture are missing"
#endif

#endif /* FW_SYSCALL_ARCH_BPF_H */
