// SPDX-License-Identifier: GPL-2.0
/* Walking the config file: reading it (when safe) into a YAML document,
 * its scalars, mappings and lists, and errors that name the line */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "cli/config_yaml.h"
#include "lib/util.h"

/* ---- scalars ----------------------------------------------------------- */

int cfg_fail_at(struct cfg *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int o;

	o = snprintf(c->err, c->err_size, "%s:%zu: ", c->path,
		     (size_t)n->start_mark.line + 1);
	if (o < 0 || (size_t)o >= c->err_size)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + o, c->err_size - o, fmt, ap);
	va_end(ap);
	return -1;
}

yaml_node_t *cfg_node(struct cfg *c, int index)
{
	return yaml_document_get_node(&c->doc, index);
}

bool cfg_is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || !strcmp(v, "~") || !strcasecmp(v, "null");
}

const char *cfg_kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return cfg_is_null(n) ? "nothing" : "a value";
	}
}

const char *cfg_scalar(struct cfg *c, const yaml_node_t *n, const char *what)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE || cfg_is_null(n)) {
		cfg_fail_at(c, n, "expected %s, got %s", what,
			    cfg_kind_name(n));
		return NULL;
	}
	if (strlen(v) != n->data.scalar.length) {
		cfg_fail_at(c, n, "a NUL byte in a value");
		return NULL;
	}
	return v;
}

int cfg_bool(struct cfg *c, const yaml_node_t *n, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	const char *v = cfg_scalar(c, n, "true or false");
	size_t i;

	if (!v)
		return -1;
	for (i = 0; i < FW_ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return cfg_fail_at(c, n, "expected true or false, got '%s'", v);
}

int cfg_uint(struct cfg *c, const yaml_node_t *n, unsigned long max,
	     const char *what, unsigned long *out)
{
	const char *v = cfg_scalar(c, n, what);
	unsigned long x;
	char *end;

	if (!v)
		return -1;
	errno = 0;
	x = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end || errno || x > max)
		return cfg_fail_at(c, n, "expected %s, got '%s'", what, v);
	*out = x;
	return 0;
}

/* ---- mappings and lists ------------------------------------------------ */

/* Every value walked counts: aliases make a small file a big tree */
static int count_value(struct cfg *c, const yaml_node_t *n)
{
	if (++c->n_values <= FW_CONFIG_MAX_VALUES)
		return 0;
	return cfg_fail_at(
		c, n,
		"expands to more than the limit of %d values (each use of an alias counts)",
		FW_CONFIG_MAX_VALUES);
}

static int dispatch(struct cfg *c, const struct key *k, yaml_node_t *v,
		    void *arg)
{
	if (count_value(c, v))
		return -1;
	if (k->fn)
		return k->fn(c, v, arg);
	if (k->item)
		return cfg_walk_list(c, v, k->single, k->item, arg);
	return cfg_walk_map(c, v, k->sub, k->n_sub, k->where, arg);
}

int cfg_walk_map(struct cfg *c, yaml_node_t *n, const struct key *keys,
		 size_t n_keys, const char *where, void *arg)
{
	uint32_t seen = 0;
	yaml_node_pair_t *pair;

	if (cfg_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return cfg_fail_at(c, n,
				   "expected a mapping (key: value)%s, got %s",
				   where, cfg_kind_name(n));
	for (pair = n->data.mapping.pairs.start;
	     pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = cfg_node(c, pair->key);
		const char *name = k ? cfg_scalar(c, k, "a key name") : NULL;
		char known[256];
		size_t i, o = 0;

		if (!name)
			return -1;
		for (i = 0; i < n_keys && strcmp(keys[i].name, name); i++)
			;
		if (i == n_keys) {
			for (size_t j = 0; j < n_keys && o < sizeof(known); j++)
				o += snprintf(known + o, sizeof(known) - o,
					      "%s%s", j ? ", " : "",
					      keys[j].name);
			return cfg_fail_at(c, k,
					   "unknown key '%s'%s (known: %s)",
					   name, where, known);
		}
		if (seen & (1u << i))
			return cfg_fail_at(c, k, "duplicate key '%s'%s", name,
					   where);
		seen |= 1u << i;
		if (dispatch(c, &keys[i], cfg_node(c, pair->value), arg))
			return -1;
	}
	return 0;
}

int cfg_walk_list(struct cfg *c, yaml_node_t *n, bool single, item_fn fn,
		  void *arg)
{
	yaml_node_item_t *it;

	if (cfg_is_null(n))
		return 0;
	if (single && n->type == YAML_SCALAR_NODE)
		return fn(c, n, arg);
	if (n->type == YAML_SCALAR_NODE)
		return cfg_fail_at(c, n, "expected a list, got '%s'",
				   (const char *)n->data.scalar.value);
	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_fail_at(c, n, "expected a list, got %s",
				   cfg_kind_name(n));
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++)
		if (count_value(c, cfg_node(c, *it)) ||
		    fn(c, cfg_node(c, *it), arg))
			return -1;
	return 0;
}

/* ---- the file ----------------------------------------------------------- */

/* Could anyone but root (or, when not root, the user) have written st? */
static const char *unsafe(const struct stat *st, bool dir)
{
	uid_t me = geteuid();

	if (st->st_uid != 0 && st->st_uid != me)
		return "owned by another user";
	/* a sticky directory (/tmp) lets no one replace what others own */
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) &&
	    !(dir && (st->st_mode & S_ISVTX)))
		return "writable by group or others";
	return NULL;
}

/* The file (open as fd) and every directory above it */
static int check_secure(const char *path, int fd, char *err, size_t err_size)
{
	char *real, *slash;
	struct stat st;
	const char *why;

	if (fstat(fd, &st)) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_size, "%s: not a regular file", path);
		return -1;
	}
	why = unsafe(&st, false);
	if (why) {
		snprintf(
			err, err_size,
			"%s: refusing a config file %s (uid %u, mode %04o): it must be writable only by %s (chmod go-w, chown)",
			path, why, (unsigned)st.st_uid,
			(unsigned)(st.st_mode & 07777),
			geteuid() ? "root or you" : "root");
		return -1;
	}
	real = realpath(path, NULL);
	if (!real) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((slash = strrchr(real, '/'))) {
		slash[slash == real] = '\0';
		if (stat(real, &st)) {
			snprintf(err, err_size, "%s: %s: %s", path, real,
				 strerror(errno));
			goto bad;
		}
		why = unsafe(&st, true);
		if (why) {
			snprintf(
				err, err_size,
				"%s: refusing a config file in %s, a directory %s (uid %u, mode %04o)",
				path, real, why, (unsigned)st.st_uid,
				(unsigned)(st.st_mode & 07777));
			goto bad;
		}
		if (slash == real)
			break;
	}
	free(real);
	return 0;
bad:
	free(real);
	return -1;
}

static void syntax_error(struct cfg *c, const yaml_parser_t *parser)
{
	snprintf(c->err, c->err_size, "%s:%zu: YAML syntax: %s%s%s", c->path,
		 (size_t)parser->problem_mark.line + 1,
		 parser->problem ? parser->problem : "error",
		 parser->context ? " " : "",
		 parser->context ? parser->context : "");
}

/*
 * The nesting depth, checked on the event stream before libyaml builds the
 * document. libyaml's scanner looks at every open flow level for each
 * token (its simple-key list), so a file of 100,000 '[' takes minutes to
 * load; here it stops at the first level too many, having looked at
 * little more than that many tokens.
 */
static int check_depth(struct cfg *c, const unsigned char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, ret = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(c->err, c->err_size, "%s: out of memory", c->path);
		return -1;
	}
	yaml_parser_set_input_string(&parser, text, len);
	while (!done && !ret) {
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(c, &parser);
			ret = -1;
			break;
		}
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > FW_CONFIG_MAX_DEPTH) {
				snprintf(
					c->err, c->err_size,
					"%s:%zu: nested deeper than the limit of %d levels",
					c->path, (size_t)ev.start_mark.line + 1,
					FW_CONFIG_MAX_DEPTH);
				ret = -1;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return ret;
}

int cfg_parse_text(struct cfg *c, const unsigned char *text, size_t len,
		   const struct key *top, size_t n_top)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root, *more;
	int ret = -1;

	if (len > FW_CONFIG_MAX_BYTES) {
		snprintf(c->err, c->err_size,
			 "%s: bigger than the limit of %d bytes", c->path,
			 FW_CONFIG_MAX_BYTES);
		return -1;
	}
	if (check_depth(c, text, len))
		return -1;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(c->err, c->err_size, "%s: out of memory", c->path);
		return -1;
	}
	yaml_parser_set_input_string(&parser, text, len);
	if (!yaml_parser_load(&parser, &c->doc)) {
		syntax_error(c, &parser);
		goto out_parser;
	}
	root = yaml_document_get_root_node(&c->doc);
	if (!root) {
		ret = 0; /* empty, or only comments */
		goto out_doc;
	}
	if (!yaml_parser_load(&parser, &extra)) {
		snprintf(c->err, c->err_size, "%s:%zu: YAML syntax: %s",
			 c->path, (size_t)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "error");
		goto out_doc;
	}
	more = yaml_document_get_root_node(&extra);
	if (more)
		cfg_fail_at(c, more, "only one YAML document is allowed");
	yaml_document_delete(&extra);
	if (more)
		goto out_doc;
	if (root->type != YAML_MAPPING_NODE && !cfg_is_null(root)) {
		cfg_fail_at(
			c, root,
			"expected a mapping of keys such as watch: and allow:, got %s",
			cfg_kind_name(root));
		goto out_doc;
	}
	c->n_values = 0;
	ret = cfg_walk_map(c, root, top, n_top, "", NULL);
out_doc:
	yaml_document_delete(&c->doc);
out_parser:
	yaml_parser_delete(&parser);
	return ret;
}

/* The whole file, refused past the size limit (checked on what is read:
 * the file may grow after fstat) */
static int read_text(struct cfg *c, int fd, unsigned char **text, size_t *len)
{
	size_t cap = FW_CONFIG_MAX_BYTES + 1, n = 0;
	unsigned char *buf;
	struct stat st;
	ssize_t r;

	if (!fstat(fd, &st) && st.st_size > FW_CONFIG_MAX_BYTES) {
		snprintf(c->err, c->err_size,
			 "%s: bigger than the limit of %d bytes", c->path,
			 FW_CONFIG_MAX_BYTES);
		return -1;
	}
	buf = fw_xcalloc(cap, 1);
	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(c->err, c->err_size,
				 "cannot read config file %s: %s", c->path,
				 strerror(errno));
			free(buf);
			return -1;
		}
		if (!r)
			break;
		n += r;
	}
	*text = buf;
	*len = n;
	return 0;
}

int cfg_read_file(struct cfg *c, bool required, const struct key *top,
		  size_t n_top)
{
	unsigned char *text;
	size_t len;
	int fd, ret;

	/* O_NONBLOCK: a FIFO in its place must not hang the start */
	fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && !required)
			return 0;
		snprintf(c->err, c->err_size, "cannot read config file %s: %s",
			 c->path, strerror(errno));
		return -1;
	}
	if (check_secure(c->path, fd, c->err, c->err_size) ||
	    read_text(c, fd, &text, &len)) {
		close(fd);
		return -1;
	}
	close(fd);
	ret = cfg_parse_text(c, text, len, top, n_top);
	free(text);
	return ret;
}
