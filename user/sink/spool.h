/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded first-in first-out queue of journald entries kept while
 * journald is away. When full, new entries are counted, not kept: the
 * start of an incident matters most, and every entry has been printed on
 * stderr already.
 */
#ifndef FW_SPOOL_H
#define FW_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sink/journal_entry.h"

struct fw_spool {
	struct fw_jentry *items;
	size_t cap, head, len;
	uint64_t dropped; /* entries refused because the spool was full */
};

void spool__init(struct fw_spool *s, size_t cap);
/* Takes the entry (*e is emptied either way); false when it was full */
bool spool__push(struct fw_spool *s, struct fw_jentry *e);
/* The oldest entry, NULL when empty */
struct fw_jentry *spool__peek(struct fw_spool *s);
/* Drop (free) the oldest entry */
void spool__pop(struct fw_spool *s);
void spool__free(struct fw_spool *s);

#endif /* FW_SPOOL_H */
