// SPDX-License-Identifier: GPL-2.0
/*
 * The trace writer and reader: round trip, records of kinds this reader
 * does not know, rotation and file modes, META escaping, replay, and the
 * options that ask for a trace. Damaged traces are in test_trace_damage.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "trace_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include <sys/stat.h>
#include <getopt.h>
#include "core/correlator.h"
#include "cli/options.h"
#include "core/policy.h"
#include "trace/replay.h"

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

/* A write that fails (a file size limit stands in for a full disk): the
 * recording stops, the error is given once, the records lost counted */
static void test_write_failure(void **state)
{
	struct fw_trace_writer_opts o = { 0 };
	struct fw_trace_writer_stats st;
	struct fw_trace_writer *w;
	struct rlimit old, small = { .rlim_cur = 64 * 1024 };
	unsigned char rec[512] = { 0 };
	struct fw_event_header *h = (struct fw_event_header *)rec;
	char path[256];
	int i, first_err = 0;

	(void)state;
	tmp_path(path, sizeof(path), "full.fwt");
	o.path = path;
	assert_int_equal(trace_writer__open(&w, &o), 0);
	assert_int_equal(trace_writer__take_error(w), 0);
	assert_string_equal(trace_writer__path(w), path);
	h->type = FW_EV_EXEC;
	h->size = sizeof(rec);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	for (i = 0; i < 200; i++) {
		/* random bytes: the blocks do not compress below the limit */
		for (size_t j = sizeof(*h); j < sizeof(rec); j++)
			rec[j] = (unsigned char)rand();
		trace_writer__event(w, rec, sizeof(rec), 1);
		if (i % 20 == 19 && trace_writer__flush(w) && !first_err)
			first_err = i;
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_true(first_err > 0);
	trace_writer__stats(w, &st);
	assert_int_equal(st.error, EFBIG);
	/* lost: the block that failed and every record after it */
	/* some blocks made it; at most the 20 records since the last flush
	 * before the failure were pending */
	assert_true(first_err > 19);
	assert_true(st.lost >= (uint64_t)(200 - first_err - 1) &&
		    st.lost <= (uint64_t)(200 - first_err - 1 + 20));
	assert_int_equal(trace_writer__take_error(w), EFBIG);
	assert_int_equal(trace_writer__take_error(w), 0);
	assert_int_equal(trace_writer__close(w, NULL, 0), -EFBIG);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_existing_file_refused),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_meta_escaping),
		cmocka_unit_test(test_replay_same_alerts),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_record_options),
		cmocka_unit_test(test_write_failure),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
