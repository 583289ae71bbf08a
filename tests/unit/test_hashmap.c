// SPDX-License-Identifier: GPL-2.0
/* The collector's hash map: binary keys, pointer values */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include "flightwatch.h"
#include "lib/hashmap.h"

#define V(n) ((void *)(uintptr_t)(n))
#define N(v) ((uintptr_t)(v))

static void test_empty(void **state)
{
	struct hashmap *map = hashmap__new(sizeof(uint32_t));
	struct hashmap_cursor cur = { 0 };
	uint32_t key = 1;

	(void)state;
	assert_int_equal(hashmap__count(map), 0);
	assert_null(hashmap__get(map, &key));
	assert_null(hashmap__remove(map, &key));
	assert_false(hashmap__next(map, &cur, NULL, NULL));
	hashmap__free(map);
	hashmap__free(NULL);
}

static void test_put_get_replace_remove(void **state)
{
	struct hashmap *map = hashmap__new(sizeof(uint32_t));
	uint32_t a = 100, b = 200, c = 0;

	(void)state;
	assert_null(hashmap__put(map, &a, V(1)));
	assert_null(hashmap__put(map, &b, V(2)));
	assert_int_equal(hashmap__count(map), 2);
	assert_ptr_equal(hashmap__get(map, &a), V(1));
	assert_ptr_equal(hashmap__get(map, &b), V(2));
	assert_null(hashmap__get(map, &c));

	/* replacing returns the old value and does not add an entry */
	assert_ptr_equal(hashmap__put(map, &a, V(3)), V(1));
	assert_int_equal(hashmap__count(map), 2);
	assert_ptr_equal(hashmap__get(map, &a), V(3));

	/* the zero key is a key like any other */
	assert_null(hashmap__put(map, &c, V(4)));
	assert_ptr_equal(hashmap__get(map, &c), V(4));
	assert_int_equal(hashmap__count(map), 3);

	assert_ptr_equal(hashmap__remove(map, &a), V(3));
	assert_null(hashmap__get(map, &a));
	assert_null(hashmap__remove(map, &a));
	assert_int_equal(hashmap__count(map), 2);
	assert_ptr_equal(hashmap__get(map, &b), V(2));
	assert_ptr_equal(hashmap__get(map, &c), V(4));

	/* and back again */
	assert_null(hashmap__put(map, &a, V(5)));
	assert_ptr_equal(hashmap__get(map, &a), V(5));
	assert_int_equal(hashmap__count(map), 3);
	hashmap__free(map);
}

static void test_key_is_copied(void **state)
{
	struct hashmap *map = hashmap__new(sizeof(uint64_t));
	uint64_t key = 7, probe = 7;

	(void)state;
	hashmap__put(map, &key, V(1));
	key = 8;
	assert_ptr_equal(hashmap__get(map, &probe), V(1));
	assert_null(hashmap__get(map, &key));
	hashmap__free(map);
}

static void test_struct_keys(void **state)
{
	struct hashmap *map = hashmap__new(sizeof(struct fw_flow_key));
	struct fw_flow_key k1, k2;

	(void)state;
	/* keys compare as whole byte strings: every byte matters */
	memset(&k1, 0, sizeof(k1));
	k1.tgid = 42;
	k1.dest.port = 443;
	k1.dest.family = 2;
	k1.dest.addr[0] = 10;
	k2 = k1;
	k2.dest.addr[15] = 1;
	hashmap__put(map, &k1, V(1));
	hashmap__put(map, &k2, V(2));
	assert_int_equal(hashmap__count(map), 2);
	assert_ptr_equal(hashmap__get(map, &k1), V(1));
	assert_ptr_equal(hashmap__get(map, &k2), V(2));
	k2.dest.addr[15] = 0;
	assert_ptr_equal(hashmap__get(map, &k2), V(1));
	k2.pad = 1;
	assert_null(hashmap__get(map, &k2));
	hashmap__free(map);
}

/* n distinct keys, spread like pids and inodes are */
static uint64_t key_of(size_t i)
{
	return (uint64_t)i * 0x10001 + (i & 1 ? 1ull << 40 : 0);
}

static void test_growth(void **state)
{
	enum { N_KEYS = 50000 };
	struct hashmap *map = hashmap__new(sizeof(uint64_t));
	uint64_t key;
	size_t i;

	(void)state;
	for (i = 0; i < N_KEYS; i++) {
		key = key_of(i);
		assert_null(hashmap__put(map, &key, V(i + 1)));
		assert_int_equal(hashmap__count(map), i + 1);
	}
	/* everything still found after many rehashes */
	for (i = 0; i < N_KEYS; i++) {
		key = key_of(i);
		if (N(hashmap__get(map, &key)) != i + 1)
			fail_msg("key %zu lost after growth", i);
	}
	key = key_of(N_KEYS);
	assert_null(hashmap__get(map, &key));

	/* remove the odd ones */
	for (i = 1; i < N_KEYS; i += 2) {
		key = key_of(i);
		assert_ptr_equal(hashmap__remove(map, &key), V(i + 1));
	}
	assert_int_equal(hashmap__count(map), N_KEYS / 2);
	for (i = 0; i < N_KEYS; i++) {
		key = key_of(i);
		if (i & 1)
			assert_null(hashmap__get(map, &key));
		else
			assert_ptr_equal(hashmap__get(map, &key), V(i + 1));
	}
	hashmap__free(map);
}

/* Iterate, checking each value is seen once; returns the count */
static size_t iterate(const struct hashmap *map, unsigned char *seen,
		      size_t n_values)
{
	struct hashmap_cursor cur = { 0 };
	const void *key;
	void *value;
	size_t count = 0;

	memset(seen, 0, n_values);
	while (hashmap__next(map, &cur, &key, &value)) {
		uintptr_t v = N(value);
		uint64_t k;

		assert_true(v >= 1 && v <= n_values);
		if (seen[v - 1])
			fail_msg("value %zu visited twice", (size_t)v);
		seen[v - 1] = 1;
		/* the key handed out is the one stored with the value */
		memcpy(&k, key, sizeof(k));
		assert_int_equal(k, key_of(v - 1));
		count++;
	}
	/* the cursor stays at the end */
	assert_false(hashmap__next(map, &cur, NULL, NULL));
	return count;
}

static void test_iteration_once_each(void **state)
{
	enum { N_KEYS = 5000 };
	struct hashmap *map = hashmap__new(sizeof(uint64_t));
	unsigned char *seen = malloc(N_KEYS);
	uint64_t key;
	size_t i;

	(void)state;
	assert_non_null(seen);
	for (i = 0; i < N_KEYS; i++) {
		key = key_of(i);
		hashmap__put(map, &key, V(i + 1));
	}
	assert_int_equal(iterate(map, seen, N_KEYS), N_KEYS);
	for (i = 0; i < N_KEYS; i++)
		assert_int_equal(seen[i], 1);

	/* after removals, only what is left */
	for (i = 0; i < N_KEYS; i += 3) {
		key = key_of(i);
		hashmap__remove(map, &key);
	}
	assert_int_equal(iterate(map, seen, N_KEYS), hashmap__count(map));
	for (i = 0; i < N_KEYS; i++)
		assert_int_equal(seen[i], i % 3 != 0);

	/* remove everything: iteration yields nothing */
	for (i = 0; i < N_KEYS; i++) {
		key = key_of(i);
		hashmap__remove(map, &key);
	}
	assert_int_equal(hashmap__count(map), 0);
	assert_int_equal(iterate(map, seen, N_KEYS), 0);
	free(seen);
	hashmap__free(map);
}

static void test_iteration_with_collisions(void **state)
{
	struct hashmap *map = hashmap__new(sizeof(uint64_t));
	struct hashmap_cursor cur = { 0 };
	unsigned char seen[200] = { 0 };
	uint64_t key;
	void *value;
	size_t i, count = 0;

	(void)state;
	/* more keys than the initial 64 buckets, fewer than trigger many
	 * rehashes: chains of several entries */
	for (i = 0; i < 64; i++) {
		key = key_of(i);
		hashmap__put(map, &key, V(i + 1));
	}
	while (hashmap__next(map, &cur, NULL, &value)) {
		assert_false(seen[N(value) - 1]);
		seen[N(value) - 1] = 1;
		count++;
	}
	assert_int_equal(count, 64);
	/* the 65th entry makes it grow */
	key = key_of(64);
	hashmap__put(map, &key, V(65));
	memset(&cur, 0, sizeof(cur));
	memset(seen, 0, sizeof(seen));
	count = 0;
	while (hashmap__next(map, &cur, NULL, &value)) {
		assert_false(seen[N(value) - 1]);
		seen[N(value) - 1] = 1;
		count++;
	}
	assert_int_equal(count, 65);
	hashmap__free(map);
}

static void test_values_may_repeat(void **state)
{
	struct hashmap *map = hashmap__new(1);
	struct hashmap_cursor cur = { 0 };
	unsigned char k;
	const void *key;
	void *value;
	unsigned char keys[256] = { 0 };
	unsigned seen = 0;

	(void)state;
	/* one-byte keys: all 256 of them */
	for (k = 0;; k++) {
		hashmap__put(map, &k, V(7));
		if (k == 255)
			break;
	}
	assert_int_equal(hashmap__count(map), 256);
	while (hashmap__next(map, &cur, &key, &value)) {
		assert_ptr_equal(value, V(7));
		assert_false(keys[*(const unsigned char *)key]);
		keys[*(const unsigned char *)key] = 1;
		seen++;
	}
	assert_int_equal(seen, 256);
	hashmap__free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_put_get_replace_remove),
		cmocka_unit_test(test_key_is_copied),
		cmocka_unit_test(test_struct_keys),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_iteration_once_each),
		cmocka_unit_test(test_iteration_with_collisions),
		cmocka_unit_test(test_values_may_repeat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
