/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Other processes' memory: which process a /proc/PID/mem file (or
 * /proc/PID/task/TID/mem) opens onto, which tracee a ptrace request names,
 * and which process a pid names, for the peek and poke handlers of
 * syscalls.bpf.c.
 *
 * Which files are /proc/PID/mem files: procmem_files.bpf.h.
 */
#ifndef FW_PROCMEM_BPF_H
#define FW_PROCMEM_BPF_H

#include "common.bpf.h"
#include "procmem_files.bpf.h"

/* Steps of a walk of every thread (one per thread and per process):
 * enough for a ground station; bounded for the verifier. Only writes into
 * another process by a tainted one walk. */
#define FW_TASK_WALK_MAX 131072
/* A debugger traces a handful of tasks at once */
#define FW_PTRACED_MAX 64

/* The task a /proc/PID/mem file opens onto, or NULL when file is not one
 * (or its task is gone). One load when it is not. */
static __always_inline struct task_struct *proc_mem_task(struct file *file)
{
	struct hlist_node *first;
	struct inode *inode;
	struct pid *pid;

	if (!is_proc_mem(file))
		return NULL;
	inode = file_inode(file);
	/* the inode is the vfs_inode of a struct proc_inode */
	pid = BPF_CORE_READ(
		(struct proc_inode *)((void *)inode -
				      bpf_core_field_offset(struct proc_inode,
							    vfs_inode)),
		pid);
	if (!pid)
		return NULL;
	first = BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);
	if (!first)
		return NULL;
	return (void *)first -
	       bpf_core_field_offset(struct task_struct, pid_links);
}

/* A pid number a syscall took names a task of the caller's pid
 * namespace; the tasks' own numbers are the initial namespace's */
static __always_inline bool caller_in_init_pid_ns(void)
{
	struct task_struct *me = bpf_get_current_task_btf();

	return BPF_CORE_READ(me, thread_pid, level) == 0;
}

/* The caller's tracee of thread id tid (a ptrace request's pid), or NULL */
static __always_inline struct task_struct *tracee_of(__u32 tid)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct list_head *head = &me->ptraced, *pos;
	struct task_struct *t;
	int i;

	pos = BPF_CORE_READ(me, ptraced.next);
	for (i = 0; i < FW_PTRACED_MAX && pos && pos != head; i++) {
		t = (void *)pos -
		    bpf_core_field_offset(struct task_struct, ptrace_entry);
		if (BPF_CORE_READ(t, pid) == tid)
			return t;
		pos = BPF_CORE_READ(pos, next);
	}
	return NULL;
}

/* A walk of every thread of every process: the process list from the
 * caller's leader, and each process's threads (signal->thread_head) */
struct task_walk {
	struct task_struct *first; /* the leader the walk started at */
	struct task_struct *leader; /* the process whose threads are walked */
	struct list_head *head; /* its signal->thread_head */
	struct list_head *pos; /* its thread walked next (head: none left) */
	struct task_struct *found;
	__u32 tid;
};

/* pos, head: the thread list of leader */
static __always_inline void task_walk_enter(struct task_walk *w,
					    struct task_struct *leader)
{
	struct signal_struct *sig = BPF_CORE_READ(leader, signal);

	w->leader = leader;
	w->head = (void *)sig +
		  bpf_core_field_offset(struct signal_struct, thread_head);
	w->pos = sig ? BPF_CORE_READ(sig, thread_head.next) : w->head;
}

static long task_walk_step(__u32 i, void *ctx)
{
	struct task_walk *w = ctx;
	/* locals: CO-RE would relocate w->... inside BPF_CORE_READ */
	struct list_head *pos = w->pos;
	struct task_struct *leader = w->leader, *t;
	struct list_head *next;

	if (pos && pos != w->head) {
		t = (void *)pos -
		    bpf_core_field_offset(struct task_struct, thread_node);
		if (BPF_CORE_READ(t, pid) == w->tid) {
			w->found = t;
			return 1;
		}
		w->pos = BPF_CORE_READ(pos, next);
		return 0;
	}
	/* this process's threads are done: the next process */
	next = BPF_CORE_READ(leader, tasks.next);
	if (!next)
		return 1;
	leader =
		(void *)next - bpf_core_field_offset(struct task_struct, tasks);
	if (leader == w->first)
		return 1;
	task_walk_enter(w, leader);
	return 0;
}

/*
 * The task of thread id tid (a process id is its leader's), found by
 * walking every thread from the caller's process on: kernels before 6.2
 * have no bpf_task_from_pid, and one program must load on all of them.
 * About two loads per thread, paid only by writes into another process
 * from a tainted one.
 */
static __always_inline struct task_struct *task_of(__u32 tid)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct task_walk w = { .tid = tid };

	w.first = BPF_CORE_READ(me, group_leader);
	task_walk_enter(&w, w.first);
	bpf_loop(FW_TASK_WALK_MAX, task_walk_step, &w, 0);
	return w.found;
}

#endif /* FW_PROCMEM_BPF_H */
