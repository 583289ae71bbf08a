/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace writer: buffers event records, closes a block when it is big
 * enough or a second old, compresses and frames it (trace_format.h),
 * writes it and syncs the file at least once a second, so that a crash
 * loses at most the last second. Rotates at a size cap.
 */
#ifndef FW_TRACE_WRITER_H
#define FW_TRACE_WRITER_H

#include <stddef.h>
#include <stdint.h>

struct fw_trace_writer;

struct fw_trace_writer_opts {
	const char *path;
	uint64_t max_size; /* 0: no cap; else rotate before exceeding it */
	unsigned int keep; /* rotated files kept: path.1 .. path.keep */
	const char *meta; /* META block text, repeated at the top of each file */
	size_t meta_len;
};

struct fw_trace_writer_stats {
	uint64_t events; /* records written (event and trace records) */
	uint64_t raw_bytes; /* block payloads before compression */
	uint64_t file_bytes; /* bytes written to files, all rotations */
	uint64_t blocks;
	uint64_t files; /* files created */
	int error; /* first write error (errno), 0 if none: recording stopped */
	uint64_t lost; /* records not on disk because of it */
};

/* Creates path (O_EXCL, mode 0600 whatever the umask). 0 or -errno. */
int trace_writer__open(struct fw_trace_writer **w,
		       const struct fw_trace_writer_opts *opts);
/* Appends one record (a struct fw_event_header and what follows).
 * now_ns: CLOCK_BOOTTIME, for the once-a-second flush. */
int trace_writer__event(struct fw_trace_writer *w, const void *rec, size_t size,
			uint64_t now_ns);
/* Appends a trace record (FW_TREC_*) with only a header */
int trace_writer__mark(struct fw_trace_writer *w, uint32_t type, uint64_t ts_ns,
		       uint64_t now_ns);
/* Writes and syncs pending records once at least a second passed */
int trace_writer__tick(struct fw_trace_writer *w, uint64_t now_ns);
/* Writes pending records and syncs now */
int trace_writer__flush(struct fw_trace_writer *w);
void trace_writer__stats(const struct fw_trace_writer *w,
			 struct fw_trace_writer_stats *stats);
/* The write error (errno) that stopped the recording, once: 0 before it
 * and after it was taken. The writer says nothing itself: its owner tells
 * the operator (recorder__check). */
int trace_writer__take_error(struct fw_trace_writer *w);
/* The file being written (the newest of a rotated set) */
const char *trace_writer__path(const struct fw_trace_writer *w);
/* Writes pending records, the END block (end text, may be NULL), syncs,
 * closes and frees. 0 or the first error as -errno. */
int trace_writer__close(struct fw_trace_writer *w, const char *end,
			size_t end_len);

/* Appends "key=value\n" to a META/END text, escaping the value */
void trace_meta__add(char **text, size_t *len, const char *key,
		     const char *value);

#endif /* FW_TRACE_WRITER_H */
