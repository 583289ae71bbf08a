// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <mntent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "flightwatch.skel.h"
#include "lib/hashmap.h"
#include "kernel/hooks.h"
#include "kernel/probes.h"
#include "kernel/loader.h"
#include "lib/util.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct fw_loader {
	struct flightwatch_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link **links;
	const char **hooks;
	size_t n_links;
	fw_record_fn fn;
	void *ctx;
	uint64_t lost_reported;
	int ncpus;
	/* LRU maps: keys this process deleted, evictions found so far */
	uint64_t lru_user_deletes[FW_LRU_MAX];
	/* files under the watched directories already handed to the kernel
	 * by loader__seed_dir_files (device, inode) */
	struct hashmap *seeded; /* value: the walk that last found it */
	uint64_t seed_walks;
	bool seed_full_said;
	uint64_t lru_evicted[FW_LRU_MAX];
	/* boot time of the last full counter walk: counters not moved since
	 * are not delivered again */
	uint64_t synced_ns;
	/* optional hooks that could not be loaded or attached, and why */
	struct fw_hook_status unattached[FW_UNATTACHED_MAX];
	struct fw_hook_list left_out;
	/* optional programs the kernel refused at an earlier try */
	struct fw_refusal refused[FW_UNATTACHED_MAX];
	size_t n_refused;
};

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
	l->fn(copy, size, l->ctx);
	return 0; /* never stop polling on one bad record */
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

static struct bpf_link *attach_one(struct bpf_program *prog, int *cgroup_fd)
{
	if (bpf_program__type(prog) != BPF_PROG_TYPE_CGROUP_SKB)
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
			bool cgroup = bpf_program__type(prog) ==
				      BPF_PROG_TYPE_CGROUP_SKB;

			hooks__list_add(
				&l->left_out,
				hooks__label(bpf_program__name(prog)),
				"%s: %s",
				cgroup && errno == ENOENT ?
					"no cgroup v2 mount" :
				cgroup && errno == EPERM ?
					"attaching needs CAP_NET_ADMIN" :
					strerror(errno),
				cgroup ? "destinations are not named" :
					 "not followed");
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

/* Open the BPF object, size its maps, leave out the optional programs that
 * cannot load here and load it; -errno */
static int open_and_load(struct fw_loader *l, const char *btf_path,
			 uint64_t taint_expiry_ns,
			 const struct fw_map_size *maps, size_t n_maps)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct btf *btf;
	int err;

	l->skel = flightwatch_bpf__open_opts(&opts);
	if (!l->skel) {
		fw_err("cannot open the BPF object: %s", strerror(errno));
		return -ENOMEM; /* not a kernel's refusal: no second try */
	}
	l->skel->rodata->fw_self_tgid = getpid();
	l->skel->rodata->fw_taint_expiry_ns = taint_expiry_ns;
	if (set_map_sizes(l, maps, n_maps))
		return -ENOMEM;
	/* without BTF here the load fails and says why */
	btf = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	l->left_out.n = 0;
	hooks__select(l->skel->obj, btf, l->refused, l->n_refused,
		      btf && probes__fentry(btf), &l->left_out);
	btf__free(btf);
	memset(&load_failure, 0, sizeof(load_failure));
	load_failure.on = true;
	err = flightwatch_bpf__load(l->skel);
	load_failure.on = false;
	return err;
}

/* Load, leaving out each optional program the kernel refuses (older
 * verifiers reject what newer ones accept) until the rest loads; an
 * essential program refused is the end. 0 or -errno. */
static int load_what_loads(struct fw_loader *l, const char *btf_path,
			   uint64_t taint_expiry_ns,
			   const struct fw_map_size *maps, size_t n_maps)
{
	const struct fw_refusal *f = &load_failure.failed;
	int err;

	for (;;) {
		err = open_and_load(l, btf_path, taint_expiry_ns, maps,
				    n_maps);
		if (!err || err == -ENOMEM)
			return err;
		if (!f->prog[0] || !hooks__optional(f->prog) ||
		    l->n_refused == FW_ARRAY_SIZE(l->refused))
			break;
		l->refused[l->n_refused] = *f;
		if (!l->refused[l->n_refused].reason[0])
			snprintf(l->refused[l->n_refused].reason,
				 sizeof(f->reason), "%s", strerror(-err));
		fw_warn("this kernel refuses the optional program %s (%s): %s",
			f->prog, hooks__label(f->prog),
			l->refused[l->n_refused].reason);
		l->n_refused++;
		flightwatch_bpf__destroy(l->skel);
		l->skel = NULL;
	}
	if (f->prog[0])
		fw_err("this kernel refuses the BPF program %s, which the tracer cannot run without: %s (run with -vv for the verifier log)",
		       f->prog, f->reason[0] ? f->reason : strerror(-err));
	else
		fw_err("cannot load the BPF programs: %s (run with -vv for the verifier log)",
		       strerror(-err));
	return err;
}

int loader__open(struct fw_loader **out, const char *btf_path,
		 uint64_t taint_expiry_ns, const struct fw_map_size *maps,
		 size_t n_maps, fw_record_fn fn, void *ctx)
{
	struct fw_loader *l = fw_xcalloc(1, sizeof(*l));
	int err;

	l->fn = fn;
	l->ctx = ctx;
	l->seeded = hashmap__new(2 * sizeof(uint64_t));
	l->ncpus = libbpf_num_possible_cpus();
	l->left_out.items = l->unattached;
	l->left_out.max = FW_ARRAY_SIZE(l->unattached);
	err = load_what_loads(l, btf_path, taint_expiry_ns, maps, n_maps);
	if (err)
		goto fail;
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
	hashmap__free(l->seeded);
	flightwatch_bpf__destroy(l->skel);
	free(l);
}

static bool dir_key_in(const struct fw_dir_key *keys, size_t n,
		       const struct fw_dir_key *key)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(&keys[i], key, sizeof(*key)))
			return true;
	return false;
}

size_t loader__set_rules(struct fw_loader *l, const struct fw_rules *rules)
{
	int dirs_fd = bpf_map__fd(l->skel->maps.watched_dirs);
	int pat_fd = bpf_map__fd(l->skel->maps.patterns);
	struct fw_dir_key *keys = fw_xcalloc(rules->n_dirs + 1, sizeof(*keys));
	struct fw_dir_key key, next, *prev = NULL;
	size_t found = 0;
	__u8 one = 1;

	for (size_t i = 0; i < rules->n_dirs; i++) {
		/* built-in directories that do not exist yet are picked up
		 * by a later call */
		if (rules__resolve_dir(rules->dirs[i], &keys[found]))
			continue;
		if (!bpf_map_update_elem(dirs_fd, &keys[found], &one, BPF_ANY))
			found++;
	}
	/* directories no longer configured, or deleted and created again
	 * (another inode): deleting the current key restarts the walk */
	while (!bpf_map_get_next_key(dirs_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!dir_key_in(keys, found, &key) &&
		    !bpf_map_delete_elem(dirs_fd, &key))
			prev = NULL;
	}
	free(keys);
	for (__u32 i = 0; i < FW_PATTERN_MAX; i++) {
		struct fw_pattern empty = { 0 };
		const struct fw_pattern *p =
			i < rules->n_patterns ? &rules->patterns[i] : &empty;

		bpf_map_update_elem(pat_fd, &i, p, BPF_ANY);
	}
	return found;
}

/* Keys of the map fd, size bytes each, that drop() picks: deleted after
 * the walk, which a deletion would restart */
static void delete_where(int fd, size_t size,
			 bool (*drop)(int fd, const void *key, void *ctx),
			 void *ctx, uint64_t *deleted)
{
	unsigned char key[sizeof(struct fw_file_key)];
	unsigned char *doomed = NULL, *grown;
	size_t n = 0, i;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, key)) {
		prev = key;
		if (!drop(fd, key, ctx))
			continue;
		grown = realloc(doomed, (n + 1) * size);
		if (!grown)
			break;
		doomed = grown;
		memcpy(doomed + n++ * size, key, size);
	}
	for (i = 0; i < n; i++)
		if (!bpf_map_delete_elem(fd, doomed + i * size))
			(*deleted)++;
	free(doomed);
}

/* A file that is a flight log by a directory or a pattern */
static bool drop_classified(int fd, const void *key, void *ctx)
{
	__u32 match;

	(void)ctx;
	return !bpf_map_lookup_elem(fd, key, &match) &&
	       (match == FW_MATCH_DIR || match == FW_MATCH_PATTERN);
}

/* An inode address whose file is no longer known */
static bool drop_inode(int fd, const void *key, void *ctx)
{
	int files_fd = *(int *)ctx;
	struct fw_file_key target;
	__u32 match;

	if (bpf_map_lookup_elem(fd, key, &target))
		return false;
	/* a unix connection's embryo name (carriers.bpf.h) stays */
	if (target.dev == 0 && target.gen == 0xFFFFFFFFu)
		return false;
	return bpf_map_lookup_elem(files_fd, &target, &match) != 0;
}

/* Forget the files that were flight logs by a directory or a pattern (not
 * the carriers tainted processes wrote), and the inode addresses that
 * pointed at them: they are classified again by the rules now set */
static void forget_classified(struct fw_loader *l)
{
	int files_fd = bpf_map__fd(l->skel->maps.watched_files);

	_Static_assert(sizeof(__u64) <= sizeof(struct fw_file_key),
		       "delete_where's key buffer fits both maps");
	delete_where(files_fd, sizeof(struct fw_file_key), drop_classified,
		     NULL, &l->lru_user_deletes[FW_LRU_WATCHED_FILES]);
	delete_where(bpf_map__fd(l->skel->maps.watched_inodes), sizeof(__u64),
		     drop_inode, &files_fd,
		     &l->lru_user_deletes[FW_LRU_WATCHED_INODES]);
}

size_t loader__replace_rules(struct fw_loader *l, const struct fw_rules *rules)
{
	size_t found = loader__set_rules(l, rules);
	int err;

	forget_classified(l);
	/* every file under the directories now watched, known again */
	hashmap__free(l->seeded);
	l->seeded = hashmap__new(2 * sizeof(uint64_t));
	err = loader__seed_dir_files(l, rules);
	if (!err)
		err = loader__seed_open_files(l);
	if (err)
		fw_warn("cannot classify the open files again: %s",
			strerror(-err));
	return found;
}

/* Run the task_file iterator over every task, or over this process only
 * (own: kernels before 5.19 cannot filter, and get every task) */
static int run_seed_iter(struct fw_loader *l, bool own)
{
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info = { 0 };
	struct bpf_link *link = NULL;
	char buf[256];
	int fd, err = 0;
	ssize_t n;

	if (bpf_program__fd(l->skel->progs.fw_seed_files) < 0)
		return -EOPNOTSUPP; /* left out: the ready line says why */
	if (own) {
		info.task.pid = getpid();
		opts.link_info = &info;
		opts.link_info_len = sizeof(info);
		link = bpf_program__attach_iter(l->skel->progs.fw_seed_files,
						&opts);
	}
	if (!link)
		link = bpf_program__attach_iter(l->skel->progs.fw_seed_files,
						NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		goto out_link;
	}
	/* the program prints nothing: reading drives the walk to its end */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		err = -errno;
	close(fd);
out_link:
	bpf_link__destroy(link);
	return err;
}

int loader__seed_open_files(struct fw_loader *l)
{
	return run_seed_iter(l, false);
}

/* Descriptors held while the iterator classifies them: a batch at a time */
#define SEED_BATCH 256
/* Files under the watched directories remembered as handed over; past
 * this, new files are not handed over (counted and said once) */
#define SEED_KNOWN_MAX 65536

struct seed_walk {
	struct fw_loader *l;
	int fds[SEED_BATCH];
	uint64_t keys[SEED_BATCH][2]; /* device, inode of each */
	size_t n_fds;
	size_t depth_base; /* slashes in the watched directory's path */
	void *mark; /* this walk's generation, as a hashmap value */
	int err;
};

/* Classify the batch; only a batch the kernel saw is remembered as such,
 * so that a failed one is tried again at the next walk */
static void seed_flush(struct seed_walk *w)
{
	int err;

	if (!w->n_fds)
		return;
	err = run_seed_iter(w->l, true);
	if (err && !w->err)
		w->err = err;
	for (size_t i = 0; i < w->n_fds; i++) {
		if (!err)
			hashmap__put(w->l->seeded, w->keys[i], w->mark);
		close(w->fds[i]);
	}
	w->n_fds = 0;
}

static size_t slashes(const char *path)
{
	size_t n = 0;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* nftw has no context argument */
static struct seed_walk *seed_current;

static int seed_visit(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	struct seed_walk *w = seed_current;
	struct fw_loader *l = w->l;
	uint64_t key[2] = { st->st_dev, st->st_ino };
	int fd;

	(void)ftw;
	/* the kernel looks this many directories up, no further */
	if (type == FTW_D && slashes(path) - w->depth_base >= FW_DIR_DEPTH - 1)
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return FTW_CONTINUE;
	if (hashmap__get(l->seeded, key)) {
		hashmap__put(l->seeded, key, w->mark); /* still there */
		return FTW_CONTINUE;
	}
	if (hashmap__count(l->seeded) + w->n_fds >= SEED_KNOWN_MAX) {
		if (!l->seed_full_said)
			fw_warn("more than %d files under the watched directories: newer ones are known by inode only once opened",
				SEED_KNOWN_MAX);
		l->seed_full_said = true;
		return FTW_CONTINUE;
	}
	/* O_PATH: no read, no access time change, any file mode */
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return FTW_CONTINUE;
	memcpy(w->keys[w->n_fds], key, sizeof(key));
	w->fds[w->n_fds++] = fd;
	if (w->n_fds == SEED_BATCH)
		seed_flush(w);
	return FTW_CONTINUE;
}

/* Forget the files this walk did not find (deleted, moved out): their
 * inode numbers may come back as new files */
static void seed_sweep(struct fw_loader *l, void *mark)
{
	struct hashmap_cursor cur = { 0 };
	uint64_t(*gone)[2] = NULL;
	size_t n = 0, i;
	const void *key;
	void *value;

	gone = fw_xcalloc(hashmap__count(l->seeded) + 1, sizeof(*gone));
	while (hashmap__next(l->seeded, &cur, &key, &value))
		if (value != mark)
			memcpy(gone[n++], key, sizeof(gone[0]));
	for (i = 0; i < n; i++)
		hashmap__remove(l->seeded, gone[i]);
	free(gone);
}

int loader__seed_dir_files(struct fw_loader *l, const struct fw_rules *rules)
{
	struct seed_walk w = { .l = l };

	/* generations 1, 2, ...: never NULL, which means absent */
	w.mark = (void *)(uintptr_t)++l->seed_walks;
	seed_current = &w;
	for (size_t i = 0; i < rules->n_dirs; i++) {
		w.depth_base = slashes(rules->dirs[i]);
		nftw(rules->dirs[i], seed_visit, 16,
		     FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
	}
	seed_flush(&w);
	seed_current = NULL;
	seed_sweep(l, w.mark);
	return w.err;
}

int loader__poll(struct fw_loader *l, int timeout_ms)
{
	int n = ring_buffer__poll(l->rb, timeout_ms);

	if (n == -EINTR)
		n = 0;
	if (n < 0)
		return n;
	/* records submitted without a wake-up (process lifecycle) */
	n = ring_buffer__consume(l->rb);
	return n == -EINTR ? 0 : n;
}

/*
 * Calls fn(key, value, ctx) for every entry of the hash map fd, reading
 * them a chunk at a time (BPF_MAP_LOOKUP_BATCH: one system call per chunk
 * instead of two per entry). Entries added or removed meanwhile may be
 * seen or not. Returns 0 or -errno.
 */
static int map_walk(int fd, size_t key_size, size_t value_size,
		    void (*fn)(const void *key, const void *value, void *ctx),
		    void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 chunk = 1024, n, i;
	uint64_t in = 0, out = 0;
	unsigned char *keys = NULL, *values = NULL;
	bool first = true, done = false;
	int err = 0;

	while (!done) {
		if (!keys) {
			keys = fw_xcalloc(chunk, key_size);
			values = fw_xcalloc(chunk, value_size);
		}
		n = chunk;
		if (bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys,
					 values, &n, &opts)) {
			err = -errno;
			if (err == -ENOSPC && !n) {
				/* a bucket holds more than a chunk */
				chunk *= 2;
				free(keys);
				free(values);
				keys = values = NULL;
				continue;
			}
			done = true;
			if (err == -ENOENT)
				err = 0; /* the end: n may still hold entries */
		}
		for (i = 0; i < n; i++)
			fn(keys + i * key_size, values + i * value_size, ctx);
		in = out;
		first = false;
	}
	free(keys);
	free(values);
	return err;
}

struct counter_walk {
	struct fw_loader *l;
	bool reads; /* the reads map; else flows */
	size_t key_size;
	uint32_t pid; /* 0: every process */
	uint64_t since_ns; /* only counters that moved since */
	unsigned char *doomed; /* keys to delete after the walk */
	size_t n_doomed;
};

/* One kernel counter as the event the correlator reads */
static void counter_seen(const void *key, const void *value, void *ctx)
{
	struct counter_walk *w = ctx;
	const struct fw_counter *count = value;
	uint32_t tgid;

	memcpy(&tgid, (const unsigned char *)key + w->key_size - 8,
	       sizeof(tgid));
	if ((w->pid && tgid != w->pid) || count->last_ns < w->since_ns)
		return;
	if (w->reads) {
		struct fw_read_bytes_event e = { 0 };
		const struct fw_read_key *rk = key;

		e.hdr.type = FW_EV_READ_BYTES;
		e.hdr.size = sizeof(e);
		e.hdr.tgid = e.hdr.tid = tgid;
		e.hdr.ts_ns = count->last_ns;
		e.file = rk->file;
		e.count = *count;
		w->l->fn(&e, sizeof(e), w->l->ctx);
	} else {
		struct fw_send_bytes_event e = { 0 };
		const struct fw_flow_key *fk = key;

		e.hdr.type = FW_EV_SEND_BYTES;
		e.hdr.size = sizeof(e);
		e.hdr.tgid = e.hdr.tid = tgid;
		e.hdr.ts_ns = count->last_ns;
		e.dest = fk->dest;
		e.count = *count;
		w->l->fn(&e, sizeof(e), w->l->ctx);
	}
	if (w->pid) {
		unsigned char *grown =
			realloc(w->doomed, (w->n_doomed + 1) * w->key_size);

		if (!grown)
			return;
		w->doomed = grown;
		memcpy(w->doomed + w->n_doomed++ * w->key_size, key,
		       w->key_size);
	}
}

/* Deliver the counters of pid (0: of every process, those that moved
 * since the last such walk) and, with forget, delete pid's */
static void sync_map(struct fw_loader *l, enum fw_lru_map lru, int fd,
		     size_t key_size, uint32_t pid, bool forget,
		     uint64_t since_ns)
{
	struct counter_walk w = {
		.l = l,
		.reads = lru == FW_LRU_READS,
		.key_size = key_size,
		.pid = pid,
		.since_ns = pid ? 0 : since_ns,
	};

	map_walk(fd, key_size, sizeof(struct fw_counter), counter_seen, &w);
	for (size_t i = 0; forget && i < w.n_doomed; i++)
		if (!bpf_map_delete_elem(fd, w.doomed + i * key_size))
			l->lru_user_deletes[lru]++;
	free(w.doomed);
}

void loader__sync_counters(struct fw_loader *l, uint32_t pid, bool forget)
{
	_Static_assert(offsetof(struct fw_read_key, tgid) ==
			       sizeof(struct fw_read_key) - 8,
		       "tgid sits 8 bytes before the end of both keys");
	_Static_assert(offsetof(struct fw_flow_key, tgid) ==
			       sizeof(struct fw_flow_key) - 8,
		       "tgid sits 8 bytes before the end of both keys");
	/* a counter that moves while it is read is delivered again next
	 * time: the walk's own start is the next one's bound */
	uint64_t start = fw_boot_now_ns();

	sync_map(l, FW_LRU_READS, bpf_map__fd(l->skel->maps.reads),
		 sizeof(struct fw_read_key), pid, forget, l->synced_ns);
	sync_map(l, FW_LRU_FLOWS, bpf_map__fd(l->skel->maps.flows),
		 sizeof(struct fw_flow_key), pid, forget, l->synced_ns);
	if (!pid)
		l->synced_ns = start;
}

static uint64_t stat_sum(struct fw_loader *l, __u32 idx)
{
	uint64_t *vals = fw_xcalloc(l->ncpus, sizeof(*vals));
	uint64_t sum = 0;

	if (!bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.stats), &idx, vals))
		for (int i = 0; i < l->ncpus; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

void loader__check_lost(struct fw_loader *l)
{
	struct fw_lost_event e = { 0 };

	e.dropped = stat_sum(l, FW_STAT_RB_DROPPED);
	e.pending_full = stat_sum(l, FW_STAT_PENDING_FULL);
	if (e.dropped + e.pending_full <= l->lost_reported)
		return;
	l->lost_reported = e.dropped + e.pending_full;
	e.hdr.type = FW_EV_LOST;
	e.hdr.size = sizeof(e);
	e.hdr.ts_ns = fw_boot_now_ns();
	l->fn(&e, sizeof(e), l->ctx);
}

static struct bpf_map *lru_map(struct fw_loader *l, enum fw_lru_map idx)
{
	switch (idx) {
	case FW_LRU_WATCHED_FILES:
		return l->skel->maps.watched_files;
	case FW_LRU_WATCHED_INODES:
		return l->skel->maps.watched_inodes;
	case FW_LRU_TAINTED:
		return l->skel->maps.tainted;
	case FW_LRU_READS:
		return l->skel->maps.reads;
	case FW_LRU_FLOWS:
		return l->skel->maps.flows;
	case FW_LRU_CARRIES:
		return l->skel->maps.carries;
	case FW_LRU_RELAYS:
		return l->skel->maps.relays;
	case FW_LRU_EMBRYOS:
		return l->skel->maps.embryos;
	default:
		return l->skel->maps.uring_reqs;
	}
}

static void count_one(const void *key, const void *value, void *ctx)
{
	(void)key;
	(void)value;
	(*(uint64_t *)ctx)++;
}

/* Entries in a hash map now (some may come or go during the count) */
static uint64_t count_entries(const struct bpf_map *map)
{
	uint64_t n = 0;

	map_walk(bpf_map__fd(map), bpf_map__key_size(map),
		 bpf_map__value_size(map), count_one, &n);
	return n;
}

/*
 * Evictions = keys put in - keys deleted - keys still there. Read in that
 * order, a put or a delete racing with the count can only make the result
 * smaller, never report an eviction that did not happen; the counts only
 * grow, so the largest result seen is kept. A map that lost entries since
 * the last check is reported on stderr.
 */
int loader__check_evictions(struct fw_loader *l)
{
	int grew = 0;

	for (int i = 0; i < FW_LRU_MAX; i++) {
		uint64_t put = stat_sum(l, FW_STAT_LRU_INSERTS + i);
		uint64_t live = count_entries(lru_map(l, i));
		uint64_t gone = stat_sum(l, FW_STAT_LRU_DELETES + i) +
				l->lru_user_deletes[i];

		if (put > live + gone &&
		    put - live - gone > l->lru_evicted[i]) {
			l->lru_evicted[i] = put - live - gone;
			fw_warn("kernel map %s is full: %" PRIu64
				" entries evicted so far, the trace may miss"
				" flows (raise its size)",
				output__lru_name(i), l->lru_evicted[i]);
			grew++;
		}
	}
	return grew;
}

void loader__stats(struct fw_loader *l, struct fw_run_stats *stats)
{
	loader__check_evictions(l);
	memcpy(stats->evicted, l->lru_evicted, sizeof(stats->evicted));
	stats->uring_fixed = stat_sum(l, FW_STAT_URING_FIXED);
	for (__u32 t = 0; t < FW_EV_TYPE_MAX; t++)
		stats->events[t] = stat_sum(l, FW_STAT_EVENTS + t);
	stats->lost = stat_sum(l, FW_STAT_RB_DROPPED);
	stats->pending_full = stat_sum(l, FW_STAT_PENDING_FULL);
	stats->path_truncated = stat_sum(l, FW_STAT_PATH_TRUNCATED);
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

const char **loader__hooks(struct fw_loader *l, size_t *n)
{
	*n = l->n_links;
	return l->hooks;
}
