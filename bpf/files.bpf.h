/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flight-log files: which opens are of watched files, and how much each
 * process reads from them and from carriers.
 *
 * The decision is made at open time, so that unwatched opens never reach
 * user space: a file is watched when its inode is already known, when an
 * ancestor directory is in watched_dirs, or when its name matches a
 * pattern. Reads then cost one lookup of the inode's address.
 */
#ifndef FW_FILES_BPF_H
#define FW_FILES_BPF_H

#include "common.bpf.h"
#include "fuse.bpf.h"
#include "procmem_files.bpf.h"
#include "pty.bpf.h"

/* Is dir watched? Its key is its inode number and its device as stat
 * reports it (user space's key): dev, its file system's, except on btrfs,
 * where each subvolume has its own */
static __always_inline bool dir_watched(struct dentry *dir, __u32 dev,
					bool btrfs)
{
	struct inode *inode = BPF_CORE_READ(dir, d_inode);
	struct fw_dir_key key = {
		.ino = BPF_CORE_READ(inode, i_ino),
		.dev = dev,
	};

	if (btrfs)
		key.dev = fw_btrfs_inode_dev((__u64)inode, dev);
	return bpf_map_lookup_elem(&watched_dirs, &key) != NULL;
}

static __always_inline bool sb_is_btrfs(struct super_block *sb)
{
	return BPF_CORE_READ(sb, s_magic) == FW_BTRFS_MAGIC;
}

/* Is an ancestor directory of the file watched? Walks up d_parent a
 * bounded number of steps, within the file system first: a bind mount of
 * a directory (another mount namespace's view, a container's volume)
 * shows the same directories under other names, so its files are under
 * the watched directory whatever path they were opened by. At the root of
 * the file system the walk crosses into the mount it hangs from. The
 * mounted root is what stat() of a mount point shows user space, so it
 * is checked, not the directory it covers. Each iteration has the same
 * shape so that the verifier's branches rejoin (see build_path). */
static __always_inline bool under_watched_dir(struct dentry *dentry,
					      struct mount *mnt, __u32 dev,
					      bool btrfs)
{
	int i;

	for (i = 0; i < FW_DIR_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);

		if (parent == dentry) {
			struct super_block *sb;
			struct mount *up;

			if (!mnt)
				return false;
			up = BPF_CORE_READ(mnt, mnt_parent);
			if (up == mnt)
				return false;
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			sb = BPF_CORE_READ(mnt, mnt.mnt_sb);
			dev = BPF_CORE_READ(sb, s_dev);
			btrfs = sb_is_btrfs(sb);
			parent = BPF_CORE_READ(dentry, d_parent);
			if (parent == dentry)
				return false;
		}
		dentry = parent;
		if (dir_watched(dentry, dev, btrfs))
			return true;
	}
	return false;
}

static __always_inline bool file_under_watched_dir(struct file *file)
{
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct super_block *sb = BPF_CORE_READ(vfsmnt, mnt_sb);

	return under_watched_dir(BPF_CORE_READ(file, f_path.dentry),
				 container_of(vfsmnt, struct mount, mnt),
				 BPF_CORE_READ(sb, s_dev), sb_is_btrfs(sb));
}

#define FW_OVERLAYFS_MAGIC 0x794c7630

/* A file of a layer, not of an overlay: the real file behind one */
static __always_inline bool layer_file(struct file *f)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);

	return inode && inode_mode_type(inode) == FW_S_IFREG &&
	       inode_fs_magic(inode) != FW_OVERLAYFS_MAGIC;
}

/*
 * The inode underneath a file opened through an overlay mount (a
 * container's root, a merged directory), or NULL for any other file. An
 * open overlay file reads through a file of the layer that holds the data:
 * its private_data is that file up to 6.12, and a struct ovl_file whose
 * first member is that file from 6.13. Overlay's own types are in a
 * module's BTF, if loaded, so both shapes are tried and checked instead.
 */
static __always_inline struct inode *overlay_real_inode(struct file *file)
{
	struct inode *inode = file_inode_typed(file);
	struct file *real;
	void *priv;

	if (inode_fs_magic(inode) != FW_OVERLAYFS_MAGIC)
		return NULL;
	priv = BPF_CORE_READ(file, private_data);
	if (!priv)
		return NULL;
	real = priv;
	if (!layer_file(real)) {
		real = NULL;
		if (bpf_probe_read_kernel(&real, sizeof(real), priv) || !real ||
		    !layer_file(real))
			return NULL;
	}
	return BPF_CORE_READ(real, f_inode);
}

/* Is the inode under a watched directory, by its own name in its file
 * system (the first dentry that names it; no mount to cross: the walk
 * ends at the file system's root)? */
static __always_inline bool inode_under_watched_dir(struct inode *inode)
{
	struct hlist_node *alias = BPF_CORE_READ(inode, i_dentry.first);
	struct super_block *sb;
	struct dentry *dentry;

	if (!alias)
		return false;
	dentry = container_of(alias, struct dentry, d_u.d_alias);
	sb = BPF_CORE_READ(inode, i_sb);
	return under_watched_dir(dentry, NULL, BPF_CORE_READ(sb, s_dev),
				 sb_is_btrfs(sb));
}

/*
 * A rename, a mount or an unmount may have put a directory under another
 * one: what dir_cache holds is stale. Called after the change, so that a
 * walk that read the epoch before it stores an entry that no longer holds.
 */
static __always_inline void dir_epoch_bump(void)
{
	__u32 slot = FW_DIR_EPOCH_MOVES;
	__u32 *epoch = bpf_map_lookup_elem(&dir_epoch, &slot);

	if (epoch)
		__sync_fetch_and_add(epoch, 1);
}

/* Both slots of dir_epoch, or false if the map failed us */
static __always_inline bool dir_epoch_now(__u64 *now)
{
	__u32 moves_slot = FW_DIR_EPOCH_MOVES, rules_slot = FW_DIR_EPOCH_RULES;
	__u32 *moves = bpf_map_lookup_elem(&dir_epoch, &moves_slot);
	__u32 *rules = bpf_map_lookup_elem(&dir_epoch, &rules_slot);
	__u64 rules_now;

	if (!moves || !rules)
		return false;
	rules_now = *(volatile __u32 *)rules;
	*now = rules_now << 32 | *(volatile __u32 *)moves;
	return true;
}

/*
 * under_watched_dir() through dir_cache: the walk reads about two dozen
 * kernel words and looks up every ancestor, the larger part of what an
 * open costs the opener; files opened in a directory seen before cost one
 * lookup. A file that is itself a mount root (a bind-mounted file) has
 * its parent in another mount: it is walked every time.
 */
static __always_inline bool under_watched_dir_cached(struct file *file,
						     const struct path *path)
{
	struct fw_dir_cache_key key;
	struct fw_dir_cache fresh = {}, *known;
	struct dentry *parent;
	struct inode *dir;

	/* read before the walk: a change during it leaves the entry stale */
	if (!dir_epoch_now(&fresh.epoch))
		return file_under_watched_dir(file);
	if (fw_typed_reads) {
		struct dentry *dentry = fw_typed(path->dentry, struct dentry);

		if (dentry == fw_typed(path->mnt, struct vfsmount)->mnt_root)
			return file_under_watched_dir(file);
		parent = dentry->d_parent;
		dir = parent->d_inode;
		fresh.ino = dir->i_ino;
		fresh.gen = dir->i_generation;
		asm volatile("" ::: "memory"); /* see inode_key */
	} else {
		if (path->dentry == BPF_CORE_READ(path->mnt, mnt_root))
			return file_under_watched_dir(file);
		parent = BPF_CORE_READ(path->dentry, d_parent);
		dir = BPF_CORE_READ(parent, d_inode);
		fresh.ino = BPF_CORE_READ(dir, i_ino);
		fresh.gen = BPF_CORE_READ(dir, i_generation);
	}
	key.dentry = (__u64)parent;
	key.mnt = (__u64)path->mnt;
	known = bpf_map_lookup_elem(&dir_cache, &key);
	if (known && known->epoch == fresh.epoch && known->ino == fresh.ino &&
	    known->gen == fresh.gen)
		return known->watched;
	fresh.watched = file_under_watched_dir(file);
	/* a cache: an entry the LRU evicts is walked again, nothing lost */
	bpf_map_update_elem(&dir_cache, &key, &fresh, BPF_ANY);
	return fresh.watched;
}

static __always_inline bool name_matches(struct dentry *dentry)
{
	__u32 zero = 0, i;
	struct fw_pattern *first = bpf_map_lookup_elem(&patterns, &zero);
	struct qstr qname;
	char *name;

	/* no pattern: the name is not even read */
	if (!first || !first->used)
		return false;
	qname = BPF_CORE_READ(dentry, d_name);
	if (qname.len >= FW_NAME_MAX)
		return false;
	name = bpf_map_lookup_elem(&name_scratch, &zero);
	if (!name)
		return false;
	if (bpf_probe_read_kernel_str(name, FW_NAME_MAX, qname.name) < 0)
		return false;
	for (i = 0; i < FW_PATTERN_MAX; i++) {
		__u32 idx = i;
		struct fw_pattern *pat = bpf_map_lookup_elem(&patterns, &idx);

		if (!pat || !pat->used)
			return false;
		if (fw_pattern_match(pat, name, qname.len))
			return true;
	}
	return false;
}

/* Is this open regular file a flight log? If so, remember its inode (by
 * identity and by address) so that reads of it are counted */
static __always_inline void classify_regular(struct file *file,
					     struct inode *inode)
{
	struct fw_file_key key;
	struct inode *real;
	struct path path;
	__u32 match;

	/* through an overlay: the file underneath is the one known or
	 * watched; reads of the overlay's inode are reads of it */
	real = overlay_real_inode(file);
	inode_key(real ? real : inode, &key);
	if (file_maybe_watched(&key) &&
	    bpf_map_lookup_elem(&watched_files, &key))
		goto cache;
	/* mount and dentry: both tests below need them */
	if (fw_typed_reads) {
		struct file *typed = fw_typed(file, struct file);

		path.mnt = typed->f_path.mnt;
		path.dentry = typed->f_path.dentry;
		asm volatile("" ::: "memory"); /* see inode_key */
	} else if (bpf_core_read(&path, sizeof(path), &file->f_path)) {
		return;
	}
	if (under_watched_dir_cached(file, &path) ||
	    (real && inode_under_watched_dir(real)))
		match = FW_MATCH_DIR;
	else if (name_matches(path.dentry))
		match = FW_MATCH_PATTERN;
	else
		return;
	file_watch(&key, &match, true);
cache:
	inode_watch(inode, &key);
}

/* An open file, new or found open at start: a flight log, a pty's
 * master to read through, or a FUSE daemon's /dev/fuse */
static __always_inline void classify_file(struct file *file)
{
	struct inode *inode = file_inode(file);

	switch (inode_mode_type(inode)) {
	case FW_S_IFREG:
		if (!proc_mem_known(file, inode))
			classify_regular(file, inode);
		break;
	case FW_S_IFCHR:
		if (!fuse_dev_known(inode))
			ptmx_known(inode);
		break;
	}
}

/*
 * The inode was emptied (opened with O_TRUNC, ftruncate or truncate to 0).
 * What it held is gone: a carrier emptied by a process that carries no
 * flight-log data is a carrier no more, and what is written into it next
 * decides again (a tainted writer marks it anew). A flight log by
 * directory or pattern stays one.
 */
static __always_inline void inode_emptied(struct inode *inode)
{
	struct fw_file_key key;
	__u64 inode_addr = (__u64)inode;
	__u32 *match;

	if (!inode_maybe_watched(inode) ||
	    !bpf_map_lookup_elem(&watched_inodes, &inode_addr))
		return; /* the path every other truncation takes */
	if (is_tainted(current_tgid()))
		return;
	inode_key(inode, &key);
	match = bpf_map_lookup_elem(&watched_files, &key);
	if (!match || *match != FW_MATCH_CARRIER)
		return;
	lru_delete(&watched_files, FW_LRU_WATCHED_FILES, &key);
	lru_delete(&watched_inodes, FW_LRU_WATCHED_INODES, &inode_addr);
}

static __always_inline void file_emptied(struct file *file)
{
	inode_emptied(file_inode(file));
}

/* sys_exit of open, openat, openat2, creat: is the new descriptor a flight
 * log? truncated: the open emptied it (O_TRUNC) */
static __always_inline int file_open_exit(long ret, bool truncated)
{
	struct inode *inode;
	struct file *file;

	if (ret < 0 || current_tgid() == fw_self_tgid)
		return 0;
	file = fd_file_typed(ret);
	if (!file)
		return 0;
	if (truncated)
		file_emptied(file);
	inode = file_inode_typed(file);
	switch (inode_mode_type(inode)) {
	case FW_S_IFREG:
		if (!proc_mem_known(file, inode))
			classify_regular(file, inode);
		break;
	case FW_S_IFCHR:
		if (!fuse_dev_known(inode))
			pty_made(file, inode);
		break;
	}
	return 0;
}

/* The watched_inodes entry of file's inode (file NULL: none), and the
 * inode. Every read asks: an unwatched one ends here */
static __always_inline struct fw_file_key *watched_lookup(struct file *file,
							  struct inode **inode)
{
	__u64 inode_addr;

	if (!file)
		return NULL;
	*inode = file_inode_typed(file);
	inode_addr = (__u64)*inode;
	if (!inode_maybe_watched(*inode))
		return NULL;
	return bpf_map_lookup_elem(&watched_inodes, &inode_addr);
}

/* file, whose inode has the watched_inodes entry known: is it a watched
 * file or a carrier? Fills the READ part of p */
static __always_inline bool file_read_known(struct file *file,
					    struct inode *inode,
					    struct fw_file_key *known,
					    struct fw_pending *p)
{
	__u64 inode_addr = (__u64)inode;

	if (known->dev == 0 && known->gen == FW_PROC_MEM_GEN) {
		/* another process's memory: not a file that carries a log
		 * itself; the caller may follow it (procmem.bpf.h) */
		p->file.gen = FW_PROC_MEM_GEN;
		return false;
	}
	if (known->dev == 0 && known->gen == FW_FUSE_DEV_GEN)
		/* a FUSE daemon: its connection is what it reads */
		return fuse_read(fw_fuse_dev_read(pointer_value(file)), file,
				 p);
	if (known->dev == 0 && known->gen == FW_PTMX_GEN) {
		/* a pty master is named by its slave (pty.bpf.h) */
		inode = pty_inode(file, inode);
		if (!inode)
			return false;
		inode_addr = (__u64)inode;
		known = bpf_map_lookup_elem(&watched_inodes, &inode_addr);
		if (!known)
			return false;
	}
	inode_key(inode, &p->file);
	if (known->dev == 0 && known->gen == FW_EMBRYO_GEN) {
		/* a unix connection written into before its accept: reported
		 * under the embryo's name (carriers.bpf.h) */
		p->file = *known;
	} else if (known->ino != p->file.ino || known->dev != p->file.dev ||
		   known->gen != p->file.gen) {
		/* an overlay's inode stands for the file underneath */
		struct inode *real = overlay_real_inode(file);
		bool pty = false;

		if (real) {
			inode_key(real, &p->file);
		} else if (known->ino == p->file.ino &&
			   known->dev == p->file.dev &&
			   inode_mode_type(inode) == FW_S_IFCHR) {
			/* a pty is named by its pair's generation (pty.bpf.h),
			 * and known from its making on, marked or not */
			p->file.gen = known->gen;
			pty = true;
		}
		if (known->ino != p->file.ino || known->dev != p->file.dev ||
		    known->gen != p->file.gen) {
			/* the address now holds another inode */
			lru_delete(&watched_inodes, FW_LRU_WATCHED_INODES,
				   &inode_addr);
			return false;
		}
		if (pty && !bpf_map_lookup_elem(&watched_files, &p->file))
			return false;
	}
	p->kind |= FW_PENDING_READ;
	p->file_ptr = (__u64)file;
	return true;
}

/* Is file (NULL: none) a watched file or a carrier, or a file of a FUSE
 * mount whose connection carries? Fills the READ part of p */
static __always_inline bool file_read_watched(struct file *file,
					      struct fw_pending *p)
{
	struct inode *inode = NULL;
	struct fw_file_key *known = watched_lookup(file, &inode);

	if (known)
		return file_read_known(file, inode, known, p);
	return fuse_file_read(file, p);
}

static __always_inline void emit_file_read(struct fw_pending *p, __u64 id,
					   __u64 bytes, __u64 now)
{
	struct fw_file_read_event *e;
	__u32 *match;

	e = event_reserve(sizeof(*e), FW_EV_FILE_READ, id >> 32, (__u32)id);
	if (!e)
		return;
	e->file = p->file;
	e->bytes = bytes;
	match = bpf_map_lookup_elem(&watched_files, &p->file);
	e->match = match ? *match : FW_MATCH_KNOWN;
	e->content = FW_CONTENT_UNKNOWN;
	e->pad = 0;
	if (p->file_ptr) {
		e->path_off =
			build_file_path((struct file *)p->file_ptr, e->path);
	} else { /* no file: a message queue */
		e->path_off = FW_PATH_MAX - 1;
		e->path[FW_PATH_MAX - 1] = '\0';
	}
	event_submit(e);
}

/* A read of ret bytes described by p has completed */
static __always_inline void file_read_done(struct fw_pending *p, __u64 id,
					   long ret, __u64 now)
{
	struct fw_read_key rk = {};

	rk.file = p->file;
	rk.tgid = id >> 32;
	if (!counter_add(&reads, FW_LRU_READS, &rk, ret, now)) {
		if (fw_taint_expiry_ns)
			taint_process(rk.tgid, now, &rk.file);
		return;
	}
	taint_process(rk.tgid, now, &rk.file);
	emit_file_read(p, id, ret, now);
}

#endif /* FW_FILES_BPF_H */
