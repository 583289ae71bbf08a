/* SPDX-License-Identifier: GPL-2.0 */
/* Flight-log signatures in a file's first bytes (see FLIGHTLOGS layouts) */
#ifndef FW_CONTENT_H
#define FW_CONTENT_H

#include <stddef.h>
#include <stdint.h>
#include "flightwatch.h"

/* How many leading bytes content__classify wants */
#define FW_CONTENT_PROBE 512

/* file_size: the whole file's size (for header offsets that point into
 * it), or 0 when unknown */
enum fw_content content__classify(const unsigned char *buf, size_t len,
				  uint64_t file_size);
/* Opens path without blocking or following a final symlink, checks it is
 * a regular file and classifies its first bytes */
enum fw_content content__sniff_file(const char *path);
const char *content__name(enum fw_content content);
int content__is_flight_log(enum fw_content content);

#endif /* FW_CONTENT_H */
