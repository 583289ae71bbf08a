// SPDX-License-Identifier: GPL-2.0
/*
 * The answer comes from doing it: the tracer's own programs are loaded and
 * attached as `run` would (with the same fallbacks), then detached. What
 * is listed as followed is what a `run` on this kernel follows.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <json-c/json.h>
#include "cli/options.h"
#include "kernel/check_kernel.h"
#include "kernel/probes.h"
#include "kernel/hooks.h"
#include "lib/json.h"
#include "kernel/loader.h"
#include "lib/util.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

enum {
	OPT_HELP = 0x100,
	OPT_JSON,
	OPT_BTF,
	OPT_HOOKS,
};

static const struct option check_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "hooks", required_argument, NULL, OPT_HOOKS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flightwatch check-kernel [--json] [--btf FILE] [--hooks TIER] [-v]\n"
		"Load and attach the tracer's BPF programs on this kernel, as 'run'\n"
		"would, detach them, and say what is followed here and what is not,\n"
		"and why, and which tier the syscall hooks run in; also which faster\n"
		"hook kinds (fentry/fexit, BPF LSM) the kernel allows. Exits 0 when the tracer runs here, 1 when its\n"
		"essential programs (file reads, sends, fork/exec/exit, carriers)\n"
		"cannot load or attach. Needs the privileges 'run' needs.\n"
		"\n"
		"      --json           one JSON document on stdout\n"
		"      --btf FILE       kernel BTF to use instead of %s\n"
		"      --hooks TIER     auto (the default), fast or tracepoint, as for 'run'\n"
		"  -v, --verbose        -vv adds libbpf's messages\n"
		"  -h, --help           this help\n",
		VMLINUX_BTF);
}

static void ignore_record(void *rec, size_t size, void *ctx)
{
	(void)rec;
	(void)size;
	(void)ctx;
}

struct coverage {
	const char **hooks;
	size_t n_hooks;
	const struct fw_hook_status *left_out;
	size_t n_left_out;
	struct fw_feature features[FW_FEATURE_COUNT];
	bool runs;
	bool typed_reads;
	bool fast_hooks;
};

/* An essential program on a kernel function: the fast tier's syscall
 * hooks (an optional fentry variant is optional) */
static bool fast_syscall_section(const char *sec)
{
	return !hooks__section_optional(sec) &&
	       (!strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6));
}

static void print_text(const struct utsname *u, const char *btf_path,
		       const struct coverage *c)
{
	bool any = false;

	printf("kernel: Linux %s %s, BTF %s\n", u->release, u->machine,
	       btf_path);
	if (!c->runs) {
		printf("verdict: flightwatch cannot run on this kernel (see the error above)\n");
		return;
	}
	size_t n_fast = 0;

	printf("essential, attached:");
	for (size_t i = 0; i < c->n_hooks; i++) {
		if (fast_syscall_section(c->hooks[i]))
			n_fast++;
		else if (!hooks__section_optional(c->hooks[i]))
			printf(" %s", c->hooks[i]);
	}
	if (n_fast)
		printf(" and %zu fentry/fexit on syscalls (--json names them)",
		       n_fast);
	printf("\noptional, attached:");
	for (size_t i = 0; i < c->n_hooks; i++)
		if (hooks__section_optional(c->hooks[i])) {
			printf(" %s", c->hooks[i]);
			any = true;
		}
	printf("%s\nnot followed here:%s\n", any ? "" : " none",
	       c->n_left_out ? "" : " nothing");
	for (size_t i = 0; i < c->n_left_out; i++)
		printf("  %s: %s\n", c->left_out[i].hook,
		       c->left_out[i].reason);
	printf("reads of files and inodes: %s\n",
	       c->typed_reads ?
		       "typed pointers (bpf_rdonly_cast)" :
		       "bpf_probe_read_kernel (no bpf_rdonly_cast here)");
	printf("syscall hooks: %s\n",
	       c->fast_hooks ?
		       "fast (fentry/fexit on each followed syscall's function)" :
		       "tracepoint (tp_btf/sys_enter and sys_exit, every syscall)");
	printf("faster hook kinds:\n");
	for (size_t i = 0; i < FW_FEATURE_COUNT; i++)
		printf("  %s: %s (%s)\n", c->features[i].name,
		       c->features[i].available ? "yes" : "no",
		       c->features[i].detail);
	printf("verdict: flightwatch runs on this kernel");
	if (c->n_left_out)
		printf("; %zu optional hook%s not attached", c->n_left_out,
		       c->n_left_out == 1 ? "" : "s");
	printf("\n");
}

static void print_json(const struct utsname *u, const char *btf_path,
		       const struct coverage *c)
{
	struct json_object *root = json_object_new_object();
	struct json_object *essential = json_object_new_array();
	struct json_object *optional = json_object_new_array();
	struct json_object *left = json_object_new_array();
	struct json_object *faster = json_object_new_array();

	json_set_str(root, "kernel.release", u->release);
	json_set_str(root, "kernel.machine", u->machine);
	json_set_str(root, "kernel.btf", btf_path);
	json_object_object_add(root, "runs", json_object_new_boolean(c->runs));
	json_object_object_add(root, "typed_reads",
			       json_object_new_boolean(c->typed_reads));
	if (c->runs)
		json_set_str(root, "syscall_hooks",
			     c->fast_hooks ? "fast" : "tracepoint");
	for (size_t i = 0; i < c->n_hooks; i++)
		json_object_array_add(hooks__section_optional(c->hooks[i]) ?
					      optional :
					      essential,
				      json_object_new_string(c->hooks[i]));
	for (size_t i = 0; i < c->n_left_out; i++) {
		struct json_object *h = json_object_new_object();

		json_set_str(h, "hook", c->left_out[i].hook);
		json_set_str(h, "reason", c->left_out[i].reason);
		json_object_array_add(left, h);
	}
	for (size_t i = 0; c->runs && i < FW_FEATURE_COUNT; i++) {
		struct json_object *f = json_object_new_object();

		json_set_str(f, "name", c->features[i].name);
		json_object_object_add(
			f, "available",
			json_object_new_boolean(c->features[i].available));
		json_set_str(f, "detail", c->features[i].detail);
		json_object_array_add(faster, f);
	}
	json_object_object_add(root, "hooks_essential", essential);
	json_object_object_add(root, "hooks_optional", optional);
	json_object_object_add(root, "hooks_not_attached", left);
	json_object_object_add(root, "faster_hook_kinds", faster);
	printf("%s\n", json_line(root));
	json_object_put(root);
}

int check_kernel__main(int argc, char **argv)
{
	const char *btf_path = NULL;
	enum fw_hooks_tier hooks = FW_HOOKS_AUTO;
	struct coverage c = { 0 };
	struct fw_loader *loader = NULL;
	struct utsname u;
	bool json = false;
	struct btf *btf;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":vh", check_options, NULL)) !=
	       -1) {
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_BTF:
			btf_path = optarg;
			break;
		case OPT_HOOKS:
			if (config__parse_hooks(optarg, &hooks)) {
				fw_err("bad --hooks '%s': expected auto, tracepoint or fast",
				       optarg);
				return 2;
			}
			break;
		case 'v':
			fw_verbose++;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			return 0;
		default: {
			char err[256];

			options__getopt_error(opt, argv, err, sizeof(err));
			fw_err("%s", err);
			return 2;
		}
		}
	}
	if (optind < argc) {
		fw_err("unexpected argument '%s' (see 'flightwatch check-kernel --help')",
		       argv[optind]);
		return 2;
	}
	uname(&u);
	if (loader__preflight(btf_path))
		return 1;
	/* a check: no state pinned, none taken over; the enforcement programs too */
	struct fw_load_opts load = { .btf_path = btf_path,
				     .enforce = true,
				     .hooks = hooks };

	c.runs = !loader__open(&loader, &load, ignore_record, NULL);
	if (c.runs) {
		c.hooks = loader__hooks(loader, &c.n_hooks);
		c.left_out = loader__unattached(loader, &c.n_left_out);
		c.typed_reads = loader__typed_reads(loader);
		c.fast_hooks = loader__fast_hooks(loader);
		btf = btf_path ? btf__parse(btf_path, NULL) :
				 btf__load_vmlinux_btf();
		if (btf)
			probes__run(btf, c.features);
		else
			c.runs = false;
		btf__free(btf);
	}
	if (json)
		print_json(&u, btf_path ? btf_path : VMLINUX_BTF, &c);
	else
		print_text(&u, btf_path ? btf_path : VMLINUX_BTF, &c);
	loader__close(loader);
	return c.runs ? 0 : 1;
}
