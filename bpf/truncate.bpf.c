// SPDX-License-Identifier: GPL-2.0
/*
 * truncate(path, 0) ends a carrier's mark as ftruncate(fd, 0) does
 * (files.bpf.h inode_emptied). The syscall hooks see only the path; the
 * inode shows up inside the call. While a thread is in truncate(path, 0)
 * (the flag syscalls.bpf.c sets at enter and clears at exit), the inode
 * whose cached pages the call drops, or that ext4 truncates, is the one
 * being emptied:
 *
 *   do_sys_truncate -> vfs_truncate -> do_truncate -> notify_change
 *     -> ext4_setattr, shmem_setattr, xfs_setattr_size, btrfs_setsize:
 *        i_size_write(inode, 0), then the page cache is cut:
 *        truncate_pagecache -> delete_from_page_cache_batch (tmpfs:
 *        shmem_undo_range -> filemap_remove_folio), each folio firing
 *        mm_filemap_delete_from_page_cache
 *     -> ext4 then frees the blocks: ext4_truncate fires
 *        ext4_truncate_enter, cached or not
 *
 * So a file with no page in the cache on a file system other than ext4 is
 * not seen (docs/threat-model.md). The size, already 0 when these fire,
 * tells the file from another whose pages reclaim drops in the same
 * thread meanwhile.
 */
#include "common.bpf.h"
#include "files.bpf.h"

static __always_inline void emptying(struct inode *inode)
{
	struct fw_pending *pp;

	pp = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
	if (!pp || !(pp->kind & FW_PENDING_EMPTYING))
		return;
	if (!inode || BPF_CORE_READ(inode, i_size) != 0 ||
	    inode_mode_type(inode) != FW_S_IFREG)
		return;
	inode_emptied(inode);
}

/* Every folio leaving any page cache comes here (reclaim, unlink): one
 * load when no thread is truncating by path. TP_PROTO(struct folio *folio) */
SEC("tp_btf/mm_filemap_delete_from_page_cache")
int BPF_PROG(fw_emptied_pages, struct folio *folio)
{
	if (!fw_emptying)
		return 0;
	emptying(BPF_CORE_READ(folio, mapping, host));
	return 0;
}

/* TP_PROTO(struct inode *inode) */
SEC("tp_btf/ext4_truncate_enter")
int BPF_PROG(fw_emptied_ext4, struct inode *inode)
{
	if (!fw_emptying)
		return 0;
	emptying(inode);
	return 0;
}
