// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/json.h"
#include "lib/util.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (n > avail)
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

char *json_utf8_sanitize(const char *s, size_t len)
{
	/* worst case: every byte becomes the 3-byte U+FFFD */
	char *out = fw_xcalloc(len * 3 + 1, 1);
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0;

	while (i < len) {
		size_t n = utf8_seq_len(p + i, len - i);

		if (n) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

struct json_object *json_path(struct json_object *root, const char *path)
{
	char buf[128];
	char *save = NULL, *part;
	struct json_object *cur = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part;
	     part = strtok_r(NULL, ".", &save)) {
		struct json_object *next;

		if (!json_object_object_get_ex(cur, part, &next)) {
			next = json_object_new_object();
			json_object_object_add(cur, part, next);
		}
		cur = next;
	}
	return cur;
}

/* Split "a.b.c" into the parent object (a.b) and the last key (c) */
static struct json_object *parent_of(struct json_object *root, const char *path,
				     const char **key)
{
	const char *dot = strrchr(path, '.');
	char parent[128];

	if (!dot || path[0] == '@') {
		*key = path;
		return root;
	}
	*key = dot + 1;
	snprintf(parent, sizeof(parent), "%.*s", (int)(dot - path), path);
	return json_path(root, parent);
}

void json_set_obj(struct json_object *root, const char *path,
		  struct json_object *v)
{
	const char *key;
	struct json_object *parent = parent_of(root, path, &key);

	json_object_object_add(parent, key, v);
}

void json_set_strn(struct json_object *root, const char *path, const char *s,
		   size_t len)
{
	char *clean = json_utf8_sanitize(s, len);

	json_set_obj(root, path, json_object_new_string(clean));
	free(clean);
}

void json_set_str(struct json_object *root, const char *path, const char *s)
{
	json_set_strn(root, path, s ? s : "", s ? strlen(s) : 0);
}

void json_set_u64(struct json_object *root, const char *path, uint64_t v)
{
	json_set_obj(root, path, json_object_new_uint64(v));
}

const char *json_line(struct json_object *obj)
{
	return json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}
