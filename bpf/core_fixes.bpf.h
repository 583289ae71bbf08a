/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Older layouts of kernel structures, as CO-RE flavours: a type named
 * TYPE___SUFFIX matches the kernel's TYPE by field names, so a program
 * reads whichever layout the running kernel has, tested with
 * bpf_core_field_exists(). Each flavour names the kernel change after
 * which it no longer applies (as bcc's libbpf-tools core_fixes.bpf.h does).
 */
#ifndef FW_CORE_FIXES_BPF_H
#define FW_CORE_FIXES_BPF_H

#include "vmlinux.h"

/*
 * io_kiocb->task: before 6.13 a request named its task itself; commit
 * b6f58a3f4aa8 ("io_uring: move struct io_kiocb from task_struct to
 * io_uring_task") moved it to req->tctx->task.
 */
struct io_kiocb___pre613 {
	struct task_struct *task;
} __attribute__((preserve_access_index));

/*
 * The ring's table of registered files: up to 6.12 an array of
 * io_fixed_file (file_table.files) bounded by ctx->nr_user_files; commit
 * 7029acd8a950 ("io_uring/rsrc: get rid of per-ring io_rsrc_node list",
 * 6.13) made it io_rsrc_node pointers (file_table.data.nodes, data.nr).
 * Both keep flags in the low bits of the file pointer.
 */
struct io_fixed_file___pre613 {
	unsigned long file_ptr;
} __attribute__((preserve_access_index));

struct io_file_table___pre613 {
	struct io_fixed_file___pre613 *files;
} __attribute__((preserve_access_index));

struct io_ring_ctx___pre613 {
	struct io_file_table___pre613 file_table;
	unsigned int nr_user_files;
} __attribute__((preserve_access_index));

#endif /* FW_CORE_FIXES_BPF_H */
