// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/hashmap.h"
#include "lib/util.h"

struct hashmap_entry {
	struct hashmap_entry *next; /* chain */
	void *value;
	size_t bucket;
	unsigned char key[];
};

struct hashmap {
	struct hashmap_entry **buckets;
	size_t nbuckets; /* power of two */
	size_t count;
	size_t key_size;
};

/* FNV-1a: keys are small and this is not exposed to hash flooding from
 * outside the host (keys come from the kernel) */
static size_t hash_key(const void *key, size_t size)
{
	const unsigned char *p = key;
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < size; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 32);
}

struct hashmap *hashmap__new(size_t key_size)
{
	struct hashmap *map = fw_xcalloc(1, sizeof(*map));

	map->key_size = key_size;
	map->nbuckets = 64;
	map->buckets = fw_xcalloc(map->nbuckets, sizeof(*map->buckets));
	return map;
}

void hashmap__free(struct hashmap *map)
{
	size_t i;

	if (!map)
		return;
	for (i = 0; i < map->nbuckets; i++) {
		struct hashmap_entry *e = map->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(map->buckets);
	free(map);
}

static struct hashmap_entry **find(const struct hashmap *map, const void *key)
{
	size_t b = hash_key(key, map->key_size) & (map->nbuckets - 1);
	struct hashmap_entry **pp = &map->buckets[b];

	for (; *pp; pp = &(*pp)->next)
		if (!memcmp((*pp)->key, key, map->key_size))
			return pp;
	return pp;
}

void *hashmap__get(const struct hashmap *map, const void *key)
{
	struct hashmap_entry *e = *find(map, key);

	return e ? e->value : NULL;
}

static void grow(struct hashmap *map)
{
	size_t n = map->nbuckets * 2, i;
	struct hashmap_entry **nb = fw_xcalloc(n, sizeof(*nb));

	for (i = 0; i < map->nbuckets; i++) {
		struct hashmap_entry *e = map->buckets[i], *next;

		for (; e; e = next) {
			size_t b = hash_key(e->key, map->key_size) & (n - 1);

			next = e->next;
			e->bucket = b;
			e->next = nb[b];
			nb[b] = e;
		}
	}
	free(map->buckets);
	map->buckets = nb;
	map->nbuckets = n;
}

void *hashmap__put(struct hashmap *map, const void *key, void *value)
{
	struct hashmap_entry **pp = find(map, key), *e;
	void *old;

	if (*pp) {
		old = (*pp)->value;
		(*pp)->value = value;
		return old;
	}
	if (map->count >= map->nbuckets) {
		grow(map);
		pp = find(map, key);
	}
	e = fw_xcalloc(1, sizeof(*e) + map->key_size);
	memcpy(e->key, key, map->key_size);
	e->value = value;
	e->bucket = hash_key(key, map->key_size) & (map->nbuckets - 1);
	*pp = e;
	map->count++;
	return NULL;
}

void *hashmap__remove(struct hashmap *map, const void *key)
{
	struct hashmap_entry **pp = find(map, key), *e = *pp;
	void *value;

	if (!e)
		return NULL;
	*pp = e->next;
	value = e->value;
	free(e);
	map->count--;
	return value;
}

size_t hashmap__count(const struct hashmap *map)
{
	return map->count;
}

bool hashmap__next(const struct hashmap *map, struct hashmap_cursor *cur,
		   const void **key, void **value)
{
	struct hashmap_entry *e = cur->entry ? cur->entry->next : NULL;
	size_t b = cur->entry ? cur->bucket + 1 : 0;

	for (; !e && b < map->nbuckets; b++)
		e = map->buckets[b];
	if (!e)
		return false;
	cur->entry = e;
	cur->bucket = e->bucket;
	if (key)
		*key = e->key;
	if (value)
		*value = e->value;
	return true;
}

struct aged_entry {
	uint64_t age;
	struct hashmap_entry *entry;
};

static int by_age(const void *a, const void *b)
{
	const struct aged_entry *x = a, *y = b;

	return x->age < y->age ? -1 : x->age > y->age;
}

size_t hashmap__trim(struct hashmap *map, size_t keep,
		     uint64_t (*age)(const void *value),
		     void (*drop)(void *value, void *ctx), void *ctx)
{
	struct hashmap_cursor cur = { 0 };
	struct aged_entry *all;
	size_t n = 0, removed;
	void *value;

	if (map->count <= keep)
		return 0;
	all = fw_xcalloc(map->count, sizeof(*all));
	while (hashmap__next(map, &cur, NULL, &value)) {
		all[n].entry = cur.entry;
		all[n++].age = age(value);
	}
	qsort(all, n, sizeof(*all), by_age);
	removed = n - keep;
	/* removing frees the entry: take what is needed from it first */
	for (size_t i = 0; i < removed; i++)
		drop(hashmap__remove(map, all[i].entry->key), ctx);
	free(all);
	return removed;
}
