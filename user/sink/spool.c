// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "sink/spool.h"
#include "lib/util.h"

void spool__init(struct fw_spool *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap ? cap : 1;
	s->items = fw_xcalloc(s->cap, sizeof(*s->items));
}

bool spool__push(struct fw_spool *s, struct fw_jentry *e)
{
	if (s->len == s->cap) {
		s->dropped++;
		jentry__free(e);
		return false;
	}
	s->items[(s->head + s->len) % s->cap] = *e;
	s->len++;
	memset(e, 0, sizeof(*e));
	return true;
}

struct fw_jentry *spool__peek(struct fw_spool *s)
{
	return s->len ? &s->items[s->head] : NULL;
}

void spool__pop(struct fw_spool *s)
{
	if (!s->len)
		return;
	jentry__free(&s->items[s->head]);
	s->head = (s->head + 1) % s->cap;
	s->len--;
}

void spool__free(struct fw_spool *s)
{
	while (s->len)
		spool__pop(s);
	free(s->items);
	s->items = NULL;
}
