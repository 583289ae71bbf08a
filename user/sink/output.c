// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "core/content.h"
#include "lib/escape.h"
#include "lib/json.h"
#include "sink/output.h"
#include "lib/util.h"

static const char *match_name(uint32_t match)
{
	switch (match) {
	case FW_MATCH_DIR:
		return "directory";
	case FW_MATCH_PATTERN:
		return "pattern";
	default:
		return "known";
	}
}

const char *output__lru_name(uint32_t idx)
{
#define LRU_NAME(name, lru, min, max, pow2)                 \
	if ((lru) != FW_LRU_NONE && idx == (uint32_t)(lru)) \
		return #name;
	FW_SIZED_MAPS(LRU_NAME)
#undef LRU_NAME
	return "?";
}

const char *output__event_name(uint32_t type)
{
	static const char *const names[FW_EV_TYPE_MAX] = {
		[FW_EV_EXEC] = "exec",
		[FW_EV_FORK] = "fork",
		[FW_EV_EXIT] = "exit",
		[FW_EV_FILE_READ] = "file_read",
		[FW_EV_CONNECT] = "connect",
		[FW_EV_SEND] = "send",
		[FW_EV_READ_BYTES] = "read_bytes",
		[FW_EV_SEND_BYTES] = "send_bytes",
		[FW_EV_LOST] = "lost",
		[FW_EV_CARRIER] = "carrier",
		[FW_EV_DNS] = "dns",
		[FW_EV_PEEK] = "peek",
		[FW_EV_PACKET_SOCKET] = "packet_socket",
		[FW_EV_BLOCKED] = "blocked",
	};

	return type < FW_EV_TYPE_MAX && names[type] ? names[type] : "unknown";
}

/* The destination with its name and country when known */
static void dest_string(const struct fw_alert *a, char *buf, size_t size)
{
	size_t n;

	fw_format_dest(&a->dest, a->domain, buf, size);
	n = strlen(buf);
	if (a->country)
		snprintf(buf + n, size - n, " [%s]", a->country);
}

/* The file an alert is about: the origin the process read most of itself
 * (inherited origins have bytes_read 0), the first one on a tie */
const char *output__primary_path(const struct fw_alert *a)
{
	size_t best = 0;

	if (!a->n_origins)
		return "";
	for (size_t i = 1; i < a->n_origins; i++)
		if (a->origins[i].bytes_read > a->origins[best].bytes_read)
			best = i;
	return a->origins[best].file->path;
}

const char *output__block_hook_name(uint32_t hook)
{
	switch (hook) {
	case FW_BLOCK_CONNECT:
		return "connect";
	case FW_BLOCK_SENDMSG:
		return "sendmsg";
	case FW_BLOCK_EGRESS:
		return "egress";
	case FW_BLOCK_SOCKET:
		return "socket";
	default:
		return "?";
	}
}

/* "flightwatch refused curl (pid 42) a connection to 192.0.2.1:443/tcp:
 * it carries flight log /x.tlog (3 attempts)"; dry-run: "would have" */
static void denied_message(const struct fw_alert *a, const char *first,
			   char *buf, size_t size)
{
	char dest[FW_DEST_TEXT], what[FW_DEST_TEXT + 32];

	switch (a->block_hook) {
	case FW_BLOCK_SOCKET:
		snprintf(what, sizeof(what), "a %s socket",
			 a->dest.family == AF_INET ||
					 a->dest.family == AF_INET6 ?
				 "raw" :
				 "packet");
		break;
	default:
		dest_string(a, dest, sizeof(dest));
		snprintf(what, sizeof(what), "%s %s",
			 a->block_hook == FW_BLOCK_CONNECT ?
				 "a connection to" :
			 a->block_hook == FW_BLOCK_SENDMSG ?
				 "a datagram to" :
				 "the packets of its flow to",
			 dest);
	}
	snprintf(
		buf, size,
		"flightwatch %s %s (pid %u) %s: it carries flight log %s%s (%" PRIu64
		" attempt%s)",
		a->dry_run ? "would have refused" : "refused", a->proc->comm,
		a->proc->pid, what, a->n_origins ? first : "(origin unknown)",
		a->n_origins > 1 ? " and others" : "", a->blocked,
		a->blocked == 1 ? "" : "s");
}

void output__message(const struct fw_alert *a, char *buf, size_t size)
{
	const char *first = output__primary_path(a);
	char dest[FW_DEST_TEXT];

	switch (a->kind) {
	case FW_ALERT_EGRESS:
		dest_string(a, dest, sizeof(dest));
		snprintf(buf, size,
			 "%s (pid %u) sent %" PRIu64
			 " bytes to %s after reading flight log %s%s",
			 a->proc->comm, a->proc->pid, a->bytes, dest,
			 a->n_origins ? first : "(origin unknown)",
			 a->n_origins > 1 ? " and others" : "");
		break;
	case FW_ALERT_LOST:
		snprintf(buf, size,
			 "trace incomplete: %" PRIu64
			 " kernel events lost so far",
			 a->lost);
		break;
	case FW_NOTICE_READ:
		snprintf(buf, size, "%s (pid %u) read flight log %s",
			 a->proc->comm, a->proc->pid, first);
		break;
	case FW_ALERT_DENIED:
		denied_message(a, first, buf, size);
		break;
	case FW_ALERT_PACKET_SOCKET: {
		char what[64];

		output__socket_what(a->dest.family, what, sizeof(what));
		snprintf(
			buf, size,
			"%s (pid %u) opened %s after reading flight log %s%s: what it sends there is not followed",
			a->proc->comm, a->proc->pid, what,
			a->n_origins ? first : "(origin unknown)",
			a->n_origins > 1 ? " and others" : "");
		break;
	}
	default:
		snprintf(buf, size, "%s (pid %u)", a->proc->comm, a->proc->pid);
		break;
	}
}

void output__uncertain(uint32_t uncertain, char *buf, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} fields[] = {
		{ FW_UNCERTAIN_PROCESS, "process" },
		{ FW_UNCERTAIN_ORIGIN, "origin" },
		{ FW_UNCERTAIN_CHAIN, "chain" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < FW_ARRAY_SIZE(fields) && n < size; i++)
		if (uncertain & fields[i].bit)
			n += snprintf(buf + n, size - n, "%s%s", n ? "," : "",
				      fields[i].name);
}

const char *output__action_name(const struct fw_alert *a)
{
	switch (a->kind) {
	case FW_ALERT_EGRESS:
		return a->update ? "flightlog-egress-update" :
				   "flightlog-egress";
	case FW_ALERT_LOST:
		return "events-lost";
	case FW_ALERT_PACKET_SOCKET:
		return a->dest.family == 17 ? "flightlog-packet-socket" :
					      "flightlog-unfollowed-socket";
	case FW_ALERT_DENIED:
		return a->update ? "flightlog-egress-denied-update" :
				   "flightlog-egress-denied";
	default:
		return "flightlog-read";
	}
}

/* Wall time of a boot-time stamp of the traced host */
uint64_t output__wall_ns(const struct fw_output *o, uint64_t boot_ns)
{
	if (o->wall_minus_boot_ns)
		return o->wall_minus_boot_ns + boot_ns;
	return fw_boot_to_wall_ns(boot_ns);
}

static void json_common(const struct fw_output *o, struct json_object *root,
			uint64_t boot_ns, const char *kind, const char *action)
{
	char ts[64];

	fw_format_time(boot_ns ? output__wall_ns(o, boot_ns) :
				 fw_boot_to_wall_ns(fw_boot_now_ns()),
		       ts, sizeof(ts));
	json_set_str(root, "@timestamp", ts);
	json_set_str(root, "event.kind", kind);
	json_set_str(root, "event.action", action);
}

static void json_process(struct json_object *root, const struct fw_proc *p)
{
	json_set_u64(root, "process.pid", p->pid);
	json_set_str(root, "process.name", p->comm);
	json_set_str(root, "process.executable", p->exe);
	json_set_str(root, "process.command_line", p->cmdline);
	json_set_u64(root, "process.parent.pid", p->ppid);
	char uid[16];

	snprintf(uid, sizeof(uid), "%u", p->uid);
	json_set_str(root, "user.id", uid);
}

struct json_object *output__origins_json(const struct fw_alert *a)
{
	struct json_object *list = json_object_new_array();

	for (size_t i = 0; i < a->n_origins; i++) {
		const struct fw_origin *o = &a->origins[i];
		struct json_object *item = json_object_new_object();

		json_set_str(item, "path", o->file->path);
		json_set_u64(item, "bytes_read", o->bytes_read);
		json_set_str(item, "match", match_name(o->file->match));
		json_set_str(item, "content", content__name(o->file->content));
		json_object_array_add(list, item);
	}
	return list;
}

static const char *carrier_kind(uint32_t type)
{
	switch (type) {
	case FW_CARRIER_PIPE:
		return "pipe";
	case FW_CARRIER_FIFO:
		return "fifo";
	case FW_CARRIER_UNIX:
		return "unix_socket";
	case FW_CARRIER_LOOPBACK:
		return "loopback";
	case FW_CARRIER_PTY:
		return "pty";
	case FW_CARRIER_MSGQ:
		return "msg_queue";
	case FW_CARRIER_FUSE:
		return "fuse_connection";
	default:
		return "file";
	}
}

void output__socket_what(uint32_t family, char *buf, size_t size)
{
	if (family == 17) /* AF_PACKET */
		snprintf(buf, size, "a packet socket");
	else
		snprintf(buf, size, "a socket of address family %s (%u)",
			 fw_socket_family_name(family), family);
}

const char *output__memory_move_name(uint32_t how)
{
	switch (how) {
	case FW_PEEK_PTRACE:
		return "ptrace";
	case FW_PEEK_VM_READV:
		return "process_vm_readv";
	case FW_PEEK_PROC_MEM:
		return "proc_mem_read";
	case FW_POKE_PTRACE:
		return "ptrace_poke";
	case FW_POKE_VM_WRITEV:
		return "process_vm_writev";
	case FW_POKE_PROC_MEM:
		return "proc_mem_write";
	default:
		return "memory";
	}
}

static struct json_object *json_hop_process(uint32_t pid, const char *name,
					    const char *exe)
{
	struct json_object *node = json_object_new_object();

	json_set_str(node, "type", "process");
	json_set_u64(node, "pid", pid);
	json_set_str(node, "name", name);
	json_set_str(node, "executable", exe);
	return node;
}

/* origin files -> every hop -> the sender -> the destination */
struct json_object *output__chain_json(const struct fw_alert *a)
{
	struct json_object *chain = json_object_new_array();
	struct json_object *node;
	char ip[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < a->n_origins; i++) {
		node = json_object_new_object();
		json_set_str(node, "type", "origin");
		json_set_str(node, "path", a->origins[i].file->path);
		json_set_u64(node, "bytes_read", a->origins[i].bytes_read);
		json_object_array_add(chain, node);
	}
	for (size_t i = 0; i < a->proc->n_chain; i++) {
		const struct fw_hop *h = &a->proc->chain[i];

		if (h->type == FW_HOP_PROCESS) {
			node = json_hop_process(h->pid, h->name, h->path);
			/* the next process took this one's memory */
			if (h->via)
				json_set_str(node, "via",
					     output__memory_move_name(h->via));
		} else {
			node = json_object_new_object();
			json_set_str(node, "type",
				     carrier_kind(h->carrier_type));
			json_set_str(node, "name", h->name);
			json_set_str(node, "path", h->path);
			json_set_u64(node, "bytes_read", h->bytes);
		}
		json_object_array_add(chain, node);
	}
	json_object_array_add(chain,
			      json_hop_process(a->proc->pid, a->proc->comm,
					       a->proc->exe));
	node = json_object_new_object();
	fw_format_ip(&a->dest, ip, sizeof(ip));
	json_set_str(node, "type", "destination");
	json_set_str(node, "ip", ip);
	if (a->domain)
		json_set_str(node, "domain", a->domain);
	json_set_u64(node, "port", a->dest.port);
	json_set_str(node, "transport", fw_transport_name(a->dest.proto));
	json_set_u64(node, "bytes", a->bytes);
	json_object_array_add(chain, node);
	return chain;
}

/* The chain as one line for people and journald:
 * "a.tlog + b.ulg -> gzip[41] -> pipe:[77] -> curl[42] -> 192.0.2.1:443/tcp".
 * Built from the JSON chain so that both always tell the same story. */
void output__chain_text(const struct fw_alert *a, char *buf, size_t size)
{
	struct json_object *chain = output__chain_json(a);
	size_t n = json_object_array_length(chain), o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < size; i++) {
		struct json_object *node = json_object_array_get_idx(chain, i);
		struct json_object *v;
		const char *type = "", *sep = i ? " -> " : "";
		char item[4200], dest[FW_DEST_TEXT];

		if (json_object_object_get_ex(node, "type", &v))
			type = json_object_get_string(v);
		if (!strcmp(type, "origin")) {
			json_object_object_get_ex(node, "path", &v);
			snprintf(item, sizeof(item), "%s",
				 json_object_get_string(v));
			if (i)
				sep = " + ";
		} else if (!strcmp(type, "process")) {
			struct json_object *pid;

			struct json_object *via = NULL;

			json_object_object_get_ex(node, "name", &v);
			json_object_object_get_ex(node, "pid", &pid);
			/* "holder[12] via process_vm_readv -> reader[13]" */
			json_object_object_get_ex(node, "via", &via);
			snprintf(item, sizeof(item), "%s[%s]%s%s",
				 json_object_get_string(v),
				 json_object_get_string(pid),
				 via ? " via " : "",
				 via ? json_object_get_string(via) : "");
		} else if (!strcmp(type, "destination")) {
			dest_string(a, dest, sizeof(dest));
			snprintf(item, sizeof(item), "%s", dest);
		} else {
			/* a carrier: its path when it has one, else its name */
			if (!json_object_object_get_ex(node, "path", &v) ||
			    !*json_object_get_string(v))
				json_object_object_get_ex(node, "name", &v);
			snprintf(item, sizeof(item), "%s",
				 json_object_get_string(v));
		}
		o += snprintf(buf + o, size - o, "%s%s", sep, item);
	}
	json_object_put(chain);
}

void output__event_id(const struct fw_output *o, const struct fw_alert *a,
		      char *buf, size_t size)
{
	snprintf(buf, size, "%016" PRIx64 "-%" PRIu64, o->run_id, a->flow_id);
}

static void alert_json(struct fw_output *o, const struct fw_alert *a)
{
	struct json_object *root = json_object_new_object();
	char msg[8192], ip[INET6_ADDRSTRLEN], id[64];

	output__message(a, msg, sizeof(msg));
	json_common(o, root, a->ts_ns,
		    a->kind == FW_NOTICE_READ ? "event" : "alert",
		    output__action_name(a));
	if (a->kind == FW_ALERT_EGRESS || a->kind == FW_ALERT_DENIED) {
		output__event_id(o, a, id, sizeof(id));
		json_set_str(root, "event.id", id);
	}
	if (a->kind == FW_ALERT_DENIED) {
		/* ECS: a refused attempt; in dry-run nothing was refused */
		json_set_str(root, "event.type",
			     a->dry_run ? "info" : "denied");
		json_set_str(root, "event.outcome",
			     a->dry_run ? "success" : "failure");
		json_set_str(root, "flightwatch.enforcement.hook",
			     output__block_hook_name(a->block_hook));
		json_set_str(root, "flightwatch.enforcement.mode",
			     a->dry_run ? "dry-run" : "enforce");
		json_set_u64(root, "flightwatch.enforcement.attempts",
			     a->blocked);
	}
	json_set_u64(root, "event.severity", a->severity);
	json_set_str(root, "message", msg);
	if (a->kind == FW_ALERT_LOST) {
		json_set_u64(root, "flightwatch.lost_events", a->lost);
		goto print;
	}
	if (a->n_origins)
		json_set_str(root, "file.path", output__primary_path(a));
	json_process(root, a->proc);
	if (a->kind == FW_ALERT_EGRESS ||
	    (a->kind == FW_ALERT_DENIED && a->block_hook != FW_BLOCK_SOCKET)) {
		fw_format_ip(&a->dest, ip, sizeof(ip));
		json_set_str(root, "destination.ip", ip);
		if (a->domain)
			json_set_str(root, "destination.domain", a->domain);
		if (a->country)
			json_set_str(root, "destination.geo.country_iso_code",
				     a->country);
		json_set_u64(root, "destination.port", a->dest.port);
		json_set_u64(root, "destination.bytes", a->bytes);
		json_set_str(root, "network.transport",
			     fw_transport_name(a->dest.proto));
		json_set_str(root, "network.type",
			     a->dest.family == AF_INET6 ? "ipv6" : "ipv4");
	}
	if (a->kind == FW_ALERT_PACKET_SOCKET) {
		json_set_u64(root, "flightwatch.socket_type", a->dest.port);
		json_set_str(root, "flightwatch.socket_family",
			     fw_socket_family_name(a->dest.family));
	}
	if (a->uncertain) {
		/* records were lost: what this alert cannot vouch for */
		struct json_object *u = json_object_new_array();
		char list[64], *tok, *save = NULL;

		output__uncertain(a->uncertain, list, sizeof(list));
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			json_object_array_add(u, json_object_new_string(tok));
		json_set_obj(root, "flightwatch.uncertain", u);
	}
	json_set_str(root, "flightwatch.confidence",
		     a->verified ? "high" : "medium");
	json_set_obj(root, "flightwatch.origins", output__origins_json(a));
	if (a->kind == FW_ALERT_EGRESS ||
	    (a->kind == FW_ALERT_DENIED && a->block_hook != FW_BLOCK_SOCKET))
		json_set_obj(root, "flightwatch.chain", output__chain_json(a));
print:
	fprintf(o->out, "%s\n", json_line(root));
	fflush(o->out);
	json_object_put(root);
}

static void alert_text(struct fw_output *o, const struct fw_alert *a)
{
	/* text for people: every name through the one escaping rule */
	char msg[8192], safe[FW_ESCAPE_SIZE(8192)], dest[FW_DEST_TEXT];
	char safe_dest[FW_ESCAPE_SIZE(FW_DEST_TEXT)], ts[64], sev[16];
	const char *name;

	if (a->kind == FW_NOTICE_READ && !o->verbose)
		return;
	fw_format_time(output__wall_ns(o, a->ts_ns), ts, sizeof(ts));
	output__message(a, msg, sizeof(msg));
	fw_escape(msg, safe, sizeof(safe));
	if (a->kind != FW_ALERT_EGRESS) {
		fprintf(o->out, "%s %s %s\n", ts,
			a->kind == FW_ALERT_LOST   ? "WARNING" :
			a->kind == FW_ALERT_DENIED ? "DENIED " :
						     "read   ",
			safe);
		fflush(o->out);
		return;
	}
	dest_string(a, dest, sizeof(dest));
	/* the severity, which the config's rules may have set */
	name = policy__severity_name(a->severity);
	if (!name) {
		snprintf(sev, sizeof(sev), "%d", a->severity);
		name = sev;
	}
	fprintf(o->out, "%s %s [%s] %s\n", ts,
		a->update ? "update " : "ALERT  ", name, safe);
	for (size_t i = 0; i < a->n_origins; i++) {
		fw_escape(a->origins[i].file->path, safe, sizeof(safe));
		fprintf(o->out, "    origin %s (%" PRIu64 " bytes read, %s)\n",
			safe, a->origins[i].bytes_read,
			content__name(a->origins[i].file->content));
	}
	fw_escape(a->proc->exe, safe, sizeof(safe));
	fw_escape(dest, safe_dest, sizeof(safe_dest));
	fprintf(o->out,
		"    process %u %s, parent %u, uid %u -> %s %" PRIu64
		" bytes\n",
		a->proc->pid, safe, a->proc->ppid, a->proc->uid, safe_dest,
		a->bytes);
	if (a->uncertain) {
		char list[64];

		output__uncertain(a->uncertain, list, sizeof(list));
		fprintf(o->out,
			"    uncertain: %s (kernel records were lost)\n", list);
	}
	fflush(o->out);
}

void output__alert(const struct fw_alert *alert, void *ctx)
{
	struct fw_output *o = ctx;

	if (alert->kind == FW_NOTICE_READ && !o->verbose)
		return;
	if (o->json)
		alert_json(o, alert);
	else
		alert_text(o, alert);
}

void output__ready_message(const struct fw_ready_info *info, char *buf,
			   size_t size)
{
	size_t n;

	n = snprintf(
		buf, size,
		"flightwatch ready: %zu hooks attached, %zu watched directories, %zu patterns, %zu processes known, %.3f s",
		info->n_hooks, info->n_dirs, info->n_patterns, info->n_procs,
		info->startup_seconds);
	if (info->syscall_hooks && n < size)
		n += snprintf(buf + n, size - n, ", syscall hooks %s",
			      !strcmp(info->syscall_hooks, "fast") ?
				      "fast (fentry/fexit)" :
				      "tracepoint (sys_enter/sys_exit)");
	if (info->mode && strcmp(info->mode, "detect") && n < size)
		n += snprintf(buf + n, size - n, ", mode %s", info->mode);
	if (info->state_reused && n < size)
		n += snprintf(
			buf + n, size - n,
			"; taint state of the previous run taken over, %zu flight-log reads restored",
			info->n_restored);
	for (size_t i = 0; i < info->n_unused && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s (%s)",
			      i ? ", " : "; not attached: ",
			      info->unused[i].hook, info->unused[i].reason);
}

/* A state line for people on err, through the one escaping rule */
static void state_text(struct fw_output *o, const char *msg)
{
	char *safe = fw_escape_dup(msg);

	fprintf(o->err, "%s\n", safe);
	fflush(o->err);
	free(safe);
}

void output__ready(struct fw_output *o, const struct fw_ready_info *info)
{
	char msg[1024];

	output__ready_message(info, msg, sizeof(msg));
	if (!o->json) {
		/* the reasons quote the kernel's verifier, paths and names */
		state_text(o, msg);
		return;
	}
	struct json_object *root = json_object_new_object();
	struct json_object *hooks = json_object_new_array();
	struct json_object *unused = json_object_new_array();

	json_common(o, root, 0, "state", "ready");
	json_set_str(root, "message", msg);
	for (size_t i = 0; i < info->n_hooks; i++)
		json_object_array_add(hooks,
				      json_object_new_string(info->hooks[i]));
	json_set_obj(root, "flightwatch.hooks", hooks);
	for (size_t i = 0; i < info->n_unused; i++) {
		struct json_object *item = json_object_new_object();

		json_set_str(item, "hook", info->unused[i].hook);
		json_set_str(item, "reason", info->unused[i].reason);
		json_object_array_add(unused, item);
	}
	json_set_obj(root, "flightwatch.hooks_not_attached", unused);
	json_set_u64(root, "flightwatch.watched_directories", info->n_dirs);
	json_set_u64(root, "flightwatch.patterns", info->n_patterns);
	json_set_u64(root, "flightwatch.processes", info->n_procs);
	json_set_obj(root, "flightwatch.state_reused",
		     json_object_new_boolean(info->state_reused));
	json_set_u64(root, "flightwatch.reads_restored", info->n_restored);
	json_set_str(root, "flightwatch.mode",
		     info->mode ? info->mode : "detect");
	if (info->syscall_hooks)
		json_set_str(root, "flightwatch.syscall_hooks",
			     info->syscall_hooks);
	json_set_obj(root, "flightwatch.startup_seconds",
		     json_object_new_double(info->startup_seconds));
	fprintf(o->out, "%s\n", json_line(root));
	fflush(o->out);
	json_object_put(root);
}

/* What passive DNS saw: answers, names learnt, and what was lost */
static struct json_object *stats_dns(const struct fw_dnscache_stats *d)
{
	struct json_object *o = json_object_new_object();

	json_set_u64(o, "messages", d->messages);
	json_set_u64(o, "addresses", d->addresses);
	json_set_u64(o, "malformed", d->malformed);
	json_set_u64(o, "truncated", d->truncated);
	json_set_u64(o, "evicted", d->evicted);
	json_set_u64(o, "expired", d->expired);
	json_set_u64(o, "entries", d->entries);
	json_set_u64(o, "queries", d->queries);
	json_set_u64(o, "unmatched", d->unmatched);
	json_set_u64(o, "queries_dropped", d->queries_dropped);
	return o;
}

const uint32_t output__kernel_types[FW_KERNEL_TYPES] = {
	FW_EV_EXEC, FW_EV_FORK,	   FW_EV_EXIT, FW_EV_FILE_READ, FW_EV_CONNECT,
	FW_EV_SEND, FW_EV_CARRIER, FW_EV_DNS,  FW_EV_BLOCKED,
};

void output__stats_message(const struct fw_run_stats *s, char *buf, size_t size)
{
	uint64_t n_evicted = 0;

	for (size_t i = 0; i < FW_LRU_MAX; i++)
		n_evicted += s->evicted[i];
	snprintf(buf, size,
		 "flightwatch stopped: %" PRIu64 " kernel events lost, %" PRIu64
		 " map entries evicted, %" PRIu64 " flows, %" PRIu64
		 " alerts, %" PRIu64 " updates",
		 s->lost + s->pending_full, n_evicted, s->correlator.flows,
		 s->correlator.alerts, s->correlator.updates);
}

void output__stats(struct fw_output *o, const struct fw_run_stats *s)
{
	struct json_object *root = json_object_new_object();
	struct json_object *events = json_object_new_object();
	struct json_object *evicted = json_object_new_object();
	char msg[512];
	size_t i;

	output__stats_message(s, msg, sizeof(msg));
	json_common(o, root, 0, "metric", "stats");
	json_set_str(root, "message", msg);
	for (i = 0; i < FW_ARRAY_SIZE(output__kernel_types); i++)
		json_object_object_add(
			events, output__event_name(output__kernel_types[i]),
			json_object_new_uint64(
				s->events[output__kernel_types[i]]));
	json_set_obj(root, "flightwatch.stats.events", events);
	json_set_u64(root, "flightwatch.stats.lost", s->lost);
	json_set_u64(root, "flightwatch.stats.untracked_syscalls",
		     s->pending_full);
	json_set_u64(root, "flightwatch.stats.paths_truncated",
		     s->path_truncated);
	for (i = 0; i < FW_LRU_MAX; i++)
		json_object_object_add(evicted, output__lru_name(i),
				       json_object_new_uint64(s->evicted[i]));
	json_set_obj(root, "flightwatch.stats.evicted", evicted);
	json_set_u64(root, "flightwatch.stats.uring_fixed_files",
		     s->uring_fixed);
	json_set_u64(root, "flightwatch.stats.shared_mappings_unfollowed",
		     s->shared_unfollowed);
	json_set_u64(root, "flightwatch.stats.trace_write_errors",
		     s->trace_write_errors);
	json_set_u64(root, "flightwatch.stats.trace_records_lost",
		     s->trace_records_lost);
	json_set_u64(root, "flightwatch.stats.flows", s->correlator.flows);
	json_set_u64(root, "flightwatch.stats.alerts", s->correlator.alerts);
	json_set_u64(root, "flightwatch.stats.updates", s->correlator.updates);
	json_set_u64(root, "flightwatch.stats.malformed_events",
		     s->correlator.malformed);
	json_set_obj(root, "flightwatch.stats.dns",
		     stats_dns(&s->correlator.dns));
	json_set_u64(root, "flightwatch.stats.carriers_evicted",
		     s->correlator.carriers_evicted);
	json_set_u64(root, "flightwatch.stats.channels_evicted",
		     s->correlator.channels_evicted);
	json_set_u64(root, "flightwatch.stats.pids_reused",
		     s->correlator.pids_reused);
	if (o->json) {
		fprintf(o->out, "%s\n", json_line(root));
		fflush(o->out);
	} else {
		fprintf(o->err, "%s\n", msg);
	}
	json_object_put(root);
}

void output__state(struct fw_output *o, const char *action, const char *msg)
{
	struct json_object *root;

	if (!o->json) {
		state_text(o, msg);
		return;
	}
	root = json_object_new_object();
	json_common(o, root, 0, "state", action);
	json_set_str(root, "message", msg);
	fprintf(o->out, "%s\n", json_line(root));
	fflush(o->out);
	json_object_put(root);
}
