// SPDX-License-Identifier: GPL-2.0
/* The kernel's counters as events and statistics: bytes read and sent,
 * events lost, entries its LRU maps evicted */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/loader_priv.h"
#include "lib/util.h"
#include "sink/output.h"

/*
 * Calls fn(key, value, ctx) for every entry of the hash map fd, reading
 * them a chunk at a time (BPF_MAP_LOOKUP_BATCH: one system call per chunk
 * instead of two per entry). Entries added or removed meanwhile may be
 * seen or not. Returns 0 or -errno.
 */
int loader__map_walk(int fd, size_t key_size, size_t value_size,
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

	loader__map_walk(fd, key_size, sizeof(struct fw_counter), counter_seen,
			 &w);
	for (size_t i = 0; forget && i < w.n_doomed; i++)
		if (!bpf_map_delete_elem(fd, w.doomed + i * key_size))
			l->lru_user_deletes[lru]++;
	free(w.doomed);
}

/* How far behind the precise time a moving counter's last_ns may be
 * (tick_boot_ns, bpf/common.bpf.h): a tick or two, 10 ms each at the
 * slowest rate (HZ=100), and a margin for ticks handled late */
#define TICK_CLOCK_LAG_NS (100 * 1000000ull)

void loader__sync_counters(struct fw_loader *l, uint32_t pid, bool forget)
{
	_Static_assert(offsetof(struct fw_read_key, tgid) ==
			       sizeof(struct fw_read_key) - 8,
		       "tgid sits 8 bytes before the end of both keys");
	_Static_assert(offsetof(struct fw_flow_key, tgid) ==
			       sizeof(struct fw_flow_key) - 8,
		       "tgid sits 8 bytes before the end of both keys");
	/* a counter that moves while it is read is delivered again next
	 * time: the walk's own start, less the lag of the kernel's time for
	 * a moving counter, is the next one's bound */
	uint64_t start = fw_boot_now_ns() - TICK_CLOCK_LAG_NS;

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
#define LRU_MAP(name, lru, min, max, pow2)        \
	if ((lru) != FW_LRU_NONE && idx == (lru)) \
		return l->skel->maps.name;
	FW_SIZED_MAPS(LRU_MAP)
#undef LRU_MAP
	return NULL; /* not a slot: FW_SIZED_MAPS has one for each */
}

static void count_one(const void *key, const void *value, void *ctx)
{
	(void)key;
	(void)value;
	(*(uint64_t *)ctx)++;
}

/* Entries in a hash map now (some may come or go during the count) */
uint64_t loader__count_entries(const struct bpf_map *map)
{
	uint64_t n = 0;

	loader__map_walk(bpf_map__fd(map), bpf_map__key_size(map),
			 bpf_map__value_size(map), count_one, &n);
	return n;
}

void loader__baseline_lru(struct fw_loader *l)
{
	for (int i = 0; i < FW_LRU_MAX; i++)
		l->lru_at_start[i] = loader__count_entries(lru_map(l, i));
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
		uint64_t live = loader__count_entries(lru_map(l, i));
		/* entries an earlier run left count as put in */
		uint64_t gone = stat_sum(l, FW_STAT_LRU_DELETES + i) +
				l->lru_user_deletes[i];

		put += l->lru_at_start[i];

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
	stats->shared_unfollowed = stat_sum(l, FW_STAT_SHARED_UNFOLLOWED);
	for (__u32 t = 0; t < FW_EV_TYPE_MAX; t++)
		stats->events[t] = stat_sum(l, FW_STAT_EVENTS + t);
	stats->lost = stat_sum(l, FW_STAT_RB_DROPPED);
	stats->pending_full = stat_sum(l, FW_STAT_PENDING_FULL);
	stats->path_truncated = stat_sum(l, FW_STAT_PATH_TRUNCATED);
}
