// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall hooks: one BTF tracepoint on sys_enter and one on sys_exit
 * route the syscalls flightwatch follows to the handlers below.
 *
 * Why raw tracepoints rather than syscalls:sys_enter_<name>: the
 * per-syscall tracepoints copy every call's arguments into a perf record
 * before the program runs, which measured here at about 250 ns on a
 * pread64 (a 2x slowdown of a 4 KiB cached read). The raw tracepoint
 * hands the program pt_regs directly; a syscall that is not followed costs
 * a comparison. It also needs no tracefs.
 *
 * Reads are decided at exit, where the descriptor is still in pt_regs:
 * that costs the same as remembering it at enter, and a read that was
 * already blocked when its file became a carrier is still seen. A send or
 * a write into a carrier, by a tainted process only, is decided at enter
 * (the destination, the carrier's mark) and left in the thread's pending
 * storage for the exit handler to account with the byte count the call
 * returned. The handlers are global BPF functions: each is verified once,
 * on its own, and takes only scalars.
 */
/* tp_btf programs only: the task's fields by BTF (common.bpf.h) */
#define FW_TASK_BTF
#include "io.bpf.h"
#include "procmem.bpf.h"
#include "shared.bpf.h"
#include "syscall_arch.bpf.h"

/* p's decision, for the exit of task's call (the current task by BTF) */
static __always_inline void task_pending_store(struct task_struct *task,
					       struct fw_pending *p, long fd)
{
	struct fw_pending *slot;

	slot = bpf_task_storage_get(&pending, task, 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!slot) {
		stat_add(FW_STAT_PENDING_FULL, 1);
		return;
	}
	p->fd = fd;
	*slot = *p;
}

static __always_inline void pending_store(struct fw_pending *p, long fd)
{
	task_pending_store(bpf_get_current_task_btf(), p, fd);
}

__noinline int fw_open_exit(long ret, __u64 flags)
{
	if (ret >= 0 && !fw_proc_mem_fops)
		proc_mem_learn(fd_to_file(ret));
	return file_open_exit(ret, flags & FW_O_TRUNC);
}

/* openat2(dfd, path, how, size): the flags are how->flags, the first
 * field of struct open_how (a u64) */
static __always_inline __u64 openat2_flags(__u64 uhow)
{
	__u64 flags = 0;

	bpf_probe_read_user(&flags, sizeof(flags), (void *)uhow);
	return flags;
}

__noinline int fw_truncate_exit(long fd)
{
	struct file *file = fd_to_file(fd);

	if (file && current_tgid() != fw_self_tgid)
		file_emptied(file);
	return 0;
}

/* truncate(path, 0): only the path is known here, the inode is taken
 * inside the call (truncate.bpf.c) while this thread's flag is up */
__noinline int fw_truncate_path_enter(void)
{
	struct fw_pending *slot;

	if (current_tgid() == fw_self_tgid)
		return 0;
	slot = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!slot) {
		stat_add(FW_STAT_PENDING_FULL, 1);
		return 0;
	}
	slot->kind = FW_PENDING_EMPTYING;
	__sync_fetch_and_add(&fw_emptying, 1);
	return 0;
}

__noinline int fw_truncate_path_exit(void)
{
	struct fw_pending *pp;

	pp = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
	if (!pp || !(pp->kind & FW_PENDING_EMPTYING))
		return 0;
	pp->kind = 0;
	__sync_fetch_and_add(&fw_emptying, -1);
	return 0;
}

/* read, pread64, readv, preadv, preadv2, recvfrom, recvmsg, recvmmsg,
 * and the input side of sendfile, splice, tee and copy_file_range.
 * Returns 1 when a watched file or carrier was read (shared_after_read) */
__noinline int fw_read_exit(long fd, long ret)
{
	struct inode *inode = NULL;
	struct fw_file_key *known;
	struct fw_pending p;
	struct file *file;
	__u64 id;

	if (ret <= 0)
		return 0;
	file = fd_file_typed(fd);
	known = watched_lookup(file, &inode);
	/* an unwatched file, no relay, no FUSE carrier: the common case ends
	 * here, before p (120 bytes) is cleared or the caller's id asked for
	 * (the collector's own reads are told apart only once something was
	 * read) */
	if (!known && !relays_exist() && !fuse_carriers_exist())
		return 0;
	__builtin_memset(&p, 0, sizeof(p));
	if ((known && file_read_known(file, inode, known, &p)) ||
	    relay_read(file, &p) || fuse_file_read(file, &p)) {
		id = bpf_get_current_pid_tgid();
		if ((id >> 32) == fw_self_tgid)
			return 0;
		file_read_done(&p, id, ret, tick_boot_ns());
		return 1;
	}
	if (p.file.gen == FW_PROC_MEM_GEN && current_tgid() != fw_self_tgid)
		/* marked at its open; file as a number (fd_file_typed) */
		return fw_proc_mem_read((__u64)fd_to_file(fd));
	return 0;
}

/* A send whose datagrams name their destination: the kernel's copies
 * collected from now on are this call's (fw_io_exit), and a datagram to
 * a socket of this host is relayed from file's socket */
static __always_inline void send_named(struct fw_pending *p, struct file *file)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct fw_datagram_dests *kd;

	if (!(p->kind & FW_PENDING_SEND) || !(p->dest.flags & FW_DEST_NAMED))
		return;
	kd = bpf_map_lookup_elem(&datagram_dests, &tid);
	if (!kd) {
		bpf_map_update_elem(&datagram_dests, &tid, &fw_no_dests,
				    BPF_NOEXIST);
		kd = bpf_map_lookup_elem(&datagram_dests, &tid);
		if (!kd)
			return;
	}
	kd->n = 0;
	pseudo_inode_key(file_inode(file), &kd->sender);
	kd->has_sender = 1;
}

/* write, writev, sendto (send): uaddr may be NULL */
__noinline int fw_send_enter(long fd, __u64 uaddr, long addrlen)
{
	/* asked once: the taint's start time, the descriptor and the
	 * pending record each want it (a call each, otherwise) */
	struct task_struct *task = bpf_get_current_task_btf();
	struct fw_pending p;
	struct file *file;

	if (!is_tainted_task(task->tgid, task))
		return 0; /* before p is cleared: every untainted send */
	p = (struct fw_pending){ .user_dest = uaddr, .user_dest_len = addrlen };
	file = task_fd_to_file(task, fd);
	/* another process's memory, not a file that could carry anything */
	if (proc_mem_written(file))
		return 0;
	write_target(file, uaddr, addrlen, &p);
	send_named(&p, file);
	if (p.kind)
		task_pending_store(task, &p, fd);
	return 0;
}

/* sendmsg(fd, msg, flags), sendmmsg(fd, vec, vlen, flags): the (first)
 * message names the destination; a mmsghdr starts with a msghdr. One
 * the caller never touched cannot be read here: its destination is
 * settled at exit. compat: a 32-bit call's (struct compat_msghdr). */
__noinline int fw_sendmsg_enter(long fd, __u64 umsg, long is_mmsg, long compat)
{
	struct task_struct *task = bpf_get_current_task_btf(); /* as above */
	struct fw_user_msghdr m = { .msg_name = FW_UADDR_UNREAD };
	struct fw_pending p;
	struct file *file;

	if (!is_tainted_task(task->tgid, task))
		return 0;
	p = (struct fw_pending){ .user_dest = umsg };
	if (user_msghdr_read(&m, umsg, compat))
		m.msg_name = FW_UADDR_UNREAD;
	file = task_fd_to_file(task, fd);
	write_target(file, m.msg_name, m.msg_namelen, &p);
	send_named(&p, file);
	if (!p.kind)
		return 0;
	if (is_mmsg)
		p.mmsg_vec = umsg;
	if (compat)
		p.kind |= FW_PENDING_IA32;
	task_pending_store(task, &p, fd);
	return 0;
}

/* msgsnd(msqid, ...) of a tainted process: the queue is a carrier */
__noinline int fw_msgsnd_enter(long msqid)
{
	struct fw_pending p = {};

	if (!is_tainted(current_tgid()))
		return 0;
	msgq_carrier(msqid, &p);
	pending_store(&p, -1);
	return 0;
}

/* msgrcv(msqid, ...) took a message of ret bytes: from a carrier queue,
 * the caller holds what its senders held. Returns 1 then. */
__noinline int fw_msgrcv_exit(long msqid, long ret)
{
	struct fw_pending p = {};
	__u64 id;

	if (ret <= 0)
		return 0;
	msgq_key(msqid, &p.file);
	if (!bpf_map_lookup_elem(&watched_files, &p.file))
		return 0;
	id = bpf_get_current_pid_tgid();
	if ((id >> 32) == fw_self_tgid)
		return 0;
	p.kind = FW_PENDING_READ;
	file_read_done(&p, id, ret, bpf_ktime_get_boot_ns());
	return 1;
}

/* sendfile, splice, tee, copy_file_range: data moves from in_fd to out_fd
 * inside the kernel, never through the caller's memory. Reading a watched
 * file this way counts as reading it, and taints what it is sent to. */
__noinline int fw_splice_enter(long in_fd, long out_fd)
{
	struct fw_pending p = {};
	bool reads;

	if (current_tgid() == fw_self_tgid)
		return 0;
	/* the read itself is accounted at exit (fw_read_exit) */
	reads = file_read_watched(fd_to_file(in_fd), &p);
	p.kind = 0;
	if (reads || is_tainted(current_tgid()))
		write_target(fd_to_file(out_fd), 0, 0, &p);
	if (p.kind)
		pending_store(&p, out_fd);
	return 0;
}

/*
 * ioctl(dst_fd, FICLONE, src_fd) and ioctl(dst_fd, FICLONERANGE, &range):
 * a reflink (btrfs, xfs, bcachefs) makes dst share src's blocks, and no
 * byte passes through the caller. cp does it first where the file system
 * allows it (coreutils 9 and later), so on such a file system a copy of a
 * log is a clone: followed as copy_file_range is. Every other ioctl ends
 * at the command's test.
 */
#define FW_FICLONE 0x40049409 /* _IOW(0x94, 9, int) */
#define FW_FICLONERANGE 0x4020940d /* _IOW(0x94, 13, struct file_clone_range) */

static __always_inline bool ioctl_clones(unsigned long cmd)
{
	return (__u32)cmd == FW_FICLONE || (__u32)cmd == FW_FICLONERANGE;
}

/* struct file_clone_range, the same for 32-bit callers */
struct fw_clone_range {
	__s64 src_fd;
	__u64 src_offset;
	__u64 src_length; /* 0: to the end of src */
	__u64 dest_offset;
};

/* A clone's source descriptor (-1 when the range cannot be read). Leaf
 * functions, these two: called beside fw_read_exit, not above it, so that
 * its stack is not added to that chain's (6.1 allows 512 bytes for a
 * whole chain of calls) */
__noinline long fw_clone_source(unsigned long cmd, unsigned long arg)
{
	__s64 fd = -1;

	if ((__u32)cmd == FW_FICLONE)
		return (int)arg;
	if (bpf_probe_read_user(&fd, sizeof(fd), (void *)arg))
		return -1;
	return fd;
}

/* How many bytes a clone that succeeded shares: the range's length, or
 * src's size from the range's offset on where it runs to the end (0) */
__noinline long fw_clone_length(unsigned long cmd, unsigned long arg, long src)
{
	struct fw_clone_range r = {};
	struct file *file = fd_to_file(src);
	__u64 size;

	if (!file)
		return 0;
	if ((__u32)cmd == FW_FICLONERANGE &&
	    bpf_probe_read_user(&r, sizeof(r), (void *)arg))
		return 0;
	if (r.src_length)
		return r.src_length;
	size = BPF_CORE_READ(file, f_inode, i_size);
	return size > r.src_offset ? size - r.src_offset : 0;
}

/* After a clone that succeeded (the call returns 0): src counts as read
 * for the bytes shared. Returns that count, for the write side */
static __always_inline long clone_read(unsigned long cmd, unsigned long arg)
{
	long src = fw_clone_source(cmd, arg);
	long len = fw_clone_length(cmd, arg, src);

	shared_after_read(fw_read_exit(src, len));
	return len;
}

__noinline int fw_accept_exit(long fd)
{
	if (fd >= 0)
		unix_accepted(fd);
	return 0;
}

__noinline int fw_connect(long fd, __u64 uaddr, long addrlen)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fw_dest d = {};
	__u16 family, type;
	__u8 proto;

	if (!is_tainted(id >> 32))
		return 0;
	if (!inet_sock_of(fd_to_file(fd), &family, &proto, &type))
		return 0;
	d.proto = proto;
	if (dest_from_user(&d, uaddr, addrlen) <= 0)
		return 0;
	emit_net(FW_EV_CONNECT, id, &d, 0, fd);
	return 0;
}

/*
 * Memory moved between processes: the process that receives another's
 * memory now holds what that one holds, as a child holds its parent's.
 * Reading (ptrace, process_vm_readv, /proc/PID/mem) moves it to the
 * caller; writing (PTRACE_POKEDATA, process_vm_writev, a write to
 * /proc/PID/mem) to the target, which needs the target's start for its
 * taint: the handlers below find its task (procmem.bpf.h).
 */
static __always_inline void taint_moved(__u32 from, __u32 to, __u64 to_start,
					__u32 how, struct task_struct *target)
{
	struct fw_peek_event *e;
	struct fw_taint *t, held;

	if (from == to || to == fw_self_tgid)
		return;
	t = bpf_map_lookup_elem(&tainted, &from);
	if (!t)
		return;
	held = *t;
	held.first_ns = bpf_ktime_get_boot_ns();
	held.start_ns = to_start;
	/* tainted already, its own origin stays in the kernel (the
	 * collector still adds source's) */
	if (!taint_put(&to, &held, false))
		note_threads(target ? target : (void *)bpf_get_current_task(),
			     to);
	e = event_reserve(sizeof(*e), FW_EV_PEEK, to, to);
	if (!e)
		return;
	if (target) {
		/* the header names the process written into, not the caller */
		e->hdr.start_ns = to_start;
		BPF_CORE_READ_STR_INTO(&e->hdr.comm, target, group_leader,
				       comm);
	} else {
		e->hdr.tid = (__u32)bpf_get_current_pid_tgid();
	}
	e->source = from;
	e->how = how;
	event_submit(e);
}

/* The caller read the memory of the process source (a thread's id) */
static __always_inline int peeked(__u32 source, __u32 how)
{
	__u32 *leader = bpf_map_lookup_elem(&threads, &source);

	if (leader)
		source = *leader;
	taint_moved(source, current_tgid(), current_start_ns(), how, NULL);
	return 0;
}

/* The caller, tainted (the caller checked), wrote into the memory of
 * task's process */
static __always_inline int poked(struct task_struct *task, __u32 how)
{
	if (!task)
		return 0;
	taint_moved(current_tgid(), BPF_CORE_READ(task, tgid),
		    BPF_CORE_READ(task, group_leader, start_boottime), how,
		    task);
	return 0;
}

/* ptrace(PTRACE_ATTACH or PTRACE_SEIZE, pid) succeeded: the tracee was
 * just put first on the caller's list of traced tasks */
__noinline int fw_ptrace_exit(void)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct task_struct *tracee;
	struct list_head *first;

	first = BPF_CORE_READ(me, ptraced.next);
	if (!first || first == &me->ptraced)
		return 0;
	tracee = (void *)first -
		 bpf_core_field_offset(struct task_struct, ptrace_entry);
	return peeked(BPF_CORE_READ(tracee, tgid), FW_PEEK_PTRACE);
}

/* ptrace(PTRACE_PEEKTEXT or PTRACE_PEEKDATA, pid) succeeded: a debugger
 * attached before its tracee read anything reads it now. pid is one of
 * the caller's tracees: found in its list, not looked up by number (from
 * another pid namespace, no tracee matches: not followed, never another
 * process's taint) */
__noinline int fw_ptrace_peek_exit(long pid)
{
	struct task_struct *tracee = tracee_of(pid);

	if (tracee)
		peeked(BPF_CORE_READ(tracee, tgid), FW_PEEK_PTRACE);
	return 0;
}

/* ptrace(PTRACE_POKETEXT or PTRACE_POKEDATA, pid) succeeded: pid is one
 * of the caller's tracees */
__noinline int fw_ptrace_poke_exit(long pid)
{
	/* an untainted debugger's pokes cost one lookup; in another pid
	 * namespace, pid is not the number the tracee has here */
	if (!is_tainted(current_tgid()) || !caller_in_init_pid_ns())
		return 0;
	return poked(tracee_of(pid), FW_POKE_PTRACE);
}

__noinline int fw_vm_readv_exit(long pid)
{
	return peeked(pid, FW_PEEK_VM_READV);
}

/* process_vm_writev(pid) succeeded: pid is a process's or a thread's id */
__noinline int fw_vm_writev_exit(long pid)
{
	if (!is_tainted(current_tgid()) || !caller_in_init_pid_ns())
		return 0;
	return poked(task_of(pid), FW_POKE_VM_WRITEV);
}

/* A read of /proc/PID/mem returned data: the caller holds PID's memory */
__noinline int fw_proc_mem_read(__u64 file_addr)
{
	struct file *file = (void *)file_addr;
	struct task_struct *task;
	__u64 inode_addr;

	if (!is_proc_mem(file)) {
		/* the marked inode was freed and its address reused */
		inode_addr = (__u64)file_inode(file);
		lru_delete(&watched_inodes, FW_LRU_WATCHED_INODES, &inode_addr);
		return 0;
	}
	task = proc_mem_task(file);
	if (task)
		peeked(BPF_CORE_READ(task, tgid), FW_PEEK_PROC_MEM);
	return 0;
}

/* A tainted process writes to file: when it is a /proc/PID/mem, PID is
 * written into (at enter: a failed write still taints PID, which errs on
 * the side of an alert). Returns 1 then. */
__noinline int fw_proc_mem_write(__u64 file_addr)
{
	struct task_struct *task = proc_mem_task((void *)file_addr);

	if (!task)
		return 0;
	poked(task, FW_POKE_PROC_MEM);
	return 1;
}

/* socket(family, ...) of a family whose traffic is not followed
 * (net.bpf.h) returned fd, by a tainted process: the socket itself is
 * reported, once (a send on it later says nothing more) */
__noinline int fw_socket_exit(long fd)
{
	if (is_tainted(current_tgid()))
		unfollowed_socket(fd_to_file(fd));
	return 0;
}

/*
 * Message i of the sendmmsg that p describes, charged to its own
 * destination: the kernel's copy of it (dests, when the kernel copied one
 * per message, else NULL), else on a datagram or raw socket the msg_name
 * read back from the caller's memory, else p's. The kernel stored its
 * byte count in msg_len. A global function: the verifier walks it once,
 * where the loop's body inline was walked once per message in every
 * program holding it (most of fw_sys_exit's budget of instructions).
 */
__noinline int fw_mmsg_msg(struct fw_pending *p,
			   struct fw_datagram_dests *dests, __u32 i, __u64 id,
			   __u64 now)
{
	struct fw_user_msghdr m = {};
	struct fw_dest d;
	__u64 hdr, len_at;
	__u32 len = 0;
	bool compat;

	if (!p)
		return 0;
	compat = p->kind & FW_PENDING_IA32;
	hdr = p->mmsg_vec + i * sizeof(struct mmsghdr);
	len_at = hdr + offsetof(struct mmsghdr, msg_len);
	if (compat) {
		hdr = p->mmsg_vec + i * FW_COMPAT_MMSGHDR_SIZE;
		len_at = hdr + FW_COMPAT_MMSGHDR_LEN;
	}
	if (bpf_probe_read_user(&len, sizeof(len), (void *)len_at))
		return 0;
	d = p->dest;
	if (dests) {
		d = dests->d[i & (FW_MMSG_MAX - 1)];
	} else if (p->dest.proto != IPPROTO_TCP &&
		   !user_msghdr_read(&m, hdr, compat) && m.msg_name) {
		struct fw_dest named = { .proto = p->dest.proto };

		if (dest_from_user(&named, m.msg_name, m.msg_namelen) > 0)
			d = named;
	}
	if (d.family)
		send_done(&d, id, len, p->fd, now);
	else
		stat_add(FW_STAT_PENDING_FULL, 1); /* not followed */
	return 0;
}

/*
 * sendmmsg sent count messages: each is charged to its own destination.
 * On a datagram or raw socket every message may name another peer in its
 * msg_name (one call, several hosts); the others go where the socket does.
 * When the kernel's copies (kd) number the messages sent, every message
 * was named and they say where each went; otherwise the names are read
 * back from the caller's memory.
 */
static __always_inline void mmsg_done(struct fw_pending *p,
				      struct fw_datagram_dests *kd, __u64 id,
				      long count, __u64 now)
{
	bool each = kd && kd->n == count;
	__u32 i;

	if (!each && (p->dest.flags & FW_DEST_LATE))
		send_dest_settle(p, NULL); /* the socket's peer, if any */
	p->dest.flags &= ~(FW_DEST_NAMED | FW_DEST_LATE);
	for (i = 0; i < FW_MMSG_MAX && i < count; i++)
		fw_mmsg_msg(p, each ? kd : NULL, i, id, now);
}

/* Every followed call returns here: account what its enter decided. mmsg:
 * the call may be a sendmmsg, whose messages are accounted one by one */
static __always_inline int io_exit(long ret, bool mmsg)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fw_datagram_dests *kd = NULL;
	struct fw_pending p, *pp;
	__u64 id;
	__u32 tid;

	pp = bpf_task_storage_get(&pending, task, 0, 0);
	if (!pp || !pp->kind)
		return 0; /* the path every untracked call takes */
	/* bpf_get_current_pid_tgid's answer, without its call */
	id = (__u64)task->tgid << 32 | (__u32)task->pid;
	tid = (__u32)id;
	p = *pp;
	pp->kind = 0;
	if ((p.kind & FW_PENDING_SEND) &&
	    (p.dest.flags & (FW_DEST_NAMED | FW_DEST_LATE)))
		kd = bpf_map_lookup_elem(&datagram_dests, &tid);
	if (mmsg && ret > 0 && p.mmsg_vec && (p.kind & FW_PENDING_SEND)) {
		/* ret is a message count: each to its own destination */
		mmsg_done(&p, kd, id, ret, tick_boot_ns());
		p.kind &= ~FW_PENDING_SEND;
	} else if ((p.kind & FW_PENDING_SEND) && !send_dest_settle(&p, kd)) {
		stat_add(FW_STAT_PENDING_FULL, 1); /* not followed */
		p.kind &= ~FW_PENDING_SEND;
	}
	if (kd)
		bpf_map_delete_elem(&datagram_dests, &tid);
	if (ret <= 0)
		return 0;
	write_done(&p, id, ret, tick_boot_ns());
	return 0;
}

__noinline int fw_io_exit(long ret)
{
	return io_exit(ret, true);
}

/* The same for a call known not to be a sendmmsg (a fast-tier program of
 * another call): without the loop over messages, which a verifier walks
 * once per message in every program that holds it */
__noinline int fw_io_exit_one(long ret)
{
	return io_exit(ret, false);
}

/*
 * How a handler was reached: a raw tracepoint on a 64-bit call, a
 * fast-tier program on one 64-bit call's function (its number fixed at
 * build, and its pending record written by its own entry only), or a
 * 32-bit call of either tier, its number translated (ia32_call) and its
 * arguments in the 32-bit registers.
 */
enum fw_via {
	FW_VIA_RAW = 0,
	FW_VIA_FAST = 1,
	FW_VIA_IA32 = 2,
};

static __always_inline unsigned long call_arg(struct pt_regs *regs, int n,
					      enum fw_via via)
{
	return via == FW_VIA_IA32 ? sys_arg_ia32(regs, n) : sys_arg(regs, n);
}

/*
 * Could the current process have a pending write or send? Their entries
 * (fw_send_enter, fw_sendmsg_enter, fw_msgsnd_enter) store one for a
 * tainted process only, whose tainted_filter bit stays set until it ends:
 * every write and send of the others ends here, without the call to
 * io_exit and its task-storage lookup.
 */
static __always_inline bool may_be_tainted(void)
{
	return filter_maybe(&tainted_filter, current_tgid());
}

/* The exit of a followed call nr */
static __always_inline int call_io_exit(long nr, long ret, enum fw_via via)
{
	if (via == FW_VIA_FAST && nr != FW_NR_sendmmsg)
		return fw_io_exit_one(ret);
	return fw_io_exit(ret);
}

/* A mapping of len bytes of fd (mmap and its 32-bit forms) at addr: a
 * readable one of a watched file counts as reading len bytes of it;
 * pages touched later are not seen one by one */
static __always_inline int mapped(long addr, long len, long prot, long flags,
				  long fd)
{
	if (prot & 1) /* PROT_READ */
		shared_after_read(fw_read_exit(fd, len));
	/* MAP_SHARED 1, MAP_SHARED_VALIDATE 3: memory shared with other
	 * processes (shared.bpf.h) */
	if (flags & 1)
		shared_mapped(addr, false);
	return 0;
}

/* The old 32-bit mmap(struct mmap_arg_struct32 *): six u32 (addr, len,
 * prot, flags, fd, offset), which the kernel has copied by now */
__noinline int old_mmap_exit(__u64 uargs, long addr)
{
	__u32 a[6];

	if (bpf_probe_read_user(a, sizeof(a), (void *)uargs))
		return 0;
	return mapped(addr, a[1], a[2], a[3], a[4]);
}

/* ipc(SHMAT, shmid, flags, third, addr) of a 32-bit task: the address
 * attached at is the u32 at third */
__noinline int ipc_shmat_exit(__u64 third)
{
	__u32 addr = 0;

	if (bpf_probe_read_user(&addr, sizeof(addr), (void *)third))
		return 0;
	return shared_mapped(addr, true);
}

/*
 * socketcall(call, args) of a 32-bit task: every socket call through one
 * number, its arguments an array of u32 in the caller's memory. The array
 * is read at exit, when the kernel has copied it (so it is in memory),
 * and a send is decided and accounted there: its destination is the one
 * its sockaddr or msghdr names then, or the socket's.
 */
__noinline int fw_socketcall_exit(long call, __u64 uargs, long ret)
{
	__u32 a[6] = {};
	long err;

	/* each call's number of arguments (net/compat.c), at most 6 */
	if (call == 11 || call == 12) /* SENDTO, RECVFROM */
		err = bpf_probe_read_user(a, 24, (void *)uargs);
	else if (call == 9 || call == 10 || call == 19 || call == 20)
		err = bpf_probe_read_user(a, 16, (void *)uargs);
	else
		err = bpf_probe_read_user(a, 12, (void *)uargs);
	if (err)
		return 0;
	switch (call) {
	case 1: /* SOCKET (family, type, protocol) */
		return ret >= 0 && family_unfollowed(a[0]) ?
			       fw_socket_exit(ret) :
			       0;
	case 3: /* CONNECT (fd, addr, len) */
		return fw_connect(a[0], a[1], a[2]);
	case 5: /* ACCEPT */
	case 18: /* ACCEPT4 */
		return fw_accept_exit(ret);
	case 9: /* SEND (fd, buf, len, flags) */
		shared_before_send();
		fw_send_enter(a[0], 0, 0);
		return fw_io_exit(ret);
	case 11: /* SENDTO (fd, buf, len, flags, addr, addrlen) */
		shared_before_send();
		fw_send_enter(a[0], a[4], a[5]);
		return fw_io_exit(ret);
	case 16: /* SENDMSG (fd, msg, flags) */
	case 20: /* SENDMMSG (fd, vec, vlen, flags) */
		shared_before_send();
		fw_sendmsg_enter(a[0], a[1], call == 20, 1);
		return fw_io_exit(ret);
	case 10: /* RECV */
	case 12: /* RECVFROM */
	case 17: /* RECVMSG */
	case 19: /* RECVMMSG */
		return shared_after_read(fw_read_exit(a[0], ret));
	}
	return 0;
}

/* argument n of the call being handled, in its ABI's register */
#define ARG(n) call_arg(regs, n, via)

/* The syscall id at its entry, before it runs: the handlers of both tiers.
 * Where id is a constant (a fast-tier program), only its case is built. */
static __always_inline int sys_enter_call(struct pt_regs *regs, long id,
					  enum fw_via via)
{
	switch (id) {
	case FW_NR_write:
	case FW_NR_writev:
	/* positioned writes: a database or log file written in place is as
	 * much a carrier as one written in sequence */
	case FW_NR_pwrite64:
	case FW_NR_pwritev:
	case FW_NR_pwritev2:
	/* vmsplice(fd, iov, ...): the caller's memory into a pipe */
	case FW_NR_vmsplice:
	/* mq_timedsend(mqdes, msg, len, prio, timeout): a POSIX message
	 * queue is a file of the mqueue file system, a carrier like any */
	case FW_NR_mq_timedsend:
		shared_before_send();
		return fw_send_enter(ARG(0), 0, 0);
	case FW_NR_sendto:
		shared_before_send();
		return fw_send_enter(ARG(0), ARG(4), ARG(5));
	case FW_NR_sendmsg:
	case FW_NR_sendmmsg:
		shared_before_send();
		return fw_sendmsg_enter(ARG(0), ARG(1), id == FW_NR_sendmmsg,
					via == FW_VIA_IA32);
	case FW_NR_sendfile: /* (out_fd, in_fd, offset, count) */
		return fw_splice_enter(ARG(1), ARG(0));
	case FW_NR_tee: /* (in_fd, out_fd, len, flags) */
		return fw_splice_enter(ARG(0), ARG(1));
	case FW_NR_splice: /* (in_fd, off_in, out_fd, off_out, len, flags) */
	case FW_NR_copy_file_range:
		return fw_splice_enter(ARG(0), ARG(2));
	case FW_NR_truncate: /* (path, length): emptied when length is 0 */
		if (ARG(1) != 0)
			return 0;
		return fw_truncate_path_enter();
	case FW_NR_connect:
		return fw_connect(ARG(0), ARG(1), ARG(2));
	case FW_NR_ioctl: /* (fd, cmd, arg): a clone only */
		if (!ioctl_clones(ARG(1)))
			return 0;
		return fw_splice_enter(fw_clone_source(ARG(1), ARG(2)), ARG(0));
	/* msgsnd(msqid, msgp, size, flags): System V message queues */
	case FW_NR_msgsnd:
		shared_before_send();
		return fw_msgsnd_enter(ARG(0));
	/* ipc(MSGSND 11, msqid, size, flags, msgp) of a 32-bit task */
	case FW_NR_IA32_ipc:
		if ((ARG(0) & 0xffff) != 11)
			return 0;
		shared_before_send();
		return fw_msgsnd_enter(ARG(1));
	/* truncate64(path, length low, high) */
	case FW_NR_IA32_truncate64:
		if (ARG(1) != 0 || ARG(2) != 0)
			return 0;
		return fw_truncate_path_enter();
	}
	return 0;
}

/* The syscall nr as it returns ret */
static __always_inline int sys_exit_call(struct pt_regs *regs, long nr,
					 long ret, enum fw_via via)
{
	switch (nr) {
	case FW_NR_open: /* (path, flags, mode) */
		return fw_open_exit(ret, ARG(1));
	case FW_NR_openat: /* (dfd, path, flags, mode) */
		return fw_open_exit(ret, ARG(2));
	case FW_NR_openat2: /* (dfd, path, how, size) */
		if (ret < 0)
			return 0;
		return fw_open_exit(ret, openat2_flags(ARG(2)));
	case FW_NR_creat: /* open(path, O_CREAT | O_WRONLY | O_TRUNC, mode) */
		return fw_open_exit(ret, FW_O_TRUNC);
	/* ftruncate(fd, length): emptied when length is 0 */
	case FW_NR_ftruncate:
		if (ret != 0 || ARG(1) != 0)
			return 0;
		return fw_truncate_exit(ARG(0));
	case FW_NR_truncate:
		return fw_truncate_path_exit();
	case FW_NR_read:
	case FW_NR_pread64:
	case FW_NR_readv:
	case FW_NR_preadv:
	case FW_NR_preadv2:
	case FW_NR_recvfrom:
	case FW_NR_recvmsg:
	case FW_NR_recvmmsg:
	/* mq_timedreceive(mqdes, msg, len, prio, timeout): the size of the
	 * message taken */
	case FW_NR_mq_timedreceive:
		return shared_after_read(fw_read_exit(ARG(0), ret));
	case FW_NR_accept:
	case FW_NR_accept4:
		return fw_accept_exit(ret);
	case FW_NR_ptrace: /* (request, pid, addr, data) */
		/* PTRACE_ATTACH 16, PTRACE_SEIZE 0x4206 */
		/* PTRACE_PEEKTEXT 1, PTRACE_PEEKDATA 2 (the raw call returns 0
		 * and stores the word), PTRACE_POKETEXT 4, PTRACE_POKEDATA 5 */
		if (ret != 0)
			return 0;
		if (ARG(0) == 1 || ARG(0) == 2)
			return fw_ptrace_peek_exit(ARG(1));
		if (ARG(0) == 4 || ARG(0) == 5)
			return fw_ptrace_poke_exit(ARG(1));
		if (ARG(0) != 16 && ARG(0) != 0x4206)
			return 0;
		return fw_ptrace_exit();
	case FW_NR_process_vm_readv: /* (pid, local, n, remote, n, flags) */
		if (ret <= 0)
			return 0;
		return fw_vm_readv_exit(ARG(0));
	case FW_NR_process_vm_writev: /* (pid, local, n, remote, n, flags) */
		if (ret <= 0)
			return 0;
		return fw_vm_writev_exit(ARG(0));
	case FW_NR_socket: /* (family, type, protocol) */
		if (ret < 0 || !family_unfollowed(ARG(0)))
			return 0;
		return fw_socket_exit(ret);
	/* mmap(addr, len, prot, flags, fd, off): a readable mapping of a
	 * watched file counts as reading len bytes of it; pages touched
	 * later are not seen one by one */
	case FW_NR_mmap:
		if (ret < 0)
			return 0;
		return mapped(ret, ARG(1), ARG(2), ARG(3), ARG(4));
	/* shmat(shmid, addr, flags): a SysV segment, always shared; a
	 * carrier's counts as read */
	case FW_NR_shmat:
		if (ret < 0)
			return 0;
		return shared_mapped(ret, true);
	/* mremap(old, old_len, new_len, flags, new): a member's mapping
	 * moved */
	case FW_NR_mremap:
		if (ret < 0)
			return 0;
		return shared_moved(ARG(0), ret);
	/* the read side first: it is what taints a sendfile's destination */
	case FW_NR_sendfile: /* (out_fd, in_fd, offset, count) */
		shared_after_read(fw_read_exit(ARG(1), ret));
		return call_io_exit(nr, ret, via);
	case FW_NR_tee:
	case FW_NR_splice:
	case FW_NR_copy_file_range:
		shared_after_read(fw_read_exit(ARG(0), ret));
		return call_io_exit(nr, ret, via);
	/* a clone returns 0 when done: its write side counts the bytes its
	 * read side found shared */
	case FW_NR_ioctl:
		if (!ioctl_clones(ARG(1)))
			return 0;
		if (ret == 0)
			ret = clone_read(ARG(1), ARG(2));
		return call_io_exit(nr, ret, via);
	case FW_NR_write:
	case FW_NR_writev:
	case FW_NR_pwrite64:
	case FW_NR_pwritev:
	case FW_NR_pwritev2:
	case FW_NR_vmsplice:
	case FW_NR_sendto:
	case FW_NR_sendmsg:
	case FW_NR_sendmmsg:
		if (!may_be_tainted())
			return 0;
		return call_io_exit(nr, ret, via);
	/* 0 on success: the length asked */
	case FW_NR_mq_timedsend: /* (mqdes, msg, len, prio, timeout) */
	case FW_NR_msgsnd: /* (msqid, msgp, size, flags) */
		if (!may_be_tainted())
			return 0;
		return call_io_exit(nr, ret ? ret : ARG(2), via);
	case FW_NR_msgrcv: /* (msqid, msgp, size, type, flags) */
		return shared_after_read(fw_msgrcv_exit(ARG(0), ret));
	/* directories moved or mounts changed: the open path's cache of
	 * which directories are watched starts again */
	case FW_NR_rename:
	case FW_NR_renameat:
	case FW_NR_renameat2:
	case FW_NR_mount:
	case FW_NR_umount2:
	case FW_NR_pivot_root:
	case FW_NR_move_mount:
		if (ret == 0)
			dir_epoch_bump();
		return 0;
	/* the calls of a 32-bit task that have no 64-bit twin */
	case FW_NR_IA32_socketcall:
		return fw_socketcall_exit(ARG(0), ARG(1), ret);
	case FW_NR_IA32_ipc: /* (call, first, second, third, ptr, fifth) */
		switch (ARG(0) & 0xffff) { /* the high half is a version */
		case 11: /* MSGSND: 0 on success, second the size */
			return call_io_exit(nr, ret ? ret : ARG(2), via);
		case 12: /* MSGRCV (first: the queue) */
			return shared_after_read(fw_msgrcv_exit(ARG(1), ret));
		case 21: /* SHMAT: the address is stored at third */
			return ret == 0 ? ipc_shmat_exit(ARG(3)) : 0;
		}
		return 0;
	case FW_NR_IA32_old_mmap:
		return ret < 0 ? 0 : old_mmap_exit(ARG(0), ret);
	case FW_NR_IA32_truncate64:
		return fw_truncate_path_exit();
	case FW_NR_IA32_ftruncate64: /* (fd, length low, high) */
		if (ret != 0 || ARG(1) != 0 || ARG(2) != 0)
			return 0;
		return fw_truncate_exit(ARG(0));
	}
	return 0;
}

#undef ARG

/*
 * The tracepoint tier: every syscall of every task passes these two
 * programs. Attaching them also sends every syscall through the kernel's
 * slow entry path (the syscall-tracepoint work flag), which is most of
 * their cost on a syscall that is not followed.
 */

/* TP_PROTO(struct pt_regs *regs, long id). A 32-bit call numbers its
 * syscalls otherwise: asked first, as its number may be a followed 64-bit
 * call's (the one test every syscall pays for it; a followed one paid it
 * before, in its case) */
SEC("tp_btf/sys_enter")
int BPF_PROG(fw_sys_enter, struct pt_regs *regs, long id)
{
	if (sys_is_compat()) {
		id = ia32_call(id);
		return id < 0 ? 0 : sys_enter_call(regs, id, FW_VIA_IA32);
	}
	return sys_enter_call(regs, id, FW_VIA_RAW);
}

/* TP_PROTO(struct pt_regs *regs, long ret) */
SEC("tp_btf/sys_exit")
int BPF_PROG(fw_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = sys_nr(regs);

	if (sys_is_compat()) {
		nr = ia32_call(nr);
		return nr < 0 ? 0 : sys_exit_call(regs, nr, ret, FW_VIA_IA32);
	}
	return sys_exit_call(regs, nr, ret, FW_VIA_RAW);
}

/*
 * The fast tier (fentry/fexit, where the kernel allows them): a program on
 * each followed syscall's own function (__x64_sys_pread64(regs)), entered
 * and left, calling the same handlers with the number as a constant.
 * Other syscalls keep the kernel's fast path. The loader runs one tier,
 * never both (hooks.c); a program whose function this kernel lacks (a
 * syscall compiled out) is left out, as the syscall cannot happen.
 * call: the syscall's name (FW_NR_call); fn: its function's.
 */
#define FW_CALL_ENTER(call, fn)                                         \
	SEC("fentry/" FW_SYSCALL_FN_PREFIX #fn)                         \
	int BPF_PROG(fw_call_enter_##call, struct pt_regs *regs)        \
	{                                                               \
		return sys_enter_call(regs, FW_NR_##call, FW_VIA_FAST); \
	}
#define FW_CALL_EXIT(call, fn)                                              \
	SEC("fexit/" FW_SYSCALL_FN_PREFIX #fn)                              \
	int BPF_PROG(fw_call_exit_##call, struct pt_regs *regs, long ret)   \
	{                                                                   \
		return sys_exit_call(regs, FW_NR_##call, ret, FW_VIA_FAST); \
	}

FW_CALL_ENTER(write, write)
FW_CALL_ENTER(writev, writev)
FW_CALL_ENTER(pwrite64, pwrite64)
FW_CALL_ENTER(pwritev, pwritev)
FW_CALL_ENTER(pwritev2, pwritev2)
FW_CALL_ENTER(vmsplice, vmsplice)
FW_CALL_ENTER(mq_timedsend, mq_timedsend)
FW_CALL_ENTER(sendto, sendto)
FW_CALL_ENTER(sendmsg, sendmsg)
FW_CALL_ENTER(sendmmsg, sendmmsg)
FW_CALL_ENTER(sendfile, sendfile64)
FW_CALL_ENTER(tee, tee)
FW_CALL_ENTER(splice, splice)
FW_CALL_ENTER(copy_file_range, copy_file_range)
FW_CALL_ENTER(truncate, truncate)
FW_CALL_ENTER(connect, connect)
FW_CALL_ENTER(msgsnd, msgsnd)
FW_CALL_ENTER(ioctl, ioctl)

#if FW_NR_open >= 0
FW_CALL_EXIT(open, open)
#endif
#if FW_NR_creat >= 0
FW_CALL_EXIT(creat, creat)
#endif
#if FW_NR_rename >= 0
FW_CALL_EXIT(rename, rename)
#endif
FW_CALL_EXIT(openat, openat)
FW_CALL_EXIT(openat2, openat2)
FW_CALL_EXIT(ftruncate, ftruncate)
FW_CALL_EXIT(truncate, truncate)
FW_CALL_EXIT(read, read)
FW_CALL_EXIT(pread64, pread64)
FW_CALL_EXIT(readv, readv)
FW_CALL_EXIT(preadv, preadv)
FW_CALL_EXIT(preadv2, preadv2)
FW_CALL_EXIT(recvfrom, recvfrom)
FW_CALL_EXIT(recvmsg, recvmsg)
FW_CALL_EXIT(recvmmsg, recvmmsg)
FW_CALL_EXIT(mq_timedreceive, mq_timedreceive)
FW_CALL_EXIT(accept, accept)
FW_CALL_EXIT(accept4, accept4)
FW_CALL_EXIT(ptrace, ptrace)
FW_CALL_EXIT(process_vm_readv, process_vm_readv)
FW_CALL_EXIT(process_vm_writev, process_vm_writev)
FW_CALL_EXIT(socket, socket)
FW_CALL_EXIT(mmap, mmap)
FW_CALL_EXIT(shmat, shmat)
FW_CALL_EXIT(mremap, mremap)
FW_CALL_EXIT(sendfile, sendfile64)
FW_CALL_EXIT(tee, tee)
FW_CALL_EXIT(splice, splice)
FW_CALL_EXIT(copy_file_range, copy_file_range)
FW_CALL_EXIT(write, write)
FW_CALL_EXIT(writev, writev)
FW_CALL_EXIT(pwrite64, pwrite64)
FW_CALL_EXIT(pwritev, pwritev)
FW_CALL_EXIT(pwritev2, pwritev2)
FW_CALL_EXIT(vmsplice, vmsplice)
FW_CALL_EXIT(sendto, sendto)
FW_CALL_EXIT(sendmsg, sendmsg)
FW_CALL_EXIT(sendmmsg, sendmmsg)
FW_CALL_EXIT(mq_timedsend, mq_timedsend)
FW_CALL_EXIT(msgsnd, msgsnd)
FW_CALL_EXIT(msgrcv, msgrcv)
FW_CALL_EXIT(renameat, renameat)
FW_CALL_EXIT(renameat2, renameat2)
FW_CALL_EXIT(mount, mount)
FW_CALL_EXIT(umount2, umount)
FW_CALL_EXIT(pivot_root, pivot_root)
FW_CALL_EXIT(move_mount, move_mount)
FW_CALL_EXIT(ioctl, ioctl)

#ifdef FW_IA32_DISPATCH_FN
/*
 * A 32-bit call (an ia32 program's, or an int $0x80 of a 64-bit one): every
 * one passes ia32_sys_call(regs, nr), the kernel's dispatch of the 32-bit
 * table, so two programs there follow them all and a 64-bit call never
 * runs them. A kernel with 32-bit emulation but without that function
 * (before its 2024 rework of syscall dispatch) cannot run this tier
 * (hooks.c); one without emulation has neither.
 */
SEC("fentry/" FW_IA32_DISPATCH_FN)
int BPF_PROG(fw_call_ia32_enter, struct pt_regs *regs, unsigned int nr)
{
	long call = ia32_call(nr);

	return call < 0 ? 0 : sys_enter_call(regs, call, FW_VIA_IA32);
}

SEC("fexit/" FW_IA32_DISPATCH_FN)
int BPF_PROG(fw_call_ia32_exit, struct pt_regs *regs, unsigned int nr, long ret)
{
	long call = ia32_call(nr);

	return call < 0 ? 0 : sys_exit_call(regs, call, ret, FW_VIA_IA32);
}
#endif
