// SPDX-License-Identifier: GPL-2.0
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "flightwatch.h"
#include "trace/trace_format.h"
#include "trace/trace_writer.h"
#include "lib/util.h"

#define FLUSH_INTERVAL_NS 1000000000ull
/* How often (in records) an append looks at the clock itself */
#define CLOCK_CHECK_EVERY 256

struct fw_trace_writer {
	char *path;
	int fd;
	uint64_t max_size;
	unsigned int keep;
	char *meta;
	size_t meta_len;
	size_t target; /* close a block at this many raw bytes */
	unsigned char *buf; /* pending records */
	size_t len, cap;
	unsigned char *zbuf; /* frame header + compressed payload */
	size_t zcap;
	unsigned char *ebuf; /* zero-run coded records */
	size_t ecap;
	uint64_t file_size; /* of the current file */
	uint64_t last_flush_ns;
	bool dirty; /* written since the last sync */
	unsigned int since_clock;
	z_stream z; /* raw deflate, reset for each block */
	bool z_ready;
	size_t buf_records; /* in buf */
	bool error_taken; /* trace_writer__take_error gave it */
	struct fw_trace_writer_stats stats;
};

static int write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static uint64_t wall_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The first error stops the recording: the records pending are lost */
static int fail(struct fw_trace_writer *w, int err)
{
	if (!w->stats.error)
		w->stats.error = -err;
	w->stats.lost += w->buf_records;
	w->buf_records = 0;
	w->len = 0;
	return err;
}

static size_t put_varint(unsigned char *p, uint32_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (v & 0x7f) | 0x80;
		v >>= 7;
	}
	p[n++] = v;
	return n;
}

/* Zero-run coding (trace_format.h): out holds FW_ZERO_RUN_BOUND(len) */
static size_t zero_runs(const unsigned char *in, size_t len, unsigned char *out)
{
	size_t i = 0, o = 0;

	while (i < len) {
		size_t j = i, run_at = len, run = 0;

		while (j < len) {
			size_t k;

			if (in[j]) {
				j++;
				continue;
			}
			for (k = j; k < len && !in[k]; k++)
				;
			if (k - j >= FW_ZERO_RUN_MIN) {
				run_at = j;
				run = k - j;
				break;
			}
			j = k;
		}
		o += put_varint(out + o, run_at - i);
		memcpy(out + o, in + i, run_at - i);
		o += run_at - i;
		o += put_varint(out + o, run);
		i = run_at + run;
	}
	return o;
}

/* Frames, compresses and writes one block; no sync */
static int write_block(struct fw_trace_writer *w, uint16_t kind,
		       const void *raw, size_t raw_len)
{
	struct fw_trace_block_header h;
	size_t comp_len = deflateBound(&w->z, raw_len);
	size_t need = sizeof(h) + comp_len;
	const unsigned char *payload = raw;
	uint16_t flags = 0;
	uint32_t crc;
	int err;

	if (w->fd < 0)
		return -EBADF;
	if (raw_len > FW_BLOCK_RAW_MAX)
		return -EMSGSIZE;
	if (need > w->zcap) {
		unsigned char *p = realloc(w->zbuf, need);

		if (!p)
			return -ENOMEM;
		w->zbuf = p;
		w->zcap = need;
	}
	if (raw_len && w->z_ready && deflateReset(&w->z) == Z_OK) {
		const unsigned char *in = raw;
		size_t in_len = raw_len;
		uint16_t try = FW_BLOCK_DEFLATE;

		/* records are mostly zero-filled buffers: coding the runs
		 * first makes inflating them (replay) several times faster */
		if (kind == FW_BLOCK_EVENTS) {
			if (FW_ZERO_RUN_BOUND(raw_len) > w->ecap) {
				unsigned char *p = realloc(
					w->ebuf, FW_ZERO_RUN_BOUND(raw_len));

				if (!p)
					return -ENOMEM;
				w->ebuf = p;
				w->ecap = FW_ZERO_RUN_BOUND(raw_len);
			}
			in_len = zero_runs(raw, raw_len, w->ebuf);
			in = w->ebuf;
			try |= FW_BLOCK_ZERO_RUNS;
			comp_len = deflateBound(&w->z, in_len);
			if (sizeof(h) + comp_len > w->zcap) {
				unsigned char *p =
					realloc(w->zbuf, sizeof(h) + comp_len);

				if (!p)
					return -ENOMEM;
				w->zbuf = p;
				w->zcap = sizeof(h) + comp_len;
			}
		}
		w->z.next_in = (unsigned char *)in;
		w->z.avail_in = in_len;
		w->z.next_out = w->zbuf + sizeof(h);
		w->z.avail_out = comp_len;
		if (deflate(&w->z, Z_FINISH) == Z_STREAM_END &&
		    w->z.total_out < raw_len) {
			comp_len = w->z.total_out;
			flags = try;
			payload = w->zbuf + sizeof(h);
		}
	}
	if (!flags) {
		comp_len = raw_len;
	}
	h.magic = htole32(FW_BLOCK_MAGIC);
	h.kind = htole16(kind);
	h.flags = htole16(flags);
	h.raw_len = htole32(raw_len);
	h.comp_len = htole32(comp_len);
	h.reserved = 0;
	crc = crc32(0, (const unsigned char *)&h + 4, 12);
	crc = crc32(crc, payload, comp_len);
	h.crc32 = htole32(crc);
	memcpy(w->zbuf, &h, sizeof(h));
	if (flags) {
		err = write_all(w->fd, w->zbuf, sizeof(h) + comp_len);
	} else {
		err = write_all(w->fd, &h, sizeof(h));
		if (!err)
			err = write_all(w->fd, payload, comp_len);
	}
	if (err)
		return err;
	w->file_size += sizeof(h) + comp_len;
	w->stats.file_bytes += sizeof(h) + comp_len;
	w->stats.raw_bytes += raw_len;
	w->stats.blocks++;
	w->dirty = true;
	return 0;
}

static int create_file(struct fw_trace_writer *w)
{
	struct fw_trace_file_header fh = { 0 };
	int err;

	w->fd = open(w->path,
		     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	if (w->fd < 0)
		return -errno;
	/* the umask may have taken bits away, never given any: still say
	 * exactly what we want */
	if (fchmod(w->fd, 0600)) {
		err = -errno;
		goto err_close;
	}
	memcpy(fh.magic, FW_TRACE_MAGIC, FW_TRACE_MAGIC_LEN);
	fh.version = htole16(FW_TRACE_VERSION);
	fh.header_size = htole16(sizeof(fh));
	fh.byte_order = FW_TRACE_BYTE_ORDER;
	fh.created_ns = htole64(wall_now_ns());
	err = write_all(w->fd, &fh, sizeof(fh));
	if (err)
		goto err_close;
	w->file_size = sizeof(fh);
	w->stats.file_bytes += sizeof(fh);
	w->stats.files++;
	err = write_block(w, FW_BLOCK_META, w->meta, w->meta_len);
	if (err)
		goto err_close;
	return 0;
err_close:
	close(w->fd);
	w->fd = -1;
	return err;
}

static int sync_file(struct fw_trace_writer *w)
{
	if (w->fd < 0 || !w->dirty)
		return 0;
	w->dirty = false;
	if (fdatasync(w->fd))
		return -errno;
	return 0;
}

/* path -> path.1 -> ... -> path.keep (the oldest goes), then a new path */
static int rotate(struct fw_trace_writer *w)
{
	size_t n = strlen(w->path) + 16;
	char *from = fw_xcalloc(2, n), *to = from + n;
	static const char rotated[] = "rotated=yes\n";
	int err = write_block(w, FW_BLOCK_END, rotated, sizeof(rotated) - 1);

	if (!err)
		err = sync_file(w);
	close(w->fd);
	w->fd = -1;
	if (err)
		goto out;
	for (unsigned int k = w->keep; k > 1; k--) {
		snprintf(from, n, "%s.%u", w->path, k - 1);
		snprintf(to, n, "%s.%u", w->path, k);
		if (rename(from, to) && errno != ENOENT) {
			err = -errno;
			goto out;
		}
	}
	if (w->keep) {
		snprintf(to, n, "%s.1", w->path);
		err = rename(w->path, to) ? -errno : 0;
	} else {
		err = unlink(w->path) ? -errno : 0;
	}
	if (!err)
		err = create_file(w);
out:
	free(from);
	return err;
}

static int flush_block(struct fw_trace_writer *w)
{
	uint64_t frame = sizeof(struct fw_trace_block_header) + w->len;
	int err;

	if (!w->len || w->stats.error)
		return 0;
	/* a full file rotates before it would pass the cap (compression
	 * only shrinks the block, so the raw size is a safe bound) */
	if (w->max_size && w->file_size + frame > w->max_size &&
	    w->file_size > sizeof(struct fw_trace_file_header) +
				   sizeof(struct fw_trace_block_header) +
				   w->meta_len) {
		err = rotate(w);
		if (err)
			return fail(w, err);
	}
	err = write_block(w, FW_BLOCK_EVENTS, w->buf, w->len);
	if (err)
		return fail(w, err);
	w->len = 0;
	w->buf_records = 0;
	return 0;
}

static int append(struct fw_trace_writer *w, const void *rec, size_t size,
		  uint64_t now_ns)
{
	size_t padded = FW_TRACE_ALIGN(size);
	int err;

	if (w->stats.error) {
		w->stats.lost++;
		return -EIO;
	}
	if (size < sizeof(struct fw_event_header) || padded > FW_BLOCK_RAW_MAX)
		return -EINVAL;
	if (w->len + padded > w->target) {
		err = flush_block(w);
		if (err)
			return err;
	}
	if (w->len + padded > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		unsigned char *p;

		while (cap < w->len + padded)
			cap *= 2;
		p = realloc(w->buf, cap);
		if (!p)
			return -ENOMEM;
		w->buf = p;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, rec, size);
	memset(w->buf + w->len + size, 0, padded - size);
	w->len += padded;
	w->buf_records++;
	w->stats.events++;
	if (++w->since_clock >= CLOCK_CHECK_EVERY) {
		w->since_clock = 0;
		return trace_writer__tick(w,
					  now_ns ? now_ns : fw_boot_now_ns());
	}
	return 0;
}

int trace_writer__event(struct fw_trace_writer *w, const void *rec, size_t size,
			uint64_t now_ns)
{
	return append(w, rec, size, now_ns);
}

int trace_writer__mark(struct fw_trace_writer *w, uint32_t type, uint64_t ts_ns,
		       uint64_t now_ns)
{
	struct fw_event_header h = {
		.ts_ns = ts_ns,
		.type = type,
		.size = sizeof(h),
	};

	return append(w, &h, sizeof(h), now_ns);
}

int trace_writer__flush(struct fw_trace_writer *w)
{
	int err = flush_block(w);

	if (!err && !w->stats.error) {
		err = sync_file(w);
		if (err)
			fail(w, err);
	}
	return err;
}

int trace_writer__tick(struct fw_trace_writer *w, uint64_t now_ns)
{
	if (now_ns - w->last_flush_ns < FLUSH_INTERVAL_NS)
		return 0;
	w->last_flush_ns = now_ns;
	return trace_writer__flush(w);
}

int trace_writer__open(struct fw_trace_writer **out,
		       const struct fw_trace_writer_opts *opts)
{
	struct fw_trace_writer *w = fw_xcalloc(1, sizeof(*w));
	int err;

	*out = NULL;
	w->fd = -1;
	w->path = fw_xstrdup(opts->path);
	w->max_size = opts->max_size;
	w->keep = opts->keep;
	w->meta = fw_xcalloc(1, opts->meta_len + 1);
	if (opts->meta_len)
		memcpy(w->meta, opts->meta, opts->meta_len);
	w->meta_len = opts->meta_len;
	w->target = FW_BLOCK_TARGET;
	/* small caps get small blocks, so that rotation keeps its promise */
	if (w->max_size && w->max_size / 4 < w->target)
		w->target = w->max_size / 4 > 4096 ? w->max_size / 4 : 4096;
	w->last_flush_ns = fw_boot_now_ns();
	/* raw deflate: windowBits -15 */
	w->z_ready = deflateInit2(&w->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15,
				  8, Z_DEFAULT_STRATEGY) == Z_OK;
	err = create_file(w);
	if (err)
		goto err_free;
	err = sync_file(w);
	if (err)
		goto err_free;
	*out = w;
	return 0;
err_free:
	if (w->fd >= 0)
		close(w->fd);
	if (w->z_ready)
		deflateEnd(&w->z);
	free(w->meta);
	free(w->path);
	free(w);
	return err;
}

void trace_writer__stats(const struct fw_trace_writer *w,
			 struct fw_trace_writer_stats *stats)
{
	*stats = w->stats;
}

int trace_writer__take_error(struct fw_trace_writer *w)
{
	if (!w->stats.error || w->error_taken)
		return 0;
	w->error_taken = true;
	return w->stats.error;
}

const char *trace_writer__path(const struct fw_trace_writer *w)
{
	return w->path;
}

int trace_writer__close(struct fw_trace_writer *w, const char *end,
			size_t end_len)
{
	int err;

	if (!w)
		return 0;
	err = flush_block(w);
	if (!w->stats.error && w->fd >= 0) {
		err = write_block(w, FW_BLOCK_END, end ? end : "",
				  end ? end_len : 0);
		if (!err)
			err = sync_file(w);
		if (err)
			fail(w, err);
	}
	if (w->fd >= 0)
		close(w->fd);
	err = w->stats.error ? -w->stats.error : 0;
	if (w->z_ready)
		deflateEnd(&w->z);
	free(w->buf);
	free(w->zbuf);
	free(w->ebuf);
	free(w->meta);
	free(w->path);
	free(w);
	return err;
}

void trace_meta__add(char **text, size_t *len, const char *key,
		     const char *value)
{
	size_t vlen = value ? strlen(value) : 0;
	size_t need = *len + strlen(key) + 3 * vlen + 3;
	char *p = realloc(*text, need);

	if (!p) {
		fw_err("out of memory");
		abort();
	}
	*text = p;
	p += *len;
	p += sprintf(p, "%s=", key);
	for (size_t i = 0; i < vlen; i++) {
		unsigned char ch = value[i];

		/* one line per key: control bytes and '%' escaped */
		if (ch < 0x20 || ch == 0x7f || ch == '%')
			p += sprintf(p, "%%%02X", ch);
		else
			*p++ = ch;
	}
	*p++ = '\n';
	*p = '\0';
	*len = p - *text;
}
