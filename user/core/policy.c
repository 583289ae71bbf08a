// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/policy.h"
#include "lib/util.h"

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	/* strtoul would skip spaces and take signs */
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

/* "ADDR[/PREFIX]" into rule; modifies s */
static int parse_cidr(char *s, struct fw_allow_rule *rule)
{
	char *slash = strchr(s, '/');
	unsigned long bits;
	int max;

	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, s, rule->addr) == 1) {
		rule->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, s, rule->addr) == 1) {
		rule->family = AF_INET6;
		max = 128;
	} else {
		return -1;
	}
	rule->prefix = max;
	if (slash) {
		char *end;

		if (!isdigit((unsigned char)slash[1]))
			return -1;
		bits = strtoul(slash + 1, &end, 10);
		if (*end || bits > (unsigned long)max)
			return -1;
		rule->prefix = bits;
	}
	return 0;
}

int policy__parse_allow(const char *spec, struct fw_allow_rule *rule, char *err,
			size_t err_size)
{
	char buf[128];
	char *addr = buf, *port = NULL;

	memset(rule, 0, sizeof(*rule));
	if (strlen(spec) >= sizeof(buf) || !*spec)
		goto bad;
	strcpy(buf, spec);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close)
			goto bad;
		*close = '\0';
		addr = buf + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			goto bad;
	} else {
		char *colon = strchr(buf, ':');

		/* one colon: IPv4 with a port; more: a bare IPv6 address */
		if (colon && !strchr(colon + 1, ':')) {
			*colon = '\0';
			port = colon + 1;
		}
	}
	if (parse_cidr(addr, rule))
		goto bad;
	if (port && parse_port(port, &rule->port))
		goto bad;
	return 0;
bad:
	snprintf(
		err, err_size,
		"invalid --allow '%s': expected CIDR[:PORT], e.g. 10.0.0.0/8:443 or [fd00::/8]:443",
		spec);
	return -1;
}

int policy__add_allow(struct fw_policy *policy, const char *spec, char *err,
		      size_t err_size)
{
	struct fw_allow_rule rule, *grown;

	if (policy__parse_allow(spec, &rule, err, err_size))
		return -1;
	grown = realloc(policy->allow, (policy->n_allow + 1) * sizeof(rule));
	if (!grown) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	policy->allow = grown;
	policy->allow[policy->n_allow++] = rule;
	return 0;
}

void policy__format_allow(const struct fw_allow_rule *rule, char *buf,
			  size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	int af = rule->family == AF_INET6 ? AF_INET6 : AF_INET;

	inet_ntop(af, rule->addr, ip, sizeof(ip));
	if (af == AF_INET6)
		snprintf(buf, size, rule->port ? "[%s/%u]:%u" : "%s/%u", ip,
			 rule->prefix, rule->port);
	else
		snprintf(buf, size, rule->port ? "%s/%u:%u" : "%s/%u", ip,
			 rule->prefix, rule->port);
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return false;
	if (!rest)
		return true;
	uint8_t mask = 0xFF << (8 - rest);

	return (a[full] & mask) == (b[full] & mask);
}

bool policy__cidr_matches(const struct fw_allow_rule *rule,
			  const struct fw_dest *dest)
{
	if (rule->family != dest->family)
		return false;
	if (rule->port && rule->port != dest->port)
		return false;
	return prefix_equal(rule->addr, dest->addr, rule->prefix);
}

/* 127.0.0.0/8 and ::1: data sent there has not left the host; the kernel
 * follows it through the local relay that reads it instead */
static bool is_loopback(const struct fw_dest *dest)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (dest->family == AF_INET)
		return dest->addr[0] == 127;
	return !memcmp(dest->addr, v6_loopback, 16);
}

int policy__check_domain(const char *pattern, char *err, size_t err_size)
{
	const char *s = pattern;
	size_t label = 0;

	if (!strncmp(s, "*.", 2))
		s += 2;
	if (!*s || strlen(s) > 253)
		goto bad;
	for (; *s; s++) {
		if (*s == '.') {
			/* no empty label, except the root's final dot */
			if (!label && s[1])
				goto bad;
			label = 0;
		} else if (isalnum((unsigned char)*s) || *s == '-' ||
			   *s == '_') {
			if (++label > 63)
				goto bad;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	snprintf(
		err, err_size,
		"bad domain '%s': expected a name such as sync.example.org, or *.example.org for any subdomain",
		pattern);
	return -1;
}

/* Length of a name without its final root dot */
static size_t name_len(const char *name)
{
	size_t n = strlen(name);

	return n && name[n - 1] == '.' ? n - 1 : n;
}

bool policy__domain_matches(const char *pattern, const char *domain)
{
	size_t plen, dlen;

	if (!domain || !*domain)
		return false;
	dlen = name_len(domain);
	if (!strncmp(pattern, "*.", 2)) {
		/* the suffix with its dot: a.corp.example, not corp.example */
		pattern++;
		plen = name_len(pattern);
		return dlen > plen &&
		       !strncasecmp(domain + dlen - plen, pattern, plen);
	}
	plen = name_len(pattern);
	return plen == dlen && !strncasecmp(domain, pattern, plen);
}

bool policy__dest_matches(const struct fw_dest_match *m,
			  const struct fw_flow_facts *facts)
{
	size_t i;

	if (!facts->dest)
		return false;
	if (!m->domain)
		return policy__cidr_matches(&m->net, facts->dest);
	if (!policy__domain_matches(m->domain, facts->domain))
		return false;
	for (i = 0; i < m->n_ports; i++)
		if (m->ports[i] == facts->dest->port)
			return true;
	return m->n_ports == 0;
}

/* array resized to n items of size */
static void *xgrow(void *array, size_t n, size_t size)
{
	void *grown = realloc(array, n * size);

	if (!grown) {
		fw_err("out of memory");
		exit(1);
	}
	return grown;
}

void policy__add_dest_match(struct fw_policy *policy, struct fw_dest_match *m)
{
	if (!m->domain) {
		policy->allow = xgrow(policy->allow, policy->n_allow + 1,
				      sizeof(*policy->allow));
		policy->allow[policy->n_allow++] = m->net;
		return;
	}
	policy->allow_domains = xgrow(policy->allow_domains,
				      policy->n_allow_domains + 1, sizeof(*m));
	policy->allow_domains[policy->n_allow_domains++] = *m;
}

void policy__add_process(struct fw_policy *policy, struct fw_proc_allow *p)
{
	policy->allow_procs = xgrow(policy->allow_procs,
				    policy->n_allow_procs + 1, sizeof(*p));
	policy->allow_procs[policy->n_allow_procs++] = *p;
}

void policy__add_rule(struct fw_policy *policy, struct fw_severity_rule *r)
{
	policy->rules = xgrow(policy->rules, policy->n_rules + 1, sizeof(*r));
	policy->rules[policy->n_rules++] = *r;
}

static bool proc_allowed(const struct fw_proc_allow *p,
			 const struct fw_flow_facts *facts)
{
	size_t i;

	if (!facts->exe || strcmp(p->exe, facts->exe))
		return false;
	for (i = 0; i < p->n_dests; i++)
		if (policy__dest_matches(&p->dests[i], facts))
			return true;
	return p->n_dests == 0;
}

bool policy__allowed(const struct fw_policy *policy,
		     const struct fw_flow_facts *facts)
{
	size_t i;

	if (facts->dest &&
	    (is_loopback(facts->dest) || facts->dest->flags & FW_DEST_LOCAL))
		return true;
	for (i = 0; facts->dest && i < policy->n_allow; i++)
		if (policy__cidr_matches(&policy->allow[i], facts->dest))
			return true;
	for (i = 0; i < policy->n_allow_domains; i++)
		if (policy__dest_matches(&policy->allow_domains[i], facts))
			return true;
	for (i = 0; i < policy->n_allow_procs; i++)
		if (proc_allowed(&policy->allow_procs[i], facts))
			return true;
	return false;
}

static void free_strings(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void policy__dest_match_free(struct fw_dest_match *m)
{
	free(m->domain);
	free(m->ports);
	memset(m, 0, sizeof(*m));
}

void policy__free(struct fw_policy *policy)
{
	size_t i, j;

	for (i = 0; i < policy->n_allow_domains; i++)
		policy__dest_match_free(&policy->allow_domains[i]);
	for (i = 0; i < policy->n_allow_procs; i++) {
		struct fw_proc_allow *p = &policy->allow_procs[i];

		for (j = 0; j < p->n_dests; j++)
			policy__dest_match_free(&p->dests[j]);
		free(p->dests);
		free(p->exe);
	}
	for (i = 0; i < policy->n_rules; i++) {
		struct fw_severity_rule *r = &policy->rules[i];

		free_strings(r->countries, r->n_countries);
		free_strings(r->domains, r->n_domains);
		free_strings(r->exes, r->n_exes);
		free(r->dests);
	}
	free(policy->allow);
	free(policy->allow_domains);
	free(policy->allow_procs);
	free(policy->rules);
	memset(policy, 0, sizeof(*policy));
}

static const struct {
	const char *name;
	int score;
} severity_names[] = {
	{ "low", FW_SEVERITY_LOW },
	{ "medium", FW_SEVERITY_MEDIUM },
	{ "high", FW_SEVERITY_HIGH },
	{ "critical", FW_SEVERITY_CRITICAL },
};

int policy__parse_severity(const char *s)
{
	unsigned long v;
	char *end;
	size_t i;

	for (i = 0; i < FW_ARRAY_SIZE(severity_names); i++)
		if (!strcasecmp(s, severity_names[i].name))
			return severity_names[i].score;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 100)
		return -1;
	return v;
}

const char *policy__severity_name(int severity)
{
	for (size_t i = 0; i < FW_ARRAY_SIZE(severity_names); i++)
		if (severity_names[i].score == severity)
			return severity_names[i].name;
	return NULL;
}

void policy__format_severity(int severity, char *buf, size_t size)
{
	const char *name = policy__severity_name(severity);

	if (name)
		snprintf(buf, size, "%s (%d)", name, severity);
	else
		snprintf(buf, size, "%d", severity);
}

static bool any_string(char *const *list, size_t n, const char *s, bool domain)
{
	for (size_t i = 0; s && i < n; i++)
		if (domain ? policy__domain_matches(list[i], s) :
			     !strcasecmp(list[i], s))
			return true;
	return false;
}

static bool rule_matches(const struct fw_severity_rule *r,
			 const struct fw_flow_facts *f)
{
	size_t i;
	bool hit;

	if (r->verified >= 0 && r->verified != (int)f->verified)
		return false;
	if (r->n_countries &&
	    !any_string(r->countries, r->n_countries, f->country, false))
		return false;
	if (r->n_domains &&
	    !any_string(r->domains, r->n_domains, f->domain, true))
		return false;
	if (r->n_exes) {
		for (i = 0, hit = false; f->exe && i < r->n_exes && !hit; i++)
			hit = !strcmp(r->exes[i], f->exe);
		if (!hit)
			return false;
	}
	if (r->n_dests) {
		for (i = 0, hit = false; f->dest && i < r->n_dests && !hit; i++)
			hit = policy__cidr_matches(&r->dests[i], f->dest);
		if (!hit)
			return false;
	}
	return true;
}

int policy__severity(const struct fw_policy *policy,
		     const struct fw_flow_facts *facts)
{
	for (size_t i = 0; i < policy->n_rules; i++)
		if (rule_matches(&policy->rules[i], facts))
			return policy->rules[i].severity;
	return facts->verified ? FW_SEVERITY_HIGH : FW_SEVERITY_MEDIUM;
}

/* Does rule's network contain net (the same family, a prefix no longer,
 * the same leading bits)? */
static bool network_contains(const struct fw_allow_rule *rule,
			     const struct fw_allow_rule *net)
{
	return rule->family == net->family && rule->prefix <= net->prefix &&
	       prefix_equal(rule->addr, net->addr, rule->prefix);
}

/* Add rule's ports to e; false when they do not fit */
static bool entry_take_ports(struct fw_enforce_entry *e,
			     const struct fw_allow_rule *rule)
{
	struct fw_enforce_allow *a = &e->allow;

	if (!rule->port) {
		a->any_port = 1;
		return true;
	}
	for (unsigned i = 0; i < a->n_ports; i++)
		if (a->ports[i] == rule->port)
			return true;
	if (a->n_ports == FW_ENFORCE_PORTS)
		return false;
	a->ports[a->n_ports++] = rule->port;
	return true;
}

size_t policy__enforce_entries(const struct fw_policy *policy,
			       struct fw_enforce_entry *out, size_t max,
			       bool *overflow)
{
	size_t n = 0;

	*overflow = false;
	for (size_t i = 0; i < policy->n_allow; i++) {
		const struct fw_allow_rule *net = &policy->allow[i];
		struct fw_enforce_entry e = { 0 };
		size_t j;

		e.key.family = net->family;
		e.key.prefixlen = 8 + net->prefix;
		for (j = 0; j < 16; j++) {
			unsigned bits =
				j * 8 >= net->prefix ? 0 : net->prefix - j * 8;

			e.key.addr[j] =
				bits >= 8 ?
					net->addr[j] :
					net->addr[j] &
						(uint8_t)(0xFF << (8 - bits));
		}
		for (j = 0; j < n; j++)
			if (!memcmp(&out[j].key, &e.key, sizeof(e.key)))
				break;
		if (j < n)
			continue; /* this network is there, with every port */
		/* the longest match alone decides in the kernel: give it the
		 * ports of every rule whose network contains it */
		for (j = 0; j < policy->n_allow; j++)
			if (network_contains(&policy->allow[j], net) &&
			    !entry_take_ports(&e, &policy->allow[j]))
				*overflow = true;
		if (n == max) {
			*overflow = true;
			break;
		}
		out[n++] = e;
	}
	return n;
}

const char *policy__enforce_mode_name(int mode)
{
	switch (mode) {
	case FW_ENFORCE_BLOCK:
		return "enforce";
	case FW_ENFORCE_DRY_RUN:
		return "dry-run";
	default:
		return "detect";
	}
}

int policy__parse_enforce_mode(const char *s)
{
	if (!strcmp(s, "enforce"))
		return FW_ENFORCE_BLOCK;
	if (!strcmp(s, "dry-run"))
		return FW_ENFORCE_DRY_RUN;
	if (!strcmp(s, "detect"))
		return FW_ENFORCE_OFF;
	return -1;
}
