/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FUSE file systems as carriers. What a process writes into a file of a
 * FUSE mount does not stay in this kernel: the kernel hands it to the
 * daemon that serves the mount, which reads it from /dev/fuse and does
 * what it likes with it. sshfs sends it to an SSH server, rclone to a
 * cloud store, gvfs to an SMB share. So the connection between the mount
 * and its daemon is a carrier: a tainted process's write into a FUSE file
 * marks it (carriers.bpf.h), and the daemon's next read of /dev/fuse
 * taints the daemon, whose sends then alert with their real destination.
 * A daemon that only writes a local disk (ntfs-3g) makes carriers of its
 * files, as any other process would.
 *
 * The other way, a tainted daemon's replies (its writes into /dev/fuse)
 * mark its connection too: whatever it serves may hold its data, so a
 * process that reads a file of the mount from then on takes the taint.
 * One mark for both ways: a connection a tainted process wrote into has a
 * tainted daemon, whose replies carry.
 *
 * A connection is named by its device: the super block's s_dev on the
 * writer's side, fuse_conn.dev (the same number, fuse_fill_super_common)
 * on the daemon's, whose /dev/fuse file's private_data is its fuse_dev.
 * Those types are FUSE's own, read by CO-RE from the kernel's or the fuse
 * module's BTF. Where they are unknown (fuse a module loaded after the
 * tracer started), every connection has the one name 0: any daemon that
 * reads /dev/fuse after a tainted write to any FUSE file is tainted, a
 * false taint rather than a miss.
 *
 * Reads pay nothing for it: a /dev/fuse inode is put in watched_inodes
 * (under dev 0, FW_FUSE_DEV_GEN) when it is opened or found open at start,
 * like the ptmx (pty.bpf.h), so only a daemon's read takes the extra
 * steps; and a read of an unwatched file asks whether it is a FUSE file
 * of a marked connection only once some connection was marked
 * (fuse_carriers).
 */
#ifndef FW_FUSE_BPF_H
#define FW_FUSE_BPF_H

#include "common.bpf.h"

#define FW_FUSE_MAGIC 0x65735546 /* FUSE_SUPER_MAGIC */
#define FW_FUSE_RDEV ((10U << 20) | 229) /* MISC_MAJOR, FUSE_MINOR */

struct fuse_conn___fw {
	dev_t dev;
} __attribute__((preserve_access_index));

struct fuse_dev___fw {
	struct fuse_conn___fw *fc;
} __attribute__((preserve_access_index));

/* The name of the connection whose super block has device sb_dev */
static __always_inline __u64 fuse_conn_name(__u32 sb_dev)
{
	return bpf_core_type_exists(struct fuse_conn___fw) ? sb_dev : 0;
}

/* inode (a character device, opened or found open) is /dev/fuse: make its
 * reads take the daemon's path. True when it is. */
static __always_inline bool fuse_dev_known(struct inode *inode)
{
	struct fw_file_key key = { .dev = 0, .gen = FW_FUSE_DEV_GEN };

	if (BPF_CORE_READ(inode, i_rdev) != FW_FUSE_RDEV)
		return false;
	key.ino = BPF_CORE_READ(inode, i_ino);
	inode_watch(inode, &key);
	return true;
}

/* The name of the connection of a /dev/fuse file (an address) */
static __always_inline __u64 fuse_dev_conn_name(__u64 file)
{
	struct fuse_dev___fw *fud;

	if (!bpf_core_type_exists(struct fuse_conn___fw))
		return 0;
	fud = BPF_CORE_READ((struct file *)file, private_data);
	return BPF_CORE_READ(fud, fc, dev);
}

/* Was a FUSE connection ever marked? Until one is, reads cost nothing */
static __always_inline bool fuse_carriers_exist(void)
{
	__u64 *any = bpf_map_lookup_elem(&fuse_carriers, &fw_zero_key);

	return any && *any;
}

/* fuse_scratch's entry, holding the key of the connection named name
 * (NULL: none) */
static __always_inline struct fw_file_key *fuse_conn_key(__u64 name)
{
	struct fw_file_key *conn;

	conn = bpf_map_lookup_elem(&fuse_scratch, &fw_zero_key);
	if (conn) {
		conn->ino = name;
		conn->dev = 0;
		conn->gen = FW_FUSE_GEN;
	}
	return conn;
}

/* Mark the connection whose key conn holds as a carrier */
static __always_inline void fuse_conn_mark(const struct fw_file_key *conn)
{
	__u64 *any = bpf_map_lookup_elem(&fuse_carriers, &fw_zero_key);

	if (any && !*any)
		*any = 1;
	file_watch(conn, &fw_match_carrier, false);
}

/* Is the connection named name a carrier? (-1 when not, else name) */
static __always_inline long fuse_conn_carries(__u64 name)
{
	struct fw_file_key *conn = fuse_conn_key(name);

	if (!conn || !bpf_map_lookup_elem(&watched_files, conn))
		return -1;
	return name;
}

/* A daemon reads its /dev/fuse file (an address): the name of its
 * connection when that carries, else -1. Global: walked once. */
__weak __noinline long fw_fuse_dev_read(__u64 file)
{
	return fuse_conn_carries(fuse_dev_conn_name(file));
}

/* A process reads a file (an address) that is not a flight log or a
 * carrier by itself: when it is a FUSE file whose connection carries
 * (its daemon tainted, or a tainted process wrote into the mount), the
 * name of the connection, else -1 */
__weak __noinline long fw_fuse_file_read(__u64 file)
{
	struct super_block *sb;

	sb = BPF_CORE_READ((struct file *)file, f_inode, i_sb);
	if (BPF_CORE_READ(sb, s_magic) != FW_FUSE_MAGIC)
		return -1;
	return fuse_conn_carries(fuse_conn_name(BPF_CORE_READ(sb, s_dev)));
}

/* A tainted daemon writes a reply into its /dev/fuse file (an address):
 * what it serves carries its data, so its connection is a carrier. The
 * connection's name. */
__weak __noinline __u64 fw_fuse_replied(__u64 file)
{
	__u64 name = fuse_dev_conn_name(file);
	struct fw_file_key *conn = fuse_conn_key(name);

	if (conn)
		fuse_conn_mark(conn);
	return name;
}

/* Fill the READ part of p with the connection conn (-1: none) read
 * through file */
static __always_inline bool fuse_read(long conn, struct file *file,
				      struct fw_pending *p)
{
	if (conn < 0)
		return false;
	p->file.ino = conn;
	p->file.dev = 0;
	p->file.gen = FW_FUSE_GEN;
	p->kind |= FW_PENDING_READ;
	p->file_ptr = (__u64)file;
	return true;
}

/* file (NULL: none) is neither a flight log nor a carrier by itself: is
 * it a FUSE file whose connection carries? Fills the READ part of p */
static __always_inline bool fuse_file_read(struct file *file,
					   struct fw_pending *p)
{
	return file && fuse_carriers_exist() &&
	       fuse_read(fw_fuse_file_read(pointer_value(file)), file, p);
}

#endif /* FW_FUSE_BPF_H */
