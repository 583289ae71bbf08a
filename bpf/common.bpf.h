/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the hook families: statistics, event reservation,
 * descriptor to file resolution, file identity and path building.
 */
#ifndef FW_COMMON_BPF_H
#define FW_COMMON_BPF_H

#include "maps.bpf.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

/* #defines of the kernel's headers, which BTF (and so vmlinux.h) does not
 * carry; the enums (IPPROTO_*, SOCK_*, TCP_*) come from vmlinux.h */
#define FW_AF_INET 2
#define FW_AF_INET6 10
#define FW_S_IFMT 00170000
#define FW_S_IFSOCK 0140000
#define FW_S_IFREG 0100000
#define FW_O_TRUNC 01000
#define FW_TMPFS_MAGIC 0x01021994 /* shmem: tmpfs, memfd, SysV, anon shared */

static __always_inline void stat_add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += n; /* per-CPU slot: no atomics needed */
}

/* An LRU insert or delete count: atomic, since a softirq (a TCP close
 * ending a relay) can interrupt a program updating the same CPU's slot, and
 * one lost increment would read as an eviction */
static __always_inline void lru_count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/*
 * Put key into one of the LRU maps (enum fw_lru_map idx), counting a new
 * key: with the deletes counted by lru_delete() and the entries still
 * there, the collector derives how many the kernel evicted. replace: an
 * existing key takes the new value; otherwise it is kept (-EEXIST).
 */
static __always_inline long lru_put(void *map, __u32 idx, const void *key,
				    const void *value, bool replace)
{
	long err = bpf_map_update_elem(map, key, value, BPF_NOEXIST);

	if (!err) {
		lru_count(FW_STAT_LRU_INSERTS + idx);
		return 0;
	}
	if (!replace)
		return err;
	/* an existing key: replacing it adds no entry (if it vanished in
	 * between, the value is lost, as with a racing delete) */
	return bpf_map_update_elem(map, key, value, BPF_EXIST);
}

/* The word of a one-bit-per-slot filter (watched_filter, tainted_filter)
 * that holds slot, and the bit's mask in it; NULL past its end */
static __always_inline __u64 *filter_word(void *filter, __u32 slot, __u64 *bit)
{
	__u32 word = slot / 64;

	*bit = 1ULL << (slot % 64);
	return bpf_map_lookup_elem(filter, &word);
}

/* May slot be set? false: certainly not (a missing word is a maybe) */
static __always_inline bool filter_maybe(void *filter, __u32 slot)
{
	__u64 bit, *word = filter_word(filter, slot, &bit);

	return !word || (*word & bit);
}

static __always_inline void filter_set(void *filter, __u32 slot)
{
	__u64 bit, *word = filter_word(filter, slot, &bit);

	if (word && !(*word & bit))
		__sync_fetch_and_or(word, bit);
}

static __always_inline void filter_clear(void *filter, __u32 slot)
{
	__u64 bit, *word = filter_word(filter, slot, &bit);

	if (word && (*word & bit))
		__sync_fetch_and_and(word, ~bit);
}

/* Put tgid in tainted (lru_put), its filter bit first */
static __always_inline long taint_put(__u32 *tgid, const struct fw_taint *t,
				      bool replace)
{
	filter_set(&tainted_filter, *tgid);
	return lru_put(&tainted, FW_LRU_TAINTED, tgid, t, replace);
}

static __always_inline void lru_delete(void *map, __u32 idx, const void *key)
{
	if (!bpf_map_delete_elem(map, key))
		lru_count(FW_STAT_LRU_DELETES + idx);
}

static __always_inline __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/*
 * When the current process started: its identity beside the pid. Every
 * read of a flight log and every send of a tainted process asks. A file
 * of tracing programs only (FW_TASK_BTF defined before its includes)
 * follows the task's BTF pointers with plain loads; the others (cgroup
 * programs) may not call bpf_get_current_task_btf and pay two
 * bpf_probe_read_kernel calls.
 */
static __always_inline __u64 current_start_ns(void)
{
#ifdef FW_TASK_BTF
	return bpf_get_current_task_btf()->group_leader->start_boottime;
#else
	struct task_struct *task = (void *)bpf_get_current_task();

	return BPF_CORE_READ(task, group_leader, start_boottime);
#endif
}

/*
 * Reserve a ring-buffer record and fill its header. A failed reservation
 * is counted so the collector can report the loss: nothing is dropped
 * silently.
 */
static __always_inline void *event_reserve(__u32 size, __u32 type, __u32 tgid,
					   __u32 tid)
{
	struct fw_event_header *hdr = bpf_ringbuf_reserve(&events, size, 0);

	if (!hdr) {
		stat_add(FW_STAT_RB_DROPPED, 1);
		return NULL;
	}
	hdr->ts_ns = bpf_ktime_get_boot_ns();
	hdr->type = type;
	hdr->tgid = tgid;
	hdr->tid = tid;
	hdr->size = size;
	/* tid 0: a record not about the current task (a packet's, whose
	 * sender is named by tgid alone): the current task's start and name
	 * are not its, and packet programs may not ask for them */
	if (tid) {
		hdr->start_ns = current_start_ns();
		bpf_get_current_comm(hdr->comm, sizeof(hdr->comm));
	} else {
		hdr->start_ns = 0;
		__builtin_memset(hdr->comm, 0, sizeof(hdr->comm));
	}
	stat_add(FW_STAT_EVENTS + type, 1);
	return hdr;
}

/*
 * Submit a record without waking the collector, which drains the ring
 * buffer at least every 100 ms: a wake-up per record costs far more than
 * the programs themselves (an interrupt that leaves the VM on virtual
 * machines; 90 us per exec measured here) and would have the collector
 * wake for each event at high rates. Once a backlog builds up, the
 * collector is woken at once so the buffer does not fill.
 */
#define FW_WAKEUP_BACKLOG (1 << 20)

static __always_inline void event_submit(void *e)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= FW_WAKEUP_BACKLOG)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* With a taint expiry set, a process stops counting as a carrier that
 * long after it last read flight-log data (the verifier drops the check
 * when the expiry is 0, the default). task: the current task by BTF, when
 * the caller holds it (a call fewer), else NULL */
static __always_inline bool is_tainted_task(__u32 tgid,
					    struct task_struct *task)
{
	struct fw_taint *t;
	__u64 start_ns;

	if (!filter_maybe(&tainted_filter, tgid))
		return false; /* every send of an untainted process */
	t = bpf_map_lookup_elem(&tainted, &tgid);
	if (!t)
		return false;
#ifdef FW_TASK_BTF
	start_ns = task ? task->group_leader->start_boottime :
			  current_start_ns();
#else
	start_ns = current_start_ns();
#endif
	if (t->start_ns != start_ns) {
		/* another process that had this pid before */
		lru_delete(&tainted, FW_LRU_TAINTED, &tgid);
		return false;
	}
	if (fw_taint_expiry_ns &&
	    bpf_ktime_get_boot_ns() - t->first_ns > fw_taint_expiry_ns) {
		lru_delete(&tainted, FW_LRU_TAINTED, &tgid);
		return false;
	}
	return true;
}

static __always_inline bool is_tainted(__u32 tgid)
{
	return is_tainted_task(tgid, NULL);
}

/* A process has at most this many threads put in threads at once */
#define FW_THREADS_NOTE_MAX 4096

struct thread_walk {
	struct list_head *head;
	struct list_head *pos;
	__u32 tgid;
};

static long thread_walk_step(__u32 i, void *ctx)
{
	struct thread_walk *w = ctx;
	/* a local: CO-RE would relocate w->pos inside BPF_CORE_READ */
	struct list_head *pos = w->pos;
	struct task_struct *t;
	__u32 tid;

	if (!pos || pos == w->head)
		return 1;
	t = (void *)pos -
	    bpf_core_field_offset(struct task_struct, thread_node);
	tid = BPF_CORE_READ(t, pid);
	if (tid != w->tgid)
		bpf_map_update_elem(&threads, &tid, &w->tgid, BPF_ANY);
	w->pos = BPF_CORE_READ(pos, next);
	return 0;
}

/*
 * task's process (tgid) was just tainted: its threads that exist already
 * go into threads, as those created later do at fork, so that
 * process_vm_readv naming any of them finds the taint. Once per process,
 * when its taint is new.
 */
static __always_inline void note_threads(struct task_struct *task, __u32 tgid)
{
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	struct thread_walk w = { .tgid = tgid };

	if (!sig)
		return;
	w.head = (void *)sig +
		 bpf_core_field_offset(struct signal_struct, thread_head);
	w.pos = BPF_CORE_READ(sig, thread_head.next);
	bpf_loop(FW_THREADS_NOTE_MAX, thread_walk_step, &w, 0);
}

/*
 * The process read flight-log data now: taint it, or restart its expiry.
 * Every read of a flight log comes here: a process tainted already (and
 * no expiry to restart) costs a lookup, not an LRU update, which takes a
 * free node from the LRU before it finds the key there and gives it back.
 */
static __always_inline void taint_process(__u32 tgid, __u64 now,
					  const struct fw_file_key *origin)
{
	struct fw_taint t = { .first_ns = now,
			      .start_ns = current_start_ns(),
			      .origin = *origin };
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct fw_taint *old = bpf_map_lookup_elem(&tainted, &tgid);
	bool fresh = !old || old->start_ns != t.start_ns;
	__u32 *leader;

	/* a stale entry (another process had this pid) gives way */
	if (fresh || fw_taint_expiry_ns)
		taint_put(&tgid, &t, old || fw_taint_expiry_ns);
	if (fresh) {
		note_threads((void *)bpf_get_current_task(), tgid);
		return;
	}
	if (tid == tgid)
		return;
	leader = bpf_map_lookup_elem(&threads, &tid);
	if (!leader || *leader != tgid)
		bpf_map_update_elem(&threads, &tid, &tgid, BPF_ANY);
}

/*
 * Add one operation of bytes to the counter at key, creating it if needed.
 * Returns true when this call created it: the caller then reports the new
 * (carrier, destination or file) pair once; later bytes only accumulate.
 */
static __always_inline bool counter_add(void *map, __u32 lru, const void *key,
					__u64 bytes, __u64 now)
{
	struct fw_counter fresh = {
		.bytes = bytes, .ops = 1, .first_ns = now, .last_ns = now
	};
	struct fw_counter *c = bpf_map_lookup_elem(map, key);

	if (!c) {
		if (!lru_put(map, lru, key, &fresh, false))
			return true;
		/* another thread created it first: add to theirs */
		c = bpf_map_lookup_elem(map, key);
		if (!c)
			return false;
	}
	__sync_fetch_and_add(&c->bytes, bytes);
	__sync_fetch_and_add(&c->ops, 1);
	c->last_ns = now;
	return false;
}

/*
 * task->files->fdt->fd[fd] (task: the current task, by BTF), or NULL. This
 * runs on every read of every process: the task part uses direct (BTF)
 * loads, which cost a fraction of a bpf_probe_read_kernel call; only the
 * array slot needs one.
 */
static __always_inline struct file *task_fd_to_file(struct task_struct *task,
						    long fd)
{
	struct fdtable *fdt = task->files->fdt;
	struct file *file = NULL;

	if (fd < 0 || fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fdt->fd[fd]);
	return file;
}

static __always_inline struct file *fd_to_file(long fd)
{
	return task_fd_to_file(bpf_get_current_task_btf(), fd);
}

static __always_inline struct inode *file_inode(struct file *file)
{
	struct inode *inode = NULL;

	bpf_probe_read_kernel(&inode, sizeof(inode), &file->f_inode);
	return inode;
}

/*
 * A kernel address read as a typed pointer (6.2 and later): its fields are
 * then plain loads that the JIT guards against faults, where
 * bpf_probe_read_kernel is a helper call of about 10 ns each; the verifier
 * turns the call itself into a register move. Only in the syscall
 * programs' second object (FW_TYPED_READS: Makefile), which the loader
 * opens where the kernel has the kfunc; the first, for every kernel, reads
 * the same fields with the helper.
 */
#ifdef FW_TYPED_READS
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define fw_typed_reads true
#define fw_typed(ptr, type) \
	((type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))
#else
#define fw_typed_reads false
#define fw_typed(ptr, type) ((type *)(ptr))
#endif

/*
 * Boot time to a clock tick, for the counters of a read or a send (their
 * last_ns): the time the first such call of this tick read. The precise
 * clock reads the TSC, which a virtual machine makes slow (about 80 ns of
 * a 500 ns flight-log read measured on one); jiffies are a load. The
 * answer lags the precise time by at most a tick or two (CPUs race on the
 * pair), which the collector's walk of the counters allows for
 * (loader_counters.c); records keep the precise time. A resume from
 * suspend is followed at the next tick, as jiffies move. In the typed
 * object only (6.2 and later): with it, 6.1's verifier gave up on
 * fw_sys_exit (a million instructions), and a kernel that refuses the
 * typed object gets the plain one, which reads the precise clock.
 */
static __always_inline __u64 tick_boot_ns(void)
{
	__u64 jiffies;
	__u64 now;

	if (!fw_typed_reads)
		return bpf_ktime_get_boot_ns();
	jiffies = bpf_jiffies64();
	if (jiffies == fw_tick_jiffies)
		return fw_tick_boot_ns;
	now = bpf_ktime_get_boot_ns();
	fw_tick_boot_ns = now;
	fw_tick_jiffies = jiffies;
	return now;
}

/* The inode of file, for reads whose result only keys a map or is read
 * from (never handed to a global function: in the typed object it is a
 * typed pointer, not a number) */
static __always_inline struct inode *file_inode_typed(struct file *file)
{
	if (fw_typed_reads)
		return fw_typed(file, struct file)->f_inode;
	return file_inode(file);
}

/*
 * fd_to_file() without its helper call, in the typed object: the slot of
 * the descriptor array is read as the ki_filp member (a struct file *) of
 * a struct kiocb cast so that the member falls on the slot. On the kernels
 * of return-thunk mitigations a bpf_probe_read_kernel call costs about as
 * much as the rest of an unwatched read's program.
 * The file is then a typed pointer: it may be read from and key maps, but
 * it is not a number, and is never handed to a global function.
 */
static __always_inline struct file *fd_file_typed(long fd)
{
	struct task_struct *task;
	struct fdtable *fdt;
	__u64 slot;

	if (!fw_typed_reads)
		return fd_to_file(fd);
	task = bpf_get_current_task_btf();
	fdt = task->files->fdt;
	if (fd < 0 || fd >= fdt->max_fds)
		return NULL;
	slot = (__u64)fdt->fd + fd * sizeof(struct file *) -
	       bpf_core_field_offset(struct kiocb, ki_filp);
	return fw_typed((void *)slot, struct kiocb)->ki_filp;
}

#define FW_BTRFS_MAGIC 0x9123683e

/* btrfs's own types, matched by name (CO-RE; in a module's BTF where
 * btrfs is a module): only the members read */
struct btrfs_root___fw {
	dev_t anon_dev;
} __attribute__((preserve_access_index));

struct btrfs_inode___fw {
	struct btrfs_root___fw *root;
	struct inode vfs_inode;
} __attribute__((preserve_access_index));

/*
 * The device of a btrfs inode (its address) as stat reports it: its
 * subvolume's own (anonymous) device. Inode numbers start again in each
 * subvolume and a generation is a transaction's number, so two files of
 * one btrfs may differ by their subvolume alone; their super block is the
 * same. sb_dev where btrfs's types are unknown (a module loaded after the
 * programs were). A global function, in each object (__weak: the linker
 * keeps one), which the verifier walks once; callers ask only for an
 * inode of btrfs.
 */
__weak __noinline __u32 fw_btrfs_inode_dev(__u64 inode, __u32 sb_dev)
{
	struct btrfs_inode___fw *bi;
	dev_t dev;

	if (!bpf_core_type_exists(struct btrfs_inode___fw))
		return sb_dev;
	bi = (void *)(inode - bpf_core_field_offset(struct btrfs_inode___fw,
						    vfs_inode));
	dev = BPF_CORE_READ(bi, root, anon_dev);
	return dev ? dev : sb_dev;
}

/* A kernel pointer as a number, for a global function: a typed pointer
 * (the typed object's reads, a BTF tracepoint's arguments) is not one,
 * but the bytes that hold it are */
static __always_inline __u64 pointer_value(void *ptr)
{
	__u64 value = 0;

	bpf_probe_read_kernel(&value, sizeof(value), &ptr);
	return value;
}

/* inode_key for any file system: the device is the super block's. Returns
 * the file system's magic number when asked for it, else 0 */
static __always_inline unsigned long
inode_key_sb(struct inode *inode, struct fw_file_key *key, bool magic_wanted)
{
	unsigned long magic = 0;

	if (fw_typed_reads) {
		struct inode *typed = fw_typed(inode, struct inode);

		key->ino = typed->i_ino;
		key->dev = typed->i_sb->s_dev;
		key->gen = typed->i_generation;
		if (magic_wanted)
			magic = typed->i_sb->s_magic;
		/* the verifier wants each load to see one kind of pointer:
		 * the compiler must not merge these stores and loads with
		 * like ones from a map value on another branch */
		asm volatile("" ::: "memory");
	} else {
		struct super_block *sb = BPF_CORE_READ(inode, i_sb);

		key->ino = BPF_CORE_READ(inode, i_ino);
		key->dev = BPF_CORE_READ(sb, s_dev);
		key->gen = BPF_CORE_READ(inode, i_generation);
		if (magic_wanted)
			magic = BPF_CORE_READ(sb, s_magic);
	}
	return magic;
}

/* An inode's key: its number, its device as stat reports it (which user
 * space compares) and its generation (a number used again is another
 * file) */
static __always_inline void inode_key(struct inode *inode,
				      struct fw_file_key *key)
{
	if (inode_key_sb(inode, key, true) == FW_BTRFS_MAGIC)
		key->dev = fw_btrfs_inode_dev(pointer_value(inode), key->dev);
}

/* The key of a socket's or a pty's inode, whose file systems are not
 * btrfs: without inode_key's question (and its branch, which the verifier
 * walks twice) on a send's path */
static __always_inline void pseudo_inode_key(struct inode *inode,
					     struct fw_file_key *key)
{
	inode_key_sb(inode, key, false);
}

static __always_inline __u32 inode_mode_type(struct inode *inode)
{
	if (fw_typed_reads) {
		__u32 mode = fw_typed(inode, struct inode)->i_mode;

		asm volatile("" ::: "memory"); /* see inode_key */
		return mode & FW_S_IFMT;
	}
	return BPF_CORE_READ(inode, i_mode) & FW_S_IFMT;
}

/* The magic number of inode's file system (which one it is) */
static __always_inline unsigned long inode_fs_magic(struct inode *inode)
{
	if (fw_typed_reads) {
		unsigned long magic =
			fw_typed(inode, struct inode)->i_sb->s_magic;

		asm volatile("" ::: "memory"); /* see inode_key */
		return magic;
	}
	return BPF_CORE_READ(inode, i_sb, s_magic);
}

/* watched_filter's slot of an inode number: the high bits of a
 * multiplicative (Fibonacci) hash */
static __always_inline __u32 ino_slot(__u64 ino)
{
	return (ino * 0x9e3779b97f4a7c15ULL) >> (64 - FW_INODE_FILTER_BITS);
}

/* An inode's slot, by its number. Not by its address, watched_inodes'
 * key: in the typed object that is a typed pointer, on which the verifier
 * allows no arithmetic but adding and subtracting. */
static __always_inline __u32 inode_slot(struct inode *inode)
{
	__u64 ino;

	if (fw_typed_reads) {
		ino = fw_typed(inode, struct inode)->i_ino;
		asm volatile("" ::: "memory"); /* see inode_key */
	} else {
		ino = BPF_CORE_READ(inode, i_ino);
	}
	return ino_slot(ino);
}

/* May the inode have a watched_inodes entry? false: it has none */
static __always_inline bool inode_maybe_watched(struct inode *inode)
{
	return filter_maybe(&watched_filter, inode_slot(inode));
}

/* Add or replace the inode's watched_inodes entry, its filter bit first,
 * so that a reader that finds the entry finds the bit */
static __always_inline void inode_watch(struct inode *inode,
					const struct fw_file_key *key)
{
	__u64 addr = (__u64)inode;

	filter_set(&watched_filter, inode_slot(inode));
	lru_put(&watched_inodes, FW_LRU_WATCHED_INODES, &addr, key, true);
}

/* May the file (its identity) have a watched_files entry? false: none */
static __always_inline bool file_maybe_watched(const struct fw_file_key *key)
{
	return filter_maybe(&watched_filter, ino_slot(key->ino));
}

/* Put the file in watched_files (lru_put), its filter bit first */
static __always_inline long file_watch(const struct fw_file_key *key,
				       const __u32 *match, bool replace)
{
	filter_set(&watched_filter, ino_slot(key->ino));
	return lru_put(&watched_files, FW_LRU_WATCHED_FILES, key, match,
		       replace);
}

/*
 * Write the absolute path of (dentry, vfsmount) into buf, backwards from
 * FW_PATH_MAX - 1, crossing mount points up to the root of the mount
 * namespace. Returns the offset where the path starts.
 *
 * Verifier notes: every iteration has the same shape (cross a mount root
 * if at one, then emit one name) so that the two branches rejoin within
 * the iteration and the loop verifies in linear time; the masks on the
 * offsets prove every write stays inside the FW_PATH_BUF-sized buffer.
 */
static __always_inline __u32 build_path(struct dentry *dentry,
					struct vfsmount *vfsmnt, char *buf)
{
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	__u32 pos = FW_PATH_MAX - 1;
	int i;

	buf[FW_PATH_MAX - 1] = '\0';
	for (i = 0; i < FW_PATH_DEPTH; i++) {
		struct dentry *parent;
		struct qstr name;

		if (dentry == mnt_root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt)
				break;
			/* continue from the directory this mount covers */
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
		}
		parent = BPF_CORE_READ(dentry, d_parent);
		if (parent == dentry)
			break;
		name = BPF_CORE_READ(dentry, d_name);
		if (name.len >= FW_NAME_MAX || name.len + 1 > pos) {
			stat_add(FW_STAT_PATH_TRUNCATED, 1);
			break;
		}
		pos -= name.len;
		bpf_probe_read_kernel(&buf[pos & (FW_PATH_MAX - 1)],
				      name.len & (FW_NAME_MAX - 1), name.name);
		pos -= 1;
		buf[pos & (FW_PATH_MAX - 1)] = '/';
		dentry = parent;
	}
	if (pos == FW_PATH_MAX - 1) {
		pos -= 1;
		buf[pos & (FW_PATH_MAX - 1)] = '/';
	}
	return pos;
}

static __always_inline __u32 build_file_path(struct file *file, char *buf)
{
	return build_path(BPF_CORE_READ(file, f_path.dentry),
			  BPF_CORE_READ(file, f_path.mnt), buf);
}

#endif /* FW_COMMON_BPF_H */
