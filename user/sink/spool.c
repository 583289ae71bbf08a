// SPDX-License-Identifier: GPL-2.0
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "sink/spool.h"
#include "lib/util.h"

#define SPOOL_MAGIC "FWSPOOL1"

/* All little-endian */
struct spool_header {
	char magic[8];
	uint64_t head;
	uint64_t dropped;
	uint64_t reserved;
};

struct spool_record {
	uint32_t size;
	uint32_t crc;
};

_Static_assert(sizeof(struct spool_header) == 32, "spool header size");
_Static_assert(sizeof(struct spool_record) == 8, "spool record size");

#define HDR_SIZE sizeof(struct spool_header)
/* A datagram journald would take at all (its own limit is lower) */
#define MAX_RECORD (8u << 20)

static int pwrite_all(int fd, const void *buf, size_t size, uint64_t off)
{
	const char *p = buf;

	while (size) {
		ssize_t n = pwrite(fd, p, size, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		size -= n;
		off += n;
	}
	return 0;
}

static int pread_all(int fd, void *buf, size_t size, uint64_t off)
{
	char *p = buf;

	while (size) {
		ssize_t n = pread(fd, p, size, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		size -= n;
		off += n;
	}
	return 0;
}

static int write_header(struct fw_spool *s)
{
	struct spool_header h = { .head = htole64(s->head),
				  .dropped = htole64(s->dropped) };

	memcpy(h.magic, SPOOL_MAGIC, sizeof(h.magic));
	return pwrite_all(s->fd, &h, sizeof(h), 0);
}

static void *record_buf(struct fw_spool *s, size_t size)
{
	if (size > s->rec_cap) {
		free(s->rec);
		s->rec = fw_xcalloc(1, size);
		s->rec_cap = size;
	}
	return s->rec;
}

/* Read the record at off into s->rec; its size, 0 when there is none
 * whole there (the end, or a write torn by a kill) */
static size_t read_record(struct fw_spool *s, uint64_t off)
{
	struct spool_record r;
	void *buf;

	if (pread_all(s->fd, &r, sizeof(r), off))
		return 0;
	r.size = le32toh(r.size);
	if (!r.size || r.size > MAX_RECORD)
		return 0;
	buf = record_buf(s, r.size);
	if (pread_all(s->fd, buf, r.size, off + sizeof(r)) ||
	    crc32(0, buf, r.size) != le32toh(r.crc))
		return 0;
	return r.size;
}

/* An earlier run's records: from the header's head to the last whole one */
static int load(struct fw_spool *s)
{
	struct spool_header h;
	struct stat st;
	size_t size;

	if (fstat(s->fd, &st))
		return -errno;
	s->head = s->tail = HDR_SIZE;
	if ((uint64_t)st.st_size < HDR_SIZE ||
	    pread_all(s->fd, &h, sizeof(h), 0) ||
	    memcmp(h.magic, SPOOL_MAGIC, sizeof(h.magic))) {
		/* new, or not ours: start empty */
		if (ftruncate(s->fd, 0))
			return -errno;
		return write_header(s);
	}
	s->head = s->tail = le64toh(h.head);
	s->dropped = le64toh(h.dropped);
	if (s->head < HDR_SIZE || s->head > (uint64_t)st.st_size)
		s->head = s->tail = HDR_SIZE;
	while ((size = read_record(s, s->tail))) {
		s->tail += sizeof(struct spool_record) + size;
		s->len++;
	}
	if (ftruncate(s->fd, s->tail))
		return -errno;
	return write_header(s);
}

int spool__open(struct fw_spool *s, const char *path, uint64_t max_bytes)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->max_bytes = max_bytes;
	if (path) {
		s->fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			     0600);
		s->on_disk = true;
	} else {
		s->fd = memfd_create("flightwatch-spool", MFD_CLOEXEC);
	}
	if (s->fd < 0)
		return -errno;
	/* one collector per file: a second one would interleave */
	if (path && (flock(s->fd, LOCK_EX | LOCK_NB) || fchmod(s->fd, 0600))) {
		err = -errno;
		goto fail;
	}
	err = load(s);
	if (err)
		goto fail;
	return 0;
fail:
	close(s->fd);
	s->fd = -1;
	return err;
}

/* Move the live records to the start of the file */
static int compact(struct fw_spool *s)
{
	uint64_t from = s->head, to = HDR_SIZE;
	char buf[65536];
	int err;

	while (from < s->tail) {
		size_t n = s->tail - from < sizeof(buf) ? s->tail - from :
							  sizeof(buf);

		err = pread_all(s->fd, buf, n, from);
		if (!err)
			err = pwrite_all(s->fd, buf, n, to);
		if (err)
			return err;
		from += n;
		to += n;
	}
	s->head = HDR_SIZE;
	s->tail = to;
	err = write_header(s);
	if (!err && ftruncate(s->fd, s->tail))
		err = -errno;
	return err;
}

bool spool__push(struct fw_spool *s, const void *data, size_t size, bool notice,
		 int *err)
{
	struct spool_record r = { .size = htole32(size),
				  .crc = htole32(crc32(0, data, size)) };
	uint64_t bound = s->max_bytes + (notice ? FW_SPOOL_NOTICE_BYTES : 0);
	uint64_t need = sizeof(r) + size;
	int e = 0;

	if (s->fd < 0 || !size || size > MAX_RECORD ||
	    s->tail - s->head + need > bound) {
		if (s->fd >= 0) {
			s->dropped++;
			write_header(s);
		}
		if (err)
			*err = s->fd < 0 ? -EBADF : -ENOSPC;
		return false;
	}
	/* a file never much larger than its bound, however it is consumed */
	if (s->head > HDR_SIZE && s->tail + need > HDR_SIZE + bound)
		e = compact(s);
	if (!e)
		e = pwrite_all(s->fd, &r, sizeof(r), s->tail);
	if (!e)
		e = pwrite_all(s->fd, data, size, s->tail + sizeof(r));
	if (e) {
		s->dropped++;
		if (err)
			*err = e;
		return false;
	}
	s->tail += need;
	s->len++;
	return true;
}

const void *spool__peek(struct fw_spool *s, size_t *size)
{
	if (!s->len)
		return NULL;
	*size = read_record(s, s->head);
	if (!*size) {
		/* damaged under us (the disk): nothing after it is usable */
		s->dropped += s->len;
		s->len = 0;
		s->tail = s->head;
		spool__pop(s);
		return NULL;
	}
	return s->rec;
}

void spool__pop(struct fw_spool *s)
{
	struct spool_record r;

	if (s->len && !pread_all(s->fd, &r, sizeof(r), s->head)) {
		s->head += sizeof(r) + le32toh(r.size);
		s->len--;
	}
	/* empty: the file shrinks back to its header (if it cannot, the
	 * header still says where the next record goes) */
	if (!s->len && !ftruncate(s->fd, HDR_SIZE))
		s->head = s->tail = HDR_SIZE;
	write_header(s);
}

void spool__clear_dropped(struct fw_spool *s)
{
	s->dropped = 0;
	write_header(s);
}

void spool__close(struct fw_spool *s)
{
	if (s->fd >= 0) {
		if (s->on_disk)
			fdatasync(s->fd);
		close(s->fd);
	}
	s->fd = -1;
	free(s->rec);
	s->rec = NULL;
	s->rec_cap = 0;
}
