// SPDX-License-Identifier: GPL-2.0
/* The rules in the kernel: watched directories by device and inode, name
 * patterns, and forgetting what the rules classified when they change */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/loader_priv.h"
#include "lib/hashmap.h"
#include "lib/util.h"

static bool dir_key_in(const struct fw_dir_key *keys, size_t n,
		       const struct fw_dir_key *key)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(&keys[i], key, sizeof(*key)))
			return true;
	return false;
}

/* The open path's cache of walked directories (dir_cache) was filled
 * under the rules before: moving its epoch makes every entry stale. The
 * collector owns slot 1 of dir_epoch; the programs step slot 0. */
static void dir_epoch_bump(struct fw_loader *l)
{
	int fd = bpf_map__fd(l->skel->maps.dir_epoch);
	__u32 rules_slot = 1, epoch = 0;

	bpf_map_lookup_elem(fd, &rules_slot, &epoch);
	epoch++;
	if (bpf_map_update_elem(fd, &rules_slot, &epoch, BPF_ANY))
		fw_warn("the directory cache could not be reset: %s",
			strerror(errno));
}

size_t loader__set_rules(struct fw_loader *l, const struct fw_rules *rules)
{
	int dirs_fd = bpf_map__fd(l->skel->maps.watched_dirs);
	int pat_fd = bpf_map__fd(l->skel->maps.patterns);
	struct fw_dir_key *keys = fw_xcalloc(rules->n_dirs + 1, sizeof(*keys));
	struct fw_dir_key key, next, *prev = NULL;
	size_t found = 0;
	bool changed = false;
	__u8 one = 1, had;

	for (size_t i = 0; i < rules->n_dirs; i++) {
		/* built-in directories that do not exist yet are picked up
		 * by a later call */
		if (rules__resolve_dir(rules->dirs[i], &keys[found]))
			continue;
		if (bpf_map_lookup_elem(dirs_fd, &keys[found], &had))
			changed = true;
		if (!bpf_map_update_elem(dirs_fd, &keys[found], &one, BPF_ANY))
			found++;
	}
	/* directories no longer configured, or deleted and created again
	 * (another inode): deleting the current key restarts the walk */
	while (!bpf_map_get_next_key(dirs_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!dir_key_in(keys, found, &key) &&
		    !bpf_map_delete_elem(dirs_fd, &key)) {
			prev = NULL;
			changed = true;
		}
	}
	free(keys);
	/* the periodic rescan calls this too: most calls change nothing */
	if (changed)
		dir_epoch_bump(l);
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
	/* a unix connection's embryo name (carriers.bpf.h), the ptmx entry
	 * (pty.bpf.h), the /proc/PID/mem ones (procmem_files.bpf.h) and the
	 * /dev/fuse ones (fuse.bpf.h) stay */
	if (target.dev == 0 &&
	    (target.gen == FW_EMBRYO_GEN || target.gen == FW_PTMX_GEN ||
	     target.gen == FW_PROC_MEM_GEN || target.gen == FW_FUSE_DEV_GEN))
		return false;
	return bpf_map_lookup_elem(files_fd, &target, &match) != 0;
}

/* Forget the files that were flight logs by a directory or a pattern (not
 * the carriers tainted processes wrote), and the inode addresses that
 * pointed at them: they are classified again by the rules now set */
void loader__forget_classified(struct fw_loader *l)
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

	loader__forget_classified(l);
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
