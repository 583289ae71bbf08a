// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's taint state across restarts: the maps that say which
 * processes carry flight-log data, what they read and what they wrote
 * into are pinned in a bpffs directory, and the next start (a crash, an
 * upgrade, a `systemctl restart`) loads its programs onto them instead of
 * empty ones. Nothing survives a reboot: bpffs lives in memory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/loader_priv.h"
#include "kernel/procscan.h"
#include "lib/util.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/*
 * The maps that persist. Not the rules (the config gives them again), the
 * flows (a send after the restart is reported again, so the new run's
 * output has it), nor anything in flight (syscalls, io_uring requests).
 */
static const char *const persisted[] = {
	"tainted",	  "tainted_filter", "reads",	      "carries",
	"relays",	  "relay_count",    "embryos",	      "watched_files",
	"watched_inodes", "watched_filter", "shmem_carriers", "fuse_carriers",
};

static bool on_bpffs(const char *path)
{
	struct statfs fs;

	return !statfs(path, &fs) && (unsigned long)fs.f_type == BPF_FS_MAGIC;
}

/* The bpffs that holds dir: /sys/fs/bpf is mounted when it is not (as
 * systemd does at boot); another place must already be bpffs */
static int ensure_bpffs(const char *dir)
{
	char parent[PATH_MAX];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -EINVAL;
	*slash = '\0';
	if (on_bpffs(parent))
		return 0;
	if (strcmp(parent, "/sys/fs/bpf"))
		return -ENOTSUP;
	if (mount("bpf", parent, "bpf", 0, "mode=0700"))
		return -errno;
	return 0;
}

/* Remove every pin in dir (the directory stays) */
static void forget_all(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
}

/* A pinned map this object can take over: same type, key, value, size
 * and flags; 1 yes, 0 no pin there, -1 a pin that does not fit */
static int fits(const struct bpf_map *map, const char *path)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path), ok;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return -1;
	}
	close(fd);
	ok = info.type == bpf_map__type(map) &&
	     info.key_size == bpf_map__key_size(map) &&
	     info.value_size == bpf_map__value_size(map) &&
	     info.max_entries == bpf_map__max_entries(map) &&
	     info.map_flags == bpf_map__map_flags(map);
	return ok ? 1 : -1;
}

int loader__pin_state(struct fw_loader *l, const char *dir, bool fresh)
{
	char path[PATH_MAX];
	size_t found = 0;
	int err;

	l->state_reused = false;
	err = ensure_bpffs(dir);
	if (!err && mkdir(dir, 0700) && errno != EEXIST)
		err = -errno;
	if (!err && !on_bpffs(dir))
		err = -ENOTSUP;
	if (err) {
		fw_warn("cannot keep the taint state in %s (%s): a restart starts clean",
			dir,
			err == -ENOTSUP ? "not on a bpffs" : strerror(-err));
		return err;
	}
	/* one tracer per state: another one running on it (a `record` next
	 * to the service) would share its taint and drop its classification */
	if (l->state_fd < 0)
		l->state_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->state_fd < 0 || flock(l->state_fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		fw_warn("cannot keep the taint state in %s (%s): this run keeps none",
			dir,
			err == -EWOULDBLOCK ? "another tracer is using it" :
					      strerror(-err));
		if (l->state_fd >= 0)
			close(l->state_fd);
		l->state_fd = -1;
		return err;
	}
	if (fresh)
		forget_all(dir);
	for (size_t i = 0; i < FW_ARRAY_SIZE(persisted); i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(
			l->skel->obj, persisted[i]);
		int fit;

		snprintf(path, sizeof(path), "%s/%s", dir, persisted[i]);
		fit = map ? fits(map, path) : -1;
		if (fit < 0) {
			/* another version's layout, or other map sizes: a
			 * partial state would be worse than none */
			fw_warn("the taint state in %s does not fit this run (map %s): starting clean",
				dir, persisted[i]);
			forget_all(dir);
			found = 0;
			break;
		}
		found += fit;
	}
	for (size_t i = 0; i < FW_ARRAY_SIZE(persisted); i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(
			l->skel->obj, persisted[i]);

		snprintf(path, sizeof(path), "%s/%s", dir, persisted[i]);
		err = bpf_map__set_pin_path(map, path);
		if (err)
			return err;
	}
	l->state_reused = found == FW_ARRAY_SIZE(persisted);
	if (found && !l->state_reused) {
		/* some pins were lost: take none of them */
		forget_all(dir);
	}
	return 0;
}

void loader__unpin_state(const char *dir)
{
	forget_all(dir);
	rmdir(dir);
}

/* The kernel's device number (major << 20 | minor) is st's */
static bool same_file(const struct stat *st, const struct fw_file_key *key)
{
	return st->st_ino == key->ino && major(st->st_dev) == key->dev >> 20 &&
	       minor(st->st_dev) == (key->dev & 0xfffff);
}

/* A path of key among the descriptors pid has open */
static bool path_in_fds(uint32_t pid, const struct fw_file_key *key, char *out,
			size_t size)
{
	char dir[64], link[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%u/fd", pid);
	d = opendir(dir);
	while (d && !found && (de = readdir(d))) {
		struct stat st;
		ssize_t n;

		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, 0) ||
		    !same_file(&st, key))
			continue;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		snprintf(out, size, "%s", link);
		found = true;
	}
	if (d)
		closedir(d);
	return found;
}

/* nftw has no context argument */
static const struct fw_file_key *find_key;
static char *find_out;
static size_t find_size;

static int find_visit(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || !same_file(st, find_key))
		return FTW_CONTINUE;
	snprintf(find_out, find_size, "%s", path);
	return FTW_STOP;
}

/* A path of key under the watched directories */
static bool path_in_dirs(const struct fw_rules *rules,
			 const struct fw_file_key *key, char *out, size_t size)
{
	find_key = key;
	find_out = out;
	find_size = size;
	for (size_t i = 0; i < rules->n_dirs; i++)
		if (nftw(rules->dirs[i], find_visit, 16,
			 FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL) == FTW_STOP)
			return true;
	return false;
}

/* Hand the collector a read record of key by the process (tgid, start,
 * comm), as if the kernel had delivered it: the path from the process's
 * descriptors, else from the watched directories, else by inode */
static void deliver_read(struct fw_loader *l, const struct fw_rules *rules,
			 const struct fw_event_header *who,
			 const struct fw_file_key *key, uint64_t bytes)
{
	struct fw_file_read_event *e = fw_xcalloc(1, sizeof(*e));
	char path[FW_PATH_MAX];
	size_t len;

	if (key->dev == 0 && key->gen == FW_FUSE_GEN)
		/* a FUSE connection, named as the correlator names it */
		snprintf(path, sizeof(path), "fuse:[%u:%u]",
			 (unsigned)(key->ino >> 20),
			 (unsigned)(key->ino & 0xfffff));
	else if (!path_in_fds(who->tgid, key, path, sizeof(path)) &&
		 !path_in_dirs(rules, key, path, sizeof(path)))
		snprintf(path, sizeof(path), "(inode %llu on device %u:%u)",
			 (unsigned long long)key->ino, key->dev >> 20,
			 key->dev & 0xfffff);
	e->hdr = *who;
	e->hdr.type = FW_EV_FILE_READ;
	e->hdr.size = sizeof(*e);
	e->hdr.ts_ns = fw_boot_now_ns();
	e->file = *key;
	e->bytes = bytes;
	e->match = FW_MATCH_KNOWN;
	/* written like the kernel's: ending at FW_PATH_MAX - 1 */
	len = strlen(path);
	e->path_off = FW_PATH_MAX - 1 - len;
	memcpy(e->path + e->path_off, path, len);
	l->fn(e, sizeof(*e), l->ctx);
	free(e);
}

struct restore {
	struct fw_loader *l;
	const struct fw_rules *rules;
	int tainted_fd;
	size_t restored;
};

/* One (file, process) read count of the earlier run: the process still
 * carries it (tainted, the same process) -> a read record, as if seen */
static void restore_read(const void *key, const void *value, void *ctx)
{
	const struct fw_read_key *rk = key;
	const struct fw_counter *count = value;
	struct restore *r = ctx;
	struct fw_event_header who = { .tgid = rk->tgid, .tid = rk->tgid };
	struct fw_taint taint;
	uint64_t now_start;

	if (bpf_map_lookup_elem(r->tainted_fd, &rk->tgid, &taint))
		return;
	now_start = procscan__start_ns("/proc", rk->tgid);
	if (!now_start || !fw_same_start(taint.start_ns, now_start)) {
		/* it ended while no tracer ran */
		if (!bpf_map_delete_elem(r->tainted_fd, &rk->tgid))
			r->l->lru_user_deletes[FW_LRU_TAINTED]++;
		return;
	}
	who.start_ns = taint.start_ns;
	deliver_read(r->l, r->rules, &who, &rk->file, count->bytes);
	r->restored++;
}

void loader__name_origin(struct fw_loader *l, const struct fw_rules *rules,
			 const struct fw_net_event *e)
{
	static const struct fw_file_key none;

	if (memcmp(&e->origin, &none, sizeof(none)))
		deliver_read(l, rules, &e->hdr, &e->origin, 0);
}

size_t loader__restore_taint(struct fw_loader *l, const struct fw_rules *rules)
{
	struct restore r = {
		.l = l,
		.rules = rules,
		.tainted_fd = bpf_map__fd(l->skel->maps.tainted),
	};

	if (!l->state_reused)
		return 0;
	loader__map_walk(bpf_map__fd(l->skel->maps.reads),
			 sizeof(struct fw_read_key), sizeof(struct fw_counter),
			 restore_read, &r);
	return r.restored;
}
