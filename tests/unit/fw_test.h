/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the unit tests (include after <cmocka.h>) */
#ifndef FW_TEST_H
#define FW_TEST_H

#include <arpa/inet.h>
#include <stdint.h>
#include "flightwatch.h"

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

#endif /* FW_TEST_H */
