/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the loader: the state its files share. loader.c opens, loads and
 * attaches the programs and checks the privileges they need;
 * loader_rules.c puts the watched directories and patterns into the
 * kernel; loader_seed.c hands it the files already open and those under
 * the watched directories; loader_counters.c turns its counters into
 * events, losses, evictions and statistics.
 */
#ifndef FW_LOADER_PRIV_H
#define FW_LOADER_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flightwatch.skel.h"
#include "kernel/hooks.h"
#include "kernel/loader.h"

struct hashmap;

struct fw_loader {
	struct flightwatch_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link **links;
	const char **hooks;
	const char **progs; /* the program of each link */
	size_t n_links;
	fw_record_fn fn;
	void *ctx;
	uint64_t lost_reported;
	/* loader__poll's turn: when it began, records delivered */
	uint64_t poll_started_ns;
	uint64_t polled;
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
	/* the taint state pinned by an earlier run was taken over
	 * (loader_state.c), and its maps' entries then (evictions) */
	bool state_reused;
	/* the syscall programs read files and inodes as typed pointers
	 * (6.2 and later); untyped: the kernel refused that object */
	bool typed_reads;
	bool untyped;
	/* the syscall hooks are the fast tier's; fast_refused: the kernel
	 * refused it under auto, the tracepoint tier runs */
	bool fast_hooks;
	bool fast_refused;
	int state_fd; /* the state directory, locked while this run uses it */
	uint64_t lru_at_start[FW_LRU_MAX];
	/* optional programs the kernel refused at an earlier try */
	struct fw_refusal refused[FW_UNATTACHED_MAX];
	size_t n_refused;
	/* refused flows already delivered, and their counts (key
	 * struct fw_block_key, value uint64_t) */
	struct hashmap *blocked_seen;
};

/* fn(key, value, ctx) for every entry of the hash map fd; 0 or -errno */
int loader__map_walk(int fd, size_t key_size, size_t value_size,
		     void (*fn)(const void *key, const void *value, void *ctx),
		     void *ctx);
/* Entries in a hash map now */
uint64_t loader__count_entries(const struct bpf_map *map);
/* Before load: pin the persisted maps in dir, taking over an earlier
 * run's when they fit (fresh: never); sets state_reused. 0 or -errno
 * (said on stderr: the run goes on without persistence). */
int loader__pin_state(struct fw_loader *l, const char *dir, bool fresh);
/* After taking over an earlier run's maps: their entries now, so that
 * they do not read as evictions */
void loader__baseline_lru(struct fw_loader *l);
/* The rules' classification of files (not carriers) forgotten */
void loader__forget_classified(struct fw_loader *l);
/* The kernel's FW_EV_BLOCKED record e went by: later counts are updates
 * (loader_enforce.c) */
void loader__blocked_told(struct fw_loader *l, const struct fw_block_event *e);

#endif /* FW_LOADER_PRIV_H */
