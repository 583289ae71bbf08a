/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel side as the collector sees it: checks that the platform can
 * run the tracer, loads and attaches the BPF programs, fills the rule maps,
 * delivers ring-buffer records and turns kernel counters into events.
 */
#ifndef FW_LOADER_H
#define FW_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cli/config.h"
#include "core/policy.h"
#include "core/rules.h"
#include "sink/output.h"

/* Receives each event record; the record may be modified in place */
typedef void (*fw_record_fn)(void *rec, size_t size, void *ctx);

struct fw_loader;
struct fw_map_size;

/* Privileges and kernel BTF (btf_path or the running kernel's): prints
 * one error line and returns -1 when the tracer cannot run */
int loader__preflight(const char *btf_path);
struct fw_load_opts {
	const char *btf_path; /* NULL: the running kernel's */
	uint64_t taint_expiry_ns;
	/* sizes set before load (the config's maps: key) */
	const struct fw_map_size *maps;
	size_t n_maps;
	/* bpffs directory where the taint state persists (NULL: nowhere);
	 * fresh: an earlier run's state there is dropped, not taken over */
	const char *state_dir;
	bool fresh;
	/* load and attach the enforcement programs too (their mode starts
	 * off: loader__set_enforce) */
	bool enforce;
	/* the syscall hooks' tier; auto: fast where fentry programs load */
	enum fw_hooks_tier hooks;
};

int loader__open(struct fw_loader **out, const struct fw_load_opts *opts,
		 fw_record_fn fn, void *ctx);
/* With an earlier run's state taken over: hand fn a read record for each
 * flight log a process still running read before the restart (after the
 * /proc seed, so that the process is known); returns how many */
size_t loader__restore_taint(struct fw_loader *l, const struct fw_rules *rules);
/* A send or connect record of a process whose flight-log reads the
 * collector never saw (their records were lost): hand fn a read record of
 * the origin the kernel names in it, with its path found as for a restore */
void loader__name_origin(struct fw_loader *l, const struct fw_rules *rules,
			 const struct fw_net_event *e);
/* Whether the BPF program named prog is attached */
bool loader__attached(const struct fw_loader *l, const char *prog);
/* Whether an earlier run's taint state was taken over */
bool loader__state_reused(const struct fw_loader *l);
void loader__close(struct fw_loader *l);
/* Watched directories that exist now go to the kernel, and directories
 * no longer in rules leave it; returns how many are watched */
size_t loader__set_rules(struct fw_loader *l, const struct fw_rules *rules);
/* New rules (a config reload): set them, forget which files were flight
 * logs by a directory or pattern, and classify the open files again.
 * Taint (of processes, carriers) is kept. */
size_t loader__replace_rules(struct fw_loader *l, const struct fw_rules *rules);
/* Classify the files every process has open now (after set_rules), so
 * that reads of flight logs opened before the tracer started count */
int loader__seed_open_files(struct fw_loader *l);
/* Hand the kernel the files under the watched directories not handed
 * before, by inode: a flight log hard-linked or renamed out of a watched
 * directory before anything opened it is still known. Opens each with
 * O_PATH (never reads it). Returns 0 or -errno. */
int loader__seed_dir_files(struct fw_loader *l, const struct fw_rules *rules);
/* The enforcement mode (enum fw_enforce_mode) and the destinations a
 * tainted process may still reach, from policy's allow rules by address.
 * Returns how many networks are allowed, or -1 when they do not all fit
 * (the kernel then refuses those left out: it fails closed). */
int loader__set_enforce(struct fw_loader *l, int mode,
			const struct fw_policy *policy);
/* Deliver FW_EV_BLOCKED with the counts of refused flows (of pid only,
 * unless 0) that grew since the kernel's record or the last sync */
void loader__sync_blocked(struct fw_loader *l, uint32_t pid);
/* Wait up to timeout_ms for records and deliver them, for at most about
 * 100 ms; > 0 when some were (more may wait), 0 none, -errno on failure */
int loader__poll(struct fw_loader *l, int timeout_ms);
/* The ring buffer's epoll descriptor (readable when records wait), for a
 * caller that waits on other descriptors too: then loader__poll(l, 0) */
int loader__poll_fd(struct fw_loader *l);
/* Deliver FW_EV_READ_BYTES / FW_EV_SEND_BYTES for the kernel's counters
 * (of pid only, unless pid is 0) and, with forget, drop them in the kernel */
void loader__sync_counters(struct fw_loader *l, uint32_t pid, bool forget);
/* Deliver FW_EV_LOST when the kernel dropped events since last time */
void loader__check_lost(struct fw_loader *l);
/* Update the counts of entries the kernel evicted from its LRU maps;
 * returns how many maps lost entries since the last call */
int loader__check_evictions(struct fw_loader *l);
void loader__stats(struct fw_loader *l, struct fw_run_stats *stats);
/* Do the maps still answer (after capabilities were dropped)? 0 or
 * -errno; ctx is the struct fw_loader (an fw_bpf_check_fn) */
int loader__maps_usable(void *ctx);
/* The sections of the programs attached, in attach order */
/* Do the syscall programs read files and inodes as typed pointers (the
 * kernel has bpf_rdonly_cast), not with bpf_probe_read_kernel? */
bool loader__typed_reads(const struct fw_loader *l);
/* Whether the syscall hooks run in the fast tier (fentry/fexit) */
bool loader__fast_hooks(const struct fw_loader *l);
const char **loader__hooks(struct fw_loader *l, size_t *n);
/* Optional hooks left out or not attached, with the reason (at most
 * FW_UNATTACHED_MAX) */
#define FW_UNATTACHED_MAX 8
const struct fw_hook_status *loader__unattached(struct fw_loader *l, size_t *n);

#endif /* FW_LOADER_H */
