// SPDX-License-Identifier: GPL-2.0
/*
 * The trace reader on damage of every kind: truncation at every offset,
 * flipped bytes, garbage between blocks, impossible lengths, bad records
 * in a valid block, input that is no trace at all; and blocks of kinds
 * this reader does not know, which it skips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "trace_fixture.h"

#include <endian.h>
#include <zlib.h>

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
	struct fw_exit_event recs[2] = { 0 };
	unsigned char blk[sizeof(struct fw_trace_block_header) + sizeof(recs)];

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated_every_offset),
		cmocka_unit_test(test_flipped_byte_reported),
		cmocka_unit_test(test_flip_every_byte),
		cmocka_unit_test(test_unknown_block_skipped),
		cmocka_unit_test(test_garbage_resync),
		cmocka_unit_test(test_oversized_lengths),
		cmocka_unit_test(test_bad_records_in_valid_block),
		cmocka_unit_test(test_not_a_trace),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
