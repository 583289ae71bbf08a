// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kernel/hooks.h"
#include "lib/util.h"

enum hook_group {
	GROUP_URING,
	GROUP_TCP_STATE,
	GROUP_UNIX_DGRAM,
	GROUP_DNS,
	GROUP_DNS_QUERIES,
	GROUP_SEED,
	GROUP_EMPTIED_PAGES,
	GROUP_EMPTIED_EXT4,
	GROUP_DATAGRAM_DEST,
	GROUP_ENFORCE_ADDR,
	GROUP_ENFORCE_SOCKET,
	GROUP_ENFORCE_EGRESS,
	GROUP_COUNT,
};

/* What is not followed when a group is left out */
static const char *const group_lost[GROUP_COUNT] = {
	[GROUP_URING] = "io_uring requests are not followed",
	[GROUP_TCP_STATE] =
		"a closed relay flow is not forgotten until evicted",
	[GROUP_UNIX_DGRAM] = "unix datagrams sent by path are not followed",
	[GROUP_DNS] = "destinations are not named",
	[GROUP_DNS_QUERIES] = "DNS answers are not matched to the queries sent",
	[GROUP_SEED] = "files opened before the start are not seen",
	[GROUP_EMPTIED_PAGES] =
		"truncate(path) to 0 does not end a carrier's mark",
	[GROUP_EMPTIED_EXT4] =
		"truncate(path) to 0 of an uncached ext4 file does not end a carrier's mark",
	[GROUP_DATAGRAM_DEST] =
		"a datagram's destination is read from the sender's memory, which another thread can change",
	[GROUP_ENFORCE_ADDR] =
		"connects and unconnected sends of tainted processes are not refused",
	[GROUP_ENFORCE_SOCKET] =
		"raw sockets of tainted processes are not refused",
	[GROUP_ENFORCE_EGRESS] = "flows set up before the taint are not cut",
};

/*
 * The optional programs. Rows with the same hook are variants of one
 * program for different kernels (bpf/uring.bpf.c says which kernels
 * declare which signature), the first that fits is kept; tracepoint and
 * args: the BTF tracepoint and the argument count the variant is written
 * for; fentry: the kernel function of a variant that needs fentry
 * programs (the tracepoint variants come first: a stable ABI).
 */
static const struct hook_variant {
	const char *prog;
	const char *hook;
	const char *tracepoint;
	int args;
	enum hook_group group;
	const char *fentry; /* an fentry variant: the kernel function */
} variants[] = {
	{ .prog = "fw_uring_submit",
	  .hook = "tp_btf/io_uring_submit_req",
	  .tracepoint = "io_uring_submit_req",
	  .args = 1,
	  .group = GROUP_URING },
	{ .prog = "fw_uring_submit_sqe",
	  .hook = "tp_btf/io_uring_submit_req",
	  .tracepoint = "io_uring_submit_sqe",
	  .args = 2,
	  .group = GROUP_URING },
	{ .prog = "fw_uring_complete",
	  .hook = "tp_btf/io_uring_complete",
	  .tracepoint = "io_uring_complete",
	  .args = 3,
	  .group = GROUP_URING },
	{ .prog = "fw_uring_complete_args",
	  .hook = "tp_btf/io_uring_complete",
	  .tracepoint = "io_uring_complete",
	  .args = 7,
	  .group = GROUP_URING },
	{ .prog = "fw_tcp_state",
	  .hook = "tp_btf/inet_sock_set_state",
	  .tracepoint = "inet_sock_set_state",
	  .args = 3,
	  .group = GROUP_TCP_STATE },
	{ .prog = "fw_data_ready",
	  .hook = "tp_btf/sk_data_ready",
	  .tracepoint = "sk_data_ready",
	  .args = 1,
	  .group = GROUP_UNIX_DGRAM },
	{ .prog = "fw_data_ready_fentry",
	  .hook = "tp_btf/sk_data_ready",
	  .fentry = "sock_def_readable",
	  .group = GROUP_UNIX_DGRAM },
	{ .prog = "fw_dns_ingress",
	  .hook = "cgroup_skb/ingress",
	  .group = GROUP_DNS },
	/* a label of its own: the enforcement's egress program is another
	 * program on the same hook, not a variant of this one */
	{ .prog = "fw_dns_egress",
	  .hook = "cgroup_skb/egress (DNS queries)",
	  .group = GROUP_DNS_QUERIES },
	{ .prog = "fw_seed_files",
	  .hook = "iter/task_file",
	  .group = GROUP_SEED },
	{ .prog = "fw_emptied_pages",
	  .hook = "tp_btf/mm_filemap_delete_from_page_cache",
	  .tracepoint = "mm_filemap_delete_from_page_cache",
	  .args = 1,
	  .group = GROUP_EMPTIED_PAGES },
	{ .prog = "fw_emptied_ext4",
	  .hook = "tp_btf/ext4_truncate_enter",
	  .tracepoint = "ext4_truncate_enter",
	  .args = 1,
	  .group = GROUP_EMPTIED_EXT4 },
	/* labels of their own: enforcement's programs on the same hooks are
	 * others, not variants of these */
	{ .prog = "fw_datagram_dest4",
	  .hook = "cgroup/sendmsg4 (datagram destinations)",
	  .group = GROUP_DATAGRAM_DEST },
	{ .prog = "fw_datagram_dest6",
	  .hook = "cgroup/sendmsg6 (datagram destinations)",
	  .group = GROUP_DATAGRAM_DEST },
	/* enforcement (loaded only with it on): each cgroup hook refuses on
	 * its own, so one the kernel lacks leaves the others working */
	{ .prog = "fw_enforce_connect4",
	  .hook = "cgroup/connect4",
	  .group = GROUP_ENFORCE_ADDR },
	{ .prog = "fw_enforce_connect6",
	  .hook = "cgroup/connect6",
	  .group = GROUP_ENFORCE_ADDR },
	{ .prog = "fw_enforce_sendmsg4",
	  .hook = "cgroup/sendmsg4",
	  .group = GROUP_ENFORCE_ADDR },
	{ .prog = "fw_enforce_sendmsg6",
	  .hook = "cgroup/sendmsg6",
	  .group = GROUP_ENFORCE_ADDR },
	{ .prog = "fw_enforce_sock_create",
	  .hook = "cgroup/sock_create",
	  .group = GROUP_ENFORCE_SOCKET },
	{ .prog = "fw_enforce_egress",
	  .hook = "cgroup_skb/egress",
	  .group = GROUP_ENFORCE_EGRESS },
};

/* Subprograms of their own (__noinline in bpf/) that a group's
 * programs call: libbpf may name one of them, not the program, when the
 * load fails, and then each program of the group failed */
static const struct {
	const char *subprog;
	enum hook_group group;
} subprogs[] = {
	{ "fw_uring_move", GROUP_URING },
};

static const struct hook_variant *variant_of(const char *prog)
{
	for (size_t i = 0; i < FW_ARRAY_SIZE(variants); i++)
		if (!strcmp(variants[i].prog, prog))
			return &variants[i];
	/* a subprogram: the first program of its group stands for it */
	for (size_t i = 0; i < FW_ARRAY_SIZE(subprogs); i++) {
		if (strcmp(subprogs[i].subprog, prog))
			continue;
		for (size_t j = 0; j < FW_ARRAY_SIZE(variants); j++)
			if (variants[j].group == subprogs[i].group)
				return &variants[j];
	}
	return NULL;
}

bool hooks__optional(const char *prog)
{
	return variant_of(prog) != NULL;
}

bool hooks__enforcing(const char *prog)
{
	const struct hook_variant *v = variant_of(prog);

	return v && (v->group == GROUP_ENFORCE_ADDR ||
		     v->group == GROUP_ENFORCE_SOCKET ||
		     v->group == GROUP_ENFORCE_EGRESS);
}

const char *hooks__lost(const char *prog)
{
	const struct hook_variant *v = variant_of(prog);

	return v ? group_lost[v->group] : "not followed";
}

const char *hooks__label(const char *prog)
{
	const struct hook_variant *v = variant_of(prog);

	return v ? v->hook : prog;
}

bool hooks__section_optional(const char *sec)
{
	for (size_t i = 0; i < FW_ARRAY_SIZE(variants); i++) {
		const struct hook_variant *v = &variants[i];

		if (!strcmp(v->hook, sec) ||
		    (v->tracepoint && !strncmp(sec, "tp_btf/", 7) &&
		     !strcmp(sec + 7, v->tracepoint)) ||
		    (v->fentry && !strncmp(sec, "fentry/", 7) &&
		     !strcmp(sec + 7, v->fentry)))
			return true;
	}
	return false;
}

void hooks__list_add(struct fw_hook_list *list, const char *hook,
		     const char *fmt, ...)
{
	struct fw_hook_status *s;
	va_list ap;

	for (size_t i = 0; i < list->n; i++)
		if (!strcmp(list->items[i].hook, hook))
			return;
	if (list->n == list->max)
		return;
	s = &list->items[list->n++];
	s->hook = hook;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

/* Arguments of the kernel's tracepoint NAME (its btf_trace_NAME typedef
 * is a pointer to a function whose first argument is the context), or
 * -1 when the kernel has no such tracepoint */
static int tracepoint_args(const struct btf *btf, const char *name)
{
	const struct btf_type *t;
	char type_name[128];
	int id;

	snprintf(type_name, sizeof(type_name), "btf_trace_%s", name);
	id = btf__find_by_name_kind(btf, type_name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t) ? btf_vlen(t) - 1 : -1;
}

/* The refusal of v: of its program, or of a subprogram of its group */
static const struct fw_refusal *refusal_of(const struct hook_variant *v,
					   const struct fw_refusal *refused,
					   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct hook_variant *r = variant_of(refused[i].prog);

		if (!strcmp(refused[i].prog, v->prog) ||
		    (r && r->group == v->group &&
		     strcmp(r->prog, refused[i].prog)))
			return &refused[i];
	}
	return NULL;
}

/* Why variant v cannot run here, in why (empty when it can) */
static void variant_fit(const struct hook_variant *v, const struct btf *btf,
			const struct fw_refusal *refused, size_t n_refused,
			bool fentry, char *why, size_t size)
{
	const struct fw_refusal *r = refusal_of(v, refused, n_refused);
	int args;

	why[0] = '\0';
	if (r) {
		snprintf(why, size, "%s", r->reason);
		return;
	}
	if (v->fentry) {
		if (!fentry)
			snprintf(why, size,
				 "no fentry programs on this kernel");
		else if (btf && btf__find_by_name_kind(btf, v->fentry,
						       BTF_KIND_FUNC) < 0)
			snprintf(why, size, "no %s in this kernel", v->fentry);
		return;
	}
	if (!v->tracepoint)
		return;
	args = btf ? tracepoint_args(btf, v->tracepoint) : v->args;
	if (args < 0)
		snprintf(why, size, "not in this kernel");
	else if (args != v->args)
		snprintf(why, size, "declared with %d arguments in this kernel",
			 args);
}

/* The variant of hook to keep (the first that fits), or NULL and why */
static const struct hook_variant *hook_choice(const char *hook,
					      const struct btf *btf,
					      const struct fw_refusal *refused,
					      size_t n_refused, bool fentry,
					      char *why, size_t size)
{
	char first_why[sizeof(((struct fw_refusal *)0)->reason)] = "";

	for (size_t i = 0; i < FW_ARRAY_SIZE(variants); i++) {
		if (strcmp(variants[i].hook, hook))
			continue;
		variant_fit(&variants[i], btf, refused, n_refused, fentry, why,
			    size);
		if (!why[0])
			return &variants[i];
		/* the tracepoint's reason, unless a refusal says more */
		if (!first_why[0] ||
		    refusal_of(&variants[i], refused, n_refused))
			snprintf(first_why, sizeof(first_why), "%s", why);
	}
	snprintf(why, size, "%s", first_why);
	return NULL;
}

void hooks__select(struct bpf_object *obj, const struct btf *btf,
		   const struct fw_refusal *refused, size_t n_refused,
		   bool fentry, bool enforce, struct fw_hook_list *out)
{
	const char *broken_hook[GROUP_COUNT] = { 0 };
	char broken_why[GROUP_COUNT][sizeof(((struct fw_refusal *)0)->reason)];
	char why[sizeof(broken_why[0])];
	struct bpf_program *prog;
	size_t i;

	/* a group is broken by its first hook with no variant that fits */
	for (i = 0; i < FW_ARRAY_SIZE(variants); i++) {
		enum hook_group g = variants[i].group;

		if (!enforce && hooks__enforcing(variants[i].prog))
			continue; /* not loaded: nothing to report */
		if (broken_hook[g] ||
		    hook_choice(variants[i].hook, btf, refused, n_refused,
				fentry, why, sizeof(why)))
			continue;
		broken_hook[g] = variants[i].hook;
		snprintf(broken_why[g], sizeof(broken_why[g]), "%s", why);
	}
	for (i = 0; i < FW_ARRAY_SIZE(variants); i++) {
		enum hook_group g = variants[i].group;

		if (!broken_hook[g])
			continue;
		if (!strcmp(broken_hook[g], variants[i].hook))
			hooks__list_add(out, variants[i].hook, "%s: %s",
					broken_why[g], group_lost[g]);
		else
			hooks__list_add(out, variants[i].hook,
					"left out with %s: %s", broken_hook[g],
					group_lost[g]);
	}
	bpf_object__for_each_program(prog, obj) {
		const struct hook_variant *v =
			variant_of(bpf_program__name(prog));

		if (!v)
			continue;
		bpf_program__set_autoload(
			prog,
			(enforce || !hooks__enforcing(v->prog)) &&
				!broken_hook[v->group] &&
				hook_choice(v->hook, btf, refused, n_refused,
					    fentry, why, sizeof(why)) == v);
	}
}

/* bpf/syscalls.bpf.c names them: fw_sys_enter and fw_sys_exit on the raw
 * tracepoints; fw_call_enter_<syscall> and fw_call_exit_<syscall> on the
 * syscalls' own functions, fw_call_ia32_enter and fw_call_ia32_exit on the
 * dispatch of 32-bit calls */
#define FAST_PREFIX "fw_call_"
#define FAST_IA32_PREFIX "fw_call_ia32_"
/* a function of every kernel built with 32-bit emulation */
#define IA32_EMULATION_FN "__ia32_sys_read"

bool hooks__fast_syscall(const char *prog)
{
	return !strncmp(prog, FAST_PREFIX, strlen(FAST_PREFIX));
}

static bool tracepoint_syscall(const char *prog)
{
	return !strcmp(prog, "fw_sys_enter") || !strcmp(prog, "fw_sys_exit");
}

int hooks__select_tier(struct bpf_object *obj, const struct btf *btf, bool fast,
		       char *missing, size_t size)
{
	struct bpf_program *prog;
	int err = 0;

	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		const char *func = strchr(bpf_program__section_name(prog), '/');
		bool present;

		if (tracepoint_syscall(name)) {
			bpf_program__set_autoload(prog, !fast);
			continue;
		}
		if (!hooks__fast_syscall(name))
			continue;
		present = fast && func && btf &&
			  btf__find_by_name_kind(btf, func + 1,
						 BTF_KIND_FUNC) >= 0;
		bpf_program__set_autoload(prog, present);
		/* without 32-bit emulation no 32-bit call happens; with it,
		 * a kernel that lacks the dispatch function the fast tier
		 * follows them at cannot run this tier */
		if (fast && !present && !err &&
		    (strncmp(name, FAST_IA32_PREFIX,
			     strlen(FAST_IA32_PREFIX)) ||
		     (btf && btf__find_by_name_kind(btf, IA32_EMULATION_FN,
						    BTF_KIND_FUNC) >= 0))) {
			snprintf(missing, size, "%s", func ? func + 1 : name);
			err = -ENOENT;
		}
	}
	return err;
}
