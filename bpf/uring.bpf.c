// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring: reads and writes that never pass through read(2) or send(2).
 *
 * A request is decided when it is submitted, where current is the
 * submitter (or its SQPOLL thread, of the same process) and the request
 * names a descriptor of its table: the same decisions as the syscall
 * hooks, on the same descriptor. What was decided waits in uring_reqs
 * under the request's address until it completes, possibly on another
 * CPU or an io-wq worker, with the byte count. An io_uring open is
 * classified at completion, as open(2) is at exit.
 *
 * Requests on registered (fixed) files carry an index into the ring's
 * table: the file is taken from there where the kernel's layout is known,
 * else the request is counted in FW_STAT_URING_FIXED, not followed.
 */
#include "core_fixes.bpf.h"
#include "io.bpf.h"

#define FW_IORING_CQE_F_MORE 2 /* multishot: more completions follow */
/* io_splice.flags: splice_fd_in is an index into the registered files */
#define FW_SPLICE_F_FD_IN_FIXED (1u << 31)

/* The ring was set up by a 32-bit call (io_ring_ctx.compat, a bit field
 * in recent kernels): its requests' msghdr are the compat layout */
static __always_inline bool uring_compat(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = BPF_CORE_READ(req, ctx);

	return ctx && BPF_CORE_READ_BITFIELD_PROBED(ctx, compat);
}

/* splice and tee: from one descriptor into another (one of them a pipe) */
static __always_inline bool uring_op_moves(__u8 op)
{
	return op == IORING_OP_SPLICE || op == IORING_OP_TEE;
}

static __always_inline bool uring_op_reads(__u8 op)
{
	switch (op) {
	case IORING_OP_READV:
	case IORING_OP_READ_FIXED:
	case IORING_OP_READ:
	case IORING_OP_READ_MULTISHOT:
	case IORING_OP_RECV:
	case IORING_OP_RECVMSG:
		return true;
	}
	return false;
}

static __always_inline bool uring_op_writes(__u8 op)
{
	switch (op) {
	case IORING_OP_WRITEV:
	case IORING_OP_WRITE_FIXED:
	case IORING_OP_WRITE:
	case IORING_OP_SEND:
	case IORING_OP_SENDMSG:
	case IORING_OP_SEND_ZC:
	case IORING_OP_SENDMSG_ZC:
		return true;
	}
	return false;
}

/*
 * A registered (fixed) file: the request holds an index into the ring's
 * table, in one of two layouts (core_fixes.bpf.h). Both
 * tag the file pointer's low bits (FFS_NOWAIT, FFS_ISREG, and FFS_SCM
 * before 6.7): a struct file is at least 8-byte aligned, so ~7 clears them
 * all. Any other layout gives NULL: the request is counted, not followed.
 */
#define FW_FFS_MASK (~7ul)

static __always_inline struct file *uring_fixed_file(struct io_kiocb *req,
						     __u32 idx)
{
	struct io_ring_ctx *ctx = BPF_CORE_READ(req, ctx);
	struct io_ring_ctx___pre613 *old = (void *)ctx;
	struct io_fixed_file___pre613 *files;
	struct io_rsrc_node **nodes, *node = NULL;
	unsigned long ptr = 0;

	if (bpf_core_field_exists(ctx->file_table.data.nodes)) {
		if (idx >= BPF_CORE_READ(ctx, file_table.data.nr))
			return NULL;
		nodes = BPF_CORE_READ(ctx, file_table.data.nodes);
		if (bpf_probe_read_kernel(&node, sizeof(node), &nodes[idx]) ||
		    !node)
			return NULL;
		ptr = BPF_CORE_READ(node, file_ptr);
	} else if (bpf_core_field_exists(old->file_table.files)) {
		if (idx >= BPF_CORE_READ(old, nr_user_files))
			return NULL;
		files = BPF_CORE_READ(old, file_table.files);
		if (bpf_probe_read_kernel(&ptr, sizeof(ptr),
					  &files[idx].file_ptr))
			return NULL;
	}
	return (struct file *)(ptr & FW_FFS_MASK);
}

/* The byte count a request asks for: for vectored ones it is in the
 * caller's iovecs, and 1 stands for "some" */
static __always_inline long uring_req_len(struct io_kiocb *req, __u8 op)
{
	void *cmd = &req->cmd;

	switch (op) {
	case IORING_OP_SEND:
	case IORING_OP_SEND_ZC:
	case IORING_OP_RECV:
		return BPF_CORE_READ((struct io_sr_msg *)cmd, len);
	case IORING_OP_READ:
	case IORING_OP_READ_FIXED:
	case IORING_OP_WRITE:
	case IORING_OP_WRITE_FIXED:
		return BPF_CORE_READ((struct io_rw *)cmd, len);
	}
	return 1;
}

/*
 * A splice or tee request, from in into out (struct file addresses, as
 * numbers), read then written like a splice(2): the read taints the
 * writer first, at completion. key: the request's address (uring_reqs);
 * req: its op in the low byte, bit 8 for no completion
 * (IOSQE_CQE_SKIP_SUCCESS), the length it asks for in the high half. A
 * global function, verified on its own (inline, 6.1's verifier runs out
 * of instructions on the submission program), with its pending record in
 * per-CPU scratch (the two stacks together must fit in 512 bytes). It
 * reads no older kernel's layout: a CO-RE relocation that cannot be
 * resolved in a subprogram fails the whole object.
 */
__noinline int fw_uring_move(__u64 in, __u64 out, __u64 key, __u64 user_data,
			     __u64 req)
{
	__u32 zero = 0;
	struct fw_uring_pending *u = bpf_map_lookup_elem(&uring_scratch, &zero);
	bool reads;

	if (!u)
		return 0;
	__builtin_memset(u, 0, sizeof(*u));
	/* write_target and relay_read without the loopback relays: their
	 * records do not fit the stack left here (a splice to or from a
	 * local relay's socket is not followed) */
	reads = file_read_watched((struct file *)in, &u->p);
	if (reads || is_tainted(current_tgid())) {
		if (send_dest((struct file *)out, 0, 0, &u->p.dest))
			u->p.kind |= FW_PENDING_SEND;
		else
			carrier_of((struct file *)out, &u->p);
	}
	if (!u->p.kind) {
		lru_delete(&uring_reqs, FW_LRU_URING_REQS, &key);
		return 0;
	}
	u->id = bpf_get_current_pid_tgid();
	if (req & 0x100) {
		/* no completion: account the length it asks for now */
		__u64 now = bpf_ktime_get_boot_ns();

		if (u->p.kind & FW_PENDING_READ)
			file_read_done(&u->p, u->id, req >> 32, now);
		write_done(&u->p, u->id, req >> 32, now);
		lru_delete(&uring_reqs, FW_LRU_URING_REQS, &key);
		return 0;
	}
	u->user_data = user_data;
	u->op = req & 0xff;
	if (lru_put(&uring_reqs, FW_LRU_URING_REQS, &key, u, true))
		stat_add(FW_STAT_PENDING_FULL, 1);
	return 0;
}

/* A splice or tee request's input, and the rest for fw_uring_move */
static __always_inline int uring_move(struct io_kiocb *req, struct file *out,
				      __u64 key)
{
	struct io_splice *sp = (void *)&req->cmd;
	int in_fd = BPF_CORE_READ(sp, splice_fd_in);
	__u64 len = BPF_CORE_READ(sp, len) & 0xffffffff, k = 0;
	struct file *in;

	in = BPF_CORE_READ(sp, flags) & FW_SPLICE_F_FD_IN_FIXED ?
		     uring_fixed_file(req, in_fd) :
		     fd_to_file(in_fd);
	/* the address as a number (a global function takes no pointer) */
	bpf_probe_read_kernel(&k, sizeof(k), &key);
	return fw_uring_move((__u64)in, (__u64)out, k, req->cqe.user_data,
			     len << 32 |
				     (req->flags & REQ_F_CQE_SKIP ? 0x100 : 0) |
				     req->opcode);
}

/* A request the submitter just prepared: decide it now */
static __always_inline int uring_submitted(struct io_kiocb *req)
{
	__u32 zero = 0;
	struct fw_uring_pending *u = bpf_map_lookup_elem(&uring_scratch, &zero);
	__u64 key = (__u64)req;
	__u8 op = req->opcode;
	struct file *file;
	long fd;

	if (!uring_op_reads(op) && !uring_op_writes(op) && !uring_op_moves(op))
		return 0;
	/* off the stack: with fw_uring_move's, 6.1's 512 bytes are short */
	if (current_tgid() == fw_self_tgid || !u)
		return 0;
	__builtin_memset(u, 0, sizeof(*u));
	fd = req->cqe.fd;
	if (req->flags & REQ_F_FIXED_FILE) {
		file = uring_fixed_file(req, fd);
		if (!file) {
			stat_add(FW_STAT_URING_FIXED, 1);
			return 0;
		}
	} else {
		file = fd_to_file(fd);
	}
	if (uring_op_moves(op))
		return uring_move(req, file, key);
	if (uring_op_reads(op)) {
		if (file_read_watched(file, &u->p) || relay_read(file, &u->p))
			goto followed;
		/* another process's memory: taken at submission, as a
		 * write(2) into one is at enter (a read that then fails
		 * errs on the side of an alert) */
		if (u->p.file.gen == FW_PROC_MEM_GEN)
			fw_proc_mem_read((__u64)file);
		goto unfollowed;
	} else {
		__u64 uaddr = 0;
		long alen = 0;

		if (!is_tainted(current_tgid()) || proc_mem_written(file))
			goto unfollowed;
		/* an unconnected datagram socket's destination is the
		 * message's msg_name, in the submitter's memory (an SQPOLL
		 * thread shares it) */
		if (op == IORING_OP_SENDMSG || op == IORING_OP_SENDMSG_ZC) {
			void *umsg = BPF_CORE_READ(
				(struct io_sr_msg *)&req->cmd, umsg);
			__u32 len = 0;

			/* a ring a 32-bit call set up reads the compat
			 * msghdr (32-bit pointers) */
			if (umsg && uring_compat(req)) {
				struct fw_compat_msghdr c;

				if (!bpf_probe_read_user(&c, sizeof(c), umsg)) {
					uaddr = c.msg_name;
					alen = c.msg_namelen;
				}
			} else if (umsg && /* the two fields alone: the
					    * stack is short here */
				   !bpf_probe_read_user(
					   &uaddr, sizeof(uaddr),
					   umsg + offsetof(struct fw_user_msghdr,
							   msg_name)) &&
				   !bpf_probe_read_user(
					   &len, sizeof(len),
					   umsg + offsetof(struct fw_user_msghdr,
							   msg_namelen)))
				alen = len;
		}
		write_target(file, uaddr, alen, &u->p);
		if (u->p.dest.flags & FW_DEST_LATE) {
			/* a msg_name not readable here: not followed */
			stat_add(FW_STAT_PENDING_FULL, 1);
			goto unfollowed;
		}
		u->p.dest.flags &= ~FW_DEST_NAMED;
		if (!u->p.kind)
			goto unfollowed;
	}
followed:
	u->p.fd = fd;
	u->id = bpf_get_current_pid_tgid();
	if (req->flags & REQ_F_CQE_SKIP) {
		/* no completion will be traced when it succeeds: account what
		 * it asks for now */
		__u64 now = bpf_ktime_get_boot_ns();
		long len = uring_req_len(req, op);

		if (u->p.kind & FW_PENDING_READ)
			file_read_done(&u->p, u->id, len, now);
		write_done(&u->p, u->id, len, now);
		goto unfollowed;
	}
	u->user_data = req->cqe.user_data;
	u->op = op;
	if (lru_put(&uring_reqs, FW_LRU_URING_REQS, &key, u, true))
		stat_add(FW_STAT_PENDING_FULL, 1);
	return 0;
unfollowed:
	/* a request at the address of an earlier one that never completed
	 * (its ring was torn down) must not take its decision */
	lru_delete(&uring_reqs, FW_LRU_URING_REQS, &key);
	return 0;
}

/*
 * The submission point has two names: io_uring_submit_sqe(req,
 * force_nonblock) up to 6.3, io_uring_submit_req(req) from 6.4 (commit
 * 2ad57931db64 "io_uring: rename trace_io_uring_submit_sqe() tracepoint").
 * Both fire in io_submit_sqe() once the request is initialised. The loader
 * keeps the one whose signature the kernel's BTF declares. (5.15's
 * io_uring_submit_sqe took the ring and the request's fields as seven
 * arguments: neither program matches it.)
 */

/* TP_PROTO(struct io_kiocb *req) */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(fw_uring_submit, struct io_kiocb *req)
{
	return uring_submitted(req);
}

/* TP_PROTO(struct io_kiocb *req, bool force_nonblock) */
SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(fw_uring_submit_sqe, struct io_kiocb *req, bool force_nonblock)
{
	return uring_submitted(req);
}

/* An open through io_uring returned a descriptor of the submitter's table;
 * completions run in the submitter or in an io-wq worker, a thread of the
 * same process, which shares that table */
static __always_inline void uring_opened(struct io_kiocb *req, long fd)
{
	struct task_struct *submitter;

	if (bpf_core_field_exists(((struct io_uring_task *)0)->task))
		submitter = BPF_CORE_READ(req, tctx, task);
	else
		submitter =
			BPF_CORE_READ((struct io_kiocb___pre613 *)req, task);

	if (fd < 0 || !submitter ||
	    BPF_CORE_READ(submitter, tgid) != current_tgid())
		return;
	/* O_TRUNC empties a carrier, as an open(2) with it does */
	file_open_exit(fd,
		       BPF_CORE_READ((struct io_open *)&req->cmd, how.flags) &
			       FW_O_TRUNC);
}

/* A request completed with res, user_data and cflags as its CQE says */
static __always_inline int uring_completed(struct io_kiocb *req, long res,
					   __u64 user_data, __u32 cflags)
{
	struct fw_uring_pending *pu, u;
	__u64 key = (__u64)req;
	__u8 op = BPF_CORE_READ(req, opcode);
	__u64 now;

	if (op == IORING_OP_OPENAT || op == IORING_OP_OPENAT2)
		uring_opened(req, res);
	if (op == IORING_OP_RENAMEAT && res == 0)
		dir_epoch_bump(); /* as a rename(2) does (syscalls.bpf.c) */
	pu = bpf_map_lookup_elem(&uring_reqs, &key);
	if (!pu)
		return 0; /* the path every unfollowed request takes */
	u = *pu;
	if (u.op != op || u.user_data != user_data) {
		/* another request at that address: the entry is stale */
		lru_delete(&uring_reqs, FW_LRU_URING_REQS, &key);
		return 0;
	}
	if (!(cflags & FW_IORING_CQE_F_MORE))
		lru_delete(&uring_reqs, FW_LRU_URING_REQS, &key);
	if (res <= 0)
		return 0;
	now = bpf_ktime_get_boot_ns();
	if (u.p.kind & FW_PENDING_READ)
		file_read_done(&u.p, u.id, res, now);
	write_done(&u.p, u.id, res, now);
	return 0;
}

/*
 * io_uring_complete also has two signatures: the CQE's fields as
 * arguments up to 6.12 (Debian's 6.1 and 6.12 among them), and a pointer
 * to the CQE from 6.13 ("io_uring: clean up cqe trace points", which also
 * moved the tracepoint after the CQE is filled). The loader keeps the one
 * the kernel's BTF declares. req is void * in both, NULL for a CQE no
 * request posted: read through, never loaded directly.
 */

/* TP_PROTO(struct io_ring_ctx *ctx, void *req, struct io_uring_cqe *cqe) */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(fw_uring_complete, struct io_ring_ctx *ring, void *req,
	     struct io_uring_cqe *cqe)
{
	return uring_completed(req, cqe->res, cqe->user_data, cqe->flags);
}

/* TP_PROTO(void *ctx, void *req, u64 user_data, int res, unsigned cflags,
 *	    u64 extra1, u64 extra2) */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(fw_uring_complete_args, void *ring, void *req, __u64 user_data,
	     int res, unsigned int cflags, __u64 extra1, __u64 extra2)
{
	return uring_completed(req, res, user_data, cflags);
}
