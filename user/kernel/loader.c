// SPDX-License-Identifier: GPL-2.0
/* The loader's lifecycle: privileges and BTF before anything, open, size,
 * load (leaving out the optional programs the kernel refuses), attach,
 * deliver ring-buffer records, close */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "cli/config.h"
#include "flightwatch_typed.skel.h"
#include "kernel/hooks.h"
#include "kernel/loader_priv.h"
#include "kernel/probes.h"
#include "lib/hashmap.h"
#include "lib/util.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct *data, int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

static int check_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data)) {
		fw_err("cannot read capabilities: %s", strerror(errno));
		return -1;
	}
	/* BTF tracepoints and reading kernel memory: CAP_BPF + CAP_PERFMON,
	 * or CAP_SYS_ADMIN which implies both */
	if (has_cap(data, CAP_SYS_ADMIN) ||
	    (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON)))
		return 0;
	fw_err("permission denied: run as root (or with CAP_BPF and CAP_PERFMON)");
	return -1;
}

static int check_btf(const char *path)
{
	struct btf *btf;

	if (access(path, R_OK)) {
		if (!strcmp(path, VMLINUX_BTF))
			fw_err("kernel BTF not found at %s: the kernel needs CONFIG_DEBUG_INFO_BTF=y (or pass --btf FILE)",
			       path);
		else
			fw_err("cannot read BTF file %s: %s", path,
			       strerror(errno));
		return -1;
	}
	btf = btf__parse(path, NULL);
	if (!btf) {
		/* libbpf's own codes (>= 4000) have no strerror text */
		fw_err("%s is not a valid BTF file%s%s", path,
		       errno < 4000 ? ": " : "",
		       errno < 4000 ? strerror(errno) : "");
		return -1;
	}
	btf__free(btf);
	return 0;
}

/* The first program libbpf reports a failure of while an object loads,
 * and the line that says why (the verifier's, when it has a log) */
static struct {
	bool on;
	struct fw_refusal failed;
} load_failure;

/* The verifier's verdict: the last line of its log before the statistics
 * ("processed N insns ...") */
static void verifier_verdict(const char *log, char *out, size_t size)
{
	const char *end = strstr(log, "-- END PROG LOAD LOG --");
	const char *line, *prev = NULL, *p;

	if (!end)
		return;
	for (line = log; line < end; line = p + 1) {
		p = memchr(line, '\n', end - line);
		if (!p)
			break;
		if (p > line && strncmp(line, "processed ", 10) &&
		    strncmp(line, "verification time", 17) &&
		    strncmp(line, "stack depth", 11) &&
		    !strstr(line, "BEGIN PROG LOAD LOG"))
			prev = line;
	}
	if (prev)
		snprintf(out, size, "%.*s", (int)(strchr(prev, '\n') - prev),
			 prev);
}

static void note_load_failure(const char *msg)
{
	struct fw_refusal *f = &load_failure.failed;
	const char *name = strstr(msg, "prog '"), *end;
	size_t len;

	if (!name)
		return;
	name += 6;
	end = strchr(name, '\'');
	if (!end)
		return;
	len = end - name;
	if (!f->prog[0] && len < sizeof(f->prog))
		snprintf(f->prog, sizeof(f->prog), "%.*s", (int)len, name);
	if (strncmp(f->prog, name, len) || f->prog[len])
		return; /* about another program */
	if (strstr(msg, "BEGIN PROG LOAD LOG"))
		verifier_verdict(msg, f->reason, sizeof(f->reason));
	else if (!f->reason[0] && !strncmp(end, "': ", 3))
		snprintf(f->reason, sizeof(f->reason), "%.*s",
			 (int)strcspn(end + 3, "\n"), end + 3);
}

/* libbpf's own messages only with -vv: errors are reported by us */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (load_failure.on && level == LIBBPF_WARN) {
		char *msg = NULL;
		va_list copy;

		va_copy(copy, ap);
		if (vasprintf(&msg, fmt, copy) >= 0)
			note_load_failure(msg);
		va_end(copy);
		free(msg);
	}
	if (level == LIBBPF_DEBUG || fw_verbose < 2)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int loader__preflight(const char *btf_path)
{
	libbpf_set_print(libbpf_print);
	if (check_privileges())
		return -1;
	return check_btf(btf_path ? btf_path : VMLINUX_BTF);
}

/* Records delivered in one go before the loop gets its turn again: under
 * a flood the ring never empties, and the loop must still report losses
 * and counts on time (checked every POLL_CHECK_EVERY records) */
#define POLL_BUDGET_NS (100 * 1000000ull)
#define POLL_CHECK_EVERY 256

static int on_ring_record(void *ctx, void *data, size_t size)
{
	struct fw_loader *l = ctx;
	/* ring-buffer pages are read-only: the collector may enrich a
	 * record, so it gets its own copy */
	static _Alignas(
		8) unsigned char copy[sizeof(struct fw_exec_event) + 64];

	if (size > sizeof(copy))
		size = sizeof(copy);
	memcpy(copy, data, size);
	if (size >= sizeof(struct fw_block_event) &&
	    ((struct fw_event_header *)copy)->type == FW_EV_BLOCKED)
		loader__blocked_told(l, (const struct fw_block_event *)copy);
	l->fn(copy, size, l->ctx);
	/* never stop on one bad record; stop (this one delivered) when the
	 * loop's turn has come */
	if (++l->polled % POLL_CHECK_EVERY == 0 &&
	    fw_boot_now_ns() - l->poll_started_ns >= POLL_BUDGET_NS)
		return -EAGAIN;
	return 0;
}

/*
 * The cgroup v2 hierarchy's root, where the cgroup programs attach so that
 * they see the sockets of every process: the first cgroup2 mount, which is
 * /sys/fs/cgroup on unified systems and /sys/fs/cgroup/unified on hybrid
 * ones. Returns an open directory descriptor, or -1.
 */
static int cgroup2_root(void)
{
	FILE *mounts = setmntent("/proc/self/mounts", "r");
	struct mntent *m;
	int fd = -1;

	if (!mounts)
		return -1;
	while ((m = getmntent(mounts)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			fd = open(m->mnt_dir,
				  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			break;
		}
	endmntent(mounts);
	return fd;
}

static bool is_cgroup_prog(const struct bpf_program *prog)
{
	switch (bpf_program__type(prog)) {
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_CGROUP_SOCK:
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
		return true;
	default:
		return false;
	}
}

/* Cgroup programs attach by a link this process alone holds (nothing is
 * pinned): when the collector exits, for whatever reason, the kernel
 * detaches them, enforcement included (the fail mode, flightwatch(8)) */
static struct bpf_link *attach_one(struct bpf_program *prog, int *cgroup_fd)
{
	if (!is_cgroup_prog(prog))
		return bpf_program__attach(prog);
	if (*cgroup_fd < 0)
		*cgroup_fd = cgroup2_root();
	if (*cgroup_fd < 0) {
		errno = ENOENT;
		return NULL;
	}
	return bpf_program__attach_cgroup(prog, *cgroup_fd);
}

static int attach_all(struct fw_loader *l)
{
	struct bpf_program *prog;
	int cgroup_fd = -1;
	size_t n = 0;

	bpf_object__for_each_program(prog, l->skel->obj)
		n++;
	l->links = fw_xcalloc(n, sizeof(*l->links));
	l->hooks = fw_xcalloc(n, sizeof(*l->hooks));
	l->progs = fw_xcalloc(n, sizeof(*l->progs));
	bpf_object__for_each_program(prog, l->skel->obj) {
		struct bpf_link *link;

		/* iterators run once, on demand (loader__seed_open_files) */
		if (bpf_program__type(prog) == BPF_PROG_TYPE_TRACING &&
		    !strncmp(bpf_program__section_name(prog), "iter/", 5))
			continue;
		if (!bpf_program__autoload(prog))
			continue; /* left out: in the coverage report */
		link = attach_one(prog, &cgroup_fd);
		if (!link && hooks__optional(bpf_program__name(prog))) {
			/* go on, and say so in the start-up coverage */
			bool cgroup = is_cgroup_prog(prog);

			hooks__list_add(
				&l->left_out,
				hooks__label(bpf_program__name(prog)), "%s: %s",
				cgroup && errno == ENOENT ?
					"no cgroup v2 mount" :
				cgroup && errno == EPERM ?
					"attaching needs CAP_NET_ADMIN" :
					strerror(errno),
				hooks__lost(bpf_program__name(prog)));
			continue;
		}
		if (!link) {
			int err = errno;

			fw_err("cannot attach %s (%s): %s",
			       bpf_program__name(prog),
			       bpf_program__section_name(prog), strerror(err));
			if (cgroup_fd >= 0)
				close(cgroup_fd);
			return -1;
		}
		l->links[l->n_links] = link;
		l->progs[l->n_links] = bpf_program__name(prog);
		l->hooks[l->n_links++] = bpf_program__section_name(prog);
	}
	/* the links hold the cgroup: the descriptor is no longer needed */
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	return 0;
}

static int set_map_sizes(struct fw_loader *l, const struct fw_map_size *maps,
			 size_t n_maps)
{
	for (size_t i = 0; i < n_maps; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(l->skel->obj,
								 maps[i].name);
		int err;

		if (!m) {
			fw_err("cannot size map '%s': no such map",
			       maps[i].name);
			return -1;
		}
		err = bpf_map__set_max_entries(m, maps[i].entries);
		if (err) {
			fw_err("cannot size map '%s' to %u: %s", maps[i].name,
			       maps[i].entries, strerror(-err));
			return -1;
		}
	}
	return 0;
}

/*
 * The skeleton, opened on the object built for typed reads
 * (flightwatch_typed.skel.h: the same maps, programs and globals, checked
 * at build) when typed, else on its own. NULL and errno on failure.
 */
static struct flightwatch_bpf *
skeleton_open(const struct bpf_object_open_opts *opts, bool typed)
{
	struct flightwatch_bpf *skel = calloc(1, sizeof(*skel));
	int err;

	if (!skel) {
		errno = ENOMEM;
		return NULL;
	}
	err = flightwatch_bpf__create_skeleton(skel);
	if (!err && typed)
		skel->skeleton->data = (void *)flightwatch_typed_bpf__elf_bytes(
			&skel->skeleton->data_sz);
	if (!err)
		err = bpf_object__open_skeleton(skel->skeleton, opts);
	if (err) {
		flightwatch_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

/*
 * The syscall hooks' tier, its programs on and the other tier's off:
 * fast when asked, or under auto where fentry programs load and the
 * kernel did not refuse the tier before. 0, or -ENOMEM when the fast tier
 * asked for cannot run here (said: no second try).
 */
static int syscall_tier(struct fw_loader *l, enum fw_hooks_tier tier,
			const struct btf *btf, const char *btf_path,
			bool fentry)
{
	char missing[128];

	l->fast_hooks = tier == FW_HOOKS_FAST ||
			(tier == FW_HOOKS_AUTO && fentry && !l->fast_refused);
	if (l->fast_hooks && !fentry && btf_path) {
		/* the probe's target is found in that file, not the kernel */
		fw_err("--hooks fast: no fentry program attaches by the types of %s (flightwatch check-kernel --btf says why)",
		       btf_path);
		return -ENOMEM;
	}
	if (l->fast_hooks && !fentry) {
		fw_err("--hooks fast: this kernel does not attach fentry programs (flightwatch check-kernel says why)");
		return -ENOMEM;
	}
	if (!hooks__select_tier(l->skel->obj, btf, l->fast_hooks, missing,
				sizeof(missing)))
		return 0;
	if (tier == FW_HOOKS_FAST) {
		fw_err("--hooks fast: %s is not in the kernel's BTF", missing);
		return -ENOMEM;
	}
	fw_warn("%s is not in the kernel's BTF: the syscall hooks are the tracepoint tier's",
		missing);
	l->fast_hooks = false;
	hooks__select_tier(l->skel->obj, btf, false, missing, sizeof(missing));
	return 0;
}

/* Open the BPF object, size its maps, leave out the optional programs that
 * cannot load here and load it; -errno */
static int open_and_load(struct fw_loader *l, const struct fw_load_opts *o)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = o->btf_path);
	const char *btf_path = o->btf_path;
	struct btf *btf;
	bool fentry;
	int err;

	/* without BTF here the load fails and says why */
	btf = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	/* typed reads need the kfunc in the running kernel's own BTF (libbpf
	 * resolves it there, not in a --btf file) */
	l->typed_reads = !btf_path && !l->untyped && btf &&
			 btf__find_by_name_kind(btf, "bpf_rdonly_cast",
						BTF_KIND_FUNC) >= 0;
	l->skel = skeleton_open(&opts, l->typed_reads);
	if (!l->skel) {
		fw_err("cannot open the BPF object: %s", strerror(errno));
		btf__free(btf);
		return -ENOMEM; /* not a kernel's refusal: no second try */
	}
	l->skel->rodata->fw_self_tgid = getpid();
	l->skel->rodata->fw_taint_expiry_ns = o->taint_expiry_ns;
	if (set_map_sizes(l, o->maps, o->n_maps))
		return -ENOMEM;
	/* a state that cannot be kept is said; the run goes on */
	if (o->state_dir)
		loader__pin_state(l, o->state_dir, o->fresh);
	l->left_out.n = 0;
	fentry = btf && probes__fentry(btf);
	hooks__select(l->skel->obj, btf, l->refused, l->n_refused, fentry,
		      o->enforce, &l->left_out);
	err = syscall_tier(l, o->hooks, btf, btf_path, fentry);
	btf__free(btf);
	if (err)
		return err;
	memset(&load_failure, 0, sizeof(load_failure));
	load_failure.on = true;
	err = flightwatch_bpf__load(l->skel);
	load_failure.on = false;
	return err;
}

/* Why f was refused: the verifier's or libbpf's words, else err's */
static const char *refusal_reason(const struct fw_refusal *f, int err)
{
	return f->reason[0] ? f->reason : strerror(-err);
}

/* Load, leaving out each optional program the kernel refuses (older
 * verifiers reject what newer ones accept) until the rest loads; an
 * essential program refused is the end. 0 or -errno. */
static int load_what_loads(struct fw_loader *l, const struct fw_load_opts *o)
{
	const struct fw_refusal *f = &load_failure.failed;
	int err;

	for (;;) {
		err = open_and_load(l, o);
		if (!err || err == -ENOMEM)
			return err;
		if (l->fast_hooks && o->hooks == FW_HOOKS_AUTO &&
		    hooks__fast_syscall(f->prog)) {
			/* a verifier or libbpf that refuses a program on a
			 * syscall's function: the tracepoint tier */
			fw_warn("this kernel refuses the fast syscall hook %s (%s): the syscall hooks are the tracepoint tier's",
				f->prog, refusal_reason(f, err));
			l->fast_refused = true;
		} else if (l->typed_reads && f->prog[0] &&
			   !hooks__optional(f->prog)) {
			/* a verifier that takes the object every kernel
			 * loads but not the typed one: the plain one, with
			 * the optional programs refused so far */
			fw_warn("this kernel refuses the typed reads of %s (%s): reading files with bpf_probe_read_kernel",
				f->prog, refusal_reason(f, err));
			l->untyped = true;
		} else if (f->prog[0] && hooks__optional(f->prog) &&
			   l->n_refused < FW_ARRAY_SIZE(l->refused)) {
			l->refused[l->n_refused] = *f;
			snprintf(l->refused[l->n_refused].reason,
				 sizeof(f->reason), "%s",
				 refusal_reason(f, err));
			fw_warn("this kernel refuses the optional program %s (%s): %s",
				f->prog, hooks__label(f->prog),
				l->refused[l->n_refused].reason);
			l->n_refused++;
		} else {
			break;
		}
		/* the next try opens the object again */
		flightwatch_bpf__destroy(l->skel);
		l->skel = NULL;
	}
	if (f->prog[0])
		fw_err("this kernel refuses the BPF program %s, which the tracer cannot run without: %s (run with -vv for the verifier log)",
		       f->prog, refusal_reason(f, err));
	else
		fw_err("cannot load the BPF programs: %s (run with -vv for the verifier log)",
		       strerror(-err));
	return err;
}

int loader__open(struct fw_loader **out, const struct fw_load_opts *o,
		 fw_record_fn fn, void *ctx)
{
	struct fw_loader *l = fw_xcalloc(1, sizeof(*l));
	int err;

	l->fn = fn;
	l->ctx = ctx;
	l->state_fd = -1;
	l->seeded = hashmap__new(2 * sizeof(uint64_t));
	l->ncpus = libbpf_num_possible_cpus();
	l->left_out.items = l->unattached;
	l->left_out.max = FW_ARRAY_SIZE(l->unattached);
	err = load_what_loads(l, o);
	if (err)
		goto fail;
	if (l->state_reused) {
		/* the earlier run's entries are not evictions of this one;
		 * its rules may not be this one's: files are classified
		 * again (carriers stay) */
		loader__baseline_lru(l);
		loader__forget_classified(l);
	}
	if (attach_all(l))
		goto fail;
	l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.events),
				 on_ring_record, l, NULL);
	if (!l->rb) {
		fw_err("cannot set up the ring buffer: %s", strerror(errno));
		goto fail;
	}
	*out = l;
	return 0;
fail:
	loader__close(l);
	return -1;
}

void loader__close(struct fw_loader *l)
{
	if (!l)
		return;
	ring_buffer__free(l->rb);
	for (size_t i = 0; i < l->n_links; i++)
		bpf_link__destroy(l->links[i]);
	free(l->links);
	free(l->hooks);
	free(l->progs);
	hashmap__free(l->seeded);
	if (l->state_fd >= 0)
		close(l->state_fd); /* the lock goes with it */
	hashmap__free(l->blocked_seen);
	flightwatch_bpf__destroy(l->skel);
	free(l);
}

int loader__poll(struct fw_loader *l, int timeout_ms)
{
	int n;

	l->poll_started_ns = fw_boot_now_ns();
	n = ring_buffer__poll(l->rb, timeout_ms);
	if (n == -EAGAIN)
		return 1; /* the loop's turn: more may wait */
	if (n == -EINTR)
		n = 0;
	if (n < 0)
		return n;
	/* records submitted without a wake-up (process lifecycle) */
	n = ring_buffer__consume(l->rb);
	if (n == -EAGAIN)
		return 1;
	return n == -EINTR ? 0 : n;
}

int loader__poll_fd(struct fw_loader *l)
{
	return ring_buffer__epoll_fd(l->rb);
}

int loader__maps_usable(void *ctx)
{
	struct fw_loader *l = ctx;
	uint64_t *vals = fw_xcalloc(l->ncpus, sizeof(*vals));
	__u32 idx = FW_STAT_RB_DROPPED;
	int err;

	err = bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.stats), &idx, vals);
	free(vals);
	return err ? -errno : 0;
}

const struct fw_hook_status *loader__unattached(struct fw_loader *l, size_t *n)
{
	*n = l->left_out.n;
	return l->unattached;
}

bool loader__attached(const struct fw_loader *l, const char *prog)
{
	for (size_t i = 0; i < l->n_links; i++)
		if (!strcmp(l->progs[i], prog))
			return true;
	return false;
}

bool loader__state_reused(const struct fw_loader *l)
{
	return l->state_reused;
}

bool loader__typed_reads(const struct fw_loader *l)
{
	return l->typed_reads;
}

bool loader__fast_hooks(const struct fw_loader *l)
{
	return l->fast_hooks;
}

const char **loader__hooks(struct fw_loader *l, size_t *n)
{
	*n = l->n_links;
	return l->hooks;
}
