// SPDX-License-Identifier: GPL-2.0
/* What the kernel cannot see happen: files processes had open before the
 * start (the task_file iterator) and files under the watched directories
 * (handed over by inode, a batch of O_PATH descriptors at a time) */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/loader_priv.h"
#include "lib/hashmap.h"
#include "lib/util.h"

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

/* The kernel recognises a /proc/PID/mem file by the file operations of
 * the first one opened since the start (bpf/procmem.bpf.h): one opened
 * here, once the hooks are attached, teaches them at once, so that one
 * opened before the start or by io_uring is recognised as well */
static void teach_proc_mem(void)
{
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
}

int loader__seed_open_files(struct fw_loader *l)
{
	teach_proc_mem();
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
