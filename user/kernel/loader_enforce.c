// SPDX-License-Identifier: GPL-2.0
/* Enforcement as the kernel needs it: the mode and the allowed networks
 * in its maps, and the counts of the flows it refused as events */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/loader_priv.h"
#include "lib/hashmap.h"
#include "lib/util.h"

/* What the kernel's trie holds (its max_entries, maps.bpf.h) */
#define ENFORCE_NETS_MAX 1024

/* Empty the trie: its keys are walked first, a deletion would restart
 * the walk */
static void allow_clear(int fd)
{
	struct fw_enforce_key key, *keys = NULL;
	size_t n = 0;
	void *prev = NULL;

	keys = fw_xcalloc(ENFORCE_NETS_MAX + 1, sizeof(*keys));
	while (n <= ENFORCE_NETS_MAX && !bpf_map_get_next_key(fd, prev, &key)) {
		keys[n++] = key;
		prev = &keys[n - 1];
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	free(keys);
}

int loader__set_enforce(struct fw_loader *l, int mode,
			const struct fw_policy *policy)
{
	struct fw_enforce_entry *nets;
	struct fw_enforce_config cfg = { .mode = mode };
	int allow_fd = bpf_map__fd(l->skel->maps.enforce_allow);
	bool overflow;
	size_t n;
	__u32 zero = 0;

	nets = fw_xcalloc(ENFORCE_NETS_MAX, sizeof(*nets));
	n = policy__enforce_entries(policy, nets, ENFORCE_NETS_MAX, &overflow);
	/* a network briefly missing only refuses more, never less */
	allow_clear(allow_fd);
	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(allow_fd, &nets[i].key, &nets[i].allow,
					BPF_ANY))
			overflow = true;
	free(nets);
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.enforce_config),
				&zero, &cfg, BPF_ANY)) {
		fw_err("cannot set the enforcement mode: %s", strerror(errno));
		return -1;
	}
	return overflow ? -1 : (int)n;
}

/* A flow whose first record the ring buffer has not delivered after this
 * long was lost there (counted as such): its count is delivered anyway */
#define BLOCKED_RECORD_LOST_NS 2000000000ull

struct blocked_walk {
	struct fw_loader *l;
	uint32_t pid; /* 0: every process */
	uint64_t now_ns;
};

void loader__blocked_told(struct fw_loader *l, const struct fw_block_event *e)
{
	struct fw_block_key k = { .dest = e->dest,
				  .tgid = e->hdr.tgid,
				  .hook = e->hook };

	if (!l->blocked_seen)
		l->blocked_seen = hashmap__new(sizeof(struct fw_block_key));
	if ((uintptr_t)hashmap__get(l->blocked_seen, &k) < e->count)
		hashmap__put(l->blocked_seen, &k, (void *)(uintptr_t)e->count);
}

/*
 * One refused flow: delivered again when its count grew. A flow the
 * kernel's own record has not announced yet is left alone: its record,
 * still in the ring buffer behind the process's exec and reads, comes
 * first, so that the alert can name the process and its origins.
 */
static void blocked_seen(const void *key, const void *value, void *ctx)
{
	struct blocked_walk *w = ctx;
	struct fw_loader *l = w->l;
	const struct fw_block_key *k = key;
	const struct fw_block_count *c = value;
	uintptr_t told = (uintptr_t)hashmap__get(l->blocked_seen, k);
	struct fw_block_event e = { 0 };

	if (c->count <= told || (w->pid && k->tgid != w->pid))
		return;
	if (!told && w->now_ns - c->first_ns < BLOCKED_RECORD_LOST_NS)
		return;
	hashmap__put(l->blocked_seen, k, (void *)(uintptr_t)c->count);
	e.hdr.ts_ns = c->last_ns;
	e.hdr.type = FW_EV_BLOCKED;
	e.hdr.tgid = k->tgid;
	e.hdr.size = sizeof(e);
	e.dest = k->dest;
	e.count = c->count;
	e.hook = k->hook;
	e.mode = c->mode;
	l->fn(&e, sizeof(e), l->ctx);
}

void loader__sync_blocked(struct fw_loader *l, uint32_t pid)
{
	struct blocked_walk w = { l, pid, fw_boot_now_ns() };

	if (!l->blocked_seen)
		l->blocked_seen = hashmap__new(sizeof(struct fw_block_key));
	loader__map_walk(bpf_map__fd(l->skel->maps.blocked),
			 sizeof(struct fw_block_key),
			 sizeof(struct fw_block_count), blocked_seen, &w);
}
