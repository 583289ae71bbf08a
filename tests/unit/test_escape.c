// SPDX-License-Identifier: GPL-2.0
/* The one escaping rule of text output (lib/escape.h) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include "lib/escape.h"

static void expect(const char *in, const char *want)
{
	char *out = fw_escape_dup(in);

	assert_string_equal(out, want);
	assert_true(strlen(out) < FW_ESCAPE_SIZE(strlen(in)));
	free(out);
}

static void test_printable_kept(void **state)
{
	(void)state;
	expect("", "");
	expect("/home/pilot/flight 01.ulg", "/home/pilot/flight 01.ulg");
	/* printable UTF-8 of every length stays as it is */
	expect("caf\xc3\xa9", "caf\xc3\xa9");
	expect("\xc2\xa0", "\xc2\xa0"); /* U+00A0, the first after C1 */
	expect("\xe2\x82\xac", "\xe2\x82\xac"); /* euro sign */
	expect("\xe5\x8f\xb0", "\xe5\x8f\xb0"); /* CJK */
	expect("\xf0\x9f\x9a\x81", "\xf0\x9f\x9a\x81"); /* U+1F681 */
	expect("\xed\x9f\xbf", "\xed\x9f\xbf"); /* U+D7FF */
	expect("\xf4\x8f\xbf\xbd", "\xf4\x8f\xbf\xbd"); /* U+10FFFD */
}

static void test_c0_and_del(void **state)
{
	(void)state;
	expect("a\nb", "a\\x0ab");
	expect("\tx\r", "\\x09x\\x0d");
	expect("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m");
	expect("\x1b]0;title\x07", "\\x1b]0;title\\x07");
	expect("\x7f", "\\x7f");
	expect("\x01\x1f", "\\x01\\x1f");
}

static void test_backslash(void **state)
{
	(void)state;
	expect("\\", "\\\\");
	/* a name that spells an escape differs from one holding the byte */
	expect("x\\x0ay", "x\\\\x0ay");
	expect("x\ny", "x\\x0ay");
	expect("\\u202e", "\\\\u202e");
}

static void test_c1(void **state)
{
	(void)state;
	expect("\xc2\x80", "\\u0080");
	expect("\xc2\x9b"
	       "2J",
	       "\\u009b2J"); /* CSI */
	expect("\xc2\x9d"
	       "0;x",
	       "\\u009d0;x"); /* OSC */
	expect("\xc2\x9f", "\\u009f");
}

static void test_invisible_format(void **state)
{
	(void)state;
	expect("evil\xe2\x80\xaegol.exe", "evil\\u202egol.exe"); /* RLO */
	expect("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	       "\\u202a\\u202b\\u202c\\u202d");
	expect("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069"); /* isolates */
	expect("\xe2\x80\x8b", "\\u200b"); /* zero-width space */
	expect("\xe2\x80\x8f", "\\u200f"); /* RLM */
	expect("\xe2\x80\xa8", "\\u2028"); /* line separator */
	expect("\xef\xbb\xbf", "\\ufeff"); /* BOM */
	expect("\xc2\xad", "\\u00ad"); /* soft hyphen */
	expect("\xd8\x9c", "\\u061c"); /* Arabic letter mark */
	expect("\xf3\xa0\x80\x81", "\\U000e0001"); /* a tag character */
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	expect("\xff", "\\xff");
	expect("a\x80z", "a\\x80z"); /* stray continuation */
	expect("\xc3", "\\xc3"); /* cut short at the end */
	expect("\xc3(", "\\xc3("); /* cut short by ASCII */
	expect("\xc0\xaf", "\\xc0\\xaf"); /* overlong '/' */
	expect("\xe0\x80\xaf", "\\xe0\\x80\\xaf"); /* overlong */
	expect("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"); /* overlong */
	expect("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* surrogate */
	expect("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	expect("\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80");
	/* the byte after a bad lead starts over */
	expect("\xe2\x82"
	       "\xe2\x82\xac",
	       "\\xe2\\x82\xe2\x82\xac");
}

static void test_worst_case_size(void **state)
{
	char in[257], out[FW_ESCAPE_SIZE(256)];

	(void)state;
	for (int i = 0; i < 256; i++)
		in[i] = (char)(i ? i : 1);
	in[256] = '\0';
	/* 4x is enough for any input: nothing is cut */
	fw_escape(in, out, sizeof(out));
	assert_memory_equal(out + strlen(out) - 4, "\\xff", 4);
}

static void test_truncation(void **state)
{
	char out[8];

	(void)state;
	/* never half a sequence, always terminated */
	assert_int_equal(fw_escape("abc\ndef", out, sizeof(out)), 7);
	assert_string_equal(out, "abc\\x0a");
	assert_int_equal(fw_escape("abcd\nef", out, sizeof(out)), 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(fw_escape("abcdef\xe2\x82\xac", out, sizeof(out)), 6);
	assert_string_equal(out, "abcdef");
	assert_int_equal(fw_escape("x", out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(fw_escape("x", out, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printable_kept),
		cmocka_unit_test(test_c0_and_del),
		cmocka_unit_test(test_backslash),
		cmocka_unit_test(test_c1),
		cmocka_unit_test(test_invisible_format),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_worst_case_size),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
