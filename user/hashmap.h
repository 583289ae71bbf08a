/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small hash map with fixed-size binary keys and pointer values, for the
 * collector's tables (processes, files, flows). Chained, power-of-two
 * buckets, grows at load factor 1.
 */
#ifndef FW_HASHMAP_H
#define FW_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>

struct hashmap;

struct hashmap *hashmap__new(size_t key_size);
void hashmap__free(struct hashmap *map);
void *hashmap__get(const struct hashmap *map, const void *key);
/* Inserts or replaces; returns the previous value or NULL */
void *hashmap__put(struct hashmap *map, const void *key, void *value);
void *hashmap__remove(struct hashmap *map, const void *key);
size_t hashmap__count(const struct hashmap *map);

/* Iteration: struct hashmap_cursor cur = {0};
 * while (hashmap__next(map, &cur, &key, &value)) ...
 * The map must not change during iteration. */
struct hashmap_entry;
struct hashmap_cursor {
	size_t bucket;
	struct hashmap_entry *entry;
};
bool hashmap__next(const struct hashmap *map, struct hashmap_cursor *cur,
		   const void **key, void **value);

#endif /* FW_HASHMAP_H */
