// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/content.h"
#include "sink/journal_entry.h"
#include "lib/json.h"
#include "core/policy.h"
#include "lib/util.h"

void jentry__add(struct fw_jentry *e, const char *name, const char *fmt, ...)
{
	char *value, *field;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&value, fmt, ap) < 0)
		value = NULL;
	va_end(ap);
	if (!value || asprintf(&field, "%s=%s", name, value) < 0) {
		fw_err("out of memory");
		exit(1);
	}
	free(value);
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 32;
		e->fields = realloc(e->fields, e->cap * sizeof(*e->fields));
		if (!e->fields) {
			fw_err("out of memory");
			exit(1);
		}
	}
	e->fields[e->n++] = field;
}

const char *jentry__get(const struct fw_jentry *e, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < e->n; i++)
		if (!strncmp(e->fields[i], name, len) &&
		    e->fields[i][len] == '=')
			return e->fields[i] + len + 1;
	return NULL;
}

void jentry__iov(const struct fw_jentry *e, struct iovec *iov)
{
	for (size_t i = 0; i < e->n; i++) {
		iov[i].iov_base = e->fields[i];
		iov[i].iov_len = strlen(e->fields[i]);
	}
}

void jentry__free(struct fw_jentry *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->fields[i]);
	free(e->fields);
	memset(e, 0, sizeof(*e));
}

int jentry__priority(const struct fw_alert *a)
{
	if (a->kind == FW_NOTICE_READ)
		return 6; /* LOG_INFO */
	if (a->kind == FW_ALERT_DENIED)
		/* refused: nothing left, the attempt is what to act on;
		 * dry-run: it did leave */
		return a->dry_run ? 3 /* LOG_ERR */ : 4 /* LOG_WARNING */;
	if (a->severity >= 99)
		return 2; /* LOG_CRIT */
	if (a->severity >= FW_SEVERITY_HIGH)
		return 3; /* LOG_ERR */
	if (a->severity >= FW_SEVERITY_MEDIUM)
		return 4; /* LOG_WARNING */
	return 5; /* LOG_NOTICE */
}

static const char *msgid(const struct fw_alert *a)
{
	switch (a->kind) {
	case FW_ALERT_EGRESS:
		return FW_MSGID_EGRESS;
	case FW_ALERT_LOST:
		return FW_MSGID_LOST;
	case FW_ALERT_PACKET_SOCKET:
		return FW_MSGID_PACKET_SOCKET;
	case FW_ALERT_DENIED:
		return FW_MSGID_DENIED;
	default:
		return FW_MSGID_READ;
	}
}

/* Fields every entry has, MESSAGE first */
static void common(struct fw_jentry *e, const char *message, const char *id,
		   int priority, uint64_t wall_ns)
{
	char ts[64];

	jentry__add(e, "MESSAGE", "%s", message);
	jentry__add(e, "MESSAGE_ID", "%s", id);
	jentry__add(e, "PRIORITY", "%d", priority);
	jentry__add(e, "SYSLOG_IDENTIFIER", "%s", FW_SYSLOG_IDENTIFIER);
	/* when it happened: entries re-sent from the spool keep their time */
	fw_format_time(wall_ns, ts, sizeof(ts));
	jentry__add(e, "FLIGHTWATCH_TIMESTAMP", "%s", ts);
}

static void process_fields(struct fw_jentry *e, const struct fw_proc *p)
{
	jentry__add(e, "FLIGHTWATCH_PROCESS_PID", "%u", p->pid);
	jentry__add(e, "FLIGHTWATCH_PROCESS_NAME", "%s", p->comm);
	jentry__add(e, "FLIGHTWATCH_PROCESS_EXECUTABLE", "%s",
		    p->exe ? p->exe : "");
	jentry__add(e, "FLIGHTWATCH_PROCESS_COMMAND_LINE", "%s",
		    p->cmdline ? p->cmdline : "");
	jentry__add(e, "FLIGHTWATCH_PROCESS_PARENT_PID", "%u", p->ppid);
	jentry__add(e, "FLIGHTWATCH_USER_ID", "%u", p->uid);
}

static void origin_fields(struct fw_jentry *e, const struct fw_alert *a)
{
	struct json_object *origins;
	uint64_t total = 0;

	if (a->n_origins)
		jentry__add(e, "FLIGHTWATCH_FILE_PATH", "%s",
			    output__primary_path(a));
	/* journald keeps repeated fields: one per origin, so that
	 * `journalctl FLIGHTWATCH_ORIGIN_PATH=...` finds every flow of a
	 * file; the JSON keeps each origin's details together */
	for (size_t i = 0; i < a->n_origins; i++) {
		jentry__add(e, "FLIGHTWATCH_ORIGIN_PATH", "%s",
			    a->origins[i].file->path);
		total += a->origins[i].bytes_read;
	}
	jentry__add(e, "FLIGHTWATCH_BYTES_READ", "%" PRIu64, total);
	origins = output__origins_json(a);
	jentry__add(e, "FLIGHTWATCH_ORIGINS_JSON", "%s", json_line(origins));
	json_object_put(origins);
}

void jentry__alert(struct fw_jentry *e, const struct fw_output *o,
		   const struct fw_alert *a)
{
	static char buf[16384];
	char ip[INET6_ADDRSTRLEN], id[64];
	struct json_object *chain;

	output__message(a, buf, sizeof(buf));
	common(e, buf, msgid(a), jentry__priority(a),
	       a->ts_ns ? output__wall_ns(o, a->ts_ns) :
			  fw_boot_to_wall_ns(fw_boot_now_ns()));
	jentry__add(e, "FLIGHTWATCH_EVENT_ACTION", "%s",
		    output__action_name(a));
	/* a replay writes another host's alerts: journald's _HOSTNAME names
	 * the replaying host, this the one that was traced */
	if (o->host && *o->host)
		jentry__add(e, "FLIGHTWATCH_HOST", "%s", o->host);
	jentry__add(e, "FLIGHTWATCH_SEVERITY", "%d", a->severity);
	if (a->kind == FW_ALERT_LOST) {
		jentry__add(e, "FLIGHTWATCH_LOST_EVENTS", "%" PRIu64, a->lost);
		return;
	}
	jentry__add(e, "FLIGHTWATCH_VERIFIED", "%d", a->verified ? 1 : 0);
	jentry__add(e, "FLIGHTWATCH_CONFIDENCE", "%s",
		    a->verified ? "high" : "medium");
	if (a->uncertain) {
		char list[64];

		output__uncertain(a->uncertain, list, sizeof(list));
		jentry__add(e, "FLIGHTWATCH_UNCERTAIN", "%s", list);
	}
	process_fields(e, a->proc);
	origin_fields(e, a);
	if (a->kind == FW_ALERT_DENIED) {
		jentry__add(e, "FLIGHTWATCH_EVENT_TYPE", "%s",
			    a->dry_run ? "info" : "denied");
		jentry__add(e, "FLIGHTWATCH_EVENT_OUTCOME", "%s",
			    a->dry_run ? "success" : "failure");
		jentry__add(e, "FLIGHTWATCH_ENFORCEMENT_HOOK", "%s",
			    output__block_hook_name(a->block_hook));
		jentry__add(e, "FLIGHTWATCH_ENFORCEMENT_MODE", "%s",
			    a->dry_run ? "dry-run" : "enforce");
		jentry__add(e, "FLIGHTWATCH_ENFORCEMENT_ATTEMPTS", "%" PRIu64,
			    a->blocked);
		if (a->block_hook == FW_BLOCK_SOCKET)
			return;
	} else if (a->kind == FW_ALERT_PACKET_SOCKET) {
		jentry__add(e, "FLIGHTWATCH_SOCKET_FAMILY", "%s",
			    fw_socket_family_name(a->dest.family));
		jentry__add(e, "FLIGHTWATCH_SOCKET_TYPE", "%u", a->dest.port);
		return;
	} else if (a->kind != FW_ALERT_EGRESS) {
		return;
	}
	output__event_id(o, a, id, sizeof(id));
	jentry__add(e, "FLIGHTWATCH_EVENT_ID", "%s", id);
	jentry__add(e, "FLIGHTWATCH_FLOW_ID", "%" PRIu64, a->flow_id);
	jentry__add(e, "FLIGHTWATCH_UPDATE", "%d", a->update ? 1 : 0);
	fw_format_ip(&a->dest, ip, sizeof(ip));
	jentry__add(e, "FLIGHTWATCH_DESTINATION_IP", "%s", ip);
	jentry__add(e, "FLIGHTWATCH_DESTINATION_PORT", "%u", a->dest.port);
	if (a->domain)
		jentry__add(e, "FLIGHTWATCH_DESTINATION_DOMAIN", "%s",
			    a->domain);
	if (a->country)
		jentry__add(e, "FLIGHTWATCH_DESTINATION_COUNTRY", "%s",
			    a->country);
	jentry__add(e, "FLIGHTWATCH_DESTINATION_BYTES", "%" PRIu64, a->bytes);
	jentry__add(e, "FLIGHTWATCH_NETWORK_TRANSPORT", "%s",
		    fw_transport_name(a->dest.proto));
	jentry__add(e, "FLIGHTWATCH_NETWORK_TYPE", "%s",
		    a->dest.family == AF_INET6 ? "ipv6" : "ipv4");
	output__chain_text(a, buf, sizeof(buf));
	jentry__add(e, "FLIGHTWATCH_CHAIN", "%s", buf);
	chain = output__chain_json(a);
	jentry__add(e, "FLIGHTWATCH_CHAIN_JSON", "%s", json_line(chain));
	json_object_put(chain);
}

void jentry__ready(struct fw_jentry *e, const struct fw_ready_info *info)
{
	char msg[1024];

	output__ready_message(info, msg, sizeof(msg));
	common(e, msg, FW_MSGID_READY, 6, fw_boot_to_wall_ns(fw_boot_now_ns()));
	jentry__add(e, "FLIGHTWATCH_EVENT_ACTION", "ready");
	for (size_t i = 0; i < info->n_hooks; i++)
		jentry__add(e, "FLIGHTWATCH_HOOK", "%s", info->hooks[i]);
	for (size_t i = 0; i < info->n_unused; i++)
		jentry__add(e, "FLIGHTWATCH_HOOK_NOT_ATTACHED", "%s: %s",
			    info->unused[i].hook, info->unused[i].reason);
	jentry__add(e, "FLIGHTWATCH_HOOKS_ATTACHED", "%zu", info->n_hooks);
	if (info->syscall_hooks)
		jentry__add(e, "FLIGHTWATCH_SYSCALL_HOOKS", "%s",
			    info->syscall_hooks);
	jentry__add(e, "FLIGHTWATCH_WATCHED_DIRECTORIES", "%zu", info->n_dirs);
	jentry__add(e, "FLIGHTWATCH_PATTERNS", "%zu", info->n_patterns);
	jentry__add(e, "FLIGHTWATCH_PROCESSES", "%zu", info->n_procs);
	jentry__add(e, "FLIGHTWATCH_STATE_REUSED", "%d", info->state_reused);
	jentry__add(e, "FLIGHTWATCH_READS_RESTORED", "%zu", info->n_restored);
	jentry__add(e, "FLIGHTWATCH_STARTUP_SECONDS", "%.3f",
		    info->startup_seconds);
}

/* Field names are upper case */
static void upper(char *name)
{
	for (char *c = name; *c; c++)
		*c = toupper((unsigned char)*c);
}

void jentry__stats(struct fw_jentry *e, const struct fw_run_stats *s)
{
	char msg[512];

	output__stats_message(s, msg, sizeof(msg));
	common(e, msg, FW_MSGID_STOPPED, s->lost + s->pending_full ? 4 : 6,
	       fw_boot_to_wall_ns(fw_boot_now_ns()));
	jentry__add(e, "FLIGHTWATCH_EVENT_ACTION", "stats");
	jentry__add(e, "FLIGHTWATCH_STATS_LOST", "%" PRIu64, s->lost);
	jentry__add(e, "FLIGHTWATCH_STATS_UNTRACKED_SYSCALLS", "%" PRIu64,
		    s->pending_full);
	jentry__add(e, "FLIGHTWATCH_STATS_PATHS_TRUNCATED", "%" PRIu64,
		    s->path_truncated);
	jentry__add(e, "FLIGHTWATCH_STATS_FLOWS", "%" PRIu64,
		    s->correlator.flows);
	jentry__add(e, "FLIGHTWATCH_STATS_ALERTS", "%" PRIu64,
		    s->correlator.alerts);
	jentry__add(e, "FLIGHTWATCH_STATS_UPDATES", "%" PRIu64,
		    s->correlator.updates);
	jentry__add(e, "FLIGHTWATCH_STATS_MALFORMED_EVENTS", "%" PRIu64,
		    s->correlator.malformed);
	jentry__add(e, "FLIGHTWATCH_STATS_TRACE_WRITE_ERRORS", "%" PRIu64,
		    s->trace_write_errors);
	jentry__add(e, "FLIGHTWATCH_STATS_TRACE_RECORDS_LOST", "%" PRIu64,
		    s->trace_records_lost);
	jentry__add(e, "FLIGHTWATCH_STATS_DNS_MESSAGES", "%" PRIu64,
		    s->correlator.dns.messages);
	jentry__add(e, "FLIGHTWATCH_STATS_DNS_ADDRESSES", "%" PRIu64,
		    s->correlator.dns.addresses);
	jentry__add(e, "FLIGHTWATCH_STATS_DNS_MALFORMED", "%" PRIu64,
		    s->correlator.dns.malformed);
	for (size_t i = 0; i < FW_KERNEL_TYPES; i++) {
		uint32_t t = output__kernel_types[i];
		char name[64];

		snprintf(name, sizeof(name), "FLIGHTWATCH_STATS_EVENTS_%s",
			 output__event_name(t));
		upper(name);
		jentry__add(e, name, "%" PRIu64, s->events[t]);
	}
	for (uint32_t i = 0; i < FW_LRU_MAX; i++) {
		char name[64];

		snprintf(name, sizeof(name), "FLIGHTWATCH_STATS_EVICTED_%s",
			 output__lru_name(i));
		upper(name);
		jentry__add(e, name, "%" PRIu64, s->evicted[i]);
	}
}

void jentry__gap(struct fw_jentry *e, uint64_t dropped)
{
	char msg[256];

	snprintf(
		msg, sizeof(msg),
		"%" PRIu64
		" flightwatch entries never reached the journal: journald was unavailable and the spool was full; they were printed on standard error",
		dropped);
	common(e, msg, FW_MSGID_JOURNAL_GAP, 3,
	       fw_boot_to_wall_ns(fw_boot_now_ns()));
	jentry__add(e, "FLIGHTWATCH_EVENT_ACTION", "journal-gap");
	jentry__add(e, "FLIGHTWATCH_SPOOL_DROPPED", "%" PRIu64, dropped);
}

void jentry__state(struct fw_jentry *e, const char *action, const char *msg)
{
	int priority = strstr(action, "failed") ? 3 : 5;

	common(e, msg,
	       strcmp(action, "trace-write-failed") ? FW_MSGID_CONFIG :
						      FW_MSGID_TRACE_FAILED,
	       priority, fw_boot_to_wall_ns(fw_boot_now_ns()));
	jentry__add(e, "FLIGHTWATCH_EVENT_ACTION", "%s", action);
}
