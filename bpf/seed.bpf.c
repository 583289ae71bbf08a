// SPDX-License-Identifier: GPL-2.0
/*
 * Files already open when the tracer starts: a ground-station program may
 * have opened its flight log long before. The loader runs this iterator
 * once, after the rules are in the maps; every open regular file of every
 * task is classified as if it were being opened now, so that later reads
 * of it count.
 */
#include "common.bpf.h"
#include "files.bpf.h"

SEC("iter/task_file")
int fw_seed_files(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;

	if (!task || !file || task->tgid == fw_self_tgid)
		return 0;
	classify_file(file);
	return 0;
}
