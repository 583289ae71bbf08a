// SPDX-License-Identifier: GPL-2.0
/* Alert, state and stats lines: ECS JSON and text for people */
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
#include "lib/json.h"
#include "sink/output.h"
#include "core/policy.h"
#include "lib/util.h"

struct fixture {
	char *out_buf;
	size_t out_len;
	char *err_buf;
	size_t err_len;
	struct fw_output o;
	struct fw_file files[2];
	struct fw_origin origins[2];
	struct fw_proc proc;
	struct fw_alert alert;
	struct json_object *parsed;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->o.out = open_memstream(&fx->out_buf, &fx->out_len);
	fx->o.err = open_memstream(&fx->err_buf, &fx->err_len);
	if (!fx->o.out || !fx->o.err)
		return -1;
	fx->o.json = true;
	fx->o.run_id = 0x1234abcd;

	fx->files[0].key.ino = 11;
	fx->files[0].path =
		strdup("/home/alice/Documents/QGroundControl/Telemetry/a.tlog");
	fx->files[0].match = FW_MATCH_DIR;
	fx->files[0].content = FW_CONTENT_TLOG;
	fx->files[1].key.ino = 12;
	fx->files[1].path = strdup("/tmp/b.ulg");
	fx->files[1].match = FW_MATCH_PATTERN;
	fx->files[1].content = FW_CONTENT_NONE;
	fx->origins[0].file = &fx->files[0];
	fx->origins[0].bytes_read = 8192;
	fx->origins[1].file = &fx->files[1];
	fx->origins[1].bytes_read = 0;

	fx->proc.pid = 4242;
	fx->proc.ppid = 4000;
	fx->proc.uid = 1000;
	strcpy(fx->proc.comm, "curl");
	fx->proc.exe = strdup("/usr/bin/curl");
	fx->proc.cmdline = strdup("curl -T a.tlog https://example.com/up");
	fx->proc.origins = fx->origins;
	fx->proc.n_origins = 1;

	fw_test_egress(&fx->alert, &fx->proc, fx->origins, 1);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx->parsed)
		json_object_put(fx->parsed);
	fclose(fx->o.out);
	fclose(fx->o.err);
	free(fx->out_buf);
	free(fx->err_buf);
	free(fx->files[0].path);
	free(fx->files[1].path);
	free(fx->proc.exe);
	free(fx->proc.cmdline);
	free(fx);
	return 0;
}

/* Exactly one line on out, parsed */
static struct json_object *one_json_line(struct fixture *fx)
{
	fflush(fx->o.out);
	assert_true(fx->out_len > 0);
	assert_int_equal(fx->out_buf[fx->out_len - 1], '\n');
	assert_ptr_equal(strchr(fx->out_buf, '\n'),
			 fx->out_buf + fx->out_len - 1);
	if (fx->parsed)
		json_object_put(fx->parsed);
	fx->parsed = json_tokener_parse(fx->out_buf);
	assert_non_null(fx->parsed);
	return fx->parsed;
}

/* The value at a dotted path, array indices as numbers ("a.0.b") */
static struct json_object *at(struct json_object *root, const char *path)
{
	char buf[256], *save = NULL, *part;
	struct json_object *cur = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && cur;
	     part = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(cur, json_type_array))
			cur = json_object_array_get_idx(cur, atoi(part));
		else if (!json_object_object_get_ex(cur, part, &cur))
			cur = NULL;
	}
	return cur;
}

static void expect_str(struct json_object *root, const char *path,
		       const char *want)
{
	struct json_object *v = at(root, path);

	if (!v)
		fail_msg("no %s", path);
	assert_int_equal(json_object_get_type(v), json_type_string);
	assert_string_equal(json_object_get_string(v), want);
}

static void expect_int(struct json_object *root, const char *path, int64_t want)
{
	struct json_object *v = at(root, path);

	if (!v)
		fail_msg("no %s", path);
	assert_int_equal(json_object_get_type(v), json_type_int);
	assert_int_equal(json_object_get_int64(v), want);
}

static void expect_timestamp(struct json_object *root)
{
	struct json_object *v = at(root, "@timestamp");
	unsigned y, mo, d, h, mi, s, us;
	char z;

	assert_non_null(v);
	assert_int_equal(json_object_get_string_len(v), 27);
	assert_int_equal(sscanf(json_object_get_string(v),
				"%4u-%2u-%2uT%2u:%2u:%2u.%6u%c", &y, &mo, &d,
				&h, &mi, &s, &us, &z),
			 8);
	assert_int_equal(z, 'Z');
	assert_in_range(y, 2020, 2200);
	assert_in_range(mo, 1, 12);
}

static void test_egress_json(void **state)
{
	struct fixture *fx = *state;
	struct json_object *j;

	output__alert(&fx->alert, &fx->o);
	j = one_json_line(fx);
	expect_timestamp(j);
	expect_str(j, "event.kind", "alert");
	expect_str(j, "event.action", "flightlog-egress");
	expect_str(j, "event.id", "000000001234abcd-7");
	expect_int(j, "event.severity", 73);
	expect_str(
		j, "message",
		"curl (pid 4242) sent 1000 bytes to 192.0.2.7:443/tcp after reading flight log /home/alice/Documents/QGroundControl/Telemetry/a.tlog");
	expect_str(j, "file.path",
		   "/home/alice/Documents/QGroundControl/Telemetry/a.tlog");
	expect_int(j, "process.pid", 4242);
	expect_str(j, "process.name", "curl");
	expect_str(j, "process.executable", "/usr/bin/curl");
	expect_str(j, "process.command_line",
		   "curl -T a.tlog https://example.com/up");
	expect_int(j, "process.parent.pid", 4000);
	expect_str(j, "user.id", "1000");
	expect_str(j, "destination.ip", "192.0.2.7");
	expect_int(j, "destination.port", 443);
	expect_int(j, "destination.bytes", 1000);
	expect_str(j, "network.transport", "tcp");
	expect_str(j, "network.type", "ipv4");
	expect_str(j, "flightwatch.confidence", "high");
	assert_int_equal(json_object_array_length(at(j, "flightwatch.origins")),
			 1);
	expect_str(j, "flightwatch.origins.0.path",
		   "/home/alice/Documents/QGroundControl/Telemetry/a.tlog");
	expect_int(j, "flightwatch.origins.0.bytes_read", 8192);
	expect_str(j, "flightwatch.origins.0.match", "directory");
	expect_str(j, "flightwatch.origins.0.content", "tlog");
	/* nothing on the other stream */
	fflush(fx->o.err);
	assert_int_equal(fx->err_len, 0);
}

/* A refused flow: ECS denied/failure, the hook, the count, the chain */
static void test_denied_json(void **state)
{
	struct fixture *fx = *state;
	struct json_object *j;

	fx->alert.kind = FW_ALERT_DENIED;
	fx->alert.bytes = 0;
	fx->alert.blocked = 12;
	fx->alert.block_hook = FW_BLOCK_EGRESS;
	output__alert(&fx->alert, &fx->o);
	j = one_json_line(fx);
	expect_str(j, "event.kind", "alert");
	expect_str(j, "event.action", "flightlog-egress-denied");
	expect_str(j, "event.type", "denied");
	expect_str(j, "event.outcome", "failure");
	expect_str(j, "flightwatch.enforcement.hook", "egress");
	expect_str(j, "flightwatch.enforcement.mode", "enforce");
	expect_int(j, "flightwatch.enforcement.attempts", 12);
	expect_str(j, "destination.ip", "192.0.2.7");
	expect_str(
		j, "message",
		"flightwatch refused curl (pid 4242) the packets of its flow to 192.0.2.7:443/tcp: it carries flight log /home/alice/Documents/QGroundControl/Telemetry/a.tlog (12 attempts)");
	assert_true(json_object_array_length(at(j, "flightwatch.chain")) >= 3);
}

static void test_denied_dry_run_socket_json(void **state)
{
	struct fixture *fx = *state;
	struct json_object *j;

	fx->alert.kind = FW_ALERT_DENIED;
	fx->alert.blocked = 12;
	fx->alert.dry_run = true;
	fx->alert.update = true;
	fx->alert.block_hook = FW_BLOCK_SOCKET;
	output__alert(&fx->alert, &fx->o);
	j = one_json_line(fx);
	expect_str(j, "event.action", "flightlog-egress-denied-update");
	expect_str(j, "event.type", "info");
	expect_str(j, "event.outcome", "success");
	expect_str(
		j, "message",
		"flightwatch would have refused curl (pid 4242) a raw socket: it carries flight log /home/alice/Documents/QGroundControl/Telemetry/a.tlog (12 attempts)");
	assert_null(at(j, "destination.ip"));
	assert_null(at(j, "flightwatch.chain"));
}

static void test_egress_json_update_v6_many_origins(void **state)
{
	struct fixture *fx = *state;
	struct json_object *j;

	fx->alert.update = true;
	fx->alert.flow_id = 12345678901ull;
	fx->alert.dest.family = AF_INET6;
	fx->alert.dest.proto = 17;
	fx->alert.dest.port = 8443;
	inet_pton(AF_INET6, "2001:db8::42", fx->alert.dest.addr);
	fx->alert.n_origins = 2;
	fx->alert.bytes = 5000000000ull;
	fx->alert.verified = false;
	fx->alert.severity = FW_SEVERITY_MEDIUM;
	output__alert(&fx->alert, &fx->o);
	j = one_json_line(fx);
	expect_str(j, "event.action", "flightlog-egress-update");
	expect_str(j, "event.id", "000000001234abcd-12345678901");
	expect_int(j, "event.severity", 47);
	expect_str(j, "destination.ip", "2001:db8::42");
	expect_int(j, "destination.port", 8443);
	expect_int(j, "destination.bytes", 5000000000ll);
	expect_str(j, "network.transport", "udp");
	expect_str(j, "network.type", "ipv6");
	expect_str(j, "flightwatch.confidence", "medium");
	expect_str(
		j, "message",
		"curl (pid 4242) sent 5000000000 bytes to [2001:db8::42]:8443/udp after reading flight log /home/alice/Documents/QGroundControl/Telemetry/a.tlog and others");
	assert_int_equal(json_object_array_length(at(j, "flightwatch.origins")),
			 2);
	expect_str(j, "flightwatch.origins.1.path", "/tmp/b.ulg");
	expect_int(j, "flightwatch.origins.1.bytes_read", 0);
	expect_str(j, "flightwatch.origins.1.match", "pattern");
	expect_str(j, "flightwatch.origins.1.content", "none");
}

/* A destination named by DNS and placed by GeoIP: ECS fields, the name
 * next to the address in the message and the chain */
static void test_egress_json_domain_country(void **state)
{
	struct fixture *fx = *state;
	struct json_object *j;

	fx->alert.domain = "upload.example";
	fx->alert.country = "NL";
	output__alert(&fx->alert, &fx->o);
	j = one_json_line(fx);
	expect_str(j, "destination.domain", "upload.example");
	expect_str(j, "destination.geo.country_iso_code", "NL");
	expect_str(j, "destination.ip", "192.0.2.7");
	expect_str(
		j, "message",
		"curl (pid 4242) sent 1000 bytes to upload.example (192.0.2.7):443/tcp [NL] after reading flight log /home/alice/Documents/QGroundControl/Telemetry/a.tlog");
	expect_str(j, "flightwatch.chain.2.type", "destination");
	expect_str(j, "flightwatch.chain.2.domain", "upload.example");
}

/* Unknown name and country: the fields are absent, not empty */
static void test_egress_json_no_domain(void **state)
{
	struct fixture *fx = *state;
	struct json_object *j;

	output__alert(&fx->alert, &fx->o);
	j = one_json_line(fx);
	assert_null(at(j, "destination.domain"));
	assert_null(at(j, "destination.geo"));
}

static void test_egress_json_no_origin(void **state)
{
	struct fixture *fx = *state;
	struct json_object *j;

	fx->alert.n_origins = 0;
	fx->alert.origins = NULL;
	output__alert(&fx->alert, &fx->o);
	j = one_json_line(fx);
	expect_str(
		j, "message",
		"curl (pid 4242) sent 1000 bytes to 192.0.2.7:443/tcp after reading flight log (origin unknown)");
	assert_null(at(j, "file.path"));
	assert_int_equal(json_object_array_length(at(j, "flightwatch.origins")),
			 0);
}

static void test_json_raw_bytes(void **state)
{
	struct fixture *fx = *state;
	struct json_object *j;

	/* kernel strings are bytes: newlines stay inside the string,
	 * invalid UTF-8 becomes U+FFFD */
	free(fx->files[0].path);
	fx->files[0].path = strdup("/tmp/a\nb\"c\xff.tlog");
	free(fx->proc.cmdline);
	fx->proc.cmdline = strdup("sh -c \"x\xc0\x80\"");
	output__alert(&fx->alert, &fx->o);
	j = one_json_line(fx);
	expect_str(j, "file.path", "/tmp/a\nb\"c\xEF\xBF\xBD.tlog");
	expect_str(j, "flightwatch.origins.0.path",
		   "/tmp/a\nb\"c\xEF\xBF\xBD.tlog");
	expect_str(j, "process.command_line",
		   "sh -c \"x\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

static void test_lost_json(void **state)
{
	struct fixture *fx = *state;
	struct fw_alert a = { 0 };
	struct json_object *j;

	a.kind = FW_ALERT_LOST;
	a.lost = 12;
	a.ts_ns = fw_boot_now_ns();
	a.severity = FW_SEVERITY_MEDIUM;
	output__alert(&a, &fx->o);
	j = one_json_line(fx);
	expect_str(j, "event.kind", "alert");
	expect_str(j, "event.action", "events-lost");
	expect_int(j, "event.severity", 47);
	expect_int(j, "flightwatch.lost_events", 12);
	expect_str(j, "message",
		   "trace incomplete: 12 kernel events lost so far");
	assert_null(at(j, "event.id"));
	assert_null(at(j, "process"));
	assert_null(at(j, "destination"));
}

static void test_notice_read(void **state)
{
	struct fixture *fx = *state;
	struct json_object *j;

	fx->alert.kind = FW_NOTICE_READ;
	/* not shown unless verbose, in either mode */
	output__alert(&fx->alert, &fx->o);
	fx->o.json = false;
	output__alert(&fx->alert, &fx->o);
	fflush(fx->o.out);
	assert_int_equal(fx->out_len, 0);

	fx->o.json = true;
	fx->o.verbose = 1;
	output__alert(&fx->alert, &fx->o);
	j = one_json_line(fx);
	expect_str(j, "event.kind", "event");
	expect_str(j, "event.action", "flightlog-read");
	expect_str(
		j, "message",
		"curl (pid 4242) read flight log /home/alice/Documents/QGroundControl/Telemetry/a.tlog");
	expect_int(j, "process.pid", 4242);
	assert_null(at(j, "destination"));
	assert_null(at(j, "event.id"));
}

/* The text output without its leading timestamps */
static char *text_body(struct fixture *fx)
{
	char *out = calloc(1, fx->out_len + 1), *o = out;
	const char *p = fx->out_buf;

	assert_non_null(out);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

		/* alert lines begin with a timestamp, detail lines with
		 * four spaces */
		if (*p != ' ') {
			const char *sp = memchr(p, ' ', n);

			assert_non_null(sp);
			assert_int_equal(sp - p, 27);
			n -= sp + 1 - p;
			p = sp + 1;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	return out;
}

static void test_egress_text(void **state)
{
	struct fixture *fx = *state;
	char *body;

	fx->o.json = false;
	fx->alert.n_origins = 2;
	output__alert(&fx->alert, &fx->o);
	fflush(fx->o.out);
	body = text_body(fx);
	assert_string_equal(
		body,
		"ALERT   [high] curl (pid 4242) sent 1000 bytes to 192.0.2.7:443/tcp after reading flight log /home/alice/Documents/QGroundControl/Telemetry/a.tlog and others\n"
		"    origin /home/alice/Documents/QGroundControl/Telemetry/a.tlog (8192 bytes read, tlog)\n"
		"    origin /tmp/b.ulg (0 bytes read, none)\n"
		"    process 4242 /usr/bin/curl, parent 4000, uid 1000 -> 192.0.2.7:443/tcp 1000 bytes\n");
	free(body);
}

static void test_egress_text_domain_v6(void **state)
{
	struct fixture *fx = *state;
	char *body;

	fx->o.json = false;
	fx->alert.domain = "upload.example";
	fx->alert.dest.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::42", fx->alert.dest.addr);
	output__alert(&fx->alert, &fx->o);
	fflush(fx->o.out);
	body = text_body(fx);
	assert_string_equal(
		body,
		"ALERT   [high] curl (pid 4242) sent 1000 bytes to upload.example (2001:db8::42):443/tcp after reading flight log /home/alice/Documents/QGroundControl/Telemetry/a.tlog\n"
		"    origin /home/alice/Documents/QGroundControl/Telemetry/a.tlog (8192 bytes read, tlog)\n"
		"    process 4242 /usr/bin/curl, parent 4000, uid 1000 -> upload.example (2001:db8::42):443/tcp 1000 bytes\n");
	free(body);
}

static void test_text_escapes_control_bytes(void **state)
{
	struct fixture *fx = *state;
	char *body;

	/* a file name must not be able to forge an output line */
	fx->o.json = false;
	fx->alert.update = true;
	fx->alert.verified = false;
	fx->alert.severity = FW_SEVERITY_MEDIUM;
	free(fx->files[0].path);
	fx->files[0].path =
		strdup("/tmp/x\n2026-01-01T00:00:00.000000Z ALERT\t.tlog");
	free(fx->proc.exe);
	fx->proc.exe = strdup("/tmp/e\x1b[31mvil\x7f");
	strcpy(fx->proc.comm, "a\rb");
	output__alert(&fx->alert, &fx->o);
	fflush(fx->o.out);
	/* three lines: the alert, one origin, the process */
	assert_int_equal(fx->out_buf[fx->out_len - 1], '\n');
	body = text_body(fx);
	assert_string_equal(
		body,
		"update  [medium] a\\x0db (pid 4242) sent 1000 bytes to 192.0.2.7:443/tcp after reading flight log /tmp/x\\x0a2026-01-01T00:00:00.000000Z ALERT\\x09.tlog\n"
		"    origin /tmp/x\\x0a2026-01-01T00:00:00.000000Z ALERT\\x09.tlog (8192 bytes read, tlog)\n"
		"    process 4242 /tmp/e\\x1b[31mvil\\x7f, parent 4000, uid 1000 -> 192.0.2.7:443/tcp 1000 bytes\n");
	free(body);
}

static void test_text_lost_and_read(void **state)
{
	struct fixture *fx = *state;
	struct fw_alert a = { 0 };
	char *body;

	fx->o.json = false;
	fx->o.verbose = 1;
	a.kind = FW_ALERT_LOST;
	a.lost = 3;
	a.ts_ns = fw_boot_now_ns();
	output__alert(&a, &fx->o);
	fx->alert.kind = FW_NOTICE_READ;
	output__alert(&fx->alert, &fx->o);
	fflush(fx->o.out);
	body = text_body(fx);
	assert_string_equal(
		body,
		"WARNING trace incomplete: 3 kernel events lost so far\n"
		"read    curl (pid 4242) read flight log /home/alice/Documents/QGroundControl/Telemetry/a.tlog\n");
	free(body);
}

static void test_message(void **state)
{
	struct fixture *fx = *state;
	char buf[64];

	/* cut to the buffer, always terminated */
	output__message(&fx->alert, buf, sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, "curl (pid 4242) sent 1000 bytes to ", 35);
}

static void test_event_names(void **state)
{
	(void)state;
	assert_string_equal(output__event_name(FW_EV_EXEC), "exec");
	assert_string_equal(output__event_name(FW_EV_FORK), "fork");
	assert_string_equal(output__event_name(FW_EV_EXIT), "exit");
	assert_string_equal(output__event_name(FW_EV_FILE_READ), "file_read");
	assert_string_equal(output__event_name(FW_EV_CONNECT), "connect");
	assert_string_equal(output__event_name(FW_EV_SEND), "send");
	assert_string_equal(output__event_name(FW_EV_READ_BYTES), "read_bytes");
	assert_string_equal(output__event_name(FW_EV_SEND_BYTES), "send_bytes");
	assert_string_equal(output__event_name(FW_EV_LOST), "lost");
	assert_string_equal(output__event_name(FW_EV_DNS), "dns");
	assert_string_equal(output__event_name(0), "unknown");
	assert_string_equal(output__event_name(FW_EV_TYPE_MAX), "unknown");
	assert_string_equal(output__event_name(0xffffffff), "unknown");
}

/* A process hop whose memory the next process took names how, in the
 * JSON chain and in its one-line text; a hop without one (a parent) has
 * no "via" */
static void test_chain_memory_move(void **state)
{
	struct fixture *fx = *state;
	struct fw_hop hops[2] = {
		{ .type = FW_HOP_PROCESS,
		  .pid = 7,
		  .name = "holder",
		  .path = "/usr/bin/holder",
		  .via = FW_POKE_VM_WRITEV },
		{ .type = FW_HOP_PROCESS,
		  .pid = 8,
		  .name = "sh",
		  .path = "/bin/sh" },
	};
	struct json_object *chain;
	char text[512];

	fx->proc.chain = hops;
	fx->proc.n_chain = 2;
	chain = output__chain_json(&fx->alert);
	expect_str(chain, "1.type", "process");
	expect_int(chain, "1.pid", 7);
	expect_str(chain, "1.via", "process_vm_writev");
	assert_null(at(chain, "2.via"));
	json_object_put(chain);
	output__chain_text(&fx->alert, text, sizeof(text));
	assert_non_null(strstr(text, " -> holder[7] via process_vm_writev -> "
				     "sh[8] -> curl[4242] -> "));
	fx->proc.chain = NULL;
	fx->proc.n_chain = 0;

	assert_string_equal(output__memory_move_name(FW_PEEK_PTRACE), "ptrace");
	assert_string_equal(output__memory_move_name(FW_PEEK_VM_READV),
			    "process_vm_readv");
	assert_string_equal(output__memory_move_name(FW_PEEK_PROC_MEM),
			    "proc_mem_read");
	assert_string_equal(output__memory_move_name(FW_POKE_PTRACE),
			    "ptrace_poke");
	assert_string_equal(output__memory_move_name(FW_POKE_PROC_MEM),
			    "proc_mem_write");
	assert_string_equal(output__memory_move_name(99), "memory");
}

/* The evicted counts' names, in the order of the stats line (generated
 * from FW_SIZED_MAPS, which lists the maps in the config's order) */
static void test_lru_names(void **state)
{
	static const char *const want[FW_LRU_MAX] = {
		"watched_files", "watched_inodes", "tainted",	    "reads",
		"flows",	 "carries",	   "relays",	    "embryos",
		"uring_reqs",	 "blocked",	   "enforce_marks",
	};

	(void)state;
	for (uint32_t i = 0; i < FW_LRU_MAX; i++)
		assert_string_equal(output__lru_name(i), want[i]);
	assert_string_equal(output__lru_name(FW_LRU_MAX), "?");
	assert_string_equal(output__lru_name(0xffffffff), "?");
}

static void test_ready(void **state)
{
	struct fixture *fx = *state;
	const char *hooks[] = { "fentry/vfs_read", "tp/sched_process_exec" };
	struct fw_ready_info info = { .hooks = hooks,
				      .n_hooks = 2,
				      .n_dirs = 3,
				      .n_patterns = 9,
				      .n_procs = 120,
				      .startup_seconds = 0.25 };
	struct json_object *j;

	output__ready(&fx->o, &info);
	j = one_json_line(fx);
	expect_timestamp(j);
	expect_str(j, "event.kind", "state");
	expect_str(j, "event.action", "ready");
	expect_str(
		j, "message",
		"flightwatch ready: 2 hooks attached, 3 watched directories, 9 patterns, 120 processes known, 0.250 s");
	assert_int_equal(json_object_array_length(at(j, "flightwatch.hooks")),
			 2);
	expect_str(j, "flightwatch.hooks.1", "tp/sched_process_exec");
	expect_int(j, "flightwatch.watched_directories", 3);
	expect_int(j, "flightwatch.patterns", 9);
	expect_int(j, "flightwatch.processes", 120);
	assert_float_equal(
		json_object_get_double(at(j, "flightwatch.startup_seconds")),
		0.25, 1e-9);

	/* text: the message alone, on the error stream */
	fx->o.json = false;
	fclose(fx->o.out);
	free(fx->out_buf);
	fx->out_buf = NULL;
	fx->o.out = open_memstream(&fx->out_buf, &fx->out_len);
	output__ready(&fx->o, &info);
	fflush(fx->o.out);
	fflush(fx->o.err);
	assert_int_equal(fx->out_len, 0);
	assert_string_equal(
		fx->err_buf,
		"flightwatch ready: 2 hooks attached, 3 watched directories, 9 patterns, 120 processes known, 0.250 s\n");
}

static void test_stats(void **state)
{
	struct fixture *fx = *state;
	struct fw_run_stats s = { 0 };
	struct json_object *j;

	s.events[FW_EV_EXEC] = 10;
	s.events[FW_EV_FORK] = 20;
	s.events[FW_EV_EXIT] = 30;
	s.events[FW_EV_FILE_READ] = 4;
	s.events[FW_EV_CONNECT] = 5;
	s.events[FW_EV_SEND] = 6;
	s.events[FW_EV_CARRIER] = 7;
	s.events[FW_EV_DNS] = 8;
	s.events[FW_EV_BLOCKED] = 11;
	s.events[FW_EV_SEND_BYTES] = 99; /* not a kernel event: not listed */
	s.lost = 3;
	s.pending_full = 2;
	s.path_truncated = 1;
	s.correlator.flows = 2;
	s.correlator.alerts = 1;
	s.correlator.updates = 3;
	s.correlator.malformed = 4;
	s.correlator.dns.messages = 12;
	s.correlator.dns.addresses = 9;
	s.correlator.dns.evicted = 2;
	s.trace_write_errors = 1;
	s.trace_records_lost = 42;
	output__stats(&fx->o, &s);
	j = one_json_line(fx);
	expect_str(j, "event.kind", "metric");
	expect_str(j, "event.action", "stats");
	expect_str(
		j, "message",
		"flightwatch stopped: 5 kernel events lost, 0 map entries evicted, 2 flows, 1 alerts, 3 updates");
	assert_int_equal(
		json_object_object_length(at(j, "flightwatch.stats.events")),
		9);
	expect_int(j, "flightwatch.stats.events.blocked", 11);
	expect_int(j, "flightwatch.stats.events.exec", 10);
	expect_int(j, "flightwatch.stats.events.fork", 20);
	expect_int(j, "flightwatch.stats.events.exit", 30);
	expect_int(j, "flightwatch.stats.events.file_read", 4);
	expect_int(j, "flightwatch.stats.events.connect", 5);
	expect_int(j, "flightwatch.stats.events.send", 6);
	expect_int(j, "flightwatch.stats.events.carrier", 7);
	expect_int(j, "flightwatch.stats.events.dns", 8);
	expect_int(j, "flightwatch.stats.dns.messages", 12);
	expect_int(j, "flightwatch.stats.dns.addresses", 9);
	expect_int(j, "flightwatch.stats.dns.evicted", 2);
	expect_int(j, "flightwatch.stats.lost", 3);
	expect_int(j, "flightwatch.stats.untracked_syscalls", 2);
	expect_int(j, "flightwatch.stats.paths_truncated", 1);
	expect_int(j, "flightwatch.stats.flows", 2);
	expect_int(j, "flightwatch.stats.alerts", 1);
	expect_int(j, "flightwatch.stats.updates", 3);
	expect_int(j, "flightwatch.stats.malformed_events", 4);
	expect_int(j, "flightwatch.stats.trace_write_errors", 1);
	expect_int(j, "flightwatch.stats.trace_records_lost", 42);

	fx->o.json = false;
	output__stats(&fx->o, &s);
	fflush(fx->o.err);
	assert_string_equal(
		fx->err_buf,
		"flightwatch stopped: 5 kernel events lost, 0 map entries evicted, 2 flows, 1 alerts, 3 updates\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_egress_json),
		T(test_egress_json_update_v6_many_origins),
		T(test_denied_json),
		T(test_denied_dry_run_socket_json),
		T(test_egress_json_no_origin),
		T(test_egress_json_domain_country),
		T(test_egress_json_no_domain),
		T(test_egress_text_domain_v6),
		T(test_json_raw_bytes),
		T(test_lost_json),
		T(test_notice_read),
		T(test_egress_text),
		T(test_text_escapes_control_bytes),
		T(test_text_lost_and_read),
		T(test_message),
		T(test_chain_memory_move),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test(test_lru_names),
		T(test_ready),
		T(test_stats),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
