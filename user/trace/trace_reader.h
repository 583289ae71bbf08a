/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace reader: checks and decodes every block of a trace file and
 * hands its contents to callbacks. Damage (truncation, bad checksums,
 * impossible lengths, garbage) is reported with its offset; reading goes
 * on with the next valid block. Nothing in a file can make it allocate
 * more than FW_BLOCK_RAW_MAX at a time.
 */
#ifndef FW_TRACE_READER_H
#define FW_TRACE_READER_H

#include <stddef.h>
#include <stdint.h>
#include "flightwatch.h"

struct fw_trace_reader_cb {
	/* META (host, clock, rules) and END (statistics): one call per line */
	void (*meta)(const char *key, const char *value, void *ctx);
	void (*end)(const char *key, const char *value, void *ctx);
	/* an event record, type known or not: size >= sizeof(header) */
	void (*event)(const void *rec, size_t size, void *ctx);
	/* a trace record (FW_TREC_*) */
	void (*mark)(const struct fw_event_header *hdr, void *ctx);
	/* damage at a file offset; NULL: printed with fw_err */
	void (*damage)(const char *name, uint64_t offset, const char *nature,
		       void *ctx);
	void *ctx;
};

/* Added to, not reset, by each call: one set for several files */
struct fw_trace_read_stats {
	uint64_t files;
	uint64_t blocks; /* valid blocks */
	uint64_t unknown_blocks; /* valid, of a kind this reader skips */
	uint64_t events; /* event records handed on */
	uint64_t marks;
	uint64_t unknown_records; /* trace records of unknown types */
	uint64_t raw_bytes; /* payload bytes after inflating */
	uint64_t file_bytes;
	uint64_t damaged; /* damage reports */
	uint64_t skipped_bytes; /* not part of any valid block */
};

/* name is used in damage reports. Returns 0 when the whole buffer was
 * valid, 1 when something was skipped. */
int trace_reader__read_mem(const void *buf, size_t len, const char *name,
			   const struct fw_trace_reader_cb *cb,
			   struct fw_trace_read_stats *stats);
/* The same for a file (mapped); -errno when it cannot be opened */
int trace_reader__read_file(const char *path,
			    const struct fw_trace_reader_cb *cb,
			    struct fw_trace_read_stats *stats);

#endif /* FW_TRACE_READER_H */
