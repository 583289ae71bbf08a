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
#include <stdint.h>

struct hashmap;

struct hashmap *hashmap__new(size_t key_size);
void hashmap__free(struct hashmap *map);
void *hashmap__get(const struct hashmap *map, const void *key);
/* Inserts or replaces; returns the previous value or NULL */
void *hashmap__put(struct hashmap *map, const void *key, void *value);
void *hashmap__remove(struct hashmap *map, const void *key);
size_t hashmap__count(const struct hashmap *map);

/* Removes the entries with the smallest age(value) until at most keep are
 * left, handing each removed value to drop(value, ctx). Returns how many
 * were removed. O(n log n): for occasional trimming of a full table. */
size_t hashmap__trim(struct hashmap *map, size_t keep,
		     uint64_t (*age)(const void *value),
		     void (*drop)(void *value, void *ctx), void *ctx);

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
