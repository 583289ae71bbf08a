/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded first-in first-out queue of journald datagrams kept while
 * journald is away or slower than the alerts. It lives in a file: on
 * disk (0600, under the state directory) so that a restart, a crash or
 * an upgrade loses nothing, or in a memfd when no file can be had. The
 * file is a header (the offset of the oldest record and the count of
 * records refused because the spool was full) then records, each a
 * length, a CRC-32 and the datagram. Appending and consuming are a
 * pwrite each; a record torn by a kill is where the spool ends when it
 * is opened again. At most one record can be sent twice after a kill
 * (sent, then killed before the header said so); none is lost.
 *
 * When full, new entries are counted, not kept (the start of an incident
 * matters most, and every entry has been printed on stderr already);
 * notices (the count of those, the final statistics) have room of their
 * own beyond the bound, so that they are never the ones refused.
 */
#ifndef FW_SPOOL_H
#define FW_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The bound on the records kept, in bytes (about 16,000 alerts) */
#define FW_SPOOL_MAX_BYTES (64ull << 20)
/* Beyond it, for notices only */
#define FW_SPOOL_NOTICE_BYTES (1ull << 20)

struct fw_spool {
	int fd;
	bool on_disk; /* a file that outlives the process (not a memfd) */
	uint64_t head, tail; /* offsets: the oldest record, the end */
	uint64_t max_bytes;
	size_t len; /* records between head and tail */
	uint64_t dropped; /* refused because the spool was full */
	void *rec; /* the record spool__peek read */
	size_t rec_cap;
};

/* path: the file, created 0600 when missing and locked against a second
 * collector; NULL: a memfd. 0, or -errno (nothing opened). The records
 * an earlier run left are kept, in order. */
int spool__open(struct fw_spool *s, const char *path, uint64_t max_bytes);
/* Append a datagram; notice: may use the room beyond the bound. False
 * when refused (counted in dropped) or the write failed (-errno in
 * *err when err is not NULL). */
bool spool__push(struct fw_spool *s, const void *data, size_t size, bool notice,
		 int *err);
/* The oldest record (valid until the next call), NULL when empty */
const void *spool__peek(struct fw_spool *s, size_t *size);
/* Forget the oldest record */
void spool__pop(struct fw_spool *s);
/* dropped is back to 0 (its notice was sent) */
void spool__clear_dropped(struct fw_spool *s);
void spool__close(struct fw_spool *s);

#endif /* FW_SPOOL_H */
