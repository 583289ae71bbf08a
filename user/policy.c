// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"
#include "util.h"

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

/* 127.0.0.0/8 and ::1: data sent there has not left the host; the kernel
 * follows it through the local relay that reads it instead */
static bool is_loopback(const struct fw_dest *dest)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (dest->family == AF_INET)
		return dest->addr[0] == 127;
	return !memcmp(dest->addr, v6_loopback, 16);
}

bool policy__dest_allowed(const struct fw_policy *policy,
			  const struct fw_dest *dest)
{
	size_t i;

	if (is_loopback(dest))
		return true;
	for (i = 0; i < policy->n_allow; i++) {
		const struct fw_allow_rule *r = &policy->allow[i];

		if (r->family != dest->family)
			continue;
		if (r->port && r->port != dest->port)
			continue;
		if (prefix_equal(r->addr, dest->addr, r->prefix))
			return true;
	}
	return false;
}

void policy__free(struct fw_policy *policy)
{
	free(policy->allow);
	policy->allow = NULL;
	policy->n_allow = 0;
}

int policy__severity(const struct fw_policy *policy, bool content_verified)
{
	(void)policy;
	return content_verified ? FW_SEVERITY_HIGH : FW_SEVERITY_MEDIUM;
}
