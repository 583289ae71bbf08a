// SPDX-License-Identifier: GPL-2.0
/*
 * The correlator's carriers (pipes, files written by sendfile or
 * copy_file_range) and the hop chains they give their readers, and the
 * limits on carriers, channels and flight logs it keeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "correlator_fixture.h"

static void feed_carrier_at(struct fixture *fx, uint32_t pid, uint64_t ino,
			    uint32_t type, const char *path, uint64_t ts)
{
	struct fw_carrier_event *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	set_hdr(&e->hdr, FW_EV_CARRIER, pid, ts, sizeof(*e));
	e->carrier = fkey(ino);
	e->carrier_type = type;
	e->path_off = put_path(e->path, path);
	feed(fx, e, sizeof(*e));
	free(e);
}

static void feed_carrier(struct fixture *fx, uint32_t pid, uint64_t ino,
			 uint32_t type, const char *path)
{
	feed_carrier_at(fx, pid, ino, type, path, 4000);
}

/* a read of a carrier, as the kernel reports it */
static void feed_carrier_read(struct fixture *fx, uint32_t pid, uint64_t ino,
			      uint64_t bytes)
{
	feed_file_read(fx, pid, ino, "/", bytes, FW_MATCH_CARRIER,
		       FW_CONTENT_UNKNOWN, 4500);
}

static const struct fw_proc *proc_of(const struct fixture *fx, uint32_t pid)
{
	return proctab__get(correlator__procs(fx->c), pid);
}

/* cat LOG | uploader: the reader of the pipe carries the log */
static void test_pipe_carries_origins_and_chain(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	const struct fw_proc *p;
	const struct captured *a;

	feed_exec(fx, 500, 1, "cat", "/usr/bin/cat", "cat\0", 4);
	feed_read(fx, 500, 16, LOG_A, 9000, FW_CONTENT_TLOG);
	feed_carrier(fx, 500, 90, FW_CARRIER_PIPE, "");
	feed_exec(fx, 501, 1, "uploader", "/usr/bin/uploader", "u\0", 2);
	assert_false(correlator__tracks(fx->c, 501));
	feed_carrier_read(fx, 501, 90, 4096);
	assert_true(correlator__tracks(fx->c, 501));

	p = proc_of(fx, 501);
	assert_int_equal(p->n_chain, 2);
	assert_int_equal(p->chain[0].type, FW_HOP_PROCESS);
	assert_int_equal(p->chain[0].pid, 500);
	assert_string_equal(p->chain[0].name, "cat");
	assert_int_equal(p->chain[1].type, FW_HOP_CARRIER);
	assert_int_equal(p->chain[1].carrier_type, FW_CARRIER_PIPE);
	assert_string_equal(p->chain[1].name, "pipe:[90]");
	assert_int_equal(p->chain[1].bytes, 4096);

	feed_send(fx, 501, d, 4096, 5000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
	a = nth_kind(fx, FW_ALERT_EGRESS, 0);
	assert_int_equal(a->pid, 501);
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_A);
	assert_int_equal(a->origin_read[0], 0);
	/* the pipe is a hop, not an origin */
	assert_true(a->verified);
}

/* sendfile/copy_file_range: the carrier is reported before the read that
 * taints its writer; it still ends up holding the writer's origins */
static void test_carrier_follows_writer_origins(void **state)
{
	struct fixture *fx = *state;

	feed_exec(fx, 600, 1, "cp", "/usr/bin/cp", "cp\0", 3);
	feed_carrier(fx, 600, 91, FW_CARRIER_FILE, "/tmp/copy.tlog");
	feed_read(fx, 600, 17, LOG_B, 5000, FW_CONTENT_ULOG);
	feed_carrier_read(fx, 601, 91, 5000);
	assert_true(correlator__tracks(fx->c, 601));
	assert_int_equal(proc_of(fx, 601)->n_origins, 1);
	assert_string_equal(proc_of(fx, 601)->origins[0].file->path, LOG_B);
	assert_string_equal(proc_of(fx, 601)->chain[1].path, "/tmp/copy.tlog");
}

/* a process reading back its own pipe gains nothing and no hop */
static void test_own_carrier_read_is_no_hop(void **state)
{
	struct fixture *fx = *state;

	feed_read(fx, 700, 16, LOG_A, 100, FW_CONTENT_TLOG);
	feed_carrier(fx, 700, 92, FW_CARRIER_PIPE, "");
	feed_carrier_read(fx, 700, 92, 100);
	assert_int_equal(proc_of(fx, 700)->n_origins, 1);
	assert_int_equal(proc_of(fx, 700)->n_chain, 0);
}

/* a carrier read whose carrier report was lost taints nothing here */
static void test_unknown_carrier_read_ignored(void **state)
{
	struct fixture *fx = *state;

	feed_carrier_read(fx, 800, 93, 100);
	assert_false(correlator__tracks(fx->c, 800));
	assert_int_equal(count_kind(fx, FW_NOTICE_READ), 0);
}

static void set_small_limits(struct fixture *fx)
{
	struct fw_correlator_limits lim = { .carriers = 8,
					    .channels = 8,
					    .files = 4 };

	correlator__set_limits(fx->c, &lim);
}

/* past its limit the correlator forgets the least recently used carriers,
 * and counts them */
static void test_carriers_bounded(void **state)
{
	struct fixture *fx = *state;
	uint64_t i;

	set_small_limits(fx);
	feed_read(fx, 500, 16, LOG_A, 9000, FW_CONTENT_TLOG);
	for (i = 0; i < 20; i++)
		feed_carrier_at(fx, 500, 100 + i, FW_CARRIER_PIPE, "",
				5000 + i);
	assert_true(stats_of(fx).carriers_evicted >= 12);
	assert_true(stats_of(fx).carriers_evicted <= 13);
	feed_carrier_read(fx, 601, 119, 10);
	assert_true(correlator__tracks(fx->c, 601));
	feed_carrier_read(fx, 600, 100, 10);
	assert_false(correlator__tracks(fx->c, 600));
}

/* past its limit the correlator forgets the least recently active
 * channels; all were alerted first, and new bytes alert again */
static void test_channels_bounded(void **state)
{
	struct fixture *fx = *state;
	uint16_t port;

	set_small_limits(fx);
	feed_read(fx, 500, 16, LOG_A, 9000, FW_CONTENT_TLOG);
	for (port = 1000; port < 1020; port++)
		feed_send(fx, 500, dest4("192.0.2.9", port), 100, 5000 + port);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 20);
	assert_true(stats_of(fx).channels_evicted >= 12);
	/* the oldest channel was forgotten: its next send is a new flow */
	feed_send(fx, 500, dest4("192.0.2.9", 1000), 200, 9000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 21);
	assert_false(nth_kind(fx, FW_ALERT_EGRESS, 20)->update);
}

/* flight logs nobody refers to are dropped beyond the limit; those in use
 * stay (the alert still names them) */
static void test_unused_files_forgotten(void **state)
{
	struct fixture *fx = *state;
	uint32_t pid;

	set_small_limits(fx);
	feed_read(fx, 900, 16, LOG_A, 100, FW_CONTENT_TLOG);
	for (pid = 1000; pid < 1010; pid++) {
		feed_read(fx, pid, 200 + pid, LOG_B, 100, FW_CONTENT_ULOG);
		feed_exit(fx, pid);
	}
	assert_true(stats_of(fx).files_forgotten >= 6);
	assert_string_equal(proc_of(fx, 900)->origins[0].file->path, LOG_A);
	feed_send(fx, 900, dest4("192.0.2.9", 443), 100, 9000);
	assert_string_equal(nth_kind(fx, FW_ALERT_EGRESS, 0)->origin_path[0],
			    LOG_A);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_pipe_carries_origins_and_chain),
		T(test_carrier_follows_writer_origins),
		T(test_own_carrier_read_is_no_hop),
		T(test_unknown_carrier_read_ignored),
		T(test_carriers_bounded),
		T(test_channels_bounded),
		T(test_unused_files_forgotten),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
