/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Terminals as carriers. A pty pair is one channel with two kinds of
 * file: the slave (/dev/pts/N, its own devpts inode) and the master, which
 * every pty opens through ptmx and so shares one inode with every other
 * master. The pair is therefore named by its slave's inode from both
 * sides: what a tainted process writes into either end marks it, and
 * whoever reads either end reads it.
 *
 * From a master file the slave is found the way the kernel finds it:
 * ptmx_open() gives the file a tty_file_private whose tty is the master,
 * tty->link is the slave, and devpts_pty_new() left the slave's devpts
 * dentry in the slave's driver_data (since 4.8; 6.1 and 6.12 alike). Only
 * Unix98 ptys are followed: the console, virtual terminals and serial
 * lines have other device numbers and take none of these reads.
 *
 * Reads cost nothing more for it: the ptmx inode is put in watched_inodes
 * (under dev 0, FW_PTMX_GEN) when a master is opened or found open at
 * start, so only a master's read leaves the one lookup every read makes
 * for the mapping to the slave, and a slave is there by its own address.
 */
#ifndef FW_PTY_BPF_H
#define FW_PTY_BPF_H

#include "common.bpf.h"

#define FW_S_IFCHR 0020000
/* the kernel's dev_t is major << 20 | minor */
#define FW_DEV_MAJOR(dev) ((dev) >> 20)
#define FW_PTMX_RDEV ((5U << 20) | 2) /* TTYAUX_MAJOR, minor 2 */
#define FW_PTS_MAJOR_FIRST 136 /* UNIX98_PTY_SLAVE_MAJOR */
#define FW_PTS_MAJORS 8 /* UNIX98_PTY_MAJOR_COUNT */

static __always_inline bool is_pts_rdev(__u32 rdev)
{
	return FW_DEV_MAJOR(rdev) - FW_PTS_MAJOR_FIRST < FW_PTS_MAJORS;
}

/* The slave inode that names the pty file (a character device) belongs
 * to, or NULL when it is no Unix98 pty end */
static __always_inline struct inode *pty_inode(struct file *file,
					       struct inode *inode)
{
	__u32 rdev = BPF_CORE_READ(inode, i_rdev);
	struct tty_file_private *priv;
	struct dentry *slave;

	if (is_pts_rdev(rdev))
		return inode;
	if (rdev != FW_PTMX_RDEV)
		return NULL;
	priv = BPF_CORE_READ(file, private_data);
	slave = BPF_CORE_READ(priv, tty, link, driver_data);
	inode = BPF_CORE_READ(slave, d_inode);
	/* a pair being torn down, or a layout not seen before */
	if (!inode || !is_pts_rdev(BPF_CORE_READ(inode, i_rdev)))
		return NULL;
	return inode;
}

/*
 * A slave's inode number is its index, which the next pair reuses once
 * this one is closed, and its generation is 0: the inode alone would name
 * every pair that ever had that index, and a mark (and the collector's
 * record of what the pty carried) would outlive its pair. So each pair
 * made while the tracer runs gets a generation of its own when its master
 * is opened (pty_made), kept in watched_inodes under the slave's address
 * until the pair is marked or evicted; a pair older than the tracer keeps
 * generation 0.
 */
static __always_inline void pty_key(struct inode *inode,
				    struct fw_file_key *key)
{
	__u64 addr = (__u64)inode;
	struct fw_file_key *made;

	pseudo_inode_key(inode, key);
	made = bpf_map_lookup_elem(&watched_inodes, &addr);
	if (made && made->ino == key->ino && made->dev == key->dev)
		key->gen = made->gen;
}

/* inode (a character device) is a ptmx: make its reads take the pty path.
 * True when it is one. */
static __always_inline bool ptmx_known(struct inode *inode)
{
	struct fw_file_key key = { .dev = 0, .gen = FW_PTMX_GEN };

	if (BPF_CORE_READ(inode, i_rdev) != FW_PTMX_RDEV)
		return false;
	key.ino = BPF_CORE_READ(inode, i_ino);
	inode_watch(inode, &key);
	return true;
}

/* A character device was just opened: when it is a ptmx (a new pair),
 * name the pair */
static __always_inline void pty_made(struct file *file, struct inode *inode)
{
	struct fw_file_key key;

	if (!ptmx_known(inode))
		return;
	inode = pty_inode(file, inode);
	if (!inode)
		return;
	pseudo_inode_key(inode, &key);
	/* the clock's low bits: two pairs of one index made the same
	 * nanosecond modulo 4.3 s apart would share a name. Odd, so never
	 * the generation 0 of an older pair. */
	key.gen = (__u32)bpf_ktime_get_boot_ns() | 1;
	inode_watch(inode, &key);
}

#endif /* FW_PTY_BPF_H */
