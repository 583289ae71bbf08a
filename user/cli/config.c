// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "cli/config.h"
#include "lib/util.h"

/* Maps whose size may be set, and the sane range of each. events is the
 * ring buffer: bytes, a power of two (the kernel requires it). The loader
 * finds them by name, so a name here that the BPF object lacks fails
 * loudly at start. */
static const struct {
	const char *name;
	uint32_t min, max;
	bool pow2;
} map_limits[] = {
	{ "events", 1u << 16, 1u << 30, true },
	{ "tainted", 64, 1u << 22, false },
	{ "reads", 64, 1u << 22, false },
	{ "flows", 64, 1u << 22, false },
	{ "carries", 64, 1u << 22, false },
	{ "relays", 64, 1u << 22, false },
	{ "embryos", 64, 1u << 22, false },
	{ "watched_dirs", 16, 1u << 22, false },
	{ "watched_files", 64, 1u << 22, false },
	{ "watched_inodes", 64, 1u << 22, false },
	{ "uring_reqs", 64, 1u << 22, false },
};

const char *config__map_name(size_t i)
{
	return i < FW_ARRAY_SIZE(map_limits) ? map_limits[i].name : NULL;
}

struct cfg {
	const char *path;
	yaml_document_t doc;
	struct fw_config *cfg;
	char *err;
	size_t err_size;
};

static int fail_at(struct cfg *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct cfg *c, const yaml_node_t *n, const char *fmt, ...)
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

static yaml_node_t *node_at(struct cfg *c, int index)
{
	return yaml_document_get_node(&c->doc, index);
}

/* An empty value ("key:" with nothing after it) or an explicit null */
static bool is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || !strcmp(v, "~") || !strcasecmp(v, "null");
}

static const char *kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return is_null(n) ? "nothing" : "a value";
	}
}

/* The text of a scalar that is a what ("a string", "a number"...) */
static const char *scalar(struct cfg *c, const yaml_node_t *n, const char *what)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE || is_null(n)) {
		fail_at(c, n, "expected %s, got %s", what, kind_name(n));
		return NULL;
	}
	if (strlen(v) != n->data.scalar.length) {
		fail_at(c, n, "a NUL byte in a value");
		return NULL;
	}
	return v;
}

static int get_bool(struct cfg *c, const yaml_node_t *n, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	const char *v = scalar(c, n, "true or false");
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
	return fail_at(c, n, "expected true or false, got '%s'", v);
}

/* A decimal number from 0 to max; what names it in the error */
static int get_uint(struct cfg *c, const yaml_node_t *n, unsigned long max,
		    const char *what, unsigned long *out)
{
	const char *v = scalar(c, n, what);
	unsigned long x;
	char *end;

	if (!v)
		return -1;
	errno = 0;
	x = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end || errno || x > max)
		return fail_at(c, n, "expected %s, got '%s'", what, v);
	*out = x;
	return 0;
}

/* ---- mappings and lists ------------------------------------------------ */

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

static int walk_list(struct cfg *c, yaml_node_t *n, bool single, item_fn fn,
		     void *arg);

static int walk_map(struct cfg *c, yaml_node_t *n, const struct key *keys,
		    size_t n_keys, const char *where, void *arg);

static int dispatch(struct cfg *c, const struct key *k, yaml_node_t *v,
		    void *arg)
{
	if (k->fn)
		return k->fn(c, v, arg);
	if (k->item)
		return walk_list(c, v, k->single, k->item, arg);
	return walk_map(c, v, k->sub, k->n_sub, k->where, arg);
}

/* The keys of mapping n, each handled by its entry of keys; an unknown or
 * repeated key is an error. where: "" at the top level, else " in NAME". */
static int walk_map(struct cfg *c, yaml_node_t *n, const struct key *keys,
		    size_t n_keys, const char *where, void *arg)
{
	uint32_t seen = 0;
	yaml_node_pair_t *pair;

	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return fail_at(c, n,
			       "expected a mapping (key: value)%s, got %s",
			       where, kind_name(n));
	for (pair = n->data.mapping.pairs.start;
	     pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node_at(c, pair->key);
		const char *name = k ? scalar(c, k, "a key name") : NULL;
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
			return fail_at(c, k, "unknown key '%s'%s (known: %s)",
				       name, where, known);
		}
		if (seen & (1u << i))
			return fail_at(c, k, "duplicate key '%s'%s", name,
				       where);
		seen |= 1u << i;
		if (dispatch(c, &keys[i], node_at(c, pair->value), arg))
			return -1;
	}
	return 0;
}

/* Each item of list n; with single, a lone value counts as a list of one
 * (country: CN is country: [CN]) */
static int walk_list(struct cfg *c, yaml_node_t *n, bool single, item_fn fn,
		     void *arg)
{
	yaml_node_item_t *it;

	if (is_null(n))
		return 0;
	if (single && n->type == YAML_SCALAR_NODE)
		return fn(c, n, arg);
	if (n->type == YAML_SCALAR_NODE)
		return fail_at(c, n, "expected a list, got '%s'",
			       (const char *)n->data.scalar.value);
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(c, n, "expected a list, got %s", kind_name(n));
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++)
		if (fn(c, node_at(c, *it), arg))
			return -1;
	return 0;
}

/* ---- watch: ------------------------------------------------------------ */

static int watch_builtin(struct cfg *c, yaml_node_t *v, void *arg)
{
	bool b;

	(void)arg;
	if (get_bool(c, v, &b))
		return -1;
	c->cfg->builtin = b;
	return 0;
}

static int watch_dir(struct cfg *c, yaml_node_t *v, void *arg)
{
	const char *s = scalar(c, v, "a directory");
	char err[512];

	(void)arg;
	if (!s)
		return -1;
	/* not required to exist: like the built-in ones, a directory is
	 * watched once it is created */
	if (rules__add_dir(&c->cfg->rules, s, false, err, sizeof(err)))
		return fail_at(c, v, "%s", err);
	return 0;
}

static int watch_pattern(struct cfg *c, yaml_node_t *v, void *arg)
{
	const char *s = scalar(c, v, "a pattern");
	char err[512];

	(void)arg;
	if (!s)
		return -1;
	if (rules__add_pattern(&c->cfg->rules, s, err, sizeof(err)))
		return fail_at(c, v, "%s", err);
	return 0;
}

static const struct key watch_keys[] = {
	{ "builtin", .fn = watch_builtin },
	{ "directories", .item = watch_dir },
	{ "patterns", .item = watch_pattern },
};

/* ---- destinations: CIDR[:PORT] or {domain, ports} ---------------------- */

static int parse_cidr(struct cfg *c, yaml_node_t *v, struct fw_allow_rule *r)
{
	const char *s = scalar(c, v, "CIDR[:PORT]");
	char err[256];

	if (!s)
		return -1;
	if (policy__parse_allow(s, r, err, sizeof(err)))
		return fail_at(
			c, v,
			"bad CIDR '%s': expected CIDR[:PORT], e.g. 10.0.0.0/8, 192.0.2.7:443 or [fd00::/8]:443",
			s);
	return 0;
}

static int dest_domain(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_dest_match *m = arg;
	const char *s = scalar(c, v, "a domain");
	char err[512];

	if (!s)
		return -1;
	if (policy__check_domain(s, err, sizeof(err)))
		return fail_at(c, v, "%s", err);
	m->domain = fw_xstrdup(s);
	return 0;
}

static int dest_port(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_dest_match *m = arg;
	unsigned long port;
	uint16_t *grown;

	if (get_uint(c, v, 65535, "a port number from 1 to 65535", &port))
		return -1;
	if (!port)
		return fail_at(c, v,
			       "expected a port number from 1 to 65535, got 0");
	grown = realloc(m->ports, (m->n_ports + 1) * sizeof(*grown));
	if (!grown)
		return fail_at(c, v, "out of memory");
	m->ports = grown;
	m->ports[m->n_ports++] = port;
	return 0;
}

static const struct key dest_keys[] = {
	{ "domain", .fn = dest_domain },
	{ "ports", .item = dest_port, .single = true },
};

/* One destination into *m (freed by the caller on failure) */
static int parse_dest(struct cfg *c, yaml_node_t *v, struct fw_dest_match *m)
{
	memset(m, 0, sizeof(*m));
	if (v->type == YAML_SCALAR_NODE && !is_null(v))
		return parse_cidr(c, v, &m->net);
	if (v->type != YAML_MAPPING_NODE)
		return fail_at(
			c, v,
			"expected a destination (CIDR[:PORT], or domain: NAME with optional ports:), got %s",
			kind_name(v));
	if (walk_map(c, v, dest_keys, FW_ARRAY_SIZE(dest_keys),
		     " in a destination", m))
		return -1;
	if (!m->domain)
		return fail_at(
			c, v,
			"a destination mapping needs 'domain' (write an address as CIDR[:PORT])");
	return 0;
}

static int allow_dest(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_dest_match m;

	(void)arg;
	if (parse_dest(c, v, &m)) {
		policy__dest_match_free(&m);
		return -1;
	}
	policy__add_dest_match(&c->cfg->policy, &m);
	return 0;
}

/* ---- allow.processes ---------------------------------------------------- */

static int get_path(struct cfg *c, yaml_node_t *v, char **out)
{
	const char *s = scalar(c, v, "an absolute path");

	if (!s)
		return -1;
	if (s[0] != '/')
		return fail_at(c, v, "expected an absolute path, got '%s'", s);
	*out = fw_xstrdup(s);
	return 0;
}

static int proc_exe(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_proc_allow *p = arg;

	return get_path(c, v, &p->exe);
}

static int proc_dest(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_proc_allow *p = arg;
	struct fw_dest_match m, *grown;

	if (parse_dest(c, v, &m)) {
		policy__dest_match_free(&m);
		return -1;
	}
	grown = realloc(p->dests, (p->n_dests + 1) * sizeof(*grown));
	if (!grown) {
		policy__dest_match_free(&m);
		return fail_at(c, v, "out of memory");
	}
	p->dests = grown;
	p->dests[p->n_dests++] = m;
	return 0;
}

static const struct key proc_keys[] = {
	{ "executable", .fn = proc_exe },
	{ "destinations", .item = proc_dest },
};

static int allow_proc(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_policy tmp = { 0 };
	struct fw_proc_allow p = { 0 };

	(void)arg;
	if (v->type != YAML_MAPPING_NODE)
		return fail_at(
			c, v,
			"expected a process (executable: PATH, optional destinations:), got %s",
			kind_name(v));
	if (walk_map(c, v, proc_keys, FW_ARRAY_SIZE(proc_keys), " in a process",
		     &p))
		goto bad;
	if (!p.exe) {
		fail_at(c, v, "a process entry needs 'executable'");
		goto bad;
	}
	policy__add_process(&c->cfg->policy, &p);
	return 0;
bad:
	/* freed the way the policy frees its own */
	policy__add_process(&tmp, &p);
	policy__free(&tmp);
	return -1;
}

static const struct key allow_keys[] = {
	{ "destinations", .item = allow_dest },
	{ "processes", .item = allow_proc },
};

/* ---- severity.rules ----------------------------------------------------- */

static void push_string(char ***list, size_t *n, const char *s)
{
	char **grown = realloc(*list, (*n + 1) * sizeof(*grown));

	if (!grown) {
		fw_err("out of memory");
		exit(1);
	}
	*list = grown;
	(*list)[(*n)++] = fw_xstrdup(s);
}

static int rule_country_item(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_severity_rule *r = arg;
	const char *s = scalar(c, v, "a country code");
	char code[3];

	if (!s)
		return -1;
	if (strlen(s) != 2 || !isalpha((unsigned char)s[0]) ||
	    !isalpha((unsigned char)s[1]))
		return fail_at(
			c, v,
			"bad country code '%s': expected two letters (ISO 3166-1 alpha-2), e.g. CN",
			s);
	code[0] = toupper((unsigned char)s[0]);
	code[1] = toupper((unsigned char)s[1]);
	code[2] = '\0';
	push_string(&r->countries, &r->n_countries, code);
	return 0;
}

static int rule_domain_item(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_severity_rule *r = arg;
	const char *s = scalar(c, v, "a domain");
	char err[512];

	if (!s)
		return -1;
	if (policy__check_domain(s, err, sizeof(err)))
		return fail_at(c, v, "%s", err);
	push_string(&r->domains, &r->n_domains, s);
	return 0;
}

static int rule_dest_item(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_severity_rule *r = arg;
	struct fw_allow_rule net, *grown;

	if (parse_cidr(c, v, &net))
		return -1;
	grown = realloc(r->dests, (r->n_dests + 1) * sizeof(*grown));
	if (!grown)
		return fail_at(c, v, "out of memory");
	r->dests = grown;
	r->dests[r->n_dests++] = net;
	return 0;
}

static int rule_exe_item(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_severity_rule *r = arg;
	char *path;

	if (get_path(c, v, &path))
		return -1;
	push_string(&r->exes, &r->n_exes, path);
	free(path);
	return 0;
}

static int rule_verified(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_severity_rule *r = arg;
	bool b;

	if (get_bool(c, v, &b))
		return -1;
	r->verified = b;
	return 0;
}

static int rule_severity(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_severity_rule *r = arg;
	const char *s = scalar(c, v, "a severity");

	if (!s)
		return -1;
	r->severity = policy__parse_severity(s);
	if (r->severity < 0)
		return fail_at(
			c, v,
			"bad severity '%s': expected low, medium, high, critical or a number from 0 to 100",
			s);
	return 0;
}

static const struct key rule_keys[] = {
	{ "country", .item = rule_country_item, .single = true },
	{ "domain", .item = rule_domain_item, .single = true },
	{ "destination", .item = rule_dest_item, .single = true },
	{ "executable", .item = rule_exe_item, .single = true },
	{ "verified", .fn = rule_verified },
	{ "severity", .fn = rule_severity },
};

static int severity_rule(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_policy tmp = { 0 };
	struct fw_severity_rule r = { .verified = -1, .severity = -1 };

	(void)arg;
	if (v->type != YAML_MAPPING_NODE)
		return fail_at(
			c, v,
			"expected a rule (match keys and severity:), got %s",
			kind_name(v));
	if (walk_map(c, v, rule_keys, FW_ARRAY_SIZE(rule_keys),
		     " in a severity rule", &r))
		goto bad;
	if (r.severity < 0) {
		fail_at(c, v, "a severity rule needs 'severity'");
		goto bad;
	}
	policy__add_rule(&c->cfg->policy, &r);
	return 0;
bad:
	policy__add_rule(&tmp, &r);
	policy__free(&tmp);
	return -1;
}

static const struct key severity_keys[] = {
	{ "rules", .item = severity_rule },
};

/* ---- scalars and maps: -------------------------------------------------- */

static int top_taint_expiry(struct cfg *c, yaml_node_t *v, void *arg)
{
	unsigned long secs;

	(void)arg;
	if (get_uint(c, v, 100UL * 365 * 24 * 3600,
		     "a number of seconds (0: never)", &secs))
		return -1;
	c->cfg->taint_expiry_s = secs;
	return 0;
}

static int top_output(struct cfg *c, yaml_node_t *v, void *arg)
{
	static const struct {
		const char *name;
		enum fw_sink_kind kind;
	} sinks[] = {
		{ "auto", FW_SINK_AUTO },
		{ "journal", FW_SINK_JOURNAL },
		{ "json", FW_SINK_JSON },
		{ "text", FW_SINK_TEXT },
	};
	const char *s = scalar(c, v, "auto, journal, json or text");

	(void)arg;
	if (!s)
		return -1;
	for (size_t i = 0; i < FW_ARRAY_SIZE(sinks); i++)
		if (!strcmp(s, sinks[i].name)) {
			c->cfg->sink = sinks[i].kind;
			return 0;
		}
	return fail_at(c, v,
		       "bad output '%s': expected auto, journal, json or text",
		       s);
}

static int top_geoip(struct cfg *c, yaml_node_t *v, void *arg)
{
	char *path;

	(void)arg;
	if (get_path(c, v, &path))
		return -1;
	free(c->cfg->geoip_path);
	c->cfg->geoip_path = path;
	return 0;
}

static int map_size(struct cfg *c, yaml_node_t *k, yaml_node_t *v)
{
	struct fw_config *o = c->cfg;
	const char *name = scalar(c, k, "a map name");
	unsigned long n;
	char known[256];
	size_t i, off = 0;

	if (!name)
		return -1;
	for (i = 0; i < FW_ARRAY_SIZE(map_limits); i++)
		if (!strcmp(map_limits[i].name, name))
			break;
	if (i == FW_ARRAY_SIZE(map_limits)) {
		for (size_t j = 0; j < FW_ARRAY_SIZE(map_limits); j++)
			off += snprintf(known + off, sizeof(known) - off,
					"%s%s", j ? ", " : "",
					map_limits[j].name);
		return fail_at(c, k, "unknown map '%s' (known: %s)", name,
			       known);
	}
	for (size_t j = 0; j < o->n_map_sizes; j++)
		if (o->map_sizes[j].name == map_limits[i].name)
			return fail_at(c, k, "duplicate key '%s' in maps",
				       name);
	if (get_uint(c, v, ULONG_MAX, "a number of entries", &n))
		return -1;
	if (n < map_limits[i].min || n > map_limits[i].max ||
	    (map_limits[i].pow2 && (n & (n - 1))))
		return fail_at(c, v,
			       "bad size %lu for map '%s': expected %s%u to %u",
			       n, name,
			       map_limits[i].pow2 ? "a power of two from " : "",
			       map_limits[i].min, map_limits[i].max);
	o->map_sizes[o->n_map_sizes].name = map_limits[i].name;
	o->map_sizes[o->n_map_sizes++].entries = n;
	return 0;
}

static int top_maps(struct cfg *c, yaml_node_t *v, void *arg)
{
	yaml_node_pair_t *pair;

	(void)arg;
	if (is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return fail_at(
			c, v,
			"expected a mapping (map: entries) in maps, got %s",
			kind_name(v));
	_Static_assert(FW_ARRAY_SIZE(map_limits) <= FW_MAP_SIZES_MAX,
		       "room for every map");
	for (pair = v->data.mapping.pairs.start;
	     pair < v->data.mapping.pairs.top; pair++)
		if (map_size(c, node_at(c, pair->key), node_at(c, pair->value)))
			return -1;
	return 0;
}

static const struct key top_keys[] = {
	{ "watch", .sub = watch_keys, .n_sub = FW_ARRAY_SIZE(watch_keys),
	  .where = " in watch" },
	{ "allow", .sub = allow_keys, .n_sub = FW_ARRAY_SIZE(allow_keys),
	  .where = " in allow" },
	{ "severity", .sub = severity_keys,
	  .n_sub = FW_ARRAY_SIZE(severity_keys), .where = " in severity" },
	{ "taint_expiry", .fn = top_taint_expiry },
	{ "output", .fn = top_output },
	{ "geoip", .fn = top_geoip },
	{ "maps", .fn = top_maps },
};

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

static int parse_file(struct cfg *c, FILE *f)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root, *more;
	int ret = -1;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(c->err, c->err_size, "%s: out of memory", c->path);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &c->doc)) {
		snprintf(c->err, c->err_size, "%s:%zu: YAML syntax: %s%s%s",
			 c->path, (size_t)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "error",
			 parser.context ? " " : "",
			 parser.context ? parser.context : "");
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
		fail_at(c, more, "only one YAML document is allowed");
	yaml_document_delete(&extra);
	if (more)
		goto out_doc;
	if (root->type != YAML_MAPPING_NODE && !is_null(root)) {
		fail_at(c, root,
			"expected a mapping of keys such as watch: and allow:, got %s",
			kind_name(root));
		goto out_doc;
	}
	ret = walk_map(c, root, top_keys, FW_ARRAY_SIZE(top_keys), "", NULL);
out_doc:
	yaml_document_delete(&c->doc);
out_parser:
	yaml_parser_delete(&parser);
	return ret;
}

static void config_init(struct fw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->builtin = true;
}

void config__free(struct fw_config *cfg)
{
	rules__free(&cfg->rules);
	policy__free(&cfg->policy);
	free(cfg->geoip_path);
	config_init(cfg);
}

static int read_file(const char *path, bool required, struct cfg *c)
{
	FILE *f;
	int fd, ret;

	/* O_NONBLOCK: a FIFO in its place must not hang the start */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && !required)
			return 0;
		snprintf(c->err, c->err_size, "cannot read config file %s: %s",
			 path, strerror(errno));
		return -1;
	}
	if (check_secure(path, fd, c->err, c->err_size)) {
		close(fd);
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(c->err, c->err_size, "cannot read config file %s: %s",
			 path, strerror(errno));
		close(fd);
		return -1;
	}
	ret = parse_file(c, f);
	fclose(f);
	return ret;
}

int config__load(const char *path, bool required, struct fw_config *cfg,
		 char *err, size_t err_size)
{
	struct cfg c = {
		.path = path,
		.cfg = cfg,
		.err = err,
		.err_size = err_size,
	};

	config_init(cfg);
	if (read_file(path, required, &c)) {
		config__free(cfg);
		return -1;
	}
	return 0;
}

int config__load_policy(const char *path, struct fw_policy *policy, char *err,
			size_t err_size)
{
	struct fw_config cfg;

	if (config__load(path, true, &cfg, err, err_size))
		return -1;
	/* what the command line allowed comes after the file's entries */
	for (size_t i = 0; i < policy->n_allow; i++) {
		struct fw_dest_match m = { .net = policy->allow[i] };

		policy__add_dest_match(&cfg.policy, &m);
	}
	policy__free(policy);
	*policy = cfg.policy;
	memset(&cfg.policy, 0, sizeof(cfg.policy));
	config__free(&cfg);
	return 0;
}
