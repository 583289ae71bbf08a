/* SPDX-License-Identifier: GPL-2.0 */
/*
 * journald entries as lists of FIELD=value strings: what the journald sink
 * sends with sd_journal_sendv and keeps in its spool while journald is
 * away. Building them knows nothing of sockets, so it is unit-tested.
 */
#ifndef FW_JOURNAL_ENTRY_H
#define FW_JOURNAL_ENTRY_H

#include <stddef.h>
#include <sys/uio.h>
#include "core/correlator.h"
#include "sink/output.h"

/* One MESSAGE_ID per kind of entry, explained by the catalog
 * (etc/catalog/flightwatch.catalog): never change them */
#define FW_MSGID_EGRESS "4eee73de679b47a9be7f6b54d969cd1e"
#define FW_MSGID_PACKET_SOCKET "6f8759e66abc422289566f010f646c7e"
#define FW_MSGID_DENIED "b4c1f4a0e3d94c5e9a6f2d7b8e1c0a53"
#define FW_MSGID_LOST "3389c96385f546ae858496dc227f8865"
#define FW_MSGID_READ "05d8f45744b5425999bf58926061d071"
#define FW_MSGID_READY "4cc712c6346e46d4a4a876f92abbfded"
#define FW_MSGID_STOPPED "db79719aab4048c0a5eb066275484dba"
#define FW_MSGID_JOURNAL_GAP "42b10104f6394afa9a062f3ba42dc5ac"
#define FW_MSGID_CONFIG "ddf4785ac8f849458a1e6088b3e28442"
/* the recording stopped: a trace write failed */
#define FW_MSGID_TRACE_FAILED "203bdfa4edfc457faef402bb6b33c4dd"

#define FW_SYSLOG_IDENTIFIER "flightwatch"

struct fw_jentry {
	char **fields; /* "NAME=value", each allocated */
	size_t n, cap;
};

/* Append NAME=value (printf format for the value) */
void jentry__add(struct fw_jentry *e, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The value of the first field NAME, or NULL */
const char *jentry__get(const struct fw_jentry *e, const char *name);
/* iov must hold e->n entries; they point into e */
void jentry__iov(const struct fw_jentry *e, struct iovec *iov);
void jentry__free(struct fw_jentry *e);

/* syslog priority of an alert: critical (>= 99) 2, high (>= 73) 3,
 * medium (>= 47) 4, low 5; informational notices 6 */
int jentry__priority(const struct fw_alert *a);

/* Entries of each kind; o gives the run id and the traced host's clock */
void jentry__alert(struct fw_jentry *e, const struct fw_output *o,
		   const struct fw_alert *a);
void jentry__ready(struct fw_jentry *e, const struct fw_ready_info *info);
void jentry__stats(struct fw_jentry *e, const struct fw_run_stats *s);
/* Entries journald never got: they were only printed on stderr */
void jentry__gap(struct fw_jentry *e, uint64_t dropped);
/* A state change: config-reloaded (notice), config-reload-failed or
 * trace-write-failed (err) */
void jentry__state(struct fw_jentry *e, const char *action, const char *msg);

#endif /* FW_JOURNAL_ENTRY_H */
