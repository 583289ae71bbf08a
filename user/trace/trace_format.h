/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The on-disk trace format (docs/trace-format.md is the spec).
 *
 * A file is a header followed by framed blocks. Every frame carries its
 * lengths and a CRC-32 of header fields and payload, so a reader can
 * check each block on its own, skip kinds it does not know and find the
 * next block after damage by scanning for the block magic. Frame and file
 * headers are little-endian; event records inside EVENTS blocks are the
 * wire structs of flightwatch.h in the recording host's byte order, which
 * the file header names.
 */
#ifndef FW_TRACE_FORMAT_H
#define FW_TRACE_FORMAT_H

#include <linux/types.h>

#define FW_TRACE_MAGIC "FWTRACE\n"
#define FW_TRACE_MAGIC_LEN 8
/* 2: event headers carry the process's start (32 bytes); version 1
 * files (24-byte headers) are still read */
#define FW_TRACE_VERSION 2
/* Written in host order: reads back as this value on a host of the same
 * byte order */
#define FW_TRACE_BYTE_ORDER 0x01020304u

/* "FWBK" as a little-endian word */
#define FW_BLOCK_MAGIC 0x4b425746u
#define FW_BLOCK_MAGIC_BYTES "FWBK"

/* Limits a reader enforces before allocating anything */
#define FW_BLOCK_RAW_MAX (16u << 20)
#define FW_BLOCK_COMP_MAX (16u << 20)
/* The writer closes a block at this many raw bytes (or every second) */
#define FW_BLOCK_TARGET (256u << 10)

enum fw_block_kind {
	FW_BLOCK_META = 1, /* text: key=value lines (host, clock, rules) */
	FW_BLOCK_EVENTS = 2, /* event records, each padded to 8 bytes */
	FW_BLOCK_END = 3, /* text: key=value lines (statistics) */
};

enum fw_block_flags {
	/* payload is raw deflate (RFC 1951, zlib's deflate without the zlib
	 * wrapper: the frame's CRC-32 already checks it) of raw_len bytes */
	FW_BLOCK_DEFLATE = 1 << 0,
	/* with DEFLATE: the inflated bytes are zero-run coded (records are
	 * mostly zero-filled buffers): pairs of varint literal length, the
	 * literal bytes, varint count of zero bytes; they expand to raw_len */
	FW_BLOCK_ZERO_RUNS = 1 << 1,
};
#define FW_BLOCK_FLAGS_KNOWN (FW_BLOCK_DEFLATE | FW_BLOCK_ZERO_RUNS)
/* Zero runs shorter than this stay literal */
#define FW_ZERO_RUN_MIN 16
/* Bound of the zero-run coding of n bytes: it never grows the data by
 * more than a final pair of varints */
#define FW_ZERO_RUN_BOUND(n) ((n) + 16)

/*
 * Records of the EVENTS block with a type at or above this value belong to
 * the trace format, not to the kernel: the reader handles them itself.
 */
#define FW_TREC_BASE 0x80000000u
enum fw_trace_record {
	/* the live collector flushed the correlator here (byte-count
	 * updates): replay does the same at the same point */
	FW_TREC_FLUSH = FW_TREC_BASE + 1,
};

struct fw_trace_file_header {
	char magic[FW_TRACE_MAGIC_LEN];
	__u16 version; /* le: FW_TRACE_VERSION */
	__u16 header_size; /* le: of this struct; newer ones may be longer */
	__u32 byte_order; /* host order: FW_TRACE_BYTE_ORDER */
	__u64 created_ns; /* le: CLOCK_REALTIME at creation */
};

struct fw_trace_block_header {
	__u32 magic; /* le: FW_BLOCK_MAGIC */
	__u16 kind; /* le: enum fw_block_kind */
	__u16 flags; /* le: enum fw_block_flags */
	__u32 raw_len; /* le: payload size once inflated */
	__u32 comp_len; /* le: payload size in the file */
	__u32 crc32; /* le: CRC-32 of bytes 4..16 of this header, then payload */
	__u32 reserved; /* 0 */
};

_Static_assert(sizeof(struct fw_trace_file_header) == 24, "file header");
_Static_assert(sizeof(struct fw_trace_block_header) == 24, "block header");

#define FW_TRACE_ALIGN(n) (((n) + 7) & ~(size_t)7)

#endif /* FW_TRACE_FORMAT_H */
