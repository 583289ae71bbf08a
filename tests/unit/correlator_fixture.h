/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The correlator fixture shared by test_correlator.c and test_carriers.c
 * (include after <cmocka.h>): a correlator whose alerts a capturing
 * callback deep-copies, and builders of the synthetic event records the
 * kernel (or the /proc seed) would deliver.
 */
#ifndef CORRELATOR_FIXTURE_H
#define CORRELATOR_FIXTURE_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/correlator.h"
#include "core/policy.h"
#include "lib/util.h"
#include "fw_test.h"

#define MAX_CAPTURED 32
#define MAX_ORIGINS 4
#define MAX_HOPS 4

/* The process start and name the next records carry (0, NULL: none) */
static uint64_t fixture_start_ns;
static const char *fixture_comm;

/* A deep copy of one alert: the pointers in struct fw_alert only live
 * during the callback */
struct captured {
	enum fw_alert_kind kind;
	bool update;
	uint64_t flow_id;
	uint64_t ts_ns;
	uint64_t bytes;
	uint64_t lost;
	uint64_t blocked;
	uint32_t block_hook;
	bool dry_run;
	int severity;
	bool verified;
	bool has_proc;
	uint32_t pid;
	uint32_t ppid;
	uint32_t uid;
	char comm[FW_COMM_LEN];
	char exe[256];
	char cmdline[256];
	struct fw_dest dest;
	size_t n_origins;
	char origin_path[MAX_ORIGINS][256];
	uint64_t origin_read[MAX_ORIGINS];
	uint32_t origin_content[MAX_ORIGINS];
	uint32_t uncertain;
	size_t n_chain;
	uint32_t chain_pid[MAX_HOPS];
	uint32_t chain_via[MAX_HOPS]; /* enum fw_peek_how, 0: none */
};

struct fixture {
	struct fw_policy policy;
	struct fw_correlator *c;
	struct captured alerts[MAX_CAPTURED];
	size_t n;
	size_t overflow;
};

static inline void capture(const struct fw_alert *a, void *ctx)
{
	struct fixture *fx = ctx;
	struct captured *cap;
	size_t i;

	if (fx->n == MAX_CAPTURED) {
		fx->overflow++;
		return;
	}
	cap = &fx->alerts[fx->n++];
	memset(cap, 0, sizeof(*cap));
	cap->kind = a->kind;
	cap->update = a->update;
	cap->flow_id = a->flow_id;
	cap->ts_ns = a->ts_ns;
	cap->bytes = a->bytes;
	cap->lost = a->lost;
	cap->uncertain = a->uncertain;
	cap->blocked = a->blocked;
	cap->block_hook = a->block_hook;
	cap->dry_run = a->dry_run;
	cap->severity = a->severity;
	cap->verified = a->verified;
	cap->dest = a->dest;
	if (a->proc) {
		cap->has_proc = true;
		cap->pid = a->proc->pid;
		cap->ppid = a->proc->ppid;
		cap->uid = a->proc->uid;
		memcpy(cap->comm, a->proc->comm, FW_COMM_LEN);
		snprintf(cap->exe, sizeof(cap->exe), "%s", a->proc->exe);
		snprintf(cap->cmdline, sizeof(cap->cmdline), "%s",
			 a->proc->cmdline);
		cap->n_chain = a->proc->n_chain;
		for (i = 0; i < a->proc->n_chain && i < MAX_HOPS; i++) {
			cap->chain_pid[i] = a->proc->chain[i].pid;
			cap->chain_via[i] = a->proc->chain[i].via;
		}
	}
	cap->n_origins = a->n_origins;
	for (i = 0; i < a->n_origins && i < MAX_ORIGINS; i++) {
		snprintf(cap->origin_path[i], sizeof(cap->origin_path[i]), "%s",
			 a->origins[i].file->path);
		cap->origin_read[i] = a->origins[i].bytes_read;
		cap->origin_content[i] = a->origins[i].file->content;
	}
}

static inline int setup(void **state)
{
	fixture_start_ns = 0;
	fixture_comm = NULL;
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->c = correlator__new(&fx->policy, capture, fx);
	*state = fx;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *fx = *state;

	correlator__free(fx->c);
	policy__free(&fx->policy);
	free(fx);
	return 0;
}

/* Alerts of one kind, in order */
static inline size_t count_kind(const struct fixture *fx,
				enum fw_alert_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < fx->n; i++)
		n += fx->alerts[i].kind == kind;
	return n;
}

static inline const struct captured *
nth_kind(const struct fixture *fx, enum fw_alert_kind kind, size_t nth)
{
	size_t i;

	for (i = 0; i < fx->n; i++)
		if (fx->alerts[i].kind == kind && !nth--)
			return &fx->alerts[i];
	fail_msg("no alert #%zu of kind %d", nth, kind);
	return NULL;
}

/* ---- record builders ---- */

static inline void set_hdr(struct fw_event_header *hdr, uint32_t type,
			   uint32_t pid, uint64_t ts, size_t size)
{
	hdr->start_ns = fixture_start_ns;
	if (fixture_comm)
		snprintf(hdr->comm, sizeof(hdr->comm), "%s", fixture_comm);
	hdr->type = type;
	hdr->tgid = pid;
	hdr->tid = pid;
	hdr->ts_ns = ts;
	hdr->size = size;
}

/* A path buffer as the kernel writes it: backwards, ending at
 * FW_PATH_MAX - 1 (see build_path and procscan.c) */
static inline uint32_t put_path(char *buf, const char *path)
{
	size_t len = strlen(path);
	uint32_t off = FW_PATH_MAX - 1 - len;

	memcpy(buf + off, path, len);
	buf[FW_PATH_MAX - 1] = '\0';
	return off;
}

static inline struct fw_dest dest4(const char *ip, uint16_t port)
{
	return fw_test_dest(AF_INET, ip, port, 6);
}

static inline struct fw_file_key fkey(uint64_t ino)
{
	struct fw_file_key k = { .ino = ino, .dev = (8 << 20) | 1, .gen = 7 };

	return k;
}

static inline void feed(struct fixture *fx, const void *rec, size_t size)
{
	assert_int_equal(correlator__feed(fx->c, rec, size), 0);
}

static inline void feed_exec(struct fixture *fx, uint32_t pid, uint32_t ppid,
			     const char *comm, const char *exe,
			     const char *args, size_t args_len)
{
	struct fw_exec_event *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	set_hdr(&e->hdr, FW_EV_EXEC, pid, 1000, sizeof(*e));
	e->ppid = ppid;
	e->uid = 1000;
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	memcpy(e->args, args, args_len);
	e->args_len = args_len;
	e->exe_off = put_path(e->path, exe);
	feed(fx, e, sizeof(*e));
	free(e);
}

/* A FILE_READ record: of a flight log (feed_read) or of a carrier
 * (feed_carrier_read in test_carriers.c) */
static inline void feed_file_read(struct fixture *fx, uint32_t pid,
				  uint64_t ino, const char *path,
				  uint64_t bytes, uint32_t match,
				  uint32_t content, uint64_t ts)
{
	struct fw_file_read_event *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	set_hdr(&e->hdr, FW_EV_FILE_READ, pid, ts, sizeof(*e));
	e->file = fkey(ino);
	e->bytes = bytes;
	e->match = match;
	e->content = content;
	e->path_off = put_path(e->path, path);
	feed(fx, e, sizeof(*e));
	free(e);
}

static inline void feed_read(struct fixture *fx, uint32_t pid, uint64_t ino,
			     const char *path, uint64_t bytes, uint32_t content)
{
	feed_file_read(fx, pid, ino, path, bytes, FW_MATCH_PATTERN, content,
		       3000);
}

static inline void feed_send(struct fixture *fx, uint32_t pid, struct fw_dest d,
			     uint64_t bytes, uint64_t ts)
{
	struct fw_net_event e = { 0 };

	set_hdr(&e.hdr, FW_EV_SEND, pid, ts, sizeof(e));
	e.dest = d;
	e.bytes = bytes;
	e.fd = 3;
	feed(fx, &e, sizeof(e));
}

static inline void feed_exit(struct fixture *fx, uint32_t pid)
{
	struct fw_exit_event e = { 0 };

	set_hdr(&e.hdr, FW_EV_EXIT, pid, 9000, sizeof(e));
	feed(fx, &e, sizeof(e));
}

static inline struct fw_correlator_stats stats_of(const struct fixture *fx)
{
	struct fw_correlator_stats s;

	correlator__stats(fx->c, &s);
	return s;
}

#define LOG_A "/home/alice/Documents/QGroundControl/Telemetry/a.tlog"
#define LOG_B "/home/alice/flights/b.ulg"

#endif /* CORRELATOR_FIXTURE_H */
