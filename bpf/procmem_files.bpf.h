/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recognising /proc/PID/mem files (and /proc/PID/task/TID/mem) cheaply.
 *
 * Recognising one by its file system and name takes three dependent loads
 * and a string, too much for every open. So the first one opened is
 * recognised that way and its file operations' address is kept; from then
 * on an open compares one pointer. proc_mem_operations is static in the
 * kernel and not in kallsyms without CONFIG_KALLSYMS_ALL, so it cannot be
 * resolved at load instead. The loader opens /proc/self/mem at start
 * (loader_seed.c) so that the address is known from the beginning.
 *
 * Reads are far more frequent than opens, and only reads of these files
 * matter to procmem.bpf.h: so their inodes are put in watched_inodes
 * (under dev 0, FW_PROC_MEM_GEN) when opened, through io_uring too, or
 * found open at start, and every other read pays only the one lookup it
 * makes anyway. The mark is by inode, so a descriptor passed to another
 * process or taken with pidfd_getfd is recognised there as well.
 */
#ifndef FW_PROCMEM_FILES_BPF_H
#define FW_PROCMEM_FILES_BPF_H

#include "common.bpf.h"

#define FW_PROC_SUPER_MAGIC 0x9fa0

/* A read of a marked file returned data, a tainted process writes to one:
 * the reader holds PID's memory, PID holds the writer's (global
 * functions of syscalls.bpf.c, called from io_uring's submissions too) */
__noinline int fw_proc_mem_read(__u64 file_addr);
__noinline int fw_proc_mem_write(__u64 file_addr);

/* The f_op of /proc/PID/mem files, once one was opened (0: none yet) */
__u64 fw_proc_mem_fops __weak = 0;

/* At open: learn the f_op if file is procfs's regular file "mem" */
static __always_inline void proc_mem_learn(struct file *file)
{
	struct inode *inode;
	char name[4] = {};

	if (fw_proc_mem_fops || !file)
		return;
	inode = file_inode(file);
	if (inode_fs_magic(inode) != FW_PROC_SUPER_MAGIC ||
	    (BPF_CORE_READ(inode, i_mode) & FW_S_IFMT) != FW_S_IFREG)
		return;
	bpf_probe_read_kernel_str(name, sizeof(name),
				  BPF_CORE_READ(file, f_path.dentry,
						d_name.name));
	if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && !name[3])
		fw_proc_mem_fops = (__u64)BPF_CORE_READ(file, f_op);
}

static __always_inline bool is_proc_mem(struct file *file)
{
	__u64 ops;

	if (!fw_proc_mem_fops || !file)
		return false;
	if (fw_typed_reads) {
		ops = (__u64)fw_typed(file, struct file)->f_op;
		asm volatile("" ::: "memory"); /* see inode_key */
	} else {
		ops = (__u64)BPF_CORE_READ(file, f_op);
	}
	return ops == fw_proc_mem_fops;
}

/* A tainted process writes to file: when it is another process's memory,
 * that process holds the writer's data (fw_proc_mem_write). Returns true
 * then. The test comes first, inline: a global function's call and return
 * cost about as much as the test on kernels with return thunks, and every
 * send of a tainted process asks. */
static __always_inline bool proc_mem_written(struct file *file)
{
	return is_proc_mem(file) && fw_proc_mem_write((__u64)file);
}

/* file (a regular file opened, or found open at start) is a /proc/PID/mem:
 * mark its inode so that its reads take the peek path. True when it is. */
static __always_inline bool proc_mem_known(struct file *file,
					   struct inode *inode)
{
	struct fw_file_key key = { .dev = 0, .gen = FW_PROC_MEM_GEN };

	if (!is_proc_mem(file))
		return false;
	key.ino = BPF_CORE_READ(inode, i_ino);
	inode_watch(inode, &key);
	return true;
}

#endif /* FW_PROCMEM_FILES_BPF_H */
