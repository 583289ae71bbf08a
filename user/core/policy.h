/* SPDX-License-Identifier: GPL-2.0 */
/* Alert policy: destinations that never alert, severity of a flow */
#ifndef FW_POLICY_H
#define FW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flightwatch.h"

struct fw_allow_rule {
	uint8_t addr[16];
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t prefix; /* bits */
	uint16_t port; /* 0: any port */
};

/* What the policy knows of a flow when it decides. domain and country
 * are NULL when unknown (no DNS answer seen, no GeoIP database). */
struct fw_flow_facts {
	const char *exe; /* the sending process's executable, may be NULL */
	const struct fw_dest *dest;
	const char *domain; /* from DNS answers the host received */
	const char *country; /* ISO 3166-1 alpha-2, from --geoip */
	bool verified; /* an origin's content is a known flight-log format */
};

/* A configured destination: CIDR[:PORT], or a domain with its ports */
struct fw_dest_match {
	struct fw_allow_rule net; /* used when domain is NULL */
	char *domain; /* "sync.example.org", or "*.corp.example" */
	uint16_t *ports; /* with a domain: allowed ports, none: any */
	size_t n_ports;
};

/* An executable allowed to send, anywhere or only to dests */
struct fw_proc_allow {
	char *exe;
	struct fw_dest_match *dests; /* none: any destination */
	size_t n_dests;
};

/* A severity rule: every list given must have a match (any entry of it);
 * a rule with no conditions matches every flow */
struct fw_severity_rule {
	char **countries; /* upper-case ISO 3166-1 alpha-2 */
	size_t n_countries;
	char **domains;
	size_t n_domains;
	struct fw_allow_rule *dests;
	size_t n_dests;
	char **exes;
	size_t n_exes;
	int verified; /* -1: either, 0: unverified content, 1: verified */
	int severity;
};

struct fw_policy {
	struct fw_allow_rule *allow; /* --allow and allow.destinations */
	size_t n_allow;
	struct fw_dest_match *allow_domains; /* allow.destinations domains */
	size_t n_allow_domains;
	struct fw_proc_allow *allow_procs;
	size_t n_allow_procs;
	struct fw_severity_rule *rules; /* first match wins */
	size_t n_rules;
};

/* "CIDR[:PORT]": 10.0.0.0/8, 10.1.2.3:443, 10.0.0.0/8:53, fd00::/8,
 * [fd00::/8]:443, [::1]:53. A bare address is a /32 or /128.
 * Returns 0, or -1 with a reason in err. */
int policy__parse_allow(const char *spec, struct fw_allow_rule *rule, char *err,
			size_t err_size);
int policy__add_allow(struct fw_policy *policy, const char *spec, char *err,
		      size_t err_size);
/* rule in the syntax of --allow, which policy__parse_allow reads back */
void policy__format_allow(const struct fw_allow_rule *rule, char *buf,
			  size_t size);
bool policy__cidr_matches(const struct fw_allow_rule *rule,
			  const struct fw_dest *dest);

/* A domain as configured: letters, digits, '-', '_' and dots, optionally
 * after "*." (any subdomain). Returns 0, or -1 with a reason in err. */
int policy__check_domain(const char *pattern, char *err, size_t err_size);
/* "*.corp.example" matches a.corp.example and a.b.corp.example but not
 * corp.example; otherwise equal names. Case and a final dot are ignored. */
bool policy__domain_matches(const char *pattern, const char *domain);
bool policy__dest_matches(const struct fw_dest_match *m,
			  const struct fw_flow_facts *facts);

/* These take ownership of what the entry points to */
void policy__add_dest_match(struct fw_policy *policy, struct fw_dest_match *m);
void policy__add_process(struct fw_policy *policy, struct fw_proc_allow *p);
void policy__add_rule(struct fw_policy *policy, struct fw_severity_rule *r);
void policy__dest_match_free(struct fw_dest_match *m);

/* Never alert: loopback, an allowed destination (address or domain), or
 * an allowed executable sending where it may */
bool policy__allowed(const struct fw_policy *policy,
		     const struct fw_flow_facts *facts);
void policy__free(struct fw_policy *policy);

/* Elastic-style risk scores: verified flight-log content is high */
#define FW_SEVERITY_LOW 21
#define FW_SEVERITY_MEDIUM 47
#define FW_SEVERITY_HIGH 73
#define FW_SEVERITY_CRITICAL 99
/* "low", "medium", "high", "critical" or a number 0-100; -1 if bad */
int policy__parse_severity(const char *s);
/* "high" for 73 and the other band values; NULL for other numbers */
const char *policy__severity_name(int severity);
/* "high (73)", "42" */
void policy__format_severity(int severity, char *buf, size_t size);
/* The first matching rule's severity; without one, high for verified
 * flight-log content and medium otherwise. facts->dest may be NULL (a
 * read, no destination): rules about destinations then do not match. */
int policy__severity(const struct fw_policy *policy,
		     const struct fw_flow_facts *facts);

/* An entry of the kernel's enforcement trie (enforce_allow) */
struct fw_enforce_entry {
	struct fw_enforce_key key;
	struct fw_enforce_allow allow;
};

/* The allow rules by address as the kernel enforces them: one entry per
 * distinct network, holding the ports of every rule whose network
 * contains it (the kernel takes the longest match only). At most max
 * entries into out; overflow set when a network has more ports than an
 * entry holds or there are more networks than max (those are refused).
 * Domain and process rules have no place here: the kernel knows neither
 * names nor executables. */
size_t policy__enforce_entries(const struct fw_policy *policy,
			       struct fw_enforce_entry *out, size_t max,
			       bool *overflow);
/* "enforce", "dry-run", "detect" for enum fw_enforce_mode, and back
 * (-1: none of those) */
const char *policy__enforce_mode_name(int mode);
int policy__parse_enforce_mode(const char *s);

#endif /* FW_POLICY_H */
