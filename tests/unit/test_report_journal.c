// SPDX-License-Identifier: GPL-2.0
/* `report --journal`: entries written by the journald sink's own entry
 * builder, stored in a real journal file (systemd-journal-remote turns
 * their export format into one, no journald or root needed), read back
 * into the report's model */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "fw_test.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/hashmap.h"
#include "sink/journal_entry.h"
#include "trace/report_model.h"

#define JOURNAL_REMOTE "/lib/systemd/systemd-journal-remote"
#define SEC 1000000000ull
/* the traced hosts' clock: boot time 0 is this wall time */
#define WALL0 (1764100000ull * SEC)

struct fixture {
	char dir[64];
	FILE *export; /* systemd-journal-remote's standard input */
	struct fw_output o;
	struct fw_file files[2];
	struct fw_origin origins[2];
	struct fw_proc proc;
	struct fw_alert alert;
	struct report r;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char cmd[256];

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fw-report-journal.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s -o %s/test.journal - >/dev/null 2>&1",
		 JOURNAL_REMOTE, fx->dir);
	if (access(JOURNAL_REMOTE, X_OK) || !(fx->export = popen(cmd, "w")))
		fx->export = NULL;
	fx->o.run_id = 0x1234abcd;
	fx->o.wall_minus_boot_ns = WALL0;
	fx->files[0].path = "/srv/logs/a.tlog";
	fx->files[0].content = FW_CONTENT_TLOG;
	fx->files[1].path = "/srv/logs/b.ulg";
	fx->files[1].content = FW_CONTENT_ULOG;
	fx->origins[0].file = &fx->files[0];
	fx->origins[0].bytes_read = 700;
	fx->origins[1].file = &fx->files[1];
	fx->proc.pid = 4242;
	fx->proc.ppid = 1;
	fx->proc.uid = 1000;
	snprintf(fx->proc.comm, sizeof(fx->proc.comm), "curl");
	fx->proc.exe = "/usr/bin/curl";
	fx->proc.cmdline = "curl -T a.tlog https://up.example/";
	fw_test_egress(&fx->alert, &fx->proc, fx->origins, 2);
	fx->r.stations = hashmap__new(sizeof(uint64_t));
	fx->r.readers = hashmap__new(sizeof(struct reader_key));
	fx->r.flows = hashmap__new(sizeof(uint64_t));
	*state = fx;
	return 0;
}

static void free_values(struct hashmap *map, void (*drop)(void *))
{
	struct hashmap_cursor cur = { 0 };
	void *v;

	while (hashmap__next(map, &cur, NULL, &v))
		drop(v);
	hashmap__free(map);
}

static void drop_station(void *v)
{
	free(((struct station *)v)->host);
	free(v);
}

static void drop_reader(void *v)
{
	free(((struct reader *)v)->path);
	free(((struct reader *)v)->exe);
	free(v);
}

static void drop_flow(void *v)
{
	report_flow_free(v);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	if (fx->export)
		pclose(fx->export);
	free_values(fx->r.stations, drop_station);
	free_values(fx->r.readers, drop_reader);
	free_values(fx->r.flows, drop_flow);
	for (size_t i = 0; i < fx->r.n_tl; i++)
		free(fx->r.tl[i].text);
	free(fx->r.tl);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	if (system(cmd))
		return -1;
	free(fx);
	return 0;
}

/* One entry in journal export format: the builder's fields, the time
 * journald received it and the host it named */
static void put(struct fixture *fx, const char *hostname, uint64_t realtime,
		const struct fw_jentry *e)
{
	fprintf(fx->export, "__REALTIME_TIMESTAMP=%" PRIu64 "\n",
		realtime / 1000);
	fprintf(fx->export, "_HOSTNAME=%s\n", hostname);
	for (size_t i = 0; i < e->n; i++)
		fprintf(fx->export, "%s\n", e->fields[i]);
	fputc('\n', fx->export);
}

/* The alert as the sink writes it, at boot time ts, received at realtime */
static void put_alert(struct fixture *fx, const char *hostname,
		      uint64_t realtime, uint64_t ts, uint64_t bytes,
		      bool update)
{
	struct fw_jentry e = { 0 };

	fx->alert.ts_ns = ts;
	fx->alert.bytes = bytes;
	fx->alert.update = update;
	jentry__alert(&e, &fx->o, &fx->alert);
	put(fx, hostname, realtime, &e);
	jentry__free(&e);
}

static void put_lost(struct fixture *fx, const char *hostname, uint64_t lost)
{
	struct fw_alert a = { .kind = FW_ALERT_LOST,
			      .lost = lost,
			      .ts_ns = 9 * SEC };
	struct fw_jentry e = { 0 };

	jentry__alert(&e, &fx->o, &a);
	put(fx, hostname, WALL0 + 9 * SEC, &e);
	jentry__free(&e);
}

/* Close the export stream: the journal file is complete */
static void store(struct fixture *fx)
{
	assert_int_equal(pclose(fx->export), 0);
	fx->export = NULL;
}

static struct station *station(struct report *r, const char *host)
{
	struct hashmap_cursor cur = { 0 };
	void *v;

	while (hashmap__next(r->stations, &cur, NULL, &v))
		if (!strcmp(((struct station *)v)->host, host))
			return v;
	return NULL;
}

static struct flow *flow_of(struct report *r, const struct station *st)
{
	struct hashmap_cursor cur = { 0 };
	void *v;

	while (hashmap__next(r->flows, &cur, NULL, &v))
		if (((struct flow *)v)->station == st)
			return v;
	return NULL;
}

static size_t count_tl(const struct report *r, enum tl_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_tl; i++)
		n += r->tl[i].kind == kind;
	return n;
}

#define NEEDS_JOURNAL_REMOTE(fx)                                       \
	do {                                                           \
		if (!(fx)->export) {                                   \
			print_message("# needs " JOURNAL_REMOTE "\n"); \
			skip();                                        \
		}                                                      \
	} while (0)

/* One flow's entries, out of order: the largest count is its state, the
 * first alert is still on the timeline; the times are the alerts' own
 * (FLIGHTWATCH_TIMESTAMP), not their receipt */
static void test_flow(void **state)
{
	struct fixture *fx = *state;
	struct station *st;
	struct flow *f;
	struct hashmap_cursor cur = { 0 };
	struct reader *rd;
	void *v;

	NEEDS_JOURNAL_REMOTE(fx);
	/* received late, as a spool re-sends them, and out of order (as
	 * merged journal files may give them): the first alert last */
	put_alert(fx, "gs-a", WALL0 + 60 * SEC, 3 * SEC, 5000, true);
	put_alert(fx, "gs-a", WALL0 + 61 * SEC, 2 * SEC, 3000, true);
	put_alert(fx, "gs-a", WALL0 + 62 * SEC, 1 * SEC, 1000, false);
	store(fx);
	assert_int_equal(report_journal__read(&fx->r, fx->dir), 0);
	assert_int_equal(fx->r.entries, 3);
	assert_int_equal(hashmap__count(fx->r.stations), 1);
	st = station(&fx->r, "gs-a");
	assert_non_null(st);
	assert_int_equal(st->first_ns, WALL0 + 1 * SEC);
	assert_int_equal(st->last_ns, WALL0 + 3 * SEC);
	assert_int_equal(hashmap__count(fx->r.flows), 1);
	f = flow_of(&fx->r, st);
	assert_non_null(f);
	assert_int_equal(f->id, 7);
	assert_int_equal(f->bytes, 5000);
	assert_int_equal(f->first_ns, WALL0 + 1 * SEC);
	assert_int_equal(f->last_ns, WALL0 + 3 * SEC);
	assert_int_equal(f->pid, 4242);
	assert_int_equal(f->ppid, 1);
	assert_int_equal(f->uid, 1000);
	assert_string_equal(f->comm, "curl");
	assert_string_equal(f->exe, "/usr/bin/curl");
	assert_string_equal(f->cmdline, "curl -T a.tlog https://up.example/");
	assert_memory_equal(&f->dest, &fx->alert.dest, sizeof(f->dest));
	assert_int_equal(f->severity, FW_SEVERITY_HIGH);
	assert_true(f->verified);
	assert_int_equal(f->n_origins, 2);
	assert_string_equal(f->origins[0].path, "/srv/logs/a.tlog");
	assert_int_equal(f->origins[0].content, FW_CONTENT_TLOG);
	assert_int_equal(f->origins[0].bytes_read, 700);
	assert_int_equal(f->origins[1].content, FW_CONTENT_ULOG);
	assert_int_equal(f->origins[1].bytes_read, 0);
	/* it read a.tlog itself; b.ulg came from its parent */
	assert_int_equal(hashmap__count(fx->r.readers), 1);
	assert_true(hashmap__next(fx->r.readers, &cur, NULL, &v));
	rd = v;
	assert_string_equal(rd->path, "/srv/logs/a.tlog");
	assert_int_equal(rd->key.pid, 4242);
	assert_int_equal(rd->bytes, 700);
	assert_ptr_equal(rd->station, st);
	/* the first alert only, not the updates */
	assert_int_equal(count_tl(&fx->r, TL_ALERT), 1);
	assert_non_null(strstr(fx->r.tl[0].text, "gs-a: ALERT flow 7"));
}

/* A replayed trace names its host in FLIGHTWATCH_HOST: that is the
 * station, not the replaying host; the same pid and flow id on two
 * stations are two flows */
static void test_stations(void **state)
{
	struct fixture *fx = *state;
	struct station *a, *b;
	struct flow *fb;

	NEEDS_JOURNAL_REMOTE(fx);
	put_alert(fx, "gs-a", WALL0 + 1 * SEC, 1 * SEC, 1000, false);
	fx->o.host = "gs-b";
	fx->alert.dest = fw_test_dest(AF_INET6, "2001:db8::1", 8443, 17);
	fx->alert.domain = "up.example";
	fx->alert.country = "NL";
	put_alert(fx, "collector", WALL0 + 2 * SEC, 2 * SEC, 2000, false);
	put_lost(fx, "collector", 12);
	put_lost(fx, "collector", 20);
	fx->o.host = NULL;
	put_lost(fx, "gs-a", 5);
	store(fx);
	assert_int_equal(report_journal__read(&fx->r, fx->dir), 0);
	assert_int_equal(hashmap__count(fx->r.stations), 2);
	assert_null(station(&fx->r, "collector"));
	a = station(&fx->r, "gs-a");
	b = station(&fx->r, "gs-b");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(hashmap__count(fx->r.flows), 2);
	assert_int_equal(flow_of(&fx->r, a)->bytes, 1000);
	fb = flow_of(&fx->r, b);
	assert_int_equal(fb->bytes, 2000);
	assert_int_equal(fb->id, 7);
	assert_int_equal(fb->pid, 4242);
	assert_memory_equal(&fb->dest, &fx->alert.dest, sizeof(fb->dest));
	assert_string_equal(fb->domain, "up.example");
	assert_string_equal(fb->country, "NL");
	/* lost counts are running totals per station */
	assert_int_equal(b->lost, 20);
	assert_int_equal(a->lost, 5);
	assert_int_equal(fx->r.lost, 25);
	assert_int_equal(count_tl(&fx->r, TL_LOST), 3);
	assert_int_equal(hashmap__count(fx->r.readers), 2);
}

static void test_errors(void **state)
{
	struct fixture *fx = *state;
	char path[96];
	FILE *f;

	assert_int_equal(report_journal__read(&fx->r, "/nonexistent/journal"),
			 -1);
	snprintf(path, sizeof(path), "%s/file", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(report_journal__read(&fx->r, path), -1);
	/* a directory without journal files: an empty report */
	snprintf(path, sizeof(path), "%s/empty", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(report_journal__read(&fx->r, path), 0);
	assert_int_equal(hashmap__count(fx->r.flows), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
