// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/content.h"

static const unsigned char ulog_magic[7] = { 'U',  'L',	 'o', 'g',
					     0x01, 0x12, 0x35 };

/* A .tlog record: 8-byte big-endian µs since the epoch, then one MAVLink
 * v1 (FE) or v2 (FD) frame. Returns the record length, or 0. */
static size_t tlog_record(const unsigned char *p, size_t avail)
{
	/* 2001-09-09 .. 2100-01-01 in µs: a plausible wall-clock stamp */
	const uint64_t lo = 1000000000ull * 1000000,
		       hi = 4102444800ull * 1000000;
	uint64_t ts = 0;
	size_t i, frame;

	if (avail < 8 + 8)
		return 0;
	for (i = 0; i < 8; i++)
		ts = ts << 8 | p[i];
	if (ts < lo || ts > hi)
		return 0;
	if (p[8] == 0xFE)
		frame = 6 + p[9] + 2;
	else if (p[8] == 0xFD)
		frame = 10 + p[9] + 2 + ((p[10] & 1) ? 13 : 0);
	else
		return 0;
	return 8 + frame;
}

/* whole: buf holds the whole file, so a record may not run past its end */
static int looks_like_tlog(const unsigned char *buf, size_t len, int whole)
{
	size_t off = 0, n;
	int records = 0;

	while (records < 3 && (n = tlog_record(buf + off, len - off))) {
		if (whole && off + n > len)
			return 0;
		records++;
		off += n;
		if (off >= len)
			break;
	}
	/* Three well-formed records, or every record the probe holds */
	return records >= 3 || (records >= 1 && off >= len);
}

static int looks_like_dataflash(const unsigned char *buf, size_t len)
{
	/* The first message is the FMT of FMT: A3 95 80, type 0x80, length
	 * 89, name "FMT" */
	return len >= 8 && buf[0] == 0xA3 && buf[1] == 0x95 && buf[2] == 0x80 &&
	       buf[3] == 0x80 && buf[4] == 89 && !memcmp(buf + 5, "FMT", 3);
}

static int looks_like_dji_dat(const unsigned char *buf, size_t len)
{
	return len >= 21 && !memcmp(buf + 16, "BUILD", 5);
}

static int looks_like_dji_txt(const unsigned char *buf, size_t len,
			      uint64_t file_size)
{
	uint64_t detail_off = 0;
	int i;

	if (len < 100)
		return 0;
	for (i = 7; i >= 0; i--)
		detail_off = detail_off << 8 | buf[i];
	/* The details block lies past the 100-byte prefix, inside the
	 * file; the format version is small */
	return detail_off >= 100 && (!file_size || detail_off <= file_size) &&
	       buf[10] >= 1 && buf[10] <= 20;
}

enum fw_content content__classify(const unsigned char *buf, size_t len,
				  uint64_t file_size)
{
	if (len >= sizeof(ulog_magic) && !memcmp(buf, ulog_magic, 7))
		return FW_CONTENT_ULOG;
	if (looks_like_dataflash(buf, len))
		return FW_CONTENT_DATAFLASH;
	if (looks_like_dji_dat(buf, len))
		return FW_CONTENT_DJI_DAT;
	if (looks_like_tlog(buf, len, file_size && len >= file_size))
		return FW_CONTENT_TLOG;
	if (looks_like_dji_txt(buf, len, file_size))
		return FW_CONTENT_DJI_TXT;
	return FW_CONTENT_NONE;
}

enum fw_content content__sniff_file(const char *path)
{
	unsigned char buf[FW_CONTENT_PROBE];
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path,
		  O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return FW_CONTENT_UNKNOWN;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return FW_CONTENT_UNKNOWN;
	}
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < 0)
		return FW_CONTENT_UNKNOWN;
	return content__classify(buf, n, st.st_size);
}

const char *content__name(enum fw_content content)
{
	switch (content) {
	case FW_CONTENT_NONE:
		return "none";
	case FW_CONTENT_TLOG:
		return "tlog";
	case FW_CONTENT_ULOG:
		return "ulog";
	case FW_CONTENT_DATAFLASH:
		return "dataflash";
	case FW_CONTENT_DJI_TXT:
		return "dji-txt";
	case FW_CONTENT_DJI_DAT:
		return "dji-dat";
	case FW_CONTENT_UNKNOWN:
	default:
		return "unknown";
	}
}

int content__is_flight_log(enum fw_content content)
{
	return content >= FW_CONTENT_TLOG;
}
