/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the unit tests (include after <cmocka.h>) */
#ifndef FW_TEST_H
#define FW_TEST_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include "core/correlator.h"
#include "flightwatch.h"
#include "core/policy.h"
#include "lib/util.h"

/* A destination from its text form; the address must parse */
static inline struct fw_dest fw_test_dest(int family, const char *ip,
					  uint16_t port, uint8_t proto)
{
	struct fw_dest d = { 0 };

	assert_int_equal(inet_pton(family, ip, d.addr), 1);
	d.family = family;
	d.port = port;
	d.proto = proto;
	return d;
}

/* The egress alert the output tests share: proc sent 1000 bytes to
 * 192.0.2.7:443/tcp after reading n origins; flow 7, severity high */
static inline void fw_test_egress(struct fw_alert *a,
				  const struct fw_proc *proc,
				  const struct fw_origin *origins, size_t n)
{
	memset(a, 0, sizeof(*a));
	a->kind = FW_ALERT_EGRESS;
	a->flow_id = 7;
	a->ts_ns = fw_boot_now_ns();
	a->proc = proc;
	a->dest = fw_test_dest(AF_INET, "192.0.2.7", 443, 6);
	a->bytes = 1000;
	a->origins = origins;
	a->n_origins = n;
	a->severity = FW_SEVERITY_HIGH;
	a->verified = true;
}

#endif /* FW_TEST_H */
