/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Carriers: what a tainted process writes into becomes tainted in turn, so
 * that whoever reads it next carries the same flight-log data. A carrier
 * is identified by its inode, like a watched file: a pipe (both ends share
 * one inode), a FIFO, a regular file (a copy, an archive, a re-encoding),
 * or, for an AF_UNIX socket, the peer's socket inode, which is what the
 * receiving process reads from, or, for either end of a pty, the slave's
 * devpts inode (pty.bpf.h). A file of a FUSE mount marks its connection
 * as well, which its daemon reads (fuse.bpf.h).
 */
#ifndef FW_CARRIERS_BPF_H
#define FW_CARRIERS_BPF_H

#include "common.bpf.h"
#include "fuse.bpf.h"
#include "pty.bpf.h"

#define FW_AF_UNIX 1
#define FW_S_IFIFO 0010000

/*
 * A unix stream connection exists before the listener accepts it: the
 * connecting side's peer is then an "embryo" sock with no socket, file or
 * inode yet, and a fast client can write everything into it before the
 * accept. Such a carrier is named by the embryo's address (dev 0,
 * generation FW_EMBRYO_GEN, in flightwatch.h: the collector knows it too)
 * until the accept gives it an inode (fw_unix_accepted).
 */

static __always_inline bool is_embryo_key(const struct fw_file_key *k)
{
	return k->dev == 0 && k->gen == FW_EMBRYO_GEN;
}

/* The file a write to file lands in, for AF_UNIX the connected peer's;
 * *inode is the inode that names the carrier (a pty's slave) */
static __always_inline struct file *carrier_file(struct file *file, __u32 *type,
						 struct sock **embryo,
						 struct inode **inode)
{
	struct socket *sock;
	struct sock *sk, *peer;

	*inode = file_inode(file);
	switch (inode_mode_type(*inode)) {
	case FW_S_IFREG:
		*type = FW_CARRIER_FILE;
		return file;
	case FW_S_IFIFO:
		/* pipefs dentries have no name; a FIFO lives in a directory */
		*type = BPF_CORE_READ(file, f_path.dentry, d_name.len) ?
				FW_CARRIER_FIFO :
				FW_CARRIER_PIPE;
		return file;
	case FW_S_IFSOCK:
		sock = BPF_CORE_READ(file, private_data);
		sk = BPF_CORE_READ(sock, sk);
		if (!sk ||
		    BPF_CORE_READ(sk, __sk_common.skc_family) != FW_AF_UNIX)
			return NULL;
		/* unconnected datagrams name their peer by path: the
		 * receiving socket is marked when it gets the data
		 * (unix_data_ready) */
		peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
		if (!peer)
			return NULL;
		*type = FW_CARRIER_UNIX;
		file = BPF_CORE_READ(peer, sk_socket, file);
		if (!file)
			*embryo = peer;
		else
			*inode = file_inode(file);
		return file;
	case FW_S_IFCHR:
		if (BPF_CORE_READ(*inode, i_rdev) == FW_FUSE_RDEV) {
			/* a FUSE daemon's reply (fuse.bpf.h) */
			*type = FW_CARRIER_FUSE;
			return file;
		}
		*type = FW_CARRIER_PTY;
		*inode = pty_inode(file, *inode);
		return *inode ? file : NULL;
	default:
		return NULL;
	}
}

/* The (current process, carrier) pair: carrier of type, written through
 * file (a path is built for files and FIFOs; NULL: none) */
static __always_inline void emit_carrier(const struct fw_file_key *carrier,
					 __u32 type, struct file *file)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fw_carrier_event *e;

	e = event_reserve(sizeof(*e), FW_EV_CARRIER, id >> 32, (__u32)id);
	if (!e)
		return;
	e->carrier = *carrier;
	e->bytes = 0;
	e->carrier_type = type;
	if (file && (type == FW_CARRIER_FILE || type == FW_CARRIER_FIFO)) {
		e->path_off = build_file_path(file, e->path);
	} else {
		e->path_off = FW_PATH_MAX - 1;
		e->path[FW_PATH_MAX - 1] = '\0';
	}
	event_submit(e);
}

/*
 * The current process writes into a carrier of carrier_type (its inode at
 * address inode) for the first time. When it is a regular file of a FUSE
 * mount, the connection to the mount's daemon carries the data on: it is
 * marked and the (writer, connection) pair reported (fuse.bpf.h); the
 * bytes are counted on the file. A global function, walked once by the
 * verifier, that keeps the key off the stack (fuse_scratch): the frames
 * that mark carriers have none to spare. Returns 1 on a FUSE file.
 */
__weak __noinline int fw_fuse_written(__u64 inode, __u32 carrier_type)
{
	struct super_block *sb;
	struct fw_file_key *conn;

	if (carrier_type != FW_CARRIER_FILE)
		return 0;
	sb = BPF_CORE_READ((struct inode *)inode, i_sb);
	if (BPF_CORE_READ(sb, s_magic) != FW_FUSE_MAGIC)
		return 0;
	conn = fuse_conn_key(fuse_conn_name(BPF_CORE_READ(sb, s_dev)));
	if (!conn)
		return 0;
	fuse_conn_mark(conn);
	emit_carrier(conn, FW_CARRIER_FUSE, NULL);
	return 1;
}

/* The current process writes into the carrier p names: report the
 * (writer, carrier) pair the first time */
static __always_inline void carry_start(struct fw_pending *p)
{
	struct fw_carry_key ck = { .carrier = p->carrier,
				   .tgid = current_tgid() };

	p->kind |= FW_PENDING_CARRY;
	if (counter_add(&carries, FW_LRU_CARRIES, &ck, 0,
			bpf_ktime_get_boot_ns())) {
		emit_carrier(&p->carrier, p->carrier_type,
			     (struct file *)p->carrier_file);
		fw_fuse_written(p->carrier_inode, p->carrier_type);
	}
}

/* Shared memory is checked before a send only once some shmem file is a
 * carrier (shared.bpf.h): set once, read on every send */
static __always_inline void shmem_carrier_marked(struct inode *inode)
{
	__u32 zero = 0;
	__u64 *any;

	if (inode_fs_magic(inode) != FW_TMPFS_MAGIC)
		return;
	any = bpf_map_lookup_elem(&shmem_carriers, &zero);
	if (any && !*any)
		*any = 1;
}

/* file (a regular file, pipe, FIFO, unix socket or pty), named by inode,
 * is a carrier now: mark it and report the (writer, carrier) pair once */
static __always_inline bool mark_carrier(struct file *file, struct inode *inode,
					 struct fw_pending *p)
{
	__u32 carrier = FW_MATCH_CARRIER;
	__u32 *match;

	if (p->carrier_type == FW_CARRIER_PTY)
		pty_key(inode, &p->carrier);
	else
		inode_key(inode, &p->carrier);
	match = bpf_map_lookup_elem(&watched_files, &p->carrier);
	if (match && *match != FW_MATCH_CARRIER)
		return false; /* a flight log already: keep it as such */
	if (!match)
		file_watch(&p->carrier, &carrier, false);
	p->carrier_inode = (__u64)inode;
	inode_watch(inode, &p->carrier);
	shmem_carrier_marked(inode);
	p->carrier_file = (__u64)file;
	carry_start(p);
	return true;
}

/*
 * Fills the CARRY part of p when fd is a carrier, marks the carrier and
 * reports the (writer, carrier) pair, all before the data moves: a reader
 * blocked on a pipe can return from read() before the writer returns from
 * write(), so doing this at write exit would race with the reader.
 */
static __always_inline bool carrier_of(struct file *file, struct fw_pending *p)
{
	struct sock *embryo = NULL;
	struct inode *inode;

	if (!file)
		return false;
	file = carrier_file(file, &p->carrier_type, &embryo, &inode);
	if (p->carrier_type == FW_CARRIER_FUSE && file) {
		/* a daemon's reply: its connection */
		p->carrier.ino = fw_fuse_replied(pointer_value(file));
		p->carrier.dev = 0;
		p->carrier.gen = FW_FUSE_GEN;
	} else if (!embryo) {
		return file && mark_carrier(file, inode, p);
	} else {
		/* not accepted yet: remember it for the accept */
		p->carrier.ino = (__u64)embryo;
		p->carrier.dev = 0;
		p->carrier.gen = FW_EMBRYO_GEN;
		lru_put(&embryos, FW_LRU_EMBRYOS, &p->carrier.ino, &p->carrier,
			true);
	}
	p->carrier_file = 0;
	carry_start(p);
	return true;
}

/*
 * A unix socket got data: sk_data_ready runs in the sender's context. A
 * datagram sent by path (no peer for carrier_of to follow) by a tainted
 * process makes the receiving socket a carrier. Connected datagram and
 * stream sockets were marked before the send; marking them again here
 * reports nothing new.
 */
static __always_inline void unix_data_ready(struct sock *sk)
{
	struct fw_pending p = { .carrier_type = FW_CARRIER_UNIX };
	struct file *file;

	/* every socket's receive path comes here: the cheap test first */
	if (BPF_CORE_READ(sk, __sk_common.skc_family) != FW_AF_UNIX)
		return;
	/* only datagram receivers: stream and seqpacket peers were marked
	 * at the write, and a listener woken by a connect carries nothing */
	if (BPF_CORE_READ(sk, sk_type) != SOCK_DGRAM)
		return;
	if (!is_tainted(current_tgid()))
		return;
	file = BPF_CORE_READ(sk, sk_socket, file);
	if (file)
		mark_carrier(file, file_inode(file), &p);
}

/* accept/accept4 returned fd: if it is a unix connection a carrying
 * process wrote into before it was accepted, its inode now carries that */
static __always_inline void unix_accepted(long fd)
{
	struct fw_file_key *key;
	struct socket *sock;
	struct file *file;
	__u64 sk;

	file = fd_to_file(fd);
	if (!file)
		return;
	sock = BPF_CORE_READ(file, private_data);
	sk = (__u64)BPF_CORE_READ(sock, sk);
	key = bpf_map_lookup_elem(&embryos, &sk);
	if (!key)
		return;
	inode_watch(file_inode(file), key);
	lru_delete(&embryos, FW_LRU_EMBRYOS, &sk);
}

/*
 * A System V message queue (msgsnd, msgrcv) carries what is sent through
 * it. It has no file: its key is its IPC namespace's number and its id
 * (which the kernel gives a new sequence number when an id is reused).
 */
static __always_inline void msgq_key(long msqid, struct fw_file_key *key)
{
	struct task_struct *task = (void *)bpf_get_current_task();

	key->ino = (__u64)BPF_CORE_READ(task, nsproxy, ipc_ns, ns.inum) << 32 |
		   (__u32)msqid;
	key->dev = 0;
	key->gen = FW_MSGQ_GEN;
}

/* A tainted process sends to queue msqid: marked before the message moves
 * (a receiver blocked in msgrcv gets it directly, and may return before
 * the sender does); fills the CARRY part of p */
static __always_inline void msgq_carrier(long msqid, struct fw_pending *p)
{
	__u32 carrier = FW_MATCH_CARRIER;

	p->carrier_type = FW_CARRIER_MSGQ;
	msgq_key(msqid, &p->carrier);
	file_watch(&p->carrier, &carrier, false);
	carry_start(p);
}

/* A write of ret bytes into the carrier described by p has completed */
static __always_inline void carry_done(struct fw_pending *p, __u64 id, long ret,
				       __u64 now)
{
	struct fw_carry_key ck = { .carrier = p->carrier, .tgid = id >> 32 };

	counter_add(&carries, FW_LRU_CARRIES, &ck, ret, now);
}

#endif /* FW_CARRIERS_BPF_H */
