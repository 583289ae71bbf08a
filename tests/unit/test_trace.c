// SPDX-License-Identifier: GPL-2.0
/*
 * The trace writer and reader: round trip, damage of every kind (truncation
 * at every offset, flipped bytes, garbage, impossible lengths), blocks and
 * records of kinds this reader does not know, rotation and file modes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <getopt.h>
#include <zlib.h>
#include "core/correlator.h"
#include "cli/options.h"
#include "core/policy.h"
#include "trace/replay.h"
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

static void on_event(const void *rec, size_t size, void *ctx)
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

static void on_mark(const struct fw_event_header *h, void *ctx)
{
	struct seen *s = ctx;

	assert_int_equal(h->type, FW_TREC_FLUSH);
	s->n_marks++;
}

static void append_text(char *buf, size_t size, const char *k, const char *v)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s=%s;", k, v);
}

static void on_meta(const char *k, const char *v, void *ctx)
{
	struct seen *s = ctx;

	append_text(s->meta, sizeof(s->meta), k, v);
}

static void on_end(const char *k, const char *v, void *ctx)
{
	struct seen *s = ctx;

	append_text(s->end, sizeof(s->end), k, v);
}

static void on_damage(const char *name, uint64_t off, const char *nature,
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

static int read_buf(const void *buf, size_t len, struct seen *s,
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

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static void tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
	unlink(buf);
}

static struct fw_trace_writer *open_writer(const char *path, uint64_t max_size,
					   unsigned keep)
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

static void put_exit(struct fw_trace_writer *w, uint32_t pid, uint32_t type)
{
	struct fw_exit_event e = { 0 };

	e.hdr.type = type;
	e.hdr.tgid = pid;
	e.hdr.size = sizeof(e);
	assert_int_equal(trace_writer__event(w, &e, sizeof(e), 1), 0);
}

static unsigned char *slurp(const char *path, size_t *len)
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

/* Three EVENTS blocks of three records each, between META and END */
static unsigned char *small_trace(const char *name, size_t *len)
{
	struct fw_trace_writer *w;
	char path[256];
	uint32_t pid = 100;

	tmp_path(path, sizeof(path), name);
	w = open_writer(path, 0, 0);
	for (int b = 0; b < 3; b++) {
		for (int i = 0; i < 3; i++)
			put_exit(w, pid++, FW_EV_EXIT);
		assert_int_equal(trace_writer__flush(w), 0);
	}
	assert_int_equal(trace_writer__close(w, "events=9\n", 9), 0);
	return slurp(path, len);
}

/* Offsets of the blocks of a valid trace; returns how many */
static size_t block_offsets(const unsigned char *buf, size_t len, size_t *offs,
			    size_t max)
{
	size_t off = sizeof(struct fw_trace_file_header), n = 0;

	while (off + sizeof(struct fw_trace_block_header) <= len && n < max) {
		struct fw_trace_block_header h;

		memcpy(&h, buf + off, sizeof(h));
		offs[n++] = off;
		off += sizeof(h) + le32toh(h.comp_len);
	}
	return n;
}

static void test_round_trip(void **state)
{
	struct fw_read_bytes_event rb = { 0 };
	struct fw_trace_writer *w;
	struct fw_trace_read_stats st;
	struct seen s;
	char path[256];
	unsigned char *buf;
	size_t len;
	struct stat sb;
	mode_t old = umask(0);

	(void)state;
	tmp_path(path, sizeof(path), "round.fwt");
	w = open_writer(path, 0, 0);
	umask(old);
	put_exit(w, 1, FW_EV_EXIT);
	rb.hdr.type = FW_EV_READ_BYTES;
	rb.hdr.tgid = 2;
	rb.hdr.size = sizeof(rb);
	rb.count.bytes = 12345;
	assert_int_equal(trace_writer__event(w, &rb, sizeof(rb), 1), 0);
	/* a type this build does not know: kept and handed on */
	put_exit(w, 3, 99);
	assert_int_equal(trace_writer__mark(w, FW_TREC_FLUSH, 5, 1), 0);
	/* a trace record of a newer writer: skipped */
	assert_int_equal(trace_writer__mark(w, FW_TREC_BASE + 77, 6, 1), 0);
	/* sizes not a multiple of 8 are padded in the block */
	rb.hdr.size = sizeof(rb) - 3;
	rb.hdr.tgid = 4;
	assert_int_equal(trace_writer__event(w, &rb, sizeof(rb) - 3, 1), 0);
	assert_int_equal(trace_writer__close(w, "events=4\n", 9), 0);

	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	buf = slurp(path, &len);
	assert_int_equal(read_buf(buf, len, &s, &st), 0);
	assert_int_equal(s.n_damage, 0);
	assert_int_equal(s.n_events, 4);
	assert_int_equal(s.types[0], FW_EV_EXIT);
	assert_int_equal(s.types[1], FW_EV_READ_BYTES);
	assert_int_equal(s.types[2], 99);
	assert_int_equal(s.tgids[3], 4);
	assert_int_equal(s.sizes[3], sizeof(rb) - 3);
	assert_int_equal(s.n_marks, 1);
	assert_int_equal(st.unknown_records, 1);
	assert_string_equal(s.meta, "hostname=gs-1;watch=/data/odd\nname%;");
	assert_string_equal(s.end, "events=4;");
	free(buf);
}

static void test_existing_file_refused(void **state)
{
	struct fw_trace_writer_opts o = { 0 };
	struct fw_trace_writer *w;
	char path[256];
	FILE *f;

	(void)state;
	tmp_path(path, sizeof(path), "exists.fwt");
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	o.path = path;
	assert_int_equal(trace_writer__open(&w, &o), -EEXIST);
	assert_null(w);
}

static void test_truncated_every_offset(void **state)
{
	struct fw_trace_read_stats st;
	struct seen s;
	size_t len, offs[16], n, cut;
	unsigned char *buf = small_trace("trunc.fwt", &len);

	(void)state;
	n = block_offsets(buf, len, offs, 16);
	assert_int_equal(n, 5); /* META, 3 x EVENTS, END */
	for (cut = 0; cut < len; cut++) {
		/* a copy of exactly cut bytes: ASan sees any overread */
		unsigned char *copy = malloc(cut ? cut : 1);
		size_t complete = 0;

		memcpy(copy, buf, cut);
		for (size_t b = 1; b <= 3; b++) {
			size_t end = b + 1 < n ? offs[b + 1] : len;

			if (end <= cut)
				complete++;
		}
		assert_int_equal(read_buf(copy, cut, &s, &st), 1);
		assert_true(s.n_damage >= 1);
		assert_int_equal(s.n_events, 3 * complete);
		free(copy);
	}
	assert_int_equal(read_buf(buf, len, &s, &st), 0);
	assert_int_equal(s.n_events, 9);
	free(buf);
}

static void test_flipped_byte_reported(void **state)
{
	struct fw_trace_read_stats st;
	struct seen s;
	size_t len, offs[16];
	unsigned char *buf = small_trace("flip.fwt", &len);

	(void)state;
	block_offsets(buf, len, offs, 16);
	/* a payload byte of the second EVENTS block */
	buf[offs[2] + sizeof(struct fw_trace_block_header) + 3] ^= 0x40;
	assert_int_equal(read_buf(buf, len, &s, &st), 1);
	assert_int_equal(s.n_damage, 1);
	assert_int_equal(s.damage_off[0], offs[2]);
	assert_non_null(strstr(s.damage[0], "checksum"));
	assert_int_equal(s.n_events, 6);
	assert_string_equal(s.end, "events=9;");
	free(buf);
}

static void test_flip_every_byte(void **state)
{
	struct fw_trace_read_stats st;
	struct seen s;
	size_t len;
	unsigned char *buf = small_trace("flipall.fwt", &len);

	(void)state;
	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0xff;
		read_buf(buf, len, &s, &st);
		/* the header's reserved bytes are not checked; any other
		 * byte is */
		assert_true(s.n_events <= 9);
		buf[i] ^= 0xff;
	}
	free(buf);
}

static void frame(unsigned char *out, uint16_t kind, const void *payload,
		  uint32_t len)
{
	struct fw_trace_block_header h = { 0 };
	uint32_t crc;

	h.magic = htole32(FW_BLOCK_MAGIC);
	h.kind = htole16(kind);
	h.raw_len = htole32(len);
	h.comp_len = htole32(len);
	crc = crc32(0, (unsigned char *)&h + 4, 12);
	crc = crc32(crc, payload, len);
	h.crc32 = htole32(crc);
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), payload, len);
}

static unsigned char *insert(const unsigned char *buf, size_t len, size_t at,
			     const void *what, size_t n)
{
	unsigned char *out = malloc(len + n);

	memcpy(out, buf, at);
	memcpy(out + at, what, n);
	memcpy(out + at + n, buf + at, len - at);
	return out;
}

static void test_unknown_block_skipped(void **state)
{
	struct fw_trace_read_stats st;
	struct seen s;
	size_t len, offs[16];
	unsigned char *buf = small_trace("unknown.fwt", &len), *out;
	unsigned char blk[sizeof(struct fw_trace_block_header) + 11];

	(void)state;
	block_offsets(buf, len, offs, 16);
	frame(blk, 77, "future data", 11);
	out = insert(buf, len, offs[2], blk, sizeof(blk));
	assert_int_equal(read_buf(out, len + sizeof(blk), &s, &st), 0);
	assert_int_equal(s.n_damage, 0);
	assert_int_equal(st.unknown_blocks, 1);
	assert_int_equal(s.n_events, 9);
	free(out);
	free(buf);
}

static void test_garbage_resync(void **state)
{
	struct fw_trace_read_stats st;
	struct seen s;
	size_t len, offs[16];
	unsigned char *buf = small_trace("garbage.fwt", &len), *out;
	unsigned char junk[300];

	(void)state;
	block_offsets(buf, len, offs, 16);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = i * 7 + 1;
	out = insert(buf, len, offs[3], junk, sizeof(junk));
	assert_int_equal(read_buf(out, len + sizeof(junk), &s, &st), 1);
	assert_int_equal(s.n_damage, 1);
	assert_int_equal(s.damage_off[0], offs[3]);
	assert_int_equal(s.n_events, 9);
	assert_int_equal(st.skipped_bytes, sizeof(junk));
	free(out);
	free(buf);
}

static void test_oversized_lengths(void **state)
{
	struct fw_trace_read_stats st;
	struct seen s;
	size_t len, offs[16];
	unsigned char *buf = small_trace("huge.fwt", &len);
	struct fw_trace_block_header h;

	(void)state;
	block_offsets(buf, len, offs, 16);
	/* lengths beyond any limit: refused before allocating */
	memcpy(&h, buf + offs[1], sizeof(h));
	h.raw_len = htole32(0xfffffff0u);
	h.comp_len = htole32(0xfffffff0u);
	memcpy(buf + offs[1], &h, sizeof(h));
	assert_int_equal(read_buf(buf, len, &s, &st), 1);
	assert_int_equal(s.damage_off[0], offs[1]);
	assert_non_null(strstr(s.damage[0], "exceed the limit"));
	assert_int_equal(s.n_events, 6);
	free(buf);

	/* a length within the limit but past the end of the file */
	buf = small_trace("huge2.fwt", &len);
	memcpy(&h, buf + offs[3], sizeof(h));
	h.comp_len = htole32(1u << 20);
	memcpy(buf + offs[3], &h, sizeof(h));
	assert_int_equal(read_buf(buf, len, &s, &st), 1);
	assert_int_equal(s.damage_off[0], offs[3]);
	assert_non_null(strstr(s.damage[0], "truncated block"));
	assert_int_equal(s.n_events, 6);
	free(buf);
}

static void test_bad_records_in_valid_block(void **state)
{
	struct fw_trace_read_stats st;
	struct seen s;
	size_t len, offs[16];
	unsigned char *buf = small_trace("records.fwt", &len), *out;
	unsigned char blk[sizeof(struct fw_trace_block_header) + 64];
	struct fw_exit_event recs[2] = { 0 };

	(void)state;
	/* a checksummed block whose second record claims to be huge */
	recs[0].hdr.type = FW_EV_EXIT;
	recs[0].hdr.size = sizeof(recs[0]);
	recs[1].hdr.type = FW_EV_EXIT;
	recs[1].hdr.size = 1u << 30;
	frame(blk, FW_BLOCK_EVENTS, recs, sizeof(recs));
	block_offsets(buf, len, offs, 16);
	out = insert(buf, len, offs[2], blk,
		     sizeof(struct fw_trace_block_header) + sizeof(recs));
	assert_int_equal(read_buf(out,
				  len + sizeof(struct fw_trace_block_header) +
					  sizeof(recs),
				  &s, &st),
			 1);
	assert_int_equal(s.n_damage, 1);
	assert_non_null(strstr(s.damage[0], "out of range"));
	assert_int_equal(s.n_events, 10);
	free(out);
	free(buf);
}

static void test_not_a_trace(void **state)
{
	struct fw_trace_read_stats st;
	struct seen s;
	static const char junk[] = "hello, this is not a trace at all....";

	(void)state;
	assert_int_equal(read_buf(junk, sizeof(junk), &s, &st), 1);
	assert_int_equal(s.damage_off[0], 0);
	assert_int_equal(read_buf("", 0, &s, &st), 1);
}

static void test_rotation(void **state)
{
	struct fw_trace_writer *w;
	struct fw_trace_read_stats st;
	struct fw_trace_writer_stats ws;
	struct seen s;
	char path[256], rot[300];
	size_t total = 0, len;
	struct stat sb;
	unsigned char *buf;

	(void)state;
	tmp_path(path, sizeof(path), "rot.fwt");
	w = open_writer(path, 65536, 2);
	/* incompressible-ish records so that the files fill */
	for (uint32_t i = 0; i < 20000; i++) {
		struct fw_read_bytes_event rb = { 0 };

		rb.hdr.type = FW_EV_READ_BYTES;
		rb.hdr.tgid = i;
		rb.hdr.size = sizeof(rb);
		rb.count.bytes = (uint64_t)i * 2654435761u;
		rb.count.first_ns = (uint64_t)i * 40503u * 2654435761u;
		assert_int_equal(trace_writer__event(w, &rb, sizeof(rb), 1), 0);
	}
	trace_writer__stats(w, &ws);
	assert_true(ws.files > 3);
	assert_int_equal(trace_writer__close(w, NULL, 0), 0);
	for (int k = 0; k <= 3; k++) {
		if (k)
			snprintf(rot, sizeof(rot), "%s.%d", path, k);
		else
			snprintf(rot, sizeof(rot), "%s", path);
		if (k == 3) {
			assert_int_equal(stat(rot, &sb), -1);
			break;
		}
		assert_int_equal(stat(rot, &sb), 0);
		assert_int_equal(sb.st_mode & 07777, 0600);
		assert_true(sb.st_size <= 65536);
		buf = slurp(rot, &len);
		/* each file stands alone: header, META, events, END */
		assert_int_equal(read_buf(buf, len, &s, &st), 0);
		assert_non_null(strstr(s.meta, "hostname=gs-1;"));
		assert_true(s.n_events > 0);
		total += s.n_events;
		free(buf);
	}
	assert_true(total < 20000); /* the oldest went */
}

static void test_meta_escaping(void **state)
{
	char *text = NULL;
	size_t len = 0;

	(void)state;
	trace_meta__add(&text, &len, "k", "a\nb%c\x7f");
	assert_string_equal(text, "k=a%0Ab%25c%7F\n");
	assert_int_equal(len, strlen(text));
	free(text);
}

/* ---- replay: the same alerts as feeding the correlator directly ---- */

struct alert_log {
	size_t n;
	char lines[32][128];
};

static void log_alert(const struct fw_alert *a, void *ctx)
{
	struct alert_log *l = ctx;

	if (l->n < 32)
		snprintf(
			l->lines[l->n], sizeof(l->lines[0]),
			"kind %d update %d flow %llu pid %u port %u bytes %llu",
			a->kind, a->update, (unsigned long long)a->flow_id,
			a->proc ? a->proc->pid : 0, a->dest.port,
			(unsigned long long)a->bytes);
	l->n++;
}

/* A scenario: exec, first read, send, growing counts, flushes, exit */
static size_t scenario(void *recs[], size_t sizes[], uint8_t last_octet)
{
	static struct fw_exec_event ex;
	static struct fw_file_read_event rd;
	static struct fw_net_event ne;
	static struct fw_send_bytes_event sb[2];
	static struct fw_exit_event ee;
	static struct fw_event_header mark;
	size_t n = 0;

	memset(&ex, 0, sizeof(ex));
	ex.hdr.type = FW_EV_EXEC;
	ex.hdr.tgid = 42;
	ex.hdr.size = sizeof(ex);
	strcpy(ex.comm, "uploader");
	ex.exe_off = FW_PATH_MAX - 1;
	memset(&rd, 0, sizeof(rd));
	rd.hdr.type = FW_EV_FILE_READ;
	rd.hdr.tgid = 42;
	rd.hdr.size = sizeof(rd);
	rd.file.ino = 7;
	rd.bytes = 100;
	strcpy(rd.path + FW_PATH_MAX - 10, "/l/a.ulg");
	rd.path_off = FW_PATH_MAX - 10;
	memset(&ne, 0, sizeof(ne));
	ne.hdr.type = FW_EV_SEND;
	ne.hdr.tgid = 42;
	ne.hdr.size = sizeof(ne);
	ne.dest.family = AF_INET;
	ne.dest.addr[0] = 10;
	ne.dest.addr[1] = 9;
	ne.dest.addr[2] = 9;
	ne.dest.addr[3] = last_octet;
	ne.dest.port = 443;
	ne.dest.proto = 6;
	ne.bytes = 10;
	for (int i = 0; i < 2; i++) {
		memset(&sb[i], 0, sizeof(sb[i]));
		sb[i].hdr.type = FW_EV_SEND_BYTES;
		sb[i].hdr.tgid = 42;
		sb[i].hdr.size = sizeof(sb[i]);
		sb[i].dest = ne.dest;
		sb[i].count.bytes = 1000 * (i + 1);
	}
	memset(&ee, 0, sizeof(ee));
	ee.hdr.type = FW_EV_EXIT;
	ee.hdr.tgid = 42;
	ee.hdr.size = sizeof(ee);
	mark.type = FW_TREC_FLUSH;
	mark.size = sizeof(mark);
	recs[n] = &ex, sizes[n++] = sizeof(ex);
	recs[n] = &rd, sizes[n++] = sizeof(rd);
	recs[n] = &ne, sizes[n++] = sizeof(ne);
	recs[n] = &sb[0], sizes[n++] = sizeof(sb[0]);
	recs[n] = &mark, sizes[n++] = sizeof(mark);
	recs[n] = &sb[1], sizes[n++] = sizeof(sb[1]);
	recs[n] = &mark, sizes[n++] = sizeof(mark);
	recs[n] = &ee, sizes[n++] = sizeof(ee);
	return n;
}

static void replay_case(uint8_t last_octet, bool use_recorded,
			size_t expect_alerts)
{
	struct fw_trace_writer_opts o = { 0 };
	struct fw_trace_read_stats st = { 0 };
	struct fw_trace_meta meta = { 0 };
	struct fw_policy p1 = { 0 }, p2 = { 0 };
	struct alert_log direct = { 0 }, replayed = { 0 };
	struct fw_trace_writer *w;
	struct fw_correlator *c;
	char path[256], *paths[1] = { path }, *text = NULL, err[128];
	void *recs[16];
	size_t sizes[16], n, len = 0;

	n = scenario(recs, sizes, last_octet);
	tmp_path(path, sizeof(path), "replay.fwt");
	trace_meta__add(&text, &len, "run_id", "7");
	trace_meta__add(&text, &len, "clock_wall_minus_boot_ns", "1000");
	trace_meta__add(&text, &len, "allow", "10.9.9.9/32");
	o.path = path;
	o.meta = text;
	o.meta_len = len;
	assert_int_equal(trace_writer__open(&w, &o), 0);
	free(text);
	for (size_t i = 0; i < n; i++) {
		const struct fw_event_header *h = recs[i];

		if (h->type == FW_TREC_FLUSH)
			assert_int_equal(trace_writer__mark(w, h->type, 0, 1),
					 0);
		else
			assert_int_equal(trace_writer__event(w, recs[i],
							     sizes[i], 1),
					 0);
	}
	assert_int_equal(trace_writer__close(w, NULL, 0), 0);

	/* live: the collector feeds and flushes */
	if (use_recorded)
		assert_int_equal(policy__add_allow(&p1, "10.9.9.9/32", err,
						   sizeof(err)),
				 0);
	c = correlator__new(&p1, log_alert, &direct);
	for (size_t i = 0; i < n; i++) {
		const struct fw_event_header *h = recs[i];

		if (h->type == FW_TREC_FLUSH)
			correlator__flush(c);
		else
			correlator__feed(c, recs[i], sizes[i]);
	}
	correlator__free(c);

	c = correlator__new(&p2, log_alert, &replayed);
	assert_int_equal(replay__files(paths, 1, c, &p2, use_recorded, NULL,
				       &meta, &st),
			 0);
	correlator__free(c);
	assert_int_equal(meta.run_id, 7);
	assert_int_equal(meta.wall_minus_boot_ns, 1000);
	assert_int_equal(direct.n, expect_alerts);
	assert_int_equal(replayed.n, direct.n);
	for (size_t i = 0; i < direct.n && i < 32; i++)
		assert_string_equal(replayed.lines[i], direct.lines[i]);
	policy__free(&p1);
	policy__free(&p2);
}

static void test_replay_same_alerts(void **state)
{
	(void)state;
	/* the read notice, the first alert, an update at each flush mark */
	replay_case(1, true, 4);
	/* the recorded allow rule applies: only the read notice... */
	replay_case(9, true, 1);
	/* ...unless replay is told to ignore it */
	replay_case(9, false, 4);
}

static void test_parse_size(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(options__parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(options__parse_size("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(options__parse_size("10M", &v), 0);
	assert_int_equal(v, 10u << 20);
	assert_int_equal(options__parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(options__parse_size("1g", &v), 0);
	assert_int_equal(v, 1ull << 30);
	assert_int_equal(options__parse_size("", &v), -1);
	assert_int_equal(options__parse_size("-1", &v), -1);
	assert_int_equal(options__parse_size("12X", &v), -1);
	assert_int_equal(options__parse_size("1MX", &v), -1);
	assert_int_equal(options__parse_size("99999999999999999999", &v), -1);
	assert_int_equal(options__parse_size("99999999999999G", &v), -1);
}

static void test_record_options(void **state)
{
	char *run[] = { "run",	      "--no-default-rules",
			"--pattern",  "*.ulg",
			"--record",   "t.fwt",
			"--max-size", "1M",
			"--keep",     "3",
			NULL };
	char *rec[] = { "record",    "--no-default-rules",
			"--pattern", "*.ulg",
			"-o",	     "r.fwt",
			NULL };
	char *rec_json[] = { "record",	  "--json", "--no-default-rules",
			     "--pattern", "*.ulg",  "-o",
			     "r.fwt",	  NULL };
	/* --output names the sink (run's option), -o the trace */
	char *rec_journal[] = { "record",  "--output",
				"journal", "-o",
				"r.fwt",   "--pattern",
				"*.ulg",   "--no-default-rules",
				NULL };
	struct fw_options o;

	(void)state;
	optind = 0;
	assert_int_equal(options__parse_run(10, run, &o), 0);
	assert_string_equal(o.record_path, "t.fwt");
	assert_int_equal(o.max_size, 1u << 20);
	assert_int_equal(o.keep, 3);
	assert_false(o.record_only);
	options__free(&o);
	optind = 0;
	assert_int_equal(options__parse_record(6, rec, &o), 0);
	assert_string_equal(o.record_path, "r.fwt");
	assert_int_equal(o.keep, 5);
	assert_true(o.record_only);
	options__free(&o);
	optind = 0;
	assert_int_equal(options__parse_record(7, rec_json, &o), 0);
	assert_false(o.record_only);
	assert_true(o.json);
	options__free(&o);
	optind = 0;
	assert_int_equal(options__parse_record(8, rec_journal, &o), 0);
	assert_false(o.record_only);
	assert_int_equal(o.sink, FW_SINK_JOURNAL);
	assert_string_equal(o.record_path, "r.fwt");
	options__free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_existing_file_refused),
		cmocka_unit_test(test_truncated_every_offset),
		cmocka_unit_test(test_flipped_byte_reported),
		cmocka_unit_test(test_flip_every_byte),
		cmocka_unit_test(test_unknown_block_skipped),
		cmocka_unit_test(test_garbage_resync),
		cmocka_unit_test(test_oversized_lengths),
		cmocka_unit_test(test_bad_records_in_valid_block),
		cmocka_unit_test(test_not_a_trace),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_meta_escaping),
		cmocka_unit_test(test_replay_same_alerts),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_record_options),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
