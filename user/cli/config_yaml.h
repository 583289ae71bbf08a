/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside config.c: walking the YAML document. config.c describes the
 * schema (a table of keys for each mapping, a function for each value);
 * config_yaml.c reads the file, walks mappings and lists by those tables
 * and turns scalars into values, every error naming PATH:LINE.
 */
#ifndef FW_CONFIG_YAML_H
#define FW_CONFIG_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>
#include "cli/config.h"

/* Bounds on what a config file may cost to read. A config nests five
 * levels at most and is a few KiB: these leave room and no more. */
#define FW_CONFIG_MAX_BYTES (1024 * 1024)
#define FW_CONFIG_MAX_DEPTH 32
/* values walked, aliases counted each time they are used: an alias to a
 * list of aliases to lists... must not multiply the work */
#define FW_CONFIG_MAX_VALUES 100000

struct cfg {
	const char *path;
	yaml_document_t doc;
	struct fw_config *cfg;
	char *err;
	size_t err_size;
	size_t n_values; /* walked so far, against FW_CONFIG_MAX_VALUES */
};

typedef int (*key_fn)(struct cfg *c, yaml_node_t *value, void *arg);

typedef int (*item_fn)(struct cfg *c, yaml_node_t *item, void *arg);

/* A key's value is handled by fn; or it is a list whose items item
 * handles (with single, a lone value is a list of one: country: CN); or
 * a mapping with the keys sub */
struct key {
	const char *name;
	key_fn fn;
	item_fn item;
	bool single;
	const struct key *sub;
	size_t n_sub;
	const char *where; /* of sub: " in watch" */
};

/* "PATH:LINE: " and the message into c->err; returns -1 */
int cfg_fail_at(struct cfg *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
yaml_node_t *cfg_node(struct cfg *c, int index);
/* An empty value ("key:" with nothing after it) or an explicit null */
bool cfg_is_null(const yaml_node_t *n);
/* "a list", "a mapping", "nothing" or "a value", for errors */
const char *cfg_kind_name(const yaml_node_t *n);
/* The text of a scalar that is a what ("a string", "a number"...) */
const char *cfg_scalar(struct cfg *c, const yaml_node_t *n, const char *what);
int cfg_bool(struct cfg *c, const yaml_node_t *n, bool *out);
/* A decimal number from 0 to max; what names it in the error */
int cfg_uint(struct cfg *c, const yaml_node_t *n, unsigned long max,
	     const char *what, unsigned long *out);
/* The keys of mapping n, each handled by its entry of keys; an unknown or
 * repeated key is an error. where: "" at the top level, else " in NAME". */
int cfg_walk_map(struct cfg *c, yaml_node_t *n, const struct key *keys,
		 size_t n_keys, const char *where, void *arg);
/* Each item of list n; with single, a lone value counts as a list of one
 * (country: CN is country: [CN]) */
int cfg_walk_list(struct cfg *c, yaml_node_t *n, bool single, item_fn fn,
		  void *arg);
/* Read c->path, refused when others could have written it or when it is
 * bigger or nests deeper than the limits above, and walk its one
 * document's top mapping with the keys top. A missing file is an
 * error only when required. 0 or -1 (c->err says why). */
int cfg_read_file(struct cfg *c, bool required, const struct key *top,
		  size_t n_top);
/* The same for a file's text already in memory (len bytes, the limits
 * apply too) */
int cfg_parse_text(struct cfg *c, const unsigned char *text, size_t len,
		   const struct key *top, size_t n_top);

#endif /* FW_CONFIG_YAML_H */
