/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared memory: data stored into a shared mapping reaches every process
 * that maps the same pages, without a syscall. Every kind of shared memory
 * a process can set up is a shmem (tmpfs) file underneath: a memfd, a
 * /dev/shm file (shm_open), a SysV segment (shmat maps the segment's
 * shmem file) and an anonymous MAP_SHARED region (shmem_zero_setup), which
 * a child forked later shares with its parent. The mapping's file is found
 * from its address (bpf_find_vma) at mmap/shmat exit, so all of them are
 * one case: process P maps inode X shared.
 *
 * Followed conservatively, since the stores themselves are not seen:
 * - a tainted process that maps X shared and may write it (VM_MAYWRITE,
 *   so a later mprotect is covered) makes X a carrier at once;
 * - a process that maps a carrier X reads it (mmap of a descriptor already
 *   counts as a read; shmat here);
 * - the order can be the other way round: the receiver mapped X (or was
 *   forked with it) before the writer read the log. So membership is
 *   recorded: shared_members holds, per process, the shmem inodes it maps
 *   shared. A member that becomes tainted marks the inodes it may write as
 *   carriers; a member that is not tainted, when it sends or writes, first
 *   checks whether one of its inodes is a carrier and if so reads it (is
 *   tainted with that carrier as origin) before the send is judged.
 * Until a shmem file is a carrier a send pays an array read (inlined by
 * the JIT); then a process with no shared shmem mapping pays one lookup
 * per send; shared mappings of processes that never meet a tainted one
 * (systemd's, a display server's) cause nothing. Mappings removed with munmap or shmdt
 * stay members until exec or exit: at worst a false taint, never a miss.
 */
#ifndef FW_SHARED_BPF_H
#define FW_SHARED_BPF_H

#include "io.bpf.h"

#define FW_VM_SHARED 0x00000008
#define FW_VM_MAYWRITE 0x00000020

/* What bpf_find_vma found at an address */
struct fw_vma {
	__u64 file; /* struct file *, 0 for anonymous private memory */
	__u64 start;
	__u64 end;
	__u64 flags;
};

static long vma_found(struct task_struct *task, struct vm_area_struct *vma,
		      void *ctx)
{
	struct fw_vma *v = ctx;

	v->file = (__u64)BPF_CORE_READ(vma, vm_file);
	v->start = BPF_CORE_READ(vma, vm_start);
	v->end = BPF_CORE_READ(vma, vm_end);
	v->flags = BPF_CORE_READ(vma, vm_flags);
	return 0;
}

#define FW_EBUSY 16

/* The current process's mapping of a file at addr; false when none. Its
 * address space busy (bpf_find_vma only tries the lock) is counted. */
static __always_inline bool vma_at(__u64 addr, struct fw_vma *v)
{
	long err =
		bpf_find_vma(bpf_get_current_task_btf(), addr, vma_found, v, 0);

	if (err == -FW_EBUSY)
		stat_add(FW_STAT_SHARED_UNFOLLOWED, 1);
	return !err && v->file;
}

/* The file mapped at a member entry's address, if it is still the entry's
 * inode (0: any): the address may have been unmapped and reused since */
static __always_inline struct file *member_file(const struct fw_shared_map *m,
						struct fw_vma *v)
{
	struct file *file;

	if (!vma_at(m->addr, v))
		return NULL;
	file = (struct file *)v->file;
	if (m->inode && (__u64)file_inode(file) != m->inode)
		return NULL;
	return file;
}

/* The current process's membership, NULL when it has none; an entry left
 * by an earlier process with the same pid is dropped */
static __always_inline struct fw_shared *shared_of(__u32 tgid)
{
	struct fw_shared *s = bpf_map_lookup_elem(&shared_members, &tgid);

	if (s && s->start_ns != current_start_ns()) {
		bpf_map_delete_elem(&shared_members, &tgid);
		return NULL;
	}
	return s;
}

/* Mark a shared mapping the tainted current process may write: what it
 * holds may be in there now. Returns whether it is a carrier. */
__noinline int fw_shared_mark(__u64 addr, __u64 inode)
{
	struct fw_shared_map m = { .addr = addr, .inode = inode };
	struct fw_pending p = { .carrier_type = FW_CARRIER_FILE };
	struct fw_vma v = {};
	struct file *file = member_file(&m, &v);

	if (!file || !mark_carrier(file, file_inode(file), &p))
		return 0;
	carry_done(&p, bpf_get_current_pid_tgid(), v.end - v.start,
		   bpf_ktime_get_boot_ns());
	return 1;
}

/* The current process, a member of shared mappings, is tainted now: the
 * shmem files it may write become carriers (once each) */
__noinline int fw_shared_spread(__u32 tgid)
{
	struct fw_shared *s = shared_of(tgid);
	__u32 i;

	if (!s)
		return 0;
	for (i = 0; i < FW_SHARED_MAX; i++) {
		struct fw_shared_map *m = &s->maps[i];

		if (i >= s->count)
			break;
		if (!m->writable || m->marked)
			continue;
		if (fw_shared_mark(m->addr, m->inode))
			m->marked = 1;
	}
	return 0;
}

/* After a handler that returned whether the current process read a watched
 * file or carrier (called at the top level of the program, so that the
 * handler's stack and the marking's are not added up) */
static __always_inline int shared_after_read(int read)
{
	__u32 tgid;

	if (!read)
		return 0; /* every read of an unwatched file */
	tgid = current_tgid();
	if (bpf_map_lookup_elem(&shared_members, &tgid))
		fw_shared_spread(tgid);
	return 0;
}

/*
 * The current process, a member of shared mappings, is about to send or
 * write. If it is not tainted and one of its shmem files is a carrier, it
 * reads that carrier now (the whole mapping), so that the send is judged
 * as a tainted process's. Returns whether it is tainted.
 */
__noinline int fw_shared_receive(__u32 tgid)
{
	struct fw_pending p = {};
	struct fw_shared_map m = {};
	struct fw_shared *s = shared_of(tgid);
	struct fw_vma v = {};
	struct file *file;
	__u32 i;

	if (!s || is_tainted(tgid))
		return 0;
	for (i = 0; i < FW_SHARED_MAX; i++) {
		if (i >= s->count)
			break;
		if (bpf_map_lookup_elem(&watched_inodes, &s->maps[i].inode)) {
			m = s->maps[i];
			break;
		}
	}
	if (!m.inode)
		return 0;
	file = member_file(&m, &v);
	if (!file || !file_read_watched(file, &p))
		return 0;
	/* its own writable mappings are not marked from here (6.1 refuses
	 * the stack of one more call level): that waits for its next read
	 * of a log or carrier, or its next mmap */
	file_read_done(&p, bpf_get_current_pid_tgid(), v.end - v.start,
		       bpf_ktime_get_boot_ns());
	return is_tainted(tgid);
}

/*
 * Before a send or a write is judged (the caller, at sys_enter, so that
 * the stack of this call and of the send's handler are not added up): an
 * array read while no shmem file is a carrier, then one lookup for a
 * process that maps no shared shmem file.
 */
static __always_inline void shared_before_send(void)
{
	__u32 tgid, zero = 0;
	__u64 *any = bpf_map_lookup_elem(&shmem_carriers, &zero);

	if (!any || !*any)
		return; /* no shared memory carries anything (inlined) */
	tgid = current_tgid();
	if (bpf_map_lookup_elem(&shared_members, &tgid))
		fw_shared_receive(tgid);
}

/* Record that tgid maps the shmem inode at addr (writable: it may store
 * into it). Counted when it cannot be recorded. */
__noinline int fw_shared_join(__u32 tgid, __u64 addr, __u64 inode,
			      long writable)
{
	struct fw_shared *s = shared_of(tgid);
	__u32 i, slot, zero = 0;

	if (!s) {
		/* a new entry, built off the stack (it is big) */
		s = bpf_map_lookup_elem(&shared_scratch, &zero);
		if (s) {
			s->start_ns = current_start_ns();
			s->count = 0;
			bpf_map_update_elem(&shared_members, &tgid, s,
					    BPF_NOEXIST);
		}
		s = bpf_map_lookup_elem(&shared_members, &tgid);
		if (!s) {
			stat_add(FW_STAT_SHARED_UNFOLLOWED, 1);
			return false;
		}
	}
	for (i = 0; i < FW_SHARED_MAX; i++) {
		if (i >= s->count)
			break;
		if (s->maps[i].inode == inode) {
			/* mapped again: the latest address, the widest
			 * access */
			s->maps[i].addr = addr;
			s->maps[i].writable |= writable;
			if (writable)
				s->maps[i].marked = 0;
			return true;
		}
	}
	/* two threads mapping at once may take the same slot: one mapping
	 * is then not recorded (the cpu v1 target has no fetch-and-add) */
	slot = s->count;
	if (slot >= FW_SHARED_MAX) {
		stat_add(FW_STAT_SHARED_UNFOLLOWED, 1);
		return false;
	}
	s->count = slot + 1;
	s->maps[slot].addr = addr;
	s->maps[slot].inode = inode;
	s->maps[slot].writable = writable;
	s->maps[slot].marked = 0;
	return true;
}

/* mremap moved the current process's mapping at from to to: a member
 * entry follows it (the receive check looks for the file at its address) */
static __always_inline int shared_moved(__u64 from, __u64 to)
{
	__u32 tgid = current_tgid(), i;
	struct fw_shared *s;

	if (from == to)
		return 0;
	s = bpf_map_lookup_elem(&shared_members, &tgid);
	if (!s)
		return 0;
	for (i = 0; i < FW_SHARED_MAX; i++) {
		if (i >= s->count)
			break;
		if (s->maps[i].addr == from)
			s->maps[i].addr = to;
	}
	return 0;
}

/* What is left to do after fw_shared_exit, at the program's top level */
enum fw_shared_todo {
	FW_SHARED_NOTHING,
	FW_SHARED_SPREAD, /* a tainted member: mark what it may write */
	FW_SHARED_MARK, /* a tainted non-member maps a file it may write */
};

/*
 * mmap or shmat returned addr, a new mapping of the current process. If
 * it is shared and backed by a file: a carrier mapped counts as read
 * (reads: shmat; for mmap of a descriptor the caller counted the read); a
 * shmem file makes the process a member; a tainted process that may write
 * the file makes it a carrier (returned as what is left to do).
 */
__noinline int fw_shared_exit(__u64 addr, long reads)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct fw_pending p = {};
	struct fw_vma v = {};
	struct inode *inode;
	struct file *file;
	bool writable, joined;

	if (tgid == fw_self_tgid)
		return FW_SHARED_NOTHING;
	if (!vma_at(addr, &v) || !(v.flags & FW_VM_SHARED))
		return FW_SHARED_NOTHING;
	file = (struct file *)v.file;
	writable = v.flags & FW_VM_MAYWRITE;
	if (reads && file_read_watched(file, &p))
		file_read_done(&p, id, v.end - v.start,
			       bpf_ktime_get_boot_ns());
	inode = file_inode(file);
	joined = inode_fs_magic(inode) == FW_TMPFS_MAGIC &&
		 fw_shared_join(tgid, addr, (__u64)inode, writable);
	if (!is_tainted(tgid))
		return FW_SHARED_NOTHING;
	/* a member's marks are kept in its entry, so that each is made once */
	if (joined)
		return FW_SHARED_SPREAD;
	return writable ? FW_SHARED_MARK : FW_SHARED_NOTHING;
}

static __always_inline int shared_mapped(__u64 addr, long reads)
{
	switch (fw_shared_exit(addr, reads)) {
	case FW_SHARED_SPREAD:
		fw_shared_spread(current_tgid());
		break;
	case FW_SHARED_MARK:
		fw_shared_mark(addr, 0);
		break;
	}
	return 0;
}

#endif /* FW_SHARED_BPF_H */
