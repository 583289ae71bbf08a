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

struct fw_policy {
	struct fw_allow_rule *allow;
	size_t n_allow;
};

/* "CIDR[:PORT]": 10.0.0.0/8, 10.1.2.3:443, 10.0.0.0/8:53, fd00::/8,
 * [fd00::/8]:443, [::1]:53. A bare address is a /32 or /128.
 * Returns 0, or -1 with a reason in err. */
int policy__parse_allow(const char *spec, struct fw_allow_rule *rule, char *err,
			size_t err_size);
int policy__add_allow(struct fw_policy *policy, const char *spec, char *err,
		      size_t err_size);
bool policy__dest_allowed(const struct fw_policy *policy,
			  const struct fw_dest *dest);
void policy__free(struct fw_policy *policy);

/* Elastic-style risk scores: verified flight-log content is high */
#define FW_SEVERITY_HIGH 73
#define FW_SEVERITY_MEDIUM 47
int policy__severity(const struct fw_policy *policy, bool content_verified);

#endif /* FW_POLICY_H */
