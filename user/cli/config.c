// SPDX-License-Identifier: GPL-2.0
/* The config file's schema: its keys, what each value may be and where it
 * goes in struct fw_config (config_yaml.c walks the file) */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "cli/config.h"
#include "cli/config_yaml.h"
#include "lib/util.h"

/* Maps whose size may be set, and the sane range of each (FW_SIZED_MAPS:
 * the loader's map lookups are generated from the same table, so a name
 * the BPF object lacks does not build) */
#define MAP_LIMIT(name, lru, min, max, pow2) { #name, min, max, pow2 },
static const struct {
	const char *name;
	uint32_t min, max;
	bool pow2;
} map_limits[] = { FW_SIZED_MAPS(MAP_LIMIT) };
#undef MAP_LIMIT

const char *config__map_name(size_t i)
{
	return i < FW_ARRAY_SIZE(map_limits) ? map_limits[i].name : NULL;
}

/* ---- watch: ------------------------------------------------------------ */

static int watch_builtin(struct cfg *c, yaml_node_t *v, void *arg)
{
	bool b;

	(void)arg;
	if (cfg_bool(c, v, &b))
		return -1;
	c->cfg->builtin = b;
	return 0;
}

/* Directories whose files are the system's programs, libraries and
 * settings, or no files at all (proc, sys, dev) */
static const char *const system_dirs[] = {
	"/usr/bin",   "/usr/sbin",    "/usr/lib",	"/usr/lib32",
	"/usr/lib64", "/usr/libexec", "/usr/local/bin", "/usr/local/sbin",
	"/bin",	      "/sbin",	      "/lib",		"/lib32",
	"/lib64",     "/etc",	      "/boot",		"/proc",
	"/sys",	      "/dev",
};

/* Is a the same directory as b or one above it? (both normalised) */
static bool covers(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (!strcmp(a, "/"))
		return true;
	return !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/');
}

/* dir as an absolute path without "//", "/./" or a trailing slash; the
 * real path when it exists, so that a symlink (/bin -> usr/bin) or ".."
 * cannot hide what it is */
static void normalise(const char *dir, char *out, size_t size)
{
	char *real = realpath(dir, NULL);
	const char *p = real ? real : dir;
	size_t o = 0;

	for (; *p && o + 1 < size; p++) {
		if (*p == '/' && o && out[o - 1] == '/')
			continue;
		if (*p == '/' && p[1] == '.' && (p[2] == '/' || !p[2])) {
			p++;
			continue;
		}
		out[o++] = *p;
	}
	while (o > 1 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	free(real);
}

int config__check_watch_dir(const char *dir, char *err, size_t err_size)
{
	char norm[PATH_MAX];

	normalise(dir, norm, sizeof(norm));
	for (size_t i = 0; i < FW_ARRAY_SIZE(system_dirs); i++) {
		const char *sys = system_dirs[i];

		if (!covers(norm, sys) && !covers(sys, norm))
			continue;
		snprintf(
			err, err_size,
			"refusing to watch '%s': %s %s, so every program that runs would read a flight log (watch the directories the flight logs are in)",
			dir,
			!strcmp(norm, sys) ? "it is" :
			covers(norm, sys)  ? "it holds" :
					     "it is inside",
			sys);
		return -1;
	}
	return 0;
}

static int watch_dir(struct cfg *c, yaml_node_t *v, void *arg)
{
	const char *s = cfg_scalar(c, v, "a directory");
	char err[512];

	(void)arg;
	if (!s)
		return -1;
	if (config__check_watch_dir(s, err, sizeof(err)))
		return cfg_fail_at(c, v, "%s", err);
	/* not required to exist: like the built-in ones, a directory is
	 * watched once it is created */
	if (rules__add_dir(&c->cfg->rules, s, false, err, sizeof(err)))
		return cfg_fail_at(c, v, "%s", err);
	return 0;
}

static int watch_pattern(struct cfg *c, yaml_node_t *v, void *arg)
{
	const char *s = cfg_scalar(c, v, "a pattern");
	char err[512];

	(void)arg;
	if (!s)
		return -1;
	if (rules__add_pattern(&c->cfg->rules, s, err, sizeof(err)))
		return cfg_fail_at(c, v, "%s", err);
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
	const char *s = cfg_scalar(c, v, "CIDR[:PORT]");
	char err[256];

	if (!s)
		return -1;
	if (policy__parse_allow(s, r, err, sizeof(err)))
		return cfg_fail_at(
			c, v,
			"bad CIDR '%s': expected CIDR[:PORT], e.g. 10.0.0.0/8, 192.0.2.7:443 or [fd00::/8]:443",
			s);
	return 0;
}

static int dest_domain(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_dest_match *m = arg;
	const char *s = cfg_scalar(c, v, "a domain");
	char err[512];

	if (!s)
		return -1;
	if (policy__check_domain(s, err, sizeof(err)))
		return cfg_fail_at(c, v, "%s", err);
	m->domain = fw_xstrdup(s);
	return 0;
}

static int dest_port(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_dest_match *m = arg;
	unsigned long port;
	uint16_t *grown;

	if (cfg_uint(c, v, 65535, "a port number from 1 to 65535", &port))
		return -1;
	if (!port)
		return cfg_fail_at(
			c, v, "expected a port number from 1 to 65535, got 0");
	grown = realloc(m->ports, (m->n_ports + 1) * sizeof(*grown));
	if (!grown)
		return cfg_fail_at(c, v, "out of memory");
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
	if (v->type == YAML_SCALAR_NODE && !cfg_is_null(v))
		return parse_cidr(c, v, &m->net);
	if (v->type != YAML_MAPPING_NODE)
		return cfg_fail_at(
			c, v,
			"expected a destination (CIDR[:PORT], or domain: NAME with optional ports:), got %s",
			cfg_kind_name(v));
	if (cfg_walk_map(c, v, dest_keys, FW_ARRAY_SIZE(dest_keys),
			 " in a destination", m))
		return -1;
	if (!m->domain)
		return cfg_fail_at(
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
	const char *s = cfg_scalar(c, v, "an absolute path");

	if (!s)
		return -1;
	if (s[0] != '/')
		return cfg_fail_at(c, v, "expected an absolute path, got '%s'",
				   s);
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
		return cfg_fail_at(c, v, "out of memory");
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
		return cfg_fail_at(
			c, v,
			"expected a process (executable: PATH, optional destinations:), got %s",
			cfg_kind_name(v));
	if (cfg_walk_map(c, v, proc_keys, FW_ARRAY_SIZE(proc_keys),
			 " in a process", &p))
		goto bad;
	if (!p.exe) {
		cfg_fail_at(c, v, "a process entry needs 'executable'");
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
	const char *s = cfg_scalar(c, v, "a country code");
	char code[3];

	if (!s)
		return -1;
	if (strlen(s) != 2 || !isalpha((unsigned char)s[0]) ||
	    !isalpha((unsigned char)s[1]))
		return cfg_fail_at(
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
	const char *s = cfg_scalar(c, v, "a domain");
	char err[512];

	if (!s)
		return -1;
	if (policy__check_domain(s, err, sizeof(err)))
		return cfg_fail_at(c, v, "%s", err);
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
		return cfg_fail_at(c, v, "out of memory");
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

	if (cfg_bool(c, v, &b))
		return -1;
	r->verified = b;
	return 0;
}

static int rule_severity(struct cfg *c, yaml_node_t *v, void *arg)
{
	struct fw_severity_rule *r = arg;
	const char *s = cfg_scalar(c, v, "a severity");

	if (!s)
		return -1;
	r->severity = policy__parse_severity(s);
	if (r->severity < 0)
		return cfg_fail_at(
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
		return cfg_fail_at(
			c, v,
			"expected a rule (match keys and severity:), got %s",
			cfg_kind_name(v));
	if (cfg_walk_map(c, v, rule_keys, FW_ARRAY_SIZE(rule_keys),
			 " in a severity rule", &r))
		goto bad;
	if (r.severity < 0) {
		cfg_fail_at(c, v, "a severity rule needs 'severity'");
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
	if (cfg_uint(c, v, 100UL * 365 * 24 * 3600,
		     "a number of seconds (0: never)", &secs))
		return -1;
	c->cfg->taint_expiry_s = secs;
	return 0;
}

int config__parse_hooks(const char *s, enum fw_hooks_tier *tier)
{
	static const char *const names[] = {
		[FW_HOOKS_AUTO] = "auto",
		[FW_HOOKS_TRACEPOINT] = "tracepoint",
		[FW_HOOKS_FAST] = "fast",
	};

	int i = fw_name_index(names, FW_ARRAY_SIZE(names), s);

	if (i < 0)
		return -1;
	*tier = i;
	return 0;
}

static int top_hooks(struct cfg *c, yaml_node_t *v, void *arg)
{
	const char *s = cfg_scalar(c, v, "auto, tracepoint or fast");

	(void)arg;
	if (!s)
		return -1;
	if (!config__parse_hooks(s, &c->cfg->hooks))
		return 0;
	return cfg_fail_at(
		c, v, "bad hooks '%s': expected auto, tracepoint or fast", s);
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
	const char *s = cfg_scalar(c, v, "auto, journal, json or text");

	(void)arg;
	if (!s)
		return -1;
	for (size_t i = 0; i < FW_ARRAY_SIZE(sinks); i++)
		if (!strcmp(s, sinks[i].name)) {
			c->cfg->sink = sinks[i].kind;
			return 0;
		}
	return cfg_fail_at(
		c, v, "bad output '%s': expected auto, journal, json or text",
		s);
}

static int top_mode(struct cfg *c, yaml_node_t *v, void *arg)
{
	const char *s = cfg_scalar(c, v, "enforce, dry-run or detect");
	int mode;

	(void)arg;
	if (!s)
		return -1;
	mode = policy__parse_enforce_mode(s);
	if (mode < 0)
		return cfg_fail_at(
			c, v,
			"bad mode '%s': expected enforce, dry-run or detect",
			s);
	c->cfg->enforce = mode;
	return 0;
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
	const char *name = cfg_scalar(c, k, "a map name");
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
		return cfg_fail_at(c, k, "unknown map '%s' (known: %s)", name,
				   known);
	}
	for (size_t j = 0; j < o->n_map_sizes; j++)
		if (o->map_sizes[j].name == map_limits[i].name)
			return cfg_fail_at(c, k, "duplicate key '%s' in maps",
					   name);
	if (cfg_uint(c, v, ULONG_MAX, "a number of entries", &n))
		return -1;
	if (n < map_limits[i].min || n > map_limits[i].max ||
	    (map_limits[i].pow2 && (n & (n - 1))))
		return cfg_fail_at(
			c, v, "bad size %lu for map '%s': expected %s%u to %u",
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
	if (cfg_is_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return cfg_fail_at(
			c, v,
			"expected a mapping (map: entries) in maps, got %s",
			cfg_kind_name(v));
	_Static_assert(FW_ARRAY_SIZE(map_limits) <= FW_MAP_SIZES_MAX,
		       "room for every map");
	for (pair = v->data.mapping.pairs.start;
	     pair < v->data.mapping.pairs.top; pair++)
		if (map_size(c, cfg_node(c, pair->key),
			     cfg_node(c, pair->value)))
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
	{ "mode", .fn = top_mode },
	{ "hooks", .fn = top_hooks },
};

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
	if (cfg_read_file(&c, required, top_keys, FW_ARRAY_SIZE(top_keys))) {
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
