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
/* The dispatch of every 32-bit call (the fast tier attaches there) */
#define FW_IA32_DISPATCH_FN "ia32_sys_call"
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
#define FW_NR_msgsnd 69
#define FW_NR_msgrcv 70
#define FW_NR_shmat 30
#define FW_NR_mremap 25
#define FW_NR_rename 82
#define FW_NR_renameat 264
#define FW_NR_renameat2 316
#define FW_NR_mount 165
#define FW_NR_ioctl 16
#define FW_NR_umount2 166
#define FW_NR_pivot_root 155
#define FW_NR_move_mount 429
/* Calls of a 32-bit task that have no 64-bit twin: ia32_call names them by
 * these numbers, above every real one */
#define FW_NR_IA32_socketcall 0x10000 /* (call, u32 args[]) */
#define FW_NR_IA32_ipc 0x10001 /* (call, first, second, third, ptr) */
#define FW_NR_IA32_old_mmap 0x10002 /* (struct of six u32) */
#define FW_NR_IA32_truncate64 0x10003 /* (path, length low, high) */
#define FW_NR_IA32_ftruncate64 0x10004 /* (fd, length low, high) */

/*
 * A 32-bit call (an ia32 program, or a 64-bit one entering by int $0x80)
 * numbers its syscalls by arch/x86/entry/syscalls/syscall_32.tbl and
 * passes the arguments in other registers: the number of the 64-bit call
 * whose handler follows it (or an FW_NR_IA32_ one above), -1 for a call
 * not followed. Where a 32-bit call has a time32 and a time64 form, both
 * are here. The handlers read the compat layouts of msghdr and mmsghdr
 * (FW_PENDING_IA32); an iovec's is never read.
 */
static __always_inline long ia32_call(long nr)
{
	switch (nr) {
	case 3:
		return FW_NR_read;
	case 4:
		return FW_NR_write;
	case 5:
		return FW_NR_open;
	case 8:
		return FW_NR_creat;
	case 21:
		return FW_NR_mount;
	case 26:
		return FW_NR_ptrace;
	case 38:
		return FW_NR_rename;
	case 52:
		return FW_NR_umount2;
	case 54:
		return FW_NR_ioctl;
	case 90:
		return FW_NR_IA32_old_mmap;
	case 92:
		return FW_NR_truncate;
	case 93:
		return FW_NR_ftruncate;
	case 102:
		return FW_NR_IA32_socketcall;
	case 117:
		return FW_NR_IA32_ipc;
	case 145:
		return FW_NR_readv;
	case 146:
		return FW_NR_writev;
	case 163:
		return FW_NR_mremap;
	case 180:
		return FW_NR_pread64;
	case 181:
		return FW_NR_pwrite64;
	case 187:
		return FW_NR_sendfile;
	case 192:
		return FW_NR_mmap; /* mmap2: the offset in pages */
	case 193:
		return FW_NR_IA32_truncate64;
	case 194:
		return FW_NR_IA32_ftruncate64;
	case 217:
		return FW_NR_pivot_root;
	case 239:
		return FW_NR_sendfile; /* sendfile64 */
	case 279:
	case 432:
		return FW_NR_mq_timedsend;
	case 280:
	case 433:
		return FW_NR_mq_timedreceive;
	case 295:
		return FW_NR_openat;
	case 302:
		return FW_NR_renameat;
	case 313:
		return FW_NR_splice;
	case 315:
		return FW_NR_tee;
	case 316:
		return FW_NR_vmsplice;
	case 333:
		return FW_NR_preadv;
	case 334:
		return FW_NR_pwritev;
	case 337:
	case 417:
		return FW_NR_recvmmsg;
	case 345:
		return FW_NR_sendmmsg;
	case 347:
		return FW_NR_process_vm_readv;
	case 348:
		return FW_NR_process_vm_writev;
	case 353:
		return FW_NR_renameat2;
	case 359:
		return FW_NR_socket;
	case 362:
		return FW_NR_connect;
	case 364:
		return FW_NR_accept4;
	case 369:
		return FW_NR_sendto;
	case 370:
		return FW_NR_sendmsg;
	case 371:
		return FW_NR_recvfrom;
	case 372:
		return FW_NR_recvmsg;
	case 377:
		return FW_NR_copy_file_range;
	case 378:
		return FW_NR_preadv2;
	case 379:
		return FW_NR_pwritev2;
	case 397:
		return FW_NR_shmat;
	case 400:
		return FW_NR_msgsnd;
	case 401:
		return FW_NR_msgrcv;
	case 429:
		return FW_NR_move_mount;
	case 437:
		return FW_NR_openat2;
	}
	return -1;
}

/* A 32-bit call's arguments: ebx, ecx, edx, esi, edi, ebp */
static __always_inline unsigned long sys_arg_ia32(struct pt_regs *regs, int n)
{
	switch (n) {
	case 0:
		return (__u32)regs->bx;
	case 1:
		return (__u32)regs->cx;
	case 2:
		return (__u32)regs->dx;
	case 3:
		return (__u32)regs->si;
	case 4:
		return (__u32)regs->di;
	default:
		return (__u32)regs->bp;
	}
}

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

/* The call in progress is a 32-bit one (TS_COMPAT = 2): set by the kernel
 * on every ia32 entry, an int $0x80 of a 64-bit task included */
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
#define FW_NR_msgsnd 189
#define FW_NR_msgrcv 188
#define FW_NR_shmat 196
#define FW_NR_mremap 216
#define FW_NR_rename -3 /* none */
#define FW_NR_renameat 38
#define FW_NR_renameat2 276
#define FW_NR_mount 40
#define FW_NR_umount2 39
#define FW_NR_pivot_root 41
#define FW_NR_move_mount 429
#define FW_NR_ioctl 29

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

static __always_inline long ia32_call(long nr)
{
	return -1;
}

static __always_inline unsigned long sys_arg_ia32(struct pt_regs *regs, int n)
{
	return 0;
}

#else
#error "flightwatch: syscall numbers for this architecture are missing"
#endif

#endif /* FW_SYSCALL_ARCH_BPF_H */
