// SPDX-License-Identifier: GPL-2.0
/* The journald spool: first in first out, bounded with room for notices,
 * kept across a reopen (a restart), a torn last record ignored, and one
 * collector per file */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sink/spool.h"

static char dir[] = "/tmp/fw-test-spool.XXXXXX";
static char path[sizeof(dir) + 16];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/spool", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void push(struct fw_spool *s, const char *msg, bool notice, bool ok)
{
	assert_int_equal(spool__push(s, msg, strlen(msg), notice, NULL), ok);
}

static void expect(struct fw_spool *s, const char *msg)
{
	size_t size = 0;
	const char *rec = spool__peek(s, &size);

	assert_non_null(rec);
	assert_int_equal(size, strlen(msg));
	assert_memory_equal(rec, msg, size);
	spool__pop(s);
}

/* Two 16-byte records fit in 40 bytes (8 bytes of framing each) */
static void test_order_and_bound(void **state)
{
	struct fw_spool s;

	(void)state;
	assert_int_equal(spool__open(&s, NULL, 48), 0);
	push(&s, "0123456789abcde0", false, true);
	push(&s, "0123456789abcde1", false, true);
	push(&s, "0123456789abcde2", false, false);
	assert_int_equal(s.dropped, 1);
	/* the notice of that loss still has room */
	push(&s, "notice: 1 lost!!", true, true);
	expect(&s, "0123456789abcde0");
	/* room again after a pop (and the file was compacted or not) */
	push(&s, "0123456789abcde3", false, false); /* the notice is there */
	expect(&s, "0123456789abcde1");
	expect(&s, "notice: 1 lost!!");
	push(&s, "0123456789abcde4", false, true);
	expect(&s, "0123456789abcde4");
	assert_null(spool__peek(&s, &(size_t){ 0 }));
	assert_int_equal(s.len, 0);
	spool__close(&s);
}

static void test_restart(void **state)
{
	struct fw_spool s, other;
	struct stat st;
	char msg[32];
	int fd;

	(void)state;
	assert_int_equal(spool__open(&s, path, 1 << 20), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a second collector cannot share it */
	assert_int_equal(spool__open(&other, path, 1 << 20), -EWOULDBLOCK);
	for (int i = 0; i < 100; i++) {
		snprintf(msg, sizeof(msg), "entry %d", i);
		push(&s, msg, false, true);
	}
	expect(&s, "entry 0");
	expect(&s, "entry 1");
	s.dropped = 7; /* as a full spool would have counted */
	spool__pop(&s); /* entry 2 sent: the header says so */
	spool__close(&s);

	/* a kill in the middle of the next append: a torn record */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x20\0\0\0\0\0\0\0entry", 13), 13);
	close(fd);

	assert_int_equal(spool__open(&s, path, 1 << 20), 0);
	assert_int_equal(s.len, 97);
	assert_int_equal(s.dropped, 7);
	for (int i = 3; i < 100; i++) {
		snprintf(msg, sizeof(msg), "entry %d", i);
		expect(&s, msg);
	}
	assert_int_equal(s.len, 0);
	spool__clear_dropped(&s);
	/* drained: the file is its header again */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 32);
	spool__close(&s);
	assert_int_equal(spool__open(&s, path, 1 << 20), 0);
	assert_int_equal(s.len, 0);
	assert_int_equal(s.dropped, 0);
	spool__close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_bound),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
