// SPDX-License-Identifier: GPL-2.0
/* UTF-8 sanitising and the json-c helpers */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include "lib/json.h"

#define FFFD "\xEF\xBF\xBD"

static void expect_clean(const char *in, size_t len, const char *want)
{
	char *out = json_utf8_sanitize(in, len);

	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

#define CLEAN(in, want) expect_clean(in, sizeof(in) - 1, want)

static void test_valid_kept(void **state)
{
	(void)state;
	CLEAN("", "");
	CLEAN("plain ascii /home/a/x.ulg", "plain ascii /home/a/x.ulg");
	/* 2, 3 and 4 bytes, and the boundaries of each */
	CLEAN("caf\xC3\xA9", "caf\xC3\xA9");
	CLEAN("\xC2\x80", "\xC2\x80"); /* U+0080 */
	CLEAN("\xDF\xBF", "\xDF\xBF"); /* U+07FF */
	CLEAN("\xE0\xA0\x80", "\xE0\xA0\x80"); /* U+0800 */
	CLEAN("\xE2\x82\xAC", "\xE2\x82\xAC"); /* EURO SIGN */
	CLEAN("\xED\x9F\xBF", "\xED\x9F\xBF"); /* U+D7FF */
	CLEAN("\xEE\x80\x80", "\xEE\x80\x80"); /* U+E000 */
	CLEAN("\xEF\xBF\xBF", "\xEF\xBF\xBF"); /* U+FFFF */
	CLEAN("\xF0\x90\x80\x80", "\xF0\x90\x80\x80"); /* U+10000 */
	CLEAN("\xF0\x9D\x84\x9E", "\xF0\x9D\x84\x9E"); /* G CLEF */
	CLEAN("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"); /* U+10FFFF */
	CLEAN("\xE6\x97\xA5\xE6\x9C\xAC.tlog", "\xE6\x97\xA5\xE6\x9C\xAC.tlog");
	/* control characters are valid UTF-8: json-c escapes them */
	CLEAN("a\nb\tc\x01\x7F", "a\nb\tc\x01\x7F");
}

static void test_invalid_replaced(void **state)
{
	(void)state;
	CLEAN("\xFF", FFFD);
	/* octal where a hex escape would swallow the next letter */
	CLEAN("a\377b", "a" FFFD "b");
	CLEAN("\xFE\xFF", FFFD FFFD);
	/* a lone continuation byte */
	CLEAN("\x80", FFFD);
	CLEAN("\277x", FFFD "x");
	/* overlong encodings */
	CLEAN("\xC0\x80", FFFD FFFD);
	CLEAN("\xC1\xBF", FFFD FFFD);
	CLEAN("\xE0\x80\x80", FFFD FFFD FFFD);
	CLEAN("\xE0\x9F\xBF", FFFD FFFD FFFD);
	CLEAN("\xF0\x80\x80\x80", FFFD FFFD FFFD FFFD);
	CLEAN("\xF0\x8F\xBF\xBF", FFFD FFFD FFFD FFFD);
	/* UTF-16 surrogates */
	CLEAN("\xED\xA0\x80", FFFD FFFD FFFD);
	CLEAN("\xED\xBF\xBF", FFFD FFFD FFFD);
	/* above U+10FFFF, and bytes that never start a sequence */
	CLEAN("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	CLEAN("\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD);
	CLEAN("\xF8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD);
	/* a bad continuation: the lead byte goes, the next byte is kept */
	CLEAN("\xE2\x28\xA1", FFFD "(" FFFD);
	CLEAN("\xC3(", FFFD "(");
	CLEAN("\360\235\204x", FFFD FFFD FFFD "x");
}

static void test_truncated_at_end(void **state)
{
	(void)state;
	CLEAN("ab\xC3", "ab" FFFD);
	CLEAN("ab\xE2\x82", "ab" FFFD FFFD);
	CLEAN("ab\xF0\x9D\x84", "ab" FFFD FFFD FFFD);
}

static void test_len_bounds_input(void **state)
{
	const char buf[] = "\xE2\x82\xAC\xE2\x82\xAC";
	char *out;

	(void)state;
	/* len cuts a valid sequence: only len bytes are looked at */
	out = json_utf8_sanitize(buf, 4);
	assert_string_equal(out, "\xE2\x82\xAC" FFFD);
	free(out);
	out = json_utf8_sanitize(buf, 0);
	assert_string_equal(out, "");
	free(out);
}

static void test_worst_case_growth(void **state)
{
	enum { N = 4096 };
	char *in = malloc(N), *out;
	size_t i;

	(void)state;
	assert_non_null(in);
	memset(in, 0xFF, N);
	out = json_utf8_sanitize(in, N);
	assert_int_equal(strlen(out), 3 * N);
	for (i = 0; i < N; i++)
		assert_memory_equal(out + 3 * i, FFFD, 3);
	free(out);
	free(in);
}

static void test_line_round_trip(void **state)
{
	const char raw[] =
		"/home/a/\n\"quoted\"\\back\x01\x1f\x7f\xFF/\xC3\xA9.ulg";
	const char want[] = "/home/a/\n\"quoted\"\\back\x01\x1f\x7f" FFFD
			    "/\xC3\xA9.ulg";
	struct json_object *root = json_object_new_object(), *back, *v;
	const char *line;

	(void)state;
	json_set_strn(root, "file.path", raw, sizeof(raw) - 1);
	line = json_line(root);
	assert_non_null(line);
	/* one line, slashes left alone, every control byte escaped */
	assert_null(strchr(line, '\n'));
	assert_null(strstr(line, "\\/"));
	for (const char *p = line; *p; p++)
		assert_true((unsigned char)*p >= 0x20);
	assert_non_null(strstr(line, "\\n"));
	assert_non_null(strstr(line, "\\\""));
	assert_non_null(strstr(line, "\\\\"));
	assert_non_null(strstr(line, "\\u0001"));
	assert_non_null(strstr(line, "\\u001f"));

	back = json_tokener_parse(line);
	assert_non_null(back);
	assert_true(json_object_object_get_ex(back, "file", &v));
	assert_true(json_object_object_get_ex(v, "path", &v));
	assert_int_equal(json_object_get_type(v), json_type_string);
	assert_int_equal(json_object_get_string_len(v), sizeof(want) - 1);
	assert_memory_equal(json_object_get_string(v), want, sizeof(want) - 1);
	json_object_put(back);
	json_object_put(root);
}

static void test_set_str_sanitises(void **state)
{
	struct json_object *root = json_object_new_object(), *v;

	(void)state;
	json_set_str(root, "a", "x\xC0\x80y");
	json_set_str(root, "b", NULL);
	assert_true(json_object_object_get_ex(root, "a", &v));
	assert_string_equal(json_object_get_string(v), "x" FFFD FFFD "y");
	assert_true(json_object_object_get_ex(root, "b", &v));
	assert_int_equal(json_object_get_type(v), json_type_string);
	assert_string_equal(json_object_get_string(v), "");
	json_object_put(root);
}

static struct json_object *get(struct json_object *root, const char *a,
			       const char *b, const char *c)
{
	struct json_object *v = root;

	if (a && !json_object_object_get_ex(v, a, &v))
		return NULL;
	if (b && !json_object_object_get_ex(v, b, &v))
		return NULL;
	if (c && !json_object_object_get_ex(v, c, &v))
		return NULL;
	return v;
}

static void test_dotted_paths(void **state)
{
	struct json_object *root = json_object_new_object(), *v, *back;

	(void)state;
	json_set_u64(root, "process.pid", 42);
	json_set_str(root, "process.name", "curl");
	json_set_u64(root, "process.parent.pid", 1);
	json_set_str(root, "event.kind", "alert");
	json_set_u64(root, "big", UINT64_MAX);
	json_set_obj(root, "flightwatch.origins", json_object_new_array());

	/* the intermediate objects are created once and shared */
	v = get(root, "process", NULL, NULL);
	assert_non_null(v);
	assert_int_equal(json_object_get_type(v), json_type_object);
	assert_int_equal(json_object_object_length(v), 3);
	assert_int_equal(
		json_object_get_int64(get(root, "process", "pid", NULL)), 42);
	assert_string_equal(
		json_object_get_string(get(root, "process", "name", NULL)),
		"curl");
	assert_int_equal(
		json_object_get_int64(get(root, "process", "parent", "pid")),
		1);
	assert_int_equal(
		json_object_get_type(get(root, "flightwatch", "origins", NULL)),
		json_type_array);
	assert_int_equal(json_object_object_length(root), 4);

	/* values survive the trip through text, 64 bits included */
	back = json_tokener_parse(json_line(root));
	assert_non_null(back);
	assert_int_equal(json_object_get_uint64(get(back, "big", NULL, NULL)),
			 UINT64_MAX);
	assert_string_equal(
		json_object_get_string(get(back, "event", "kind", NULL)),
		"alert");
	json_object_put(back);
	json_object_put(root);
}

static void test_set_replaces(void **state)
{
	struct json_object *root = json_object_new_object();

	(void)state;
	json_set_str(root, "a.b", "one");
	json_set_str(root, "a.b", "two");
	assert_int_equal(json_object_object_length(get(root, "a", NULL, NULL)),
			 1);
	assert_string_equal(json_object_get_string(get(root, "a", "b", NULL)),
			    "two");
	json_object_put(root);
}

static void test_at_keys_not_split(void **state)
{
	struct json_object *root = json_object_new_object(), *v;

	(void)state;
	json_set_str(root, "@timestamp", "2026-01-01T00:00:00.000000Z");
	assert_true(json_object_object_get_ex(root, "@timestamp", &v));
	assert_string_equal(json_object_get_string(v),
			    "2026-01-01T00:00:00.000000Z");
	/* keys starting with '@' are taken whole, dots and all */
	json_set_u64(root, "@a.b", 7);
	assert_true(json_object_object_get_ex(root, "@a.b", &v));
	assert_int_equal(json_object_get_int64(v), 7);
	assert_false(json_object_object_get_ex(root, "@a", &v));
	json_object_put(root);
}

static void test_json_path(void **state)
{
	struct json_object *root = json_object_new_object(), *a, *b;

	(void)state;
	a = json_path(root, "x.y.z");
	assert_non_null(a);
	assert_int_equal(json_object_get_type(a), json_type_object);
	b = json_path(root, "x.y.z");
	assert_ptr_equal(a, b);
	assert_ptr_equal(get(root, "x", "y", "z"), a);
	/* the empty path is the root itself */
	assert_ptr_equal(json_path(root, ""), root);
	json_object_put(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_kept),
		cmocka_unit_test(test_invalid_replaced),
		cmocka_unit_test(test_truncated_at_end),
		cmocka_unit_test(test_len_bounds_input),
		cmocka_unit_test(test_worst_case_growth),
		cmocka_unit_test(test_line_round_trip),
		cmocka_unit_test(test_set_str_sanitises),
		cmocka_unit_test(test_dotted_paths),
		cmocka_unit_test(test_set_replaces),
		cmocka_unit_test(test_at_keys_not_split),
		cmocka_unit_test(test_json_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
