// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "kernel/probes.h"

/* r0 = 0; exit */
static const struct bpf_insn return_zero[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

/*
 * Load an empty program of type at the kernel function func and attach it
 * with attach_type; 0 or -errno (the step that failed in step)
 */
static int try_attach(const struct btf *btf, enum bpf_prog_type type,
		      enum bpf_attach_type attach_type, const char *func,
		      const char **step)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = attach_type);
	int id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	int prog, link, err = 0;

	*step = "find";
	if (id < 0)
		return -ENOENT;
	opts.attach_btf_id = id;
	*step = "load";
	prog = bpf_prog_load(type, "fw_probe", "GPL", return_zero,
			     sizeof(return_zero) / sizeof(return_zero[0]),
			     &opts);
	if (prog < 0)
		return -errno;
	*step = "attach";
	link = bpf_link_create(prog, 0, attach_type, NULL);
	if (link < 0)
		err = -errno;
	else
		close(link);
	close(prog);
	return err;
}

/* "bpf" in the list of active LSMs (securityfs), or -1 when unknown */
static int lsm_active(void)
{
	char list[512] = "";
	FILE *f = fopen("/sys/kernel/security/lsm", "r");
	char *tok, *save = NULL;

	if (!f)
		return -1;
	if (!fgets(list, sizeof(list), f))
		list[0] = '\0';
	fclose(f);
	for (tok = strtok_r(list, ",\n", &save); tok;
	     tok = strtok_r(NULL, ",\n", &save))
		if (!strcmp(tok, "bpf"))
			return 1;
	return 0;
}

static void probe_program(struct fw_feature *f, const struct btf *btf,
			  enum bpf_prog_type type,
			  enum bpf_attach_type attach_type, const char *func)
{
	const char *step;
	int err = try_attach(btf, type, attach_type, func, &step);

	f->available = !err;
	if (!err)
		snprintf(f->detail, sizeof(f->detail),
			 "an empty program loads and attaches at %s", func);
	else if (!strcmp(step, "find"))
		snprintf(f->detail, sizeof(f->detail),
			 "%s is not in the kernel's BTF", func);
	else
		snprintf(f->detail, sizeof(f->detail), "%s fails: %s", step,
			 strerror(-err));
}

/* A BTF tracepoint the kernel declares (its btf_trace_NAME typedef) */
static void probe_tracepoint(struct fw_feature *f, const struct btf *btf,
			     const char *tp, const char *since)
{
	char type_name[128];

	snprintf(type_name, sizeof(type_name), "btf_trace_%s", tp);
	f->available =
		btf__find_by_name_kind(btf, type_name, BTF_KIND_TYPEDEF) >= 0;
	snprintf(f->detail, sizeof(f->detail), "%s tracepoint %s (%s)",
		 f->available ? "the" : "no", tp, since);
}

bool probes__fentry(const struct btf *btf)
{
	const char *step;

	return !try_attach(btf, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY,
			   "vfs_read", &step);
}

void probes__run(const struct btf *btf, struct fw_feature *features)
{
	struct fw_feature *f;
	int active;

	f = &features[FW_FEATURE_FENTRY];
	f->name = "fentry/fexit";
	probe_program(f, btf, BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY,
		      "vfs_read");

	f = &features[FW_FEATURE_LSM];
	f->name = "BPF LSM";
	active = lsm_active();
	if (active == 0) {
		f->available = false;
		snprintf(
			f->detail, sizeof(f->detail),
			"bpf is not among the active LSMs (boot with lsm=...,bpf)");
	} else {
		/* securityfs unmounted (-1): the attach tells */
		probe_program(f, btf, BPF_PROG_TYPE_LSM, BPF_LSM_MAC,
			      "bpf_lsm_file_open");
	}

	f = &features[FW_FEATURE_SEND_LENGTH];
	f->name = "sock_send_length";
	probe_tracepoint(f, btf, "sock_send_length", "6.3 and later");

	f = &features[FW_FEATURE_FILEMAP_PAGES];
	f->name = "mm_filemap_get_pages";
	probe_tracepoint(f, btf, "mm_filemap_get_pages",
			 "about 6.12 and later");
}
