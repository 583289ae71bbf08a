// SPDX-License-Identifier: GPL-2.0
/*
 * Process lifecycle: exec, fork and exit, so that the collector knows
 * every process, even one that lives for a millisecond, and so that taint
 * follows a process into its children.
 *
 * BTF tracepoints: no tracefs needed, arguments are typed kernel pointers.
 */
#include "common.bpf.h"

/* TP_PROTO(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(fw_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct fw_exec_event *e;
	unsigned long arg_start, arg_end, len;
	struct file *exe;
	__u32 tgid;

	/* the old image's shared mappings are gone */
	tgid = id >> 32;
	bpf_map_delete_elem(&shared_members, &tgid);

	e = event_reserve(sizeof(*e), FW_EV_EXEC, id >> 32, (__u32)id);
	if (!e)
		return 0;
	e->ppid = BPF_CORE_READ(p, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));

	/* argv of the new image, already copied onto its stack */
	arg_start = BPF_CORE_READ(p, mm, arg_start);
	arg_end = BPF_CORE_READ(p, mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > FW_ARGS_MAX - 1)
		len = FW_ARGS_MAX - 1;
	e->args_len = 0;
	if (len && !bpf_probe_read_user(e->args, len & (FW_ARGS_MAX - 1),
					(void *)arg_start))
		e->args_len = len;

	/* The executable as opened by exec, resolved to an absolute path,
	 * whatever (relative, symlinked) name the caller used */
	exe = BPF_CORE_READ(bprm, file);
	e->exe_off = build_file_path(exe, e->path);
	event_submit(e);
	return 0;
}

/* TP_PROTO(struct task_struct *parent, struct task_struct *child) */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(fw_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 child_tgid = BPF_CORE_READ(child, tgid);
	__u32 child_pid = BPF_CORE_READ(child, pid);
	__u32 parent_tgid = BPF_CORE_READ(parent, tgid);
	struct fw_shared *shared;
	struct fw_fork_event *e;
	struct fw_taint *t;

	/* A new thread is not a new process; a tainted one's is noted, for
	 * process_vm_readv naming it */
	if (child_pid != child_tgid) {
		if (bpf_map_lookup_elem(&tainted, &child_tgid))
			bpf_map_update_elem(&threads, &child_pid, &child_tgid,
					    BPF_ANY);
		return 0;
	}

	/* Children inherit what their parent carries */
	t = bpf_map_lookup_elem(&tainted, &parent_tgid);
	if (t) {
		struct fw_taint inherited = *t;

		inherited.start_ns = BPF_CORE_READ(child, start_boottime);
		taint_put(&child_tgid, &inherited, true);
	}

	/* and share what it maps shared (shared.bpf.h): an anonymous
	 * MAP_SHARED region is how a parent hands data to a child */
	shared = bpf_map_lookup_elem(&shared_members, &parent_tgid);
	if (shared) {
		struct fw_shared copy = *shared;

		copy.start_ns = BPF_CORE_READ(child, start_boottime);
		if (bpf_map_update_elem(&shared_members, &child_tgid, &copy,
					BPF_ANY))
			stat_add(FW_STAT_SHARED_UNFOLLOWED, 1);
	}

	e = event_reserve(sizeof(*e), FW_EV_FORK, child_tgid, child_pid);
	if (!e)
		return 0;
	/* the header has the parent's (the current task's) */
	e->hdr.start_ns = BPF_CORE_READ(child, start_boottime);
	e->ppid = parent_tgid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
	event_submit(e);
	return 0;
}

/* TP_PROTO(struct task_struct *p) */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(fw_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	__u32 pid = BPF_CORE_READ(p, pid);
	struct fw_exit_event *e;

	/*
	 * A process ends with its last thread, not with its leader: a leader
	 * that calls pthread_exit() leaves the others running, with the data.
	 * do_exit() has decremented signal->live before this tracepoint (as
	 * Tetragon relies on too): 0 means no thread of the group is left.
	 */
	if (BPF_CORE_READ(p, signal, live.counter))
		return 0;
	lru_delete(&tainted, FW_LRU_TAINTED, &tgid);
	/* after the entry: a taint racing with the end (a peek into the
	 * ending process) leaves an entry of the process that ended, which
	 * the next one with its pid would not take anyway (start_ns) */
	filter_clear(&tainted_filter, tgid);
	bpf_map_delete_elem(&shared_members, &tgid);

	e = event_reserve(sizeof(*e), FW_EV_EXIT, tgid, pid);
	if (!e)
		return 0;
	e->exit_code = BPF_CORE_READ(p, exit_code);
	e->pad = 0;
	event_submit(e);
	return 0;
}
