/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What test_trace.c and test_trace_damage.c share (include after
 * <cmocka.h>): a reader whose callbacks note what they were handed, a
 * writer with two META entries, and a temporary directory made by the
 * group setup for the traces they write.
 */
#ifndef TRACE_FIXTURE_H
#define TRACE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace/trace_format.h"
#include "trace/trace_reader.h"
#include "trace/trace_writer.h"

#define MAX_EVENTS 4096
#define MAX_DAMAGE 64

struct seen {
	size_t n_events;
	uint32_t types[MAX_EVENTS];
	uint32_t tgids[MAX_EVENTS];
	size_t sizes[MAX_EVENTS];
	size_t n_marks;
	char meta[1024];
	char end[1024];
	size_t n_damage;
	uint64_t damage_off[MAX_DAMAGE];
	char damage[MAX_DAMAGE][256];
};

static inline void on_event(const void *rec, size_t size, void *ctx)
{
	const struct fw_event_header *h = rec;
	struct seen *s = ctx;

	/* every byte of the record is readable (ASan checks this) */
	assert_true(size >= sizeof(*h));
	assert_int_equal(h->size, size);
	if (s->n_events < MAX_EVENTS) {
		s->types[s->n_events] = h->type;
		s->tgids[s->n_events] = h->tgid;
		s->sizes[s->n_events] = size;
	}
	s->n_events++;
}

static inline void on_mark(const struct fw_event_header *h, void *ctx)
{
	struct seen *s = ctx;

	assert_int_equal(h->type, FW_TREC_FLUSH);
	s->n_marks++;
}

static inline void append_text(char *buf, size_t size, const char *k,
			       const char *v)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s=%s;", k, v);
}

static inline void on_meta(const char *k, const char *v, void *ctx)
{
	struct seen *s = ctx;

	append_text(s->meta, sizeof(s->meta), k, v);
}

static inline void on_end(const char *k, const char *v, void *ctx)
{
	struct seen *s = ctx;

	append_text(s->end, sizeof(s->end), k, v);
}

static inline void on_damage(const char *name, uint64_t off, const char *nature,
			     void *ctx)
{
	struct seen *s = ctx;

	(void)name;
	if (s->n_damage < MAX_DAMAGE) {
		s->damage_off[s->n_damage] = off;
		snprintf(s->damage[s->n_damage], sizeof(s->damage[0]), "%s",
			 nature);
	}
	s->n_damage++;
}

static inline int read_buf(const void *buf, size_t len, struct seen *s,
			   struct fw_trace_read_stats *st)
{
	struct fw_trace_reader_cb cb = {
		.meta = on_meta,
		.end = on_end,
		.event = on_event,
		.mark = on_mark,
		.damage = on_damage,
		.ctx = s,
	};

	memset(s, 0, sizeof(*s));
	memset(st, 0, sizeof(*st));
	return trace_reader__read_mem(buf, len, "test", &cb, st);
}

static char tmpdir[] = "/tmp/fwtrace-test.XXXXXX";

static inline int group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static inline void tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
	unlink(buf);
}

static inline struct fw_trace_writer *
open_writer(const char *path, uint64_t max_size, unsigned keep)
{
	struct fw_trace_writer_opts o = { 0 };
	struct fw_trace_writer *w;
	char *meta = NULL;
	size_t len = 0;

	trace_meta__add(&meta, &len, "hostname", "gs-1");
	trace_meta__add(&meta, &len, "watch", "/data/odd\nname%");
	o.path = path;
	o.max_size = max_size;
	o.keep = keep;
	o.meta = meta;
	o.meta_len = len;
	assert_int_equal(trace_writer__open(&w, &o), 0);
	free(meta);
	return w;
}

static inline void put_exit(struct fw_trace_writer *w, uint32_t pid,
			    uint32_t type)
{
	struct fw_exit_event e = { 0 };

	e.hdr.type = type;
	e.hdr.tgid = pid;
	e.hdr.size = sizeof(e);
	assert_int_equal(trace_writer__event(w, &e, sizeof(e), 1), 0);
}

static inline unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

#endif /* TRACE_FIXTURE_H */
