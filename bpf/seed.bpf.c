// SPDX-License-Identifier: GPL-2.0
/*
 * Files already open when the tracer starts: a ground-station program may
 * have opened its flight log long before. The loader runs this iterator
 * once, after the rules are in the maps; every open regular file of every
 * task is classified as if it were being opened now, so that later reads
 * of it count.
 *
 * The loader also runs it over its own task alone, holding O_PATH
 * descriptors of the files under the watched directories: that is how
 * they become known by inode before anything opens them (hard links,
 * renames). So the collector's own files are not skipped here.
 */
#include "common.bpf.h"
#include "files.bpf.h"

SEC("iter/task_file")
int fw_seed_files(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;

	if (!task || !file)
		return 0;
	classify_file(file);
	return 0;
}
