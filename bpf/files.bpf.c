// SPDX-License-Identifier: GPL-2.0
/*
 * Flight-log files: which opens are of watched files, and how much each
 * process reads from them.
 *
 * The decision is made here, at open time, so that unwatched opens never
 * reach user space: a file is watched when its inode is already known,
 * when an ancestor directory is in watched_dirs, or when its name matches
 * a pattern. Reads then cost one lookup of the file's inode.
 *
 * Syscall tracepoints need tracefs mounted for libbpf to attach; the
 * loader mounts it.
 */
#include "common.bpf.h"

static __always_inline bool dir_watched(struct dentry *dir, __u32 dev)
{
	struct fw_dir_key key = {
		.ino = BPF_CORE_READ(dir, d_inode, i_ino),
		.dev = dev,
	};

	return bpf_map_lookup_elem(&watched_dirs, &key) != NULL;
}

/* Is an ancestor directory of the file watched? Walks up d_parent a
 * bounded number of steps, crossing into the parent mount at a mount root.
 * The mounted root is what stat() of a mount point shows user space, so it
 * is checked, not the directory it covers. Each iteration has the same
 * shape so that the verifier's branches rejoin (see build_path). */
static __always_inline bool under_watched_dir(struct file *file)
{
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	__u32 dev = BPF_CORE_READ(vfsmnt, mnt_sb, s_dev);
	int i;

	for (i = 0; i < FW_DIR_DEPTH; i++) {
		struct dentry *parent;

		if (dentry == mnt_root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt)
				return false;
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
			dev = BPF_CORE_READ(mnt, mnt.mnt_sb, s_dev);
		}
		parent = BPF_CORE_READ(dentry, d_parent);
		if (parent == dentry)
			return false;
		dentry = parent;
		if (dir_watched(dentry, dev))
			return true;
	}
	return false;
}

static __always_inline bool name_matches(struct file *file)
{
	struct qstr qname = BPF_CORE_READ(file, f_path.dentry, d_name);
	__u32 zero = 0, i;
	char *name;

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

static __always_inline int on_open_exit(long ret)
{
	struct fw_file_key key;
	struct inode *inode;
	struct file *file;
	__u32 match;

	if (ret < 0 || current_tgid() == fw_self_tgid)
		return 0;
	file = fd_to_file(ret);
	if (!file)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	if (inode_mode_type(inode) != FW_S_IFREG)
		return 0;
	inode_key(inode, &key);
	if (bpf_map_lookup_elem(&watched_files, &key))
		return 0;
	if (under_watched_dir(file))
		match = FW_MATCH_DIR;
	else if (name_matches(file))
		match = FW_MATCH_PATTERN;
	else
		return 0;
	bpf_map_update_elem(&watched_files, &key, &match, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int fw_openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_open")
int fw_open_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int fw_openat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_open_exit(ctx->ret);
}

/* A read of a watched file is remembered until the syscall returns, when
 * the byte count is known */
static __always_inline int on_read_enter(long fd)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fw_pending p = {};
	struct file *file;
	__u32 tid = id;

	if (id >> 32 == fw_self_tgid)
		return 0;
	file = fd_to_file(fd);
	if (!file)
		return 0;
	inode_key(BPF_CORE_READ(file, f_inode), &p.file);
	if (!bpf_map_lookup_elem(&watched_files, &p.file))
		return 0;
	p.kind = FW_PENDING_READ;
	p.fd = fd;
	p.file_ptr = (__u64)file;
	if (bpf_map_update_elem(&pending, &tid, &p, BPF_ANY))
		stat_add(FW_STAT_PENDING_FULL, 1);
	return 0;
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
	e->path_off = build_file_path((struct file *)p->file_ptr, e->path);
	bpf_ringbuf_submit(e, 0);
}

static __always_inline int on_read_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_boot_ns();
	struct fw_read_key rk = {};
	struct fw_counter *c;
	struct fw_pending p;
	struct fw_pending *pp;
	__u32 tid = id;

	pp = bpf_map_lookup_elem(&pending, &tid);
	if (!pp)
		return 0;
	p = *pp;
	bpf_map_delete_elem(&pending, &tid);
	if (ret <= 0 || p.kind != FW_PENDING_READ)
		return 0;

	rk.file = p.file;
	rk.tgid = id >> 32;
	c = bpf_map_lookup_elem(&reads, &rk);
	if (c) {
		__sync_fetch_and_add(&c->bytes, ret);
		__sync_fetch_and_add(&c->ops, 1);
		c->last_ns = now;
		return 0;
	}
	struct fw_counter fresh = {
		.bytes = ret, .ops = 1, .first_ns = now, .last_ns = now
	};
	/* Another thread may have won the race to create it: add to it */
	if (bpf_map_update_elem(&reads, &rk, &fresh, BPF_NOEXIST)) {
		c = bpf_map_lookup_elem(&reads, &rk);
		if (c) {
			__sync_fetch_and_add(&c->bytes, ret);
			__sync_fetch_and_add(&c->ops, 1);
		}
		return 0;
	}
	taint_process(rk.tgid, now);
	emit_file_read(&p, id, ret, now);
	return 0;
}

#define FW_READ_HOOKS(sys)                                          \
	SEC("tracepoint/syscalls/sys_enter_" #sys)                  \
	int fw_##sys##_enter(struct trace_event_raw_sys_enter *ctx) \
	{                                                           \
		return on_read_enter(ctx->args[0]);                 \
	}                                                           \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                   \
	int fw_##sys##_exit(struct trace_event_raw_sys_exit *ctx)   \
	{                                                           \
		return on_read_exit(ctx->ret);                      \
	}

FW_READ_HOOKS(read)
FW_READ_HOOKS(pread64)
FW_READ_HOOKS(readv)
FW_READ_HOOKS(preadv)
FW_READ_HOOKS(preadv2)
