// SPDX-License-Identifier: GPL-2.0
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "trace/trace_format.h"
#include "trace/trace_reader.h"
#include "lib/util.h"

struct reader {
	const unsigned char *buf;
	size_t len;
	const char *name;
	const struct fw_trace_reader_cb *cb;
	struct fw_trace_read_stats *st;
	unsigned char *raw; /* inflated payload, reused */
	size_t raw_cap;
	unsigned char *enc; /* zero-run coded payload, reused */
	size_t enc_cap;
	bool events_readable; /* same byte order as the recording host */
	bool resyncing; /* after damage, until the next valid block */
	bool ended; /* an END block was read */
	z_stream z; /* raw inflate, reset for each block */
	bool z_ready;
	unsigned version; /* of the file */
	unsigned char *conv; /* one version 1 record, in today's layout */
};

/* Version 1 records had a 24-byte header, without start_ns and comm: the
 * record in today's layout, both unknown (0), or NULL when too large */
#define FW_V1_HEADER 24u
static const struct fw_event_header *
from_version_1(struct reader *r, const struct fw_event_header *h)
{
	const size_t max = sizeof(struct fw_exec_event) + 64;
	const size_t grow = sizeof(struct fw_event_header) - FW_V1_HEADER;
	struct fw_event_header *out;

	if (h->size + grow > max)
		return NULL;
	if (!r->conv)
		r->conv = fw_xcalloc(1, max);
	memset(r->conv, 0, sizeof(*out));
	memcpy(r->conv, h, FW_V1_HEADER);
	memcpy(r->conv + sizeof(*out), (const unsigned char *)h + FW_V1_HEADER,
	       h->size - FW_V1_HEADER);
	out = (struct fw_event_header *)r->conv;
	out->size = h->size + grow;
	return out;
}

static void damage(struct reader *r, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void damage(struct reader *r, uint64_t off, const char *fmt, ...)
{
	char nature[256];
	va_list ap;

	r->st->damaged++;
	va_start(ap, fmt);
	vsnprintf(nature, sizeof(nature), fmt, ap);
	va_end(ap);
	if (r->cb->damage)
		r->cb->damage(r->name, off, nature, r->cb->ctx);
	else
		fw_err("%s: offset %" PRIu64 ": %s", r->name, off, nature);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* key=value lines, values %XX-escaped; lines without '=' are ignored */
static void parse_text(struct reader *r, unsigned char *text, size_t len,
		       void (*fn)(const char *, const char *, void *))
{
	size_t i = 0;

	while (i < len) {
		unsigned char *line = text + i, *eq, *nl;
		size_t n;
		char *o, *v;

		nl = memchr(line, '\n', len - i);
		n = nl ? (size_t)(nl - line) : len - i;
		i += n + 1;
		line[n] = '\0'; /* text has one spare byte at len */
		eq = memchr(line, '=', n);
		if (!eq || !fn)
			continue;
		*eq = '\0';
		/* unescape in place: the result is never longer */
		for (v = o = (char *)eq + 1; *v; v++) {
			int hi, lo;

			if (*v == '%' && (hi = hexval(v[1])) >= 0 &&
			    (lo = hexval(v[2])) >= 0) {
				*o++ = hi << 4 | lo;
				v += 2;
			} else {
				*o++ = *v;
			}
		}
		*o = '\0';
		fn((const char *)line, (const char *)eq + 1, r->cb->ctx);
	}
}

static void parse_events(struct reader *r, uint64_t off, const unsigned char *p,
			 size_t len)
{
	size_t pos = 0;

	if (!r->events_readable) {
		r->st->skipped_bytes += len;
		return;
	}
	while (pos < len) {
		const struct fw_event_header *h =
			(const struct fw_event_header *)(p + pos);
		size_t hsize = r->version == 1 ? FW_V1_HEADER : sizeof(*h);
		uint32_t size;

		if (len - pos < hsize) {
			damage(r, off,
			       "events block: record at payload offset %zu: truncated header",
			       pos);
			return;
		}
		size = h->size;
		if (size < hsize || size > len - pos) {
			damage(r, off,
			       "events block: record at payload offset %zu: size %u out of range",
			       pos, size);
			return;
		}
		if (r->version == 1 && !(h = from_version_1(r, h))) {
			damage(r, off,
			       "events block: record at payload offset %zu: size %u out of range",
			       pos, size);
			return;
		}
		if (h->type >= FW_TREC_BASE) {
			if (h->type == FW_TREC_FLUSH) {
				r->st->marks++;
				if (r->cb->mark)
					r->cb->mark(h, r->cb->ctx);
			} else {
				/* a newer writer's record: skip it */
				r->st->unknown_records++;
			}
		} else {
			r->st->events++;
			if (r->cb->event)
				r->cb->event(h, h->size, r->cb->ctx);
		}
		pos += FW_TRACE_ALIGN(size);
	}
}

static bool get_varint(const unsigned char *p, size_t len, size_t *pos,
		       uint32_t *v)
{
	uint32_t x = 0;

	for (int shift = 0; shift < 35; shift += 7) {
		unsigned char b;

		if (*pos >= len)
			return false;
		b = p[(*pos)++];
		if (shift == 28 && b > 0x0f)
			return false; /* more than 32 bits */
		x |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

/* Expands zero-run coding into exactly out_len bytes, or fails */
static bool expand_zero_runs(const unsigned char *in, size_t len,
			     unsigned char *out, size_t out_len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		uint32_t lit, zeros;

		if (!get_varint(in, len, &i, &lit) || lit > len - i ||
		    lit > out_len - o)
			return false;
		memcpy(out + o, in + i, lit);
		i += lit;
		o += lit;
		if (!get_varint(in, len, &i, &zeros) || zeros > out_len - o)
			return false;
		memset(out + o, 0, zeros);
		o += zeros;
	}
	return o == out_len;
}

static unsigned char *grow(unsigned char **buf, size_t *cap, size_t need)
{
	if (need > *cap) {
		unsigned char *p = realloc(*buf, need);

		if (!p)
			return NULL;
		*buf = p;
		*cap = need;
	}
	return *buf;
}

/* Payload of a checked frame: decoded into r->raw with a spare byte */
static const unsigned char *payload(struct reader *r, uint64_t off,
				    const struct fw_trace_block_header *h,
				    const unsigned char *data)
{
	uint32_t raw_len = le32toh(h->raw_len);
	uint32_t comp_len = le32toh(h->comp_len);
	uint16_t flags = le16toh(h->flags);
	bool runs = flags & FW_BLOCK_ZERO_RUNS;
	size_t out_cap = runs ? FW_ZERO_RUN_BOUND(raw_len) : raw_len;
	unsigned char *out;
	int zerr;

	if (!grow(&r->raw, &r->raw_cap, (size_t)raw_len + 1) ||
	    (runs && !grow(&r->enc, &r->enc_cap, out_cap))) {
		damage(r, off, "out of memory for a %u-byte block", raw_len);
		return NULL;
	}
	if (!(flags & FW_BLOCK_DEFLATE)) {
		memcpy(r->raw, data, raw_len);
		return r->raw;
	}
	if (!r->z_ready) {
		if (inflateInit2(&r->z, -15) != Z_OK) {
			damage(r, off, "cannot set up zlib");
			return NULL;
		}
		r->z_ready = true;
	} else {
		inflateReset(&r->z);
	}
	out = runs ? r->enc : r->raw;
	r->z.next_in = (unsigned char *)data;
	r->z.avail_in = comp_len;
	r->z.next_out = out;
	r->z.avail_out = out_cap;
	/* the output space is bounded: a stream that wants more stops
	 * with Z_BUF_ERROR or Z_OK instead of writing past it */
	zerr = inflate(&r->z, Z_FINISH);
	if (zerr != Z_STREAM_END || r->z.avail_in ||
	    (!runs && r->z.total_out != raw_len)) {
		damage(r, off, "block does not inflate to %u bytes (%s)",
		       raw_len,
		       zerr == Z_STREAM_END ? "length differs" :
		       zerr == Z_OK || zerr == Z_BUF_ERROR ?
					      "longer or cut short" :
					      zError(zerr));
		return NULL;
	}
	if (runs &&
	    !expand_zero_runs(r->enc, r->z.total_out, r->raw, raw_len)) {
		damage(r, off,
		       "bad zero-run coding: does not expand to %u bytes",
		       raw_len);
		return NULL;
	}
	return r->raw;
}

/* Why the frame at off is not a valid block, or NULL */
static const char *check_frame(struct reader *r, size_t off,
			       struct fw_trace_block_header *h, char *why,
			       size_t why_size)
{
	size_t left = r->len - off - sizeof(*h);
	uint32_t raw_len, comp_len, crc;

	memcpy(h, r->buf + off, sizeof(*h));
	raw_len = le32toh(h->raw_len);
	comp_len = le32toh(h->comp_len);
	if (le32toh(h->magic) != FW_BLOCK_MAGIC)
		return "no block magic (garbage or a damaged frame)";
	if (raw_len > FW_BLOCK_RAW_MAX || comp_len > FW_BLOCK_COMP_MAX) {
		snprintf(why, why_size,
			 "block lengths %u/%u exceed the limit of %u", raw_len,
			 comp_len, FW_BLOCK_RAW_MAX);
		return why;
	}
	if (comp_len > left) {
		snprintf(
			why, why_size,
			"truncated block: %u payload bytes, %zu left in the file",
			comp_len, left);
		return why;
	}
	if (!(le16toh(h->flags) & FW_BLOCK_DEFLATE) && comp_len != raw_len)
		return "stored block with differing lengths";
	if ((le16toh(h->flags) & FW_BLOCK_ZERO_RUNS) &&
	    !(le16toh(h->flags) & FW_BLOCK_DEFLATE))
		return "zero-run coding without deflate";
	crc = crc32(0, r->buf + off + 4, 12);
	crc = crc32(crc, r->buf + off + sizeof(*h), comp_len);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* let the fuzzer past the checksum: a zero CRC field passes, so
	 * that mutated payloads reach the inflater and the record parser */
	if (!h->crc32)
		crc = 0;
#endif
	if (crc != le32toh(h->crc32))
		return "checksum mismatch";
	return NULL;
}

static size_t next_magic(struct reader *r, size_t from)
{
	const unsigned char *p;

	if (from >= r->len)
		return r->len;
	p = memmem(r->buf + from, r->len - from, FW_BLOCK_MAGIC_BYTES, 4);
	return p ? (size_t)(p - r->buf) : r->len;
}

static int check_file_header(struct reader *r, size_t *start)
{
	struct fw_trace_file_header fh;
	uint16_t version, size;

	if (r->len < sizeof(fh) ||
	    memcmp(r->buf, FW_TRACE_MAGIC, FW_TRACE_MAGIC_LEN)) {
		damage(r, 0, "not a flightwatch trace (no file header)");
		return -1;
	}
	memcpy(&fh, r->buf, sizeof(fh));
	version = le16toh(fh.version);
	size = le16toh(fh.header_size);
	if (version < 1 || version > FW_TRACE_VERSION) {
		damage(r, 8,
		       "trace format version %u is not supported (1 to %u are)",
		       version, FW_TRACE_VERSION);
		return -1;
	}
	r->version = version;
	if (size < sizeof(fh) || size > r->len) {
		damage(r, 10, "file header size %u out of range", size);
		return -1;
	}
	if (fh.byte_order != FW_TRACE_BYTE_ORDER) {
		damage(r, 12,
		       "recorded on a host of another byte order: events skipped");
		r->events_readable = false;
	}
	*start = size;
	return 0;
}

int trace_reader__read_mem(const void *buf, size_t len, const char *name,
			   const struct fw_trace_reader_cb *cb,
			   struct fw_trace_read_stats *st)
{
	struct reader r = {
		.buf = buf,
		.len = len,
		.name = name ? name : "trace",
		.cb = cb,
		.st = st,
		.events_readable = true,
	};
	uint64_t damaged = st->damaged;
	size_t off;
	char why[160];

	st->files++;
	st->file_bytes += len;
	if (check_file_header(&r, &off))
		goto out;
	while (off < len) {
		struct fw_trace_block_header h;
		const unsigned char *raw;
		const char *bad;
		uint32_t raw_len;
		size_t next;

		if (len - off < sizeof(h)) {
			if (!r.resyncing)
				damage(&r, off,
				       "truncated block header: %zu bytes left",
				       len - off);
			st->skipped_bytes += len - off;
			break;
		}
		bad = check_frame(&r, off, &h, why, sizeof(why));
		if (bad) {
			if (!r.resyncing)
				damage(&r, off, "%s", bad);
			r.resyncing = true;
			next = next_magic(&r, off + 1);
			st->skipped_bytes += next - off;
			off = next;
			continue;
		}
		r.resyncing = false;
		next = off + sizeof(h) + le32toh(h.comp_len);
		raw_len = le32toh(h.raw_len);
		if (le16toh(h.flags) & ~FW_BLOCK_FLAGS_KNOWN) {
			/* a newer writer's coding: valid, not ours to read */
			st->unknown_blocks++;
			off = next;
			continue;
		}
		raw = payload(&r, off, &h, r.buf + off + sizeof(h));
		if (!raw) {
			st->skipped_bytes += next - off;
			off = next;
			continue;
		}
		st->blocks++;
		st->raw_bytes += raw_len;
		switch (le16toh(h.kind)) {
		case FW_BLOCK_META:
			parse_text(&r, r.raw, raw_len, cb->meta);
			break;
		case FW_BLOCK_END:
			r.ended = true;
			parse_text(&r, r.raw, raw_len, cb->end);
			break;
		case FW_BLOCK_EVENTS:
			parse_events(&r, off, raw, raw_len);
			break;
		default:
			/* a newer writer's kind: the frame says how to skip */
			st->unknown_blocks++;
			break;
		}
		off = next;
	}
	/* a recorder that stops writes an END block: without one, the file
	 * was cut short (crash, power loss, or still being written) */
	if (!r.ended && st->damaged == damaged)
		damage(&r, len, "no end block: the trace was cut short");
out:
	if (r.z_ready)
		inflateEnd(&r.z);
	free(r.raw);
	free(r.enc);
	free(r.conv);
	return st->damaged != damaged;
}

int trace_reader__read_file(const char *path,
			    const struct fw_trace_reader_cb *cb,
			    struct fw_trace_read_stats *st)
{
	struct stat sb;
	void *map = NULL;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb)) {
		ret = -errno;
		goto out_close;
	}
	if (!S_ISREG(sb.st_mode)) {
		ret = -EINVAL;
		goto out_close;
	}
	if (sb.st_size) {
		map = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			ret = -errno;
			goto out_close;
		}
		madvise(map, sb.st_size, MADV_SEQUENTIAL);
	}
	ret = trace_reader__read_mem(map ? map : "", sb.st_size, path, cb, st);
	if (map)
		munmap(map, sb.st_size);
out_close:
	close(fd);
	return ret;
}
