// SPDX-License-Identifier: GPL-2.0
/* Flight-log signatures: in memory and in files */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/content.h"

/* 2023-11-14T22:13:20Z in µs */
#define TS_2023 1700000000000000ull

static const unsigned char heartbeat_v1[17] = {
	0xfe, 0x09, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x02, 0x03, 0x81, 0x04, 0x03, 0x05, 0x25,
};

/* MAVLink 2 HEARTBEAT: FD len incompat compat seq sys comp msgid[3],
 * payload, crc */
static const unsigned char heartbeat_v2[21] = {
	0xfd, 0x09, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x03, 0x81, 0x04, 0x03, 0x12, 0x34,
};

static size_t put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = v & 0xff;
		v >>= 8;
	}
	return 8;
}

/* n .tlog records of frame, timestamps a millisecond apart */
static size_t make_tlog(unsigned char *buf, size_t size, uint64_t ts,
			const unsigned char *frame, size_t frame_len, int n)
{
	size_t off = 0;
	int i;

	for (i = 0; i < n; i++) {
		assert_true(off + 8 + frame_len <= size);
		off += put_be64(buf + off, ts + i * 1000);
		memcpy(buf + off, frame, frame_len);
		off += frame_len;
	}
	return off;
}

static size_t make_ulog(unsigned char *buf)
{
	static const unsigned char hdr[16] = {
		0x55, 0x4c, 0x6f, 0x67, 0x01, 0x12, 0x35, 0x01,
		0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};

	memcpy(buf, hdr, sizeof(hdr));
	return sizeof(hdr);
}

/* The FMT message describing FMT itself: 89 bytes */
static size_t make_dataflash(unsigned char *buf)
{
	memset(buf, 0, 89);
	buf[0] = 0xa3;
	buf[1] = 0x95;
	buf[2] = 0x80;
	buf[3] = 0x80;
	buf[4] = 89;
	memcpy(buf + 5, "FMT", 3);
	memcpy(buf + 9, "BBnNZ", 5);
	memcpy(buf + 25, "Type,Length,Name,Format,Columns", 31);
	return 89;
}

/* DJI .txt: 100-byte prefix, little-endian offset of the details
 * block first, format version at byte 10 */
static size_t make_dji_txt(unsigned char *buf, uint64_t detail_off,
			   unsigned char version)
{
	int i;

	memset(buf, 0, 100);
	for (i = 0; i < 8; i++)
		buf[i] = detail_off >> (8 * i);
	buf[10] = version;
	return 100;
}

static enum fw_content classify(const unsigned char *buf, size_t len,
				uint64_t size)
{
	return content__classify(buf, len, size);
}

static void test_tlog_v1(void **state)
{
	unsigned char buf[FW_CONTENT_PROBE];
	size_t n;

	(void)state;
	n = make_tlog(buf, sizeof(buf), TS_2023, heartbeat_v1, 17, 3);
	assert_int_equal(n, 75);
	assert_int_equal(classify(buf, n, n), FW_CONTENT_TLOG);
	assert_int_equal(classify(buf, n, 0), FW_CONTENT_TLOG);
	/* a file of a single record */
	assert_int_equal(classify(buf, 25, 25), FW_CONTENT_TLOG);
	/* a full probe: the tail of it cut mid-record does not matter */
	n = make_tlog(buf, sizeof(buf), TS_2023, heartbeat_v1, 17, 20);
	memset(buf + n, 0xaa, sizeof(buf) - n);
	assert_int_equal(classify(buf, sizeof(buf), 1 << 20), FW_CONTENT_TLOG);
}

static void test_tlog_v2(void **state)
{
	unsigned char buf[FW_CONTENT_PROBE], signed_frame[34];
	size_t n;

	(void)state;
	n = make_tlog(buf, sizeof(buf), TS_2023, heartbeat_v2, 21, 3);
	assert_int_equal(n, 87);
	assert_int_equal(classify(buf, n, n), FW_CONTENT_TLOG);

	/* signed frames carry 13 more bytes */
	memcpy(signed_frame, heartbeat_v2, 21);
	signed_frame[2] = 0x01;
	memset(signed_frame + 21, 0x5a, 13);
	n = make_tlog(buf, sizeof(buf), TS_2023, signed_frame, 34, 3);
	assert_int_equal(classify(buf, n, n), FW_CONTENT_TLOG);
	/* without the flag the same bytes do not line up */
	buf[8 + 2] = 0x00;
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);
}

static void test_tlog_rejects(void **state)
{
	unsigned char buf[FW_CONTENT_PROBE];
	size_t n;

	(void)state;
	/* implausible clocks: 1970, just before 2001-09-09, after 2100 */
	n = make_tlog(buf, sizeof(buf), 0, heartbeat_v1, 17, 3);
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);
	n = make_tlog(buf, sizeof(buf), 1000000000ull * 1000000 - 10000,
		      heartbeat_v1, 17, 3);
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);
	n = make_tlog(buf, sizeof(buf), 4102444800ull * 1000000 + 1,
		      heartbeat_v1, 17, 3);
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);
	/* the clock bounds themselves are plausible */
	n = make_tlog(buf, sizeof(buf), 1000000000ull * 1000000, heartbeat_v1,
		      17, 1);
	assert_int_equal(classify(buf, n, n), FW_CONTENT_TLOG);
	n = make_tlog(buf, sizeof(buf), 4102444800ull * 1000000, heartbeat_v1,
		      17, 1);
	assert_int_equal(classify(buf, n, n), FW_CONTENT_TLOG);

	/* no MAVLink start byte */
	n = make_tlog(buf, sizeof(buf), TS_2023, heartbeat_v1, 17, 3);
	buf[8] = 0xfc;
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);

	/* two good records, then something else */
	n = make_tlog(buf, sizeof(buf), TS_2023, heartbeat_v1, 17, 2);
	memset(buf + n, 0, 20);
	assert_int_equal(classify(buf, n + 20, n + 20), FW_CONTENT_NONE);
	/* a frame length that does not lead to the next record */
	n = make_tlog(buf, sizeof(buf), TS_2023, heartbeat_v1, 17, 3);
	buf[9] = 0x0a;
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);
}

static void test_ulog(void **state)
{
	unsigned char buf[FW_CONTENT_PROBE] = { 0 };
	size_t n;

	(void)state;
	n = make_ulog(buf);
	memset(buf + n, 0x42, 100);
	assert_int_equal(classify(buf, n + 100, 1 << 20), FW_CONTENT_ULOG);
	assert_int_equal(classify(buf, n, n), FW_CONTENT_ULOG);
	/* the seven magic bytes are enough; six are not */
	assert_int_equal(classify(buf, 7, 7), FW_CONTENT_ULOG);
	assert_int_equal(classify(buf, 6, 6), FW_CONTENT_NONE);
	/* any other version byte after the magic is still ULog */
	buf[7] = 0x02;
	assert_int_equal(classify(buf, n, n), FW_CONTENT_ULOG);
	buf[6] = 0x36;
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);
	memcpy(buf, "ULog file format\n", 17);
	assert_int_equal(classify(buf, 17, 17), FW_CONTENT_NONE);
}

static void test_dataflash(void **state)
{
	unsigned char buf[FW_CONTENT_PROBE];
	size_t n;

	(void)state;
	n = make_dataflash(buf);
	assert_int_equal(classify(buf, n, n), FW_CONTENT_DATAFLASH);
	assert_int_equal(classify(buf, 8, 8), FW_CONTENT_DATAFLASH);
	assert_int_equal(classify(buf, 7, 7), FW_CONTENT_NONE);
	/* each byte of the signature matters */
	buf[3] = 0x81;
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);
	n = make_dataflash(buf);
	buf[4] = 88;
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);
	n = make_dataflash(buf);
	buf[7] = 'X';
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);
	n = make_dataflash(buf);
	buf[0] = 0xa4;
	assert_int_equal(classify(buf, n, n), FW_CONTENT_NONE);
}

static void test_dji_dat(void **state)
{
	unsigned char buf[64];

	(void)state;
	memset(buf, 0x11, sizeof(buf));
	memcpy(buf + 16, "BUILD 2017", 10);
	assert_int_equal(classify(buf, sizeof(buf), sizeof(buf)),
			 FW_CONTENT_DJI_DAT);
	assert_int_equal(classify(buf, 21, 21), FW_CONTENT_DJI_DAT);
	assert_int_equal(classify(buf, 20, 20), FW_CONTENT_NONE);
	/* one byte off is something else */
	memset(buf, 0x11, sizeof(buf));
	memcpy(buf + 15, "BUILD", 5);
	assert_int_equal(classify(buf, sizeof(buf), sizeof(buf)),
			 FW_CONTENT_NONE);
	memset(buf, 0x11, sizeof(buf));
	memcpy(buf + 16, "build", 5);
	assert_int_equal(classify(buf, sizeof(buf), sizeof(buf)),
			 FW_CONTENT_NONE);
}

static void test_dji_txt(void **state)
{
	unsigned char buf[128];

	(void)state;
	make_dji_txt(buf, 0x200, 12);
	assert_int_equal(classify(buf, 100, 4096), FW_CONTENT_DJI_TXT);
	/* size unknown: the offset cannot be checked */
	assert_int_equal(classify(buf, 100, 0), FW_CONTENT_DJI_TXT);
	/* the details block must lie inside the file ... */
	assert_int_equal(classify(buf, 100, 0x200), FW_CONTENT_DJI_TXT);
	assert_int_equal(classify(buf, 100, 0x1ff), FW_CONTENT_NONE);
	/* ... past the prefix */
	make_dji_txt(buf, 100, 1);
	assert_int_equal(classify(buf, 100, 4096), FW_CONTENT_DJI_TXT);
	make_dji_txt(buf, 99, 1);
	assert_int_equal(classify(buf, 100, 4096), FW_CONTENT_NONE);
	/* format versions 1 to 20 */
	make_dji_txt(buf, 0x200, 20);
	assert_int_equal(classify(buf, 100, 4096), FW_CONTENT_DJI_TXT);
	make_dji_txt(buf, 0x200, 21);
	assert_int_equal(classify(buf, 100, 4096), FW_CONTENT_NONE);
	make_dji_txt(buf, 0x200, 0);
	assert_int_equal(classify(buf, 100, 4096), FW_CONTENT_NONE);
	/* the prefix must be whole */
	make_dji_txt(buf, 0x200, 12);
	assert_int_equal(classify(buf, 99, 4096), FW_CONTENT_NONE);
	/* the high bytes of the offset count */
	make_dji_txt(buf, 0x0100000000000200ull, 12);
	assert_int_equal(classify(buf, 100, 4096), FW_CONTENT_NONE);
}

static void test_random_and_text_are_none(void **state)
{
	unsigned char buf[FW_CONTENT_PROBE];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	const char *text = "#!/bin/sh\necho 'this is not a flight log'\n";
	int round;
	size_t i;

	(void)state;
	/* xorshift: the same bytes every run */
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < sizeof(buf); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = x >> 24;
		}
		if (classify(buf, sizeof(buf), 1 << 20) != FW_CONTENT_NONE)
			fail_msg("random buffer %d classified as %s", round,
				 content__name(
					 classify(buf, sizeof(buf), 1 << 20)));
	}
	memset(buf, 0, sizeof(buf));
	assert_int_equal(classify(buf, sizeof(buf), sizeof(buf)),
			 FW_CONTENT_NONE);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(classify(buf, sizeof(buf), sizeof(buf)),
			 FW_CONTENT_NONE);
	assert_int_equal(classify((const unsigned char *)text, strlen(text),
				  strlen(text)),
			 FW_CONTENT_NONE);
}

static void test_short_buffers(void **state)
{
	unsigned char full[FW_CONTENT_PROBE], *copy;
	size_t len;

	(void)state;
	/* every prefix shorter than each signature needs, from a buffer
	 * of exactly that length (so that reading past it would show
	 * under a memory checker) */
	make_tlog(full, sizeof(full), TS_2023, heartbeat_v1, 17, 3);
	for (len = 0; len < 16; len++) {
		copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, full, len);
		assert_int_equal(classify(copy, len, len), FW_CONTENT_NONE);
		free(copy);
	}
	make_ulog(full);
	for (len = 0; len < 7; len++)
		assert_int_equal(classify(full, len, len), FW_CONTENT_NONE);
	make_dataflash(full);
	for (len = 0; len < 8; len++)
		assert_int_equal(classify(full, len, len), FW_CONTENT_NONE);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(content__name(FW_CONTENT_UNKNOWN), "unknown");
	assert_string_equal(content__name(FW_CONTENT_NONE), "none");
	assert_string_equal(content__name(FW_CONTENT_TLOG), "tlog");
	assert_string_equal(content__name(FW_CONTENT_ULOG), "ulog");
	assert_string_equal(content__name(FW_CONTENT_DATAFLASH), "dataflash");
	assert_string_equal(content__name(FW_CONTENT_DJI_TXT), "dji-txt");
	assert_string_equal(content__name(FW_CONTENT_DJI_DAT), "dji-dat");
	assert_string_equal(content__name((enum fw_content)99), "unknown");

	assert_false(content__is_flight_log(FW_CONTENT_UNKNOWN));
	assert_false(content__is_flight_log(FW_CONTENT_NONE));
	assert_true(content__is_flight_log(FW_CONTENT_TLOG));
	assert_true(content__is_flight_log(FW_CONTENT_ULOG));
	assert_true(content__is_flight_log(FW_CONTENT_DATAFLASH));
	assert_true(content__is_flight_log(FW_CONTENT_DJI_TXT));
	assert_true(content__is_flight_log(FW_CONTENT_DJI_DAT));
}

/* ---- files ---- */

struct files {
	char dir[64];
	char paths[16][128];
	int n;
};

static int files_setup(void **state)
{
	struct files *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fw-content-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	*state = fx;
	return 0;
}

static int files_teardown(void **state)
{
	struct files *fx = *state;
	int i;

	/* in reverse: entries before the directories holding them */
	for (i = fx->n - 1; i >= 0; i--)
		if (unlink(fx->paths[i]))
			rmdir(fx->paths[i]);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static const char *path_in(struct files *fx, const char *name)
{
	char path[sizeof(fx->paths[0])];

	assert_true(fx->n < 16);
	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	memcpy(fx->paths[fx->n], path, sizeof(path));
	return fx->paths[fx->n++];
}

static const char *write_file(struct files *fx, const char *name,
			      const void *data, size_t len)
{
	const char *path = path_in(fx, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_sniff_regular_files(void **state)
{
	struct files *fx = *state;
	unsigned char buf[8192];
	size_t n;

	memset(buf, 0x42, sizeof(buf));
	n = make_ulog(buf);
	/* a big file: only the probe is read */
	assert_int_equal(
		content__sniff_file(write_file(fx, "a.ulg", buf, sizeof(buf))),
		FW_CONTENT_ULOG);
	n = make_tlog(buf, sizeof(buf), TS_2023, heartbeat_v1, 17, 200);
	assert_int_equal(content__sniff_file(write_file(fx, "a.tlog", buf, n)),
			 FW_CONTENT_TLOG);
	n = make_dataflash(buf);
	assert_int_equal(content__sniff_file(write_file(fx, "a.bin", buf, n)),
			 FW_CONTENT_DATAFLASH);
	memset(buf, 0, 64);
	memcpy(buf + 16, "BUILD", 5);
	assert_int_equal(
		content__sniff_file(write_file(fx, "FLY001.DAT", buf, 64)),
		FW_CONTENT_DJI_DAT);
	assert_int_equal(
		content__sniff_file(write_file(fx, "empty.ulg", buf, 0)),
		FW_CONTENT_NONE);
	assert_int_equal(
		content__sniff_file(write_file(fx, "notes.txt", "hello\n", 6)),
		FW_CONTENT_NONE);
}

static void test_sniff_passes_file_size(void **state)
{
	struct files *fx = *state;
	unsigned char buf[0x300];

	/* a details offset inside the file: DJI .txt */
	memset(buf, ' ', sizeof(buf));
	make_dji_txt(buf, 0x200, 12);
	assert_int_equal(
		content__sniff_file(write_file(fx, "in.txt", buf, sizeof(buf))),
		FW_CONTENT_DJI_TXT);
	/* the same header in a file too short for it: not */
	assert_int_equal(
		content__sniff_file(write_file(fx, "short.txt", buf, 0x1ff)),
		FW_CONTENT_NONE);
}

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static void test_sniff_non_regular(void **state)
{
	struct files *fx = *state;
	unsigned char buf[64];
	const char *fifo, *target, *link, *sub, *sublink;
	struct sigaction sa, old_sa;
	char via[256];

	/* a FIFO with no writer: must not block. Should it, the alarm
	 * interrupts the open (no SA_RESTART) and the flag tells. */
	fifo = path_in(fx, "pipe.ulg");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	assert_int_equal(sigaction(SIGALRM, &sa, &old_sa), 0);
	timed_out = 0;
	alarm(2);
	assert_int_equal(content__sniff_file(fifo), FW_CONTENT_UNKNOWN);
	alarm(0);
	sigaction(SIGALRM, &old_sa, NULL);
	if (timed_out)
		fail_msg("content__sniff_file blocked on a FIFO");

	/* a final symlink is not followed, even to a real log */
	make_ulog(buf);
	target = write_file(fx, "real.ulg", buf, 16);
	assert_int_equal(content__sniff_file(target), FW_CONTENT_ULOG);
	link = path_in(fx, "link.ulg");
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(content__sniff_file(link), FW_CONTENT_UNKNOWN);
	/* a symlink higher up the path is fine */
	sub = path_in(fx, "sub");
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(fx, "sub/in.ulg", buf, 16);
	sublink = path_in(fx, "sublink");
	assert_int_equal(symlink(sub, sublink), 0);
	snprintf(via, sizeof(via), "%s/in.ulg", sublink);
	assert_int_equal(content__sniff_file(via), FW_CONTENT_ULOG);

	assert_int_equal(content__sniff_file(fx->dir), FW_CONTENT_UNKNOWN);
	assert_int_equal(content__sniff_file("/dev/null"), FW_CONTENT_UNKNOWN);
	assert_int_equal(content__sniff_file("/nonexistent/fw-test/a.ulg"),
			 FW_CONTENT_UNKNOWN);
	assert_int_equal(content__sniff_file(""), FW_CONTENT_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlog_v1),
		cmocka_unit_test(test_tlog_v2),
		cmocka_unit_test(test_tlog_rejects),
		cmocka_unit_test(test_ulog),
		cmocka_unit_test(test_dataflash),
		cmocka_unit_test(test_dji_dat),
		cmocka_unit_test(test_dji_txt),
		cmocka_unit_test(test_random_and_text_are_none),
		cmocka_unit_test(test_short_buffers),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_sniff_regular_files,
						files_setup, files_teardown),
		cmocka_unit_test_setup_teardown(test_sniff_passes_file_size,
						files_setup, files_teardown),
		cmocka_unit_test_setup_teardown(test_sniff_non_regular,
						files_setup, files_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
