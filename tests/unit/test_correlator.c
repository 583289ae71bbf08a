// SPDX-License-Identifier: GPL-2.0
/*
 * The correlator fed synthetic event records, as the kernel (or the /proc
 * seed) would deliver them; alerts are copied out by a capturing callback.
 * Flows, updates, process lineage, allow rules, exits, lost and malformed
 * records; carriers and the correlator's bounds are in test_carriers.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "correlator_fixture.h"

#include <errno.h>

/* ---- record builders only these tests use ---- */

static struct fw_dest dest6(const char *ip, uint16_t port)
{
	return fw_test_dest(AF_INET6, ip, port, 17);
}

static void feed_fork(struct fixture *fx, uint32_t pid, uint32_t ppid,
		      const char *comm)
{
	struct fw_fork_event e = { 0 };

	set_hdr(&e.hdr, FW_EV_FORK, pid, 2000, sizeof(e));
	e.ppid = ppid;
	e.uid = 1000;
	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	feed(fx, &e, sizeof(e));
}

static void feed_send_bytes(struct fixture *fx, uint32_t pid, struct fw_dest d,
			    uint64_t bytes, uint64_t last_ns)
{
	struct fw_send_bytes_event e = { 0 };

	set_hdr(&e.hdr, FW_EV_SEND_BYTES, pid, last_ns, sizeof(e));
	e.dest = d;
	e.count.bytes = bytes;
	e.count.ops = 1;
	e.count.first_ns = 1;
	e.count.last_ns = last_ns;
	feed(fx, &e, sizeof(e));
}

static void feed_read_bytes(struct fixture *fx, uint32_t pid, uint64_t ino,
			    uint64_t bytes)
{
	struct fw_read_bytes_event e = { 0 };

	set_hdr(&e.hdr, FW_EV_READ_BYTES, pid, 4000, sizeof(e));
	e.file = fkey(ino);
	e.count.bytes = bytes;
	feed(fx, &e, sizeof(e));
}

static void feed_lost(struct fixture *fx, uint64_t dropped, uint64_t full,
		      uint64_t ts)
{
	struct fw_lost_event e = { 0 };

	set_hdr(&e.hdr, FW_EV_LOST, 0, ts, sizeof(e));
	e.dropped = dropped;
	e.pending_full = full;
	feed(fx, &e, sizeof(e));
}

static void feed_blocked(struct fixture *fx, uint32_t pid, struct fw_dest d,
			 uint32_t hook, uint64_t count, uint32_t mode)
{
	struct fw_block_event e = { 0 };

	set_hdr(&e.hdr, FW_EV_BLOCKED, pid, 6000 + count, sizeof(e));
	e.dest = d;
	e.count = count;
	e.hook = hook;
	e.mode = mode;
	feed(fx, &e, sizeof(e));
}

/* ---- tests ---- */

static void test_read_then_send_alerts_once(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	const struct captured *a;
	struct fw_correlator_stats s;

	feed_exec(fx, 100, 1, "python3", "/usr/bin/python3", "python3\0up.py\0",
		  14);
	feed_read(fx, 100, 11, LOG_A, 4096, FW_CONTENT_TLOG);
	feed_send(fx, 100, d, 1500, 5000);

	assert_int_equal(fx->n, 2);
	/* the read is reported as an informational notice first */
	a = &fx->alerts[0];
	assert_int_equal(a->kind, FW_NOTICE_READ);
	assert_int_equal(a->pid, 100);
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_A);
	assert_int_equal(a->origin_read[0], 4096);
	assert_int_equal(a->ts_ns, 3000);

	a = &fx->alerts[1];
	assert_int_equal(a->kind, FW_ALERT_EGRESS);
	assert_false(a->update);
	assert_int_equal(a->flow_id, 1);
	assert_int_equal(a->ts_ns, 5000);
	assert_int_equal(a->pid, 100);
	assert_int_equal(a->ppid, 1);
	assert_int_equal(a->uid, 1000);
	assert_string_equal(a->comm, "python3");
	assert_string_equal(a->exe, "/usr/bin/python3");
	assert_string_equal(a->cmdline, "python3 up.py");
	assert_memory_equal(&a->dest, &d, sizeof(d));
	assert_int_equal(a->bytes, 1500);
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_A);
	assert_int_equal(a->origin_read[0], 4096);
	assert_int_equal(a->origin_content[0], FW_CONTENT_TLOG);
	assert_true(a->verified);
	assert_int_equal(a->severity, FW_SEVERITY_HIGH);

	/* nothing grew: flushing reports nothing */
	correlator__flush(fx->c);
	assert_int_equal(fx->n, 2);

	s = stats_of(fx);
	assert_int_equal(s.events, 3);
	assert_int_equal(s.malformed, 0);
	assert_int_equal(s.flows, 1);
	assert_int_equal(s.alerts, 1);
	assert_int_equal(s.updates, 0);
	assert_true(correlator__tracks(fx->c, 100));
}

static void test_growing_bytes_update_same_flow(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("198.51.100.1", 8080);
	const struct captured *a;

	feed_read(fx, 200, 12, LOG_A, 100, FW_CONTENT_NONE);
	feed_send(fx, 200, d, 10, 5000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);

	/* the count grows: no new alert until the flush */
	feed_send_bytes(fx, 200, d, 700, 6000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);
	a = nth_kind(fx, FW_ALERT_EGRESS, 1);
	assert_true(a->update);
	assert_int_equal(a->flow_id, nth_kind(fx, FW_ALERT_EGRESS, 0)->flow_id);
	assert_int_equal(a->bytes, 700);
	assert_int_equal(a->ts_ns, 6000);
	assert_int_equal(a->pid, 200);

	/* unchanged count: nothing more, however often we flush */
	feed_send_bytes(fx, 200, d, 700, 6000);
	correlator__flush(fx->c);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);

	/* growth again: a second update with the cumulative count */
	feed_send_bytes(fx, 200, d, 123456, 7000);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 3);
	a = nth_kind(fx, FW_ALERT_EGRESS, 2);
	assert_true(a->update);
	assert_int_equal(a->flow_id, 1);
	assert_int_equal(a->bytes, 123456);

	assert_int_equal(stats_of(fx).flows, 1);
	assert_int_equal(stats_of(fx).alerts, 1);
	assert_int_equal(stats_of(fx).updates, 2);
}

static void test_older_count_ignored(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("198.51.100.1", 80);

	feed_read(fx, 210, 12, LOG_A, 100, FW_CONTENT_NONE);
	feed_send(fx, 210, d, 500, 5000);
	/* a stale (smaller) count must not move the flow backwards */
	feed_send_bytes(fx, 210, d, 300, 5500);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 0)->bytes, 500);
}

static void test_read_growth_updates(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("203.0.113.9", 443);
	const struct captured *a;

	feed_read(fx, 220, 13, LOG_A, 512, FW_CONTENT_TLOG);
	feed_send(fx, 220, d, 64, 5000);
	/* the process read more of the file; bytes sent unchanged */
	feed_read_bytes(fx, 220, 13, 65536);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);
	a = nth_kind(fx, FW_ALERT_EGRESS, 1);
	assert_true(a->update);
	assert_int_equal(a->bytes, 64);
	assert_int_equal(a->origin_read[0], 65536);

	/* a smaller read count never lowers what was seen */
	feed_read_bytes(fx, 220, 13, 10);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);

	/* read counts for a file the process does not carry are ignored */
	feed_read_bytes(fx, 220, 99, 1 << 20);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);
}

static void test_unrelated_send_bytes_ignored(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	struct fw_correlator_stats s;

	feed_exec(fx, 300, 1, "curl", "/usr/bin/curl", "curl\0", 5);
	/* no SEND before it and the process carries nothing */
	feed_send_bytes(fx, 300, d, 9999, 5000);
	/* and a process never seen at all */
	feed_send_bytes(fx, 301, d, 9999, 5000);
	correlator__flush(fx->c);

	assert_int_equal(fx->n, 0);
	assert_false(correlator__tracks(fx->c, 300));
	assert_false(correlator__tracks(fx->c, 301));
	s = stats_of(fx);
	assert_int_equal(s.flows, 0);
	assert_int_equal(s.alerts, 0);
	assert_int_equal(s.events, 3);
}

static void test_send_bytes_without_send_from_tainted(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.8", 22);
	const struct captured *a;

	/* the SEND event was lost, but the process carries a log: the
	 * count alone raises the alert */
	feed_read(fx, 310, 14, LOG_A, 10, FW_CONTENT_NONE);
	feed_send_bytes(fx, 310, d, 4242, 7777);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
	a = nth_kind(fx, FW_ALERT_EGRESS, 0);
	assert_false(a->update);
	assert_int_equal(a->bytes, 4242);
	assert_int_equal(a->ts_ns, 7777);
	assert_int_equal(a->n_origins, 1);
}

static void test_send_from_unknown_process(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.9", 443);
	const struct captured *a;

	/* the kernel only emits SEND for tainted processes: even when the
	 * collector missed the read, the send alerts, origin unknown */
	feed_send(fx, 320, d, 77, 5000);
	assert_int_equal(fx->n, 1);
	a = &fx->alerts[0];
	assert_int_equal(a->kind, FW_ALERT_EGRESS);
	assert_int_equal(a->pid, 320);
	assert_string_equal(a->comm, "?");
	assert_int_equal(a->n_origins, 0);
	assert_false(a->verified);
	assert_int_equal(a->severity, FW_SEVERITY_MEDIUM);
}

static void test_zero_byte_send_waits_for_bytes(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.10", 53);

	feed_read(fx, 330, 15, LOG_A, 10, FW_CONTENT_NONE);
	feed_send(fx, 330, d, 0, 5000);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 0);
	/* the first non-zero count is the alert, not an update */
	feed_send_bytes(fx, 330, d, 50, 6000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
	assert_false(nth_kind(fx, FW_ALERT_EGRESS, 0)->update);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 0)->bytes, 50);
}

static void test_fork_inherits_origins(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	const struct captured *a;

	feed_exec(fx, 400, 1, "qgc", "/opt/qgc/QGroundControl",
		  "QGroundControl\0--fullscreen\0", 28);
	feed_read(fx, 400, 16, LOG_A, 8192, FW_CONTENT_TLOG);
	feed_fork(fx, 401, 400, "uploader");
	assert_true(correlator__tracks(fx->c, 401));

	feed_send(fx, 401, d, 300, 5000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
	a = nth_kind(fx, FW_ALERT_EGRESS, 0);
	assert_int_equal(a->pid, 401);
	assert_int_equal(a->ppid, 400);
	assert_string_equal(a->comm, "uploader");
	/* the child runs the parent's image */
	assert_string_equal(a->exe, "/opt/qgc/QGroundControl");
	assert_string_equal(a->cmdline, "QGroundControl --fullscreen");
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_A);
	/* inherited, not read by the child itself */
	assert_int_equal(a->origin_read[0], 0);
	assert_true(a->verified);

	/* the parent still carries its own count */
	feed_send(fx, 400, d, 20, 5100);
	a = nth_kind(fx, FW_ALERT_EGRESS, 1);
	assert_int_equal(a->pid, 400);
	assert_int_equal(a->origin_read[0], 8192);
	/* a different process is a different flow */
	assert_int_equal(a->flow_id, 2);
}

static void feed_peek(struct fixture *fx, uint32_t pid, uint32_t source,
		      uint32_t how)
{
	struct fw_peek_event e = { 0 };

	set_hdr(&e.hdr, FW_EV_PEEK, pid, 4000, sizeof(e));
	e.source = source;
	e.how = how;
	feed(fx, &e, sizeof(e));
}

/* A process that took a tainted one's memory holds its origins, by a read
 * of it (the record names the reader) or by the tainted one writing into
 * it (the record names the one written into); the chain names the holder
 * and how. Memory taken from a process holding nothing carries nothing. */
static void test_memory_moves_carry_origins(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	const struct captured *a;

	feed_exec(fx, 700, 1, "holder", "/usr/bin/holder", "holder\0", 7);
	feed_read(fx, 700, 21, LOG_A, 4096, FW_CONTENT_TLOG);
	feed_exec(fx, 701, 1, "python3", "/usr/bin/python3", "python3\0", 8);
	feed_peek(fx, 701, 700, FW_PEEK_PROC_MEM);
	feed_exec(fx, 702, 1, "uploader", "/usr/bin/uploader", "uploader\0", 9);
	feed_peek(fx, 702, 700, FW_POKE_VM_WRITEV);
	feed_exec(fx, 703, 1, "plain", "/usr/bin/plain", "plain\0", 6);
	feed_exec(fx, 704, 1, "gdb", "/usr/bin/gdb", "gdb\0", 4);
	feed_peek(fx, 704, 703, FW_POKE_PTRACE);

	feed_send(fx, 701, d, 100, 5000);
	feed_send(fx, 702, d, 100, 5001);
	feed_send(fx, 704, d, 100, 5002);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 3);
	a = nth_kind(fx, FW_ALERT_EGRESS, 0);
	assert_int_equal(a->pid, 701);
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_A);
	assert_int_equal(a->n_chain, 1);
	assert_int_equal(a->chain_pid[0], 700);
	assert_int_equal(a->chain_via[0], FW_PEEK_PROC_MEM);
	a = nth_kind(fx, FW_ALERT_EGRESS, 1);
	assert_int_equal(a->pid, 702);
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_A);
	assert_int_equal(a->n_chain, 1);
	assert_int_equal(a->chain_pid[0], 700);
	assert_int_equal(a->chain_via[0], FW_POKE_VM_WRITEV);
	/* the kernel would not have sent this one: nothing came with it */
	a = nth_kind(fx, FW_ALERT_EGRESS, 2);
	assert_int_equal(a->pid, 704);
	assert_int_equal(a->n_origins, 0);
	assert_int_equal(a->n_chain, 0);
}

/* A tainted process's socket whose traffic is not followed: one alert
 * naming the family; a record written before the family was added (the
 * shorter one, in an older trace) is AF_PACKET's; an untainted process's
 * socket says nothing */
static void test_unfollowed_socket_alerts(void **state)
{
	struct fixture *fx = *state;
	struct fw_packet_socket_event e = { 0 };
	const struct captured *a;

	feed_exec(fx, 710, 1, "vendor", "/usr/bin/vendor", "vendor\0", 7);
	feed_read(fx, 710, 21, LOG_A, 4096, FW_CONTENT_TLOG);
	feed_exec(fx, 711, 1, "plain", "/usr/bin/plain", "plain\0", 6);
	set_hdr(&e.hdr, FW_EV_PACKET_SOCKET, 710, 4000, sizeof(e));
	e.type = 1; /* SOCK_STREAM */
	e.family = 40; /* AF_VSOCK */
	feed(fx, &e, sizeof(e));
	set_hdr(&e.hdr, FW_EV_PACKET_SOCKET, 710, 4001,
		FW_PACKET_SOCKET_EVENT_V1_SIZE);
	e.type = 3; /* SOCK_RAW */
	feed(fx, &e, FW_PACKET_SOCKET_EVENT_V1_SIZE);
	set_hdr(&e.hdr, FW_EV_PACKET_SOCKET, 711, 4002, sizeof(e));
	feed(fx, &e, sizeof(e));

	assert_int_equal(count_kind(fx, FW_ALERT_PACKET_SOCKET), 3);
	a = nth_kind(fx, FW_ALERT_PACKET_SOCKET, 0);
	assert_int_equal(a->pid, 710);
	assert_int_equal(a->dest.family, 40);
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_A);
	a = nth_kind(fx, FW_ALERT_PACKET_SOCKET, 1);
	assert_int_equal(a->dest.family, 17);
	assert_int_equal(a->dest.port, 3);
	/* the kernel sends none for an untainted process: nothing comes
	 * with one */
	a = nth_kind(fx, FW_ALERT_PACKET_SOCKET, 2);
	assert_int_equal(a->pid, 711);
	assert_int_equal(a->n_origins, 0);
	assert_int_equal(a->dest.family, 40);
}

static void test_fork_of_clean_parent_untracked(void **state)
{
	struct fixture *fx = *state;

	feed_exec(fx, 410, 1, "bash", "/bin/bash", "bash\0", 5);
	feed_fork(fx, 411, 410, "bash");
	assert_false(correlator__tracks(fx->c, 410));
	assert_false(correlator__tracks(fx->c, 411));
	assert_int_equal(fx->n, 0);
}

static void test_exec_keeps_origins(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	const struct captured *a;

	feed_exec(fx, 500, 1, "sh", "/bin/sh", "sh\0", 3);
	feed_read(fx, 500, 17, LOG_B, 1000, FW_CONTENT_ULOG);
	feed_exec(fx, 500, 1, "curl", "/usr/bin/curl",
		  "curl\0-T\0b.ulg\0https://x\0", 24);
	assert_true(correlator__tracks(fx->c, 500));
	feed_send(fx, 500, d, 999, 5000);

	a = nth_kind(fx, FW_ALERT_EGRESS, 0);
	assert_string_equal(a->comm, "curl");
	assert_string_equal(a->exe, "/usr/bin/curl");
	assert_string_equal(a->cmdline, "curl -T b.ulg https://x");
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_B);
	assert_int_equal(a->origin_read[0], 1000);
}

static void test_allowed_destination_never_alerts(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest allowed = dest4("10.1.2.3", 443);
	struct fw_dest other = dest4("11.1.2.3", 443);
	char err[256];

	assert_int_equal(policy__add_allow(&fx->policy, "10.0.0.0/8", err,
					   sizeof(err)),
			 0);
	feed_read(fx, 600, 18, LOG_A, 10, FW_CONTENT_TLOG);
	feed_send(fx, 600, allowed, 100, 5000);
	feed_send_bytes(fx, 600, allowed, 100000, 6000);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 0);
	/* the flow exists, it just never alerts */
	assert_int_equal(stats_of(fx).flows, 1);
	assert_int_equal(stats_of(fx).alerts, 0);

	/* a destination outside the rule still alerts */
	feed_send(fx, 600, other, 100, 7000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
	assert_memory_equal(&nth_kind(fx, FW_ALERT_EGRESS, 0)->dest, &other,
			    sizeof(other));

	/* exit reports nothing for the allowed flow */
	feed_exit(fx, 600);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
}

static void test_origin_change_starts_new_flow(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	const struct captured *a;

	feed_read(fx, 700, 19, LOG_A, 100, FW_CONTENT_TLOG);
	feed_send(fx, 700, d, 1000, 5000);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 0)->flow_id, 1);

	/* a second log read after sending: later bytes are a new flow */
	feed_read(fx, 700, 20, LOG_B, 200, FW_CONTENT_ULOG);
	feed_send_bytes(fx, 700, d, 1600, 6000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);
	a = nth_kind(fx, FW_ALERT_EGRESS, 1);
	assert_false(a->update);
	assert_int_equal(a->flow_id, 2);
	/* only what was sent since the origin set changed */
	assert_int_equal(a->bytes, 600);
	assert_int_equal(a->n_origins, 2);
	assert_string_equal(a->origin_path[0], LOG_A);
	assert_string_equal(a->origin_path[1], LOG_B);
	assert_int_equal(a->origin_read[1], 200);

	/* further growth updates the new flow, not the old one */
	feed_send_bytes(fx, 700, d, 2000, 7000);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 3);
	a = nth_kind(fx, FW_ALERT_EGRESS, 2);
	assert_true(a->update);
	assert_int_equal(a->flow_id, 2);
	assert_int_equal(a->bytes, 1000);
	assert_int_equal(stats_of(fx).flows, 2);
}

static void test_reading_same_file_again_keeps_flow(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);

	feed_read(fx, 710, 19, LOG_A, 100, FW_CONTENT_TLOG);
	feed_send(fx, 710, d, 1000, 5000);
	/* the same file again is not a new origin */
	feed_read(fx, 710, 19, LOG_A, 50, FW_CONTENT_TLOG);
	feed_send_bytes(fx, 710, d, 1500, 6000);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 1)->flow_id, 1);
	assert_true(nth_kind(fx, FW_ALERT_EGRESS, 1)->update);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 1)->bytes, 1500);
	/* the larger of the two first-read counts is kept */
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 1)->origin_read[0], 100);
}

static void test_exit_final_update_then_forget(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	struct fw_dest d2 = dest4("192.0.2.8", 443);
	const struct captured *a;
	size_t procs;

	feed_read(fx, 800, 21, LOG_A, 100, FW_CONTENT_TLOG);
	feed_send(fx, 800, d, 100, 5000);
	feed_send(fx, 800, d2, 10, 5000);
	feed_send_bytes(fx, 800, d, 5000, 8000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);
	procs = proctab__count(correlator__procs(fx->c));

	feed_exit(fx, 800);
	/* one final update for the flow that grew, none for the other */
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 3);
	a = nth_kind(fx, FW_ALERT_EGRESS, 2);
	assert_true(a->update);
	assert_int_equal(a->flow_id, 1);
	assert_int_equal(a->bytes, 5000);
	assert_int_equal(a->pid, 800);

	assert_false(correlator__tracks(fx->c, 800));
	assert_null(proctab__get(correlator__procs(fx->c), 800));
	assert_int_equal(proctab__count(correlator__procs(fx->c)), procs - 1);

	/* a late count for the dead process creates nothing */
	feed_send_bytes(fx, 800, d, 9000, 9500);
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 3);
	assert_null(proctab__get(correlator__procs(fx->c), 800));
}

static void test_exit_unchanged_no_update(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);

	feed_read(fx, 810, 21, LOG_A, 100, FW_CONTENT_TLOG);
	feed_send(fx, 810, d, 100, 5000);
	feed_exit(fx, 810);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
	assert_false(correlator__tracks(fx->c, 810));
	/* exit of a process never seen is harmless */
	feed_exit(fx, 4242);
	assert_int_equal(fx->n, 2); /* notice + alert */
}

static void test_pid_reuse_after_lost_exit(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	const struct captured *a;

	/* pid 900 sends 100000 bytes, then dies; its EXIT is lost */
	feed_read(fx, 900, 22, LOG_A, 100, FW_CONTENT_TLOG);
	feed_send(fx, 900, d, 100000, 5000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);

	/* the pid is reused: the fork event starts it afresh */
	feed_exec(fx, 1, 0, "init", "/sbin/init", "init\0", 5);
	feed_fork(fx, 900, 1, "uploader");
	assert_false(correlator__tracks(fx->c, 900));
	/* the new process reads a log and sends to the same destination */
	feed_read(fx, 900, 23, LOG_B, 100, FW_CONTENT_ULOG);
	feed_send(fx, 900, d, 2000, 6000);

	/* a new process, a new flow, a new alert for its 2000 bytes */
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);
	a = nth_kind(fx, FW_ALERT_EGRESS, 1);
	assert_false(a->update);
	assert_int_equal(a->bytes, 2000);
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_B);
}

/* No fork, exec or exit record between two processes that had the same
 * pid: the start each record carries tells them apart */
static void test_pid_reuse_seen_by_start(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	const struct captured *a;

	fixture_start_ns = 1000000000;
	feed_exec(fx, 900, 1, "forker", "/usr/bin/forker", "forker\0", 7);
	feed_read(fx, 900, 22, LOG_A, 100, FW_CONTENT_TLOG);
	/* positive control: the same process sends, LOG_A is its origin */
	feed_send(fx, 900, d, 100, 4000);
	a = nth_kind(fx, FW_ALERT_EGRESS, 0);
	assert_non_null(a);
	assert_string_equal(a->origin_path[0], LOG_A);
	assert_true(correlator__knows(fx->c, 900, 1000000000));
	/* the same start to /proc's precision (10 ms) is the same process */
	assert_true(correlator__knows(fx->c, 900, 1004000000));

	/* another process with that pid, started 1 s later, sends: none
	 * of the forker's name, file or flow may be its */
	fixture_start_ns = 2000000000;
	fixture_comm = "python3";
	assert_false(correlator__knows(fx->c, 900, fixture_start_ns));
	feed_send(fx, 900, d, 2000, 6000);
	assert_int_equal(stats_of(fx).pids_reused, 1);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);
	a = nth_kind(fx, FW_ALERT_EGRESS, 1);
	assert_false(a->update);
	assert_int_equal(a->bytes, 2000);
	assert_int_equal(a->n_origins, 0);
	/* named by the record itself */
	assert_string_equal(a->comm, "python3");
}

/* Records lost while a process lived: its alert says what it cannot
 * vouch for; a process that began after the loss was reported is sure */
static void test_uncertain_after_loss(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);

	fixture_start_ns = 1000;
	feed_exec(fx, 700, 1, "uploader", "/usr/bin/uploader", "uploader\0", 9);
	feed_read(fx, 700, 22, LOG_A, 100, FW_CONTENT_TLOG);
	/* positive control first: no loss yet, every field holds */
	feed_send(fx, 700, d, 100, 4000);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 0)->uncertain, 0);

	feed_lost(fx, 7, 0, 5000);
	feed_send(fx, 700, dest4("192.0.2.8", 443), 100, 6000);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 1)->uncertain,
			 FW_UNCERTAIN_ORIGIN | FW_UNCERTAIN_CHAIN);

	/* started after the loss was reported: nothing of it was lost */
	fixture_start_ns = 7000;
	feed_exec(fx, 701, 1, "later", "/usr/bin/later", "later\0", 6);
	feed_read(fx, 701, 22, LOG_A, 100, FW_CONTENT_TLOG);
	feed_send(fx, 701, d, 100, 8000);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 2)->uncertain, 0);

	/* no executable known: the process fields are not vouched for */
	fixture_start_ns = 0;
	feed_read(fx, 702, 22, LOG_A, 100, FW_CONTENT_TLOG);
	feed_send(fx, 702, d, 100, 9000);
	assert_true(nth_kind(fx, FW_ALERT_EGRESS, 3)->uncertain &
		    FW_UNCERTAIN_PROCESS);
}

static void test_lost_events(void **state)
{
	struct fixture *fx = *state;
	const struct captured *a;

	feed_lost(fx, 0, 0, 100);
	assert_int_equal(fx->n, 0);

	feed_lost(fx, 3, 2, 200);
	assert_int_equal(fx->n, 1);
	a = &fx->alerts[0];
	assert_int_equal(a->kind, FW_ALERT_LOST);
	assert_false(a->update);
	assert_int_equal(a->lost, 5);
	assert_int_equal(a->ts_ns, 200);
	assert_int_equal(a->severity, FW_SEVERITY_MEDIUM);
	assert_false(a->has_proc);

	/* unchanged, or smaller: not repeated */
	feed_lost(fx, 3, 2, 300);
	feed_lost(fx, 1, 1, 400);
	assert_int_equal(fx->n, 1);

	feed_lost(fx, 10, 2, 500);
	assert_int_equal(fx->n, 2);
	a = &fx->alerts[1];
	assert_int_equal(a->kind, FW_ALERT_LOST);
	assert_true(a->update);
	assert_int_equal(a->lost, 12);
	/* lost alerts are not egress alerts */
	assert_int_equal(stats_of(fx).alerts, 0);
}

static void test_malformed_records(void **state)
{
	struct fixture *fx = *state;
	struct fw_net_event net = { 0 };
	struct fw_event_header hdr = { 0 };
	unsigned char big[512] = { 0 };
	struct fw_correlator_stats s;

	/* shorter than a header */
	assert_int_equal(correlator__feed(fx->c, &hdr, sizeof(hdr) - 1),
			 -EINVAL);
	/* unknown types, even with plenty of bytes */
	set_hdr((struct fw_event_header *)big, 0, 1, 1, sizeof(big));
	assert_int_equal(correlator__feed(fx->c, big, sizeof(big)), -EINVAL);
	set_hdr((struct fw_event_header *)big, FW_EV_TYPE_MAX, 1, 1,
		sizeof(big));
	assert_int_equal(correlator__feed(fx->c, big, sizeof(big)), -EINVAL);
	set_hdr((struct fw_event_header *)big, 0xdeadbeef, 1, 1, sizeof(big));
	assert_int_equal(correlator__feed(fx->c, big, sizeof(big)), -EINVAL);
	/* a known type cut short */
	set_hdr(&net.hdr, FW_EV_SEND, 1, 1, sizeof(net));
	net.dest = dest4("192.0.2.7", 443);
	net.bytes = 100;
	assert_int_equal(correlator__feed(fx->c, &net, sizeof(net) - 1),
			 -EINVAL);
	set_hdr(&hdr, FW_EV_EXIT, 1, 1, sizeof(hdr));
	assert_int_equal(correlator__feed(fx->c, &hdr, sizeof(hdr)), -EINVAL);

	assert_int_equal(fx->n, 0);
	s = stats_of(fx);
	assert_int_equal(s.events, 6);
	assert_int_equal(s.malformed, 6);
	assert_int_equal(s.flows, 0);

	/* a well-formed record still counts as an event, not malformed */
	feed_send(fx, 1, net.dest, 100, 1);
	s = stats_of(fx);
	assert_int_equal(s.events, 7);
	assert_int_equal(s.malformed, 6);
	assert_int_equal(s.flows, 1);
}

static void test_connect_alone_no_alert(void **state)
{
	struct fixture *fx = *state;
	struct fw_net_event e = { 0 };

	feed_read(fx, 1000, 24, LOG_A, 10, FW_CONTENT_TLOG);
	set_hdr(&e.hdr, FW_EV_CONNECT, 1000, 5000, sizeof(e));
	e.dest = dest4("192.0.2.7", 443);
	feed(fx, &e, sizeof(e));
	correlator__flush(fx->c);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 0);
	assert_int_equal(stats_of(fx).flows, 0);
}

static void test_severity_from_content(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);

	/* unverified content: medium */
	feed_read(fx, 1100, 25, "/tmp/notes.ulg", 10, FW_CONTENT_NONE);
	feed_send(fx, 1100, d, 10, 5000);
	assert_false(nth_kind(fx, FW_ALERT_EGRESS, 0)->verified);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 0)->severity, 47);
	assert_false(nth_kind(fx, FW_NOTICE_READ, 0)->verified);
	assert_int_equal(nth_kind(fx, FW_NOTICE_READ, 0)->severity, 47);

	/* a verified ULog: high */
	feed_read(fx, 1101, 26, LOG_B, 10, FW_CONTENT_ULOG);
	feed_send(fx, 1101, d, 10, 5000);
	assert_true(nth_kind(fx, FW_ALERT_EGRESS, 1)->verified);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 1)->severity, 73);
	assert_int_equal(nth_kind(fx, FW_NOTICE_READ, 1)->severity, 73);

	/* the same file seen again with content not checked keeps the
	 * verdict it had */
	feed_read(fx, 1102, 26, LOG_B, 10, FW_CONTENT_UNKNOWN);
	feed_send(fx, 1102, d, 10, 5000);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 2)->origin_content[0],
			 FW_CONTENT_ULOG);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 2)->severity, 73);

	/* one verified origin among several is enough */
	feed_read(fx, 1103, 25, "/tmp/notes.ulg", 10, FW_CONTENT_NONE);
	feed_read(fx, 1103, 26, LOG_B, 10, FW_CONTENT_ULOG);
	feed_send(fx, 1103, d, 10, 5000);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 3)->n_origins, 2);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 3)->severity, 73);
}

static void test_ipv6_destination(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest6("2001:db8::42", 8443);
	struct fw_dest d_other_port = dest6("2001:db8::42", 8444);
	const struct captured *a;

	feed_read(fx, 1200, 27, LOG_A, 10, FW_CONTENT_TLOG);
	feed_send(fx, 1200, d, 321, 5000);
	a = nth_kind(fx, FW_ALERT_EGRESS, 0);
	assert_int_equal(a->dest.family, AF_INET6);
	assert_int_equal(a->dest.port, 8443);
	assert_int_equal(a->dest.proto, 17);
	assert_memory_equal(a->dest.addr, d.addr, 16);
	assert_int_equal(a->bytes, 321);

	/* another port is another channel, another flow */
	feed_send(fx, 1200, d_other_port, 5, 5000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 2);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 1)->flow_id, 2);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 1)->dest.port, 8444);
}

static void test_ipv6_allow_rule(void **state)
{
	struct fixture *fx = *state;
	char err[256];

	assert_int_equal(policy__add_allow(&fx->policy, "[2001:db8::/32]:443",
					   err, sizeof(err)),
			 0);
	feed_read(fx, 1300, 28, LOG_A, 10, FW_CONTENT_TLOG);
	feed_send(fx, 1300, dest6("2001:db8:1::1", 443), 100, 5000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 0);
	/* same network, other port: alerts */
	feed_send(fx, 1300, dest6("2001:db8:1::1", 80), 100, 5000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
}

static void test_many_processes(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	uint32_t pid;

	/* more processes than the alert buffer: only the tainted ones
	 * alert, and each gets its own flow id */
	for (pid = 2000; pid < 3000; pid++)
		feed_exec(fx, pid, 1, "worker", "/usr/bin/worker", "w\0", 2);
	feed_read(fx, 2500, 29, LOG_A, 10, FW_CONTENT_TLOG);
	for (pid = 2000; pid < 3000; pid++)
		feed_send_bytes(fx, pid, d, 100, 5000);
	assert_int_equal(count_kind(fx, FW_ALERT_EGRESS), 1);
	assert_int_equal(nth_kind(fx, FW_ALERT_EGRESS, 0)->pid, 2500);
	assert_int_equal(proctab__count(correlator__procs(fx->c)), 1000);
	for (pid = 2000; pid < 3000; pid++)
		feed_exit(fx, pid);
	assert_int_equal(proctab__count(correlator__procs(fx->c)), 0);
	assert_int_equal(fx->overflow, 0);
}

/* A refused flow: one alert with the carrier's origins, updated (not
 * repeated) as the kernel's count grows; a count already told, or one
 * after the process ended, changes nothing */
static void test_blocked_flow_one_alert_with_count(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	const struct captured *a;

	feed_exec(fx, 100, 1, "curl", "/usr/bin/curl", "curl\0", 5);
	feed_read(fx, 100, 11, LOG_A, 4096, FW_CONTENT_TLOG);
	feed_blocked(fx, 100, d, FW_BLOCK_EGRESS, 1, FW_ENFORCE_BLOCK);
	feed_blocked(fx, 100, d, FW_BLOCK_EGRESS, 1, FW_ENFORCE_BLOCK);
	feed_blocked(fx, 100, d, FW_BLOCK_EGRESS, 37, FW_ENFORCE_BLOCK);
	assert_int_equal(count_kind(fx, FW_ALERT_DENIED), 2);
	a = &fx->alerts[1];
	assert_int_equal(a->kind, FW_ALERT_DENIED);
	assert_false(a->update);
	assert_int_equal(a->blocked, 1);
	assert_int_equal(a->block_hook, FW_BLOCK_EGRESS);
	assert_false(a->dry_run);
	assert_int_equal(a->pid, 100);
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_A);
	assert_memory_equal(&a->dest, &d, sizeof(d));
	assert_true(a->verified);
	a = &fx->alerts[2];
	assert_true(a->update);
	assert_int_equal(a->blocked, 37);
	assert_int_equal(a->flow_id, fx->alerts[1].flow_id);
	/* another hook of the same process is another flow */
	feed_blocked(fx, 100, d, FW_BLOCK_CONNECT, 1, FW_ENFORCE_DRY_RUN);
	a = &fx->alerts[3];
	assert_false(a->update);
	assert_true(a->dry_run);
	assert_int_not_equal(a->flow_id, fx->alerts[1].flow_id);
	feed_exit(fx, 100);
	feed_blocked(fx, 100, d, FW_BLOCK_EGRESS, 40, FW_ENFORCE_BLOCK);
	assert_int_equal(fx->n, 4);
	assert_int_equal(proctab__count(correlator__procs(fx->c)), 0);
}

/* A packet dropped during the very call that read the log (a sendfile):
 * the refusal comes before the read's record, and its alert is updated to
 * name the log once that record comes */
static void test_blocked_before_read_names_origin_later(void **state)
{
	struct fixture *fx = *state;
	struct fw_dest d = dest4("192.0.2.7", 443);
	const struct captured *a;

	feed_exec(fx, 100, 1, "python3", "/usr/bin/python3", "python3\0", 8);
	feed_blocked(fx, 100, d, FW_BLOCK_EGRESS, 3, FW_ENFORCE_BLOCK);
	a = nth_kind(fx, FW_ALERT_DENIED, 0);
	assert_non_null(a);
	assert_int_equal(a->n_origins, 0);
	feed_read(fx, 100, 11, LOG_A, 4096, FW_CONTENT_TLOG);
	a = nth_kind(fx, FW_ALERT_DENIED, 1);
	assert_non_null(a);
	assert_true(a->update);
	assert_int_equal(a->blocked, 3);
	assert_int_equal(a->n_origins, 1);
	assert_string_equal(a->origin_path[0], LOG_A);
	/* the same origin read again: no new update */
	feed_read(fx, 100, 11, LOG_A, 8192, FW_CONTENT_TLOG);
	assert_int_equal(count_kind(fx, FW_ALERT_DENIED), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_read_then_send_alerts_once),
		T(test_blocked_before_read_names_origin_later),
		T(test_growing_bytes_update_same_flow),
		T(test_older_count_ignored),
		T(test_read_growth_updates),
		T(test_unrelated_send_bytes_ignored),
		T(test_send_bytes_without_send_from_tainted),
		T(test_send_from_unknown_process),
		T(test_zero_byte_send_waits_for_bytes),
		T(test_fork_inherits_origins),
		T(test_memory_moves_carry_origins),
		T(test_unfollowed_socket_alerts),
		T(test_fork_of_clean_parent_untracked),
		T(test_exec_keeps_origins),
		T(test_allowed_destination_never_alerts),
		T(test_origin_change_starts_new_flow),
		T(test_reading_same_file_again_keeps_flow),
		T(test_exit_final_update_then_forget),
		T(test_exit_unchanged_no_update),
		T(test_pid_reuse_after_lost_exit),
		T(test_pid_reuse_seen_by_start),
		T(test_uncertain_after_loss),
		T(test_lost_events),
		T(test_malformed_records),
		T(test_connect_alone_no_alert),
		T(test_severity_from_content),
		T(test_ipv6_destination),
		T(test_ipv6_allow_rule),
		T(test_many_processes),
		T(test_blocked_flow_one_alert_with_count),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
