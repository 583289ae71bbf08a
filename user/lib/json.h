/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON building on json-c. Kernel strings (paths, command lines) are raw
 * bytes: they are made valid UTF-8 here before json-c escapes them.
 */
#ifndef FW_JSON_H
#define FW_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

/* Valid UTF-8 copy of len bytes: each byte that is not part of a valid
 * sequence becomes U+FFFD. Caller frees. */
char *json_utf8_sanitize(const char *s, size_t len);

/* The object at a dotted path ("process.parent"), created on the way */
struct json_object *json_path(struct json_object *root, const char *path);

/* Set key under a dotted path: json_set_str(root, "process.name", s) */
void json_set_str(struct json_object *root, const char *path, const char *s);
void json_set_strn(struct json_object *root, const char *path, const char *s,
		   size_t len);
void json_set_u64(struct json_object *root, const char *path, uint64_t v);
void json_set_obj(struct json_object *root, const char *path,
		  struct json_object *v);

/* One compact line, no escaped slashes; returns a string owned by obj */
const char *json_line(struct json_object *obj);

#endif /* FW_JSON_H */
