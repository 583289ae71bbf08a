// SPDX-License-Identifier: GPL-2.0
/* --allow parsing, destination matching and severities */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "fw_test.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "core/policy.h"

static void expect_rule(const char *spec, int family, const char *addr,
			unsigned prefix, unsigned port)
{
	struct fw_allow_rule rule, want = { 0 };
	char err[256] = "";

	memset(&rule, 0x5a, sizeof(rule));
	if (policy__parse_allow(spec, &rule, err, sizeof(err)))
		fail_msg("'%s' rejected: %s", spec, err);
	assert_int_equal(inet_pton(family, addr, want.addr), 1);
	assert_int_equal(rule.family, family);
	assert_int_equal(rule.prefix, prefix);
	assert_int_equal(rule.port, port);
	assert_memory_equal(rule.addr, want.addr, 16);
	assert_string_equal(err, "");
}

static void test_parse_accepted(void **state)
{
	(void)state;
	expect_rule("10.0.0.0/8", AF_INET, "10.0.0.0", 8, 0);
	expect_rule("10.1.2.3:443", AF_INET, "10.1.2.3", 32, 443);
	expect_rule("10.0.0.0/8:53", AF_INET, "10.0.0.0", 8, 53);
	expect_rule("10.1.2.3", AF_INET, "10.1.2.3", 32, 0);
	expect_rule("0.0.0.0/0", AF_INET, "0.0.0.0", 0, 0);
	expect_rule("192.0.2.7:65535", AF_INET, "192.0.2.7", 32, 65535);
	expect_rule("192.0.2.7:1", AF_INET, "192.0.2.7", 32, 1);
	expect_rule("fd00::/8", AF_INET6, "fd00::", 8, 0);
	expect_rule("[fd00::/8]:443", AF_INET6, "fd00::", 8, 443);
	expect_rule("[::1]:53", AF_INET6, "::1", 128, 53);
	expect_rule("::1", AF_INET6, "::1", 128, 0);
	expect_rule("[::1]", AF_INET6, "::1", 128, 0);
	expect_rule("::/0", AF_INET6, "::", 0, 0);
	expect_rule("2001:db8::/128", AF_INET6, "2001:db8::", 128, 0);
	/* two or more colons without brackets: all address, no port */
	expect_rule("2001:db8::53", AF_INET6, "2001:db8::53", 128, 0);
	/* brackets around an IPv4 address are harmless */
	expect_rule("[10.0.0.0/8]:22", AF_INET, "10.0.0.0", 8, 22);
}

static void test_parse_rejected(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0/33",
		"10.1.2.3:0",
		"10.1.2.3:70000",
		"10.1.2.3:65536",
		"[fd00::",
		"garbage",
		"",
		"10.0.0.1:-1",
		"10.0.0.1:+1",
		"10.0.0.0/",
		"10.0.0.0/-1",
		"10.0.0.0/-0",
		"10.0.0.0/+8",
		"10.0.0.0/8x",
		"10.0.0.0/8/8",
		"10.1.2.3:",
		"10.1.2.3:443x",
		"10.1.2.3:http",
		"fd00::/129",
		"[::1]:",
		"[::1]x",
		"[::1]:0",
		"[::1]:99999",
		"[garbage]:80",
		"10.1.2",
		"256.1.2.3",
		"10.1.2.3.4",
		"fd00::/8:443",
		"[]",
		"[]:80",
		":443",
		"/8",
		"10.1.2.3:18446744073709551617",
		"10.0.0.0/18446744073709551624",
	};
	struct fw_allow_rule rule;
	char err[256], want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (!policy__parse_allow(bad[i], &rule, err, sizeof(err)))
			fail_msg("'%s' accepted (family %u prefix %u port %u)",
				 bad[i], rule.family, rule.prefix, rule.port);
		snprintf(
			want, sizeof(want),
			"invalid --allow '%s': expected CIDR[:PORT], e.g. 10.0.0.0/8:443 or [fd00::/8]:443",
			bad[i]);
		assert_string_equal(err, want);
	}
}

/* strtoul() skips leading white space: the parser rejects a sign before
 * the number explicitly, and should reject blanks the same way */
static void test_parse_rejects_whitespace(void **state)
{
	static const char *const bad[] = { "10.0.0.0/ 8", "10.1.2.3: 443",
					   "[::1]: 53", "10.0.0.0/\t8" };
	struct fw_allow_rule rule;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!policy__parse_allow(bad[i], &rule, err, sizeof(err)))
			fail_msg("'%s' accepted (prefix %u port %u)", bad[i],
				 rule.prefix, rule.port);
}

static void test_parse_too_long(void **state)
{
	char spec[200], err[512];
	struct fw_allow_rule rule;

	(void)state;
	/* a valid address padded past the buffer is refused, not cut */
	memset(spec, '0', sizeof(spec));
	memcpy(spec, "10.0.0.1:", 9);
	spec[sizeof(spec) - 1] = '\0';
	assert_int_equal(policy__parse_allow(spec, &rule, err, sizeof(err)),
			 -1);
}

static struct fw_dest d4(const char *ip, uint16_t port)
{
	return fw_test_dest(AF_INET, ip, port, 6);
}

static struct fw_dest d6(const char *ip, uint16_t port)
{
	return fw_test_dest(AF_INET6, ip, port, 6);
}

static void add(struct fw_policy *p, const char *spec)
{
	char err[256];

	if (policy__add_allow(p, spec, err, sizeof(err)))
		fail_msg("'%s': %s", spec, err);
}

static bool dest_allowed(const struct fw_policy *p, const struct fw_dest *d)
{
	struct fw_flow_facts facts = { .dest = d };

	return policy__allowed(p, &facts);
}

static bool allowed4(const struct fw_policy *p, const char *ip, uint16_t port)
{
	struct fw_dest d = d4(ip, port);

	return dest_allowed(p, &d);
}

static bool allowed6(const struct fw_policy *p, const char *ip, uint16_t port)
{
	struct fw_dest d = d6(ip, port);

	return dest_allowed(p, &d);
}

static void test_empty_policy(void **state)
{
	struct fw_policy p = { 0 };

	(void)state;
	assert_false(allowed4(&p, "10.0.0.1", 443));
	assert_false(allowed6(&p, "fd00::1", 443));
}

/* Loopback never leaves the host: the relay that reads it is followed */
static void test_loopback_is_local(void **state)
{
	struct fw_policy p = { 0 };

	(void)state;
	assert_true(allowed4(&p, "127.0.0.1", 9000));
	assert_true(allowed4(&p, "127.255.0.9", 1));
	assert_true(allowed6(&p, "::1", 443));
	assert_false(allowed4(&p, "128.0.0.1", 443));
	assert_false(allowed6(&p, "::2", 443));
}

/* An address of this host other than loopback (the kernel marked the
 * destination FW_DEST_LOCAL) is local too */
static void test_local_route_is_local(void **state)
{
	struct fw_policy p = { 0 };
	struct fw_dest d = d4("10.203.0.1", 7005);

	(void)state;
	assert_false(dest_allowed(&p, &d));
	d.flags |= FW_DEST_LOCAL;
	assert_true(dest_allowed(&p, &d));
}

static void test_prefix_zero(void **state)
{
	struct fw_policy p = { 0 };

	(void)state;
	add(&p, "0.0.0.0/0");
	assert_true(allowed4(&p, "0.0.0.0", 1));
	assert_true(allowed4(&p, "255.255.255.255", 65535));
	assert_true(allowed4(&p, "192.0.2.7", 443));
	/* the family must match */
	assert_false(allowed6(&p, "::", 443));
	assert_false(allowed6(&p, "2001:db8::1", 443));
	policy__free(&p);
	assert_null(p.allow);
	assert_int_equal(p.n_allow, 0);

	add(&p, "::/0");
	assert_true(allowed6(&p, "::1", 53));
	assert_true(allowed6(&p, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1));
	assert_false(allowed4(&p, "0.0.0.0", 53));
	policy__free(&p);
}

static void test_prefix_seven(void **state)
{
	struct fw_policy p = { 0 };

	(void)state;
	/* 10.0.0.0/7 is 10.0.0.0 - 11.255.255.255 */
	add(&p, "10.0.0.0/7");
	assert_true(allowed4(&p, "10.0.0.0", 80));
	assert_true(allowed4(&p, "11.255.255.255", 80));
	assert_false(allowed4(&p, "9.255.255.255", 80));
	assert_false(allowed4(&p, "12.0.0.0", 80));
	policy__free(&p);

	/* fc00::/7, unique local addresses: fc and fd, not fe or fb */
	add(&p, "fc00::/7");
	assert_true(allowed6(&p, "fc00::1", 80));
	assert_true(allowed6(&p, "fdff:ffff::1", 80));
	assert_false(allowed6(&p, "fe80::1", 80));
	assert_false(allowed6(&p, "fbff::1", 80));
	policy__free(&p);

	/* a prefix that ends mid-byte further in */
	add(&p, "192.168.1.128/25");
	assert_true(allowed4(&p, "192.168.1.128", 80));
	assert_true(allowed4(&p, "192.168.1.255", 80));
	assert_false(allowed4(&p, "192.168.1.127", 80));
	assert_false(allowed4(&p, "192.168.0.200", 80));
	policy__free(&p);
}

static void test_prefix_full(void **state)
{
	struct fw_policy p = { 0 };

	(void)state;
	add(&p, "192.0.2.7/32");
	assert_true(allowed4(&p, "192.0.2.7", 443));
	assert_false(allowed4(&p, "192.0.2.6", 443));
	assert_false(allowed4(&p, "192.0.2.8", 443));
	assert_false(allowed4(&p, "193.0.2.7", 443));
	policy__free(&p);

	add(&p, "2001:db8::1/128");
	assert_true(allowed6(&p, "2001:db8::1", 443));
	assert_false(allowed6(&p, "2001:db8::2", 443));
	assert_false(allowed6(&p, "2001:db8::", 443));
	assert_false(allowed6(&p, "3001:db8::1", 443));
	policy__free(&p);

	/* /31 and /127: the last bit alone differs */
	add(&p, "192.0.2.6/31");
	add(&p, "2001:db8::/127");
	assert_true(allowed4(&p, "192.0.2.7", 1));
	assert_false(allowed4(&p, "192.0.2.8", 1));
	assert_true(allowed6(&p, "2001:db8::1", 1));
	assert_false(allowed6(&p, "2001:db8::2", 1));
	policy__free(&p);
}

static void test_ports(void **state)
{
	struct fw_policy p = { 0 };

	(void)state;
	add(&p, "10.1.2.3:443");
	assert_true(allowed4(&p, "10.1.2.3", 443));
	assert_false(allowed4(&p, "10.1.2.3", 80));
	assert_false(allowed4(&p, "10.1.2.4", 443));
	/* a second, any-port rule for another network */
	add(&p, "172.16.0.0/12");
	assert_true(allowed4(&p, "172.31.255.255", 1));
	assert_true(allowed4(&p, "172.16.0.1", 65535));
	assert_false(allowed4(&p, "172.32.0.0", 1));
	assert_false(allowed4(&p, "10.1.2.3", 80));
	assert_int_equal(p.n_allow, 2);

	add(&p, "[fd00::/8]:8443");
	assert_true(allowed6(&p, "fd12::1", 8443));
	assert_false(allowed6(&p, "fd12::1", 443));
	policy__free(&p);
}

static void test_mapped_v4_is_v4(void **state)
{
	struct fw_policy p = { 0 };
	struct fw_dest d = { 0 };

	(void)state;
	/* the kernel stores v4-mapped destinations as IPv4, with the
	 * address in the first four bytes; whatever follows is ignored */
	add(&p, "10.0.0.0/8");
	d.family = AF_INET;
	d.port = 443;
	d.addr[0] = 10;
	d.addr[3] = 1;
	memset(d.addr + 4, 0xee, 12);
	assert_true(dest_allowed(&p, &d));
	/* the same bytes as IPv6 do not match an IPv4 rule */
	d.family = AF_INET6;
	assert_false(dest_allowed(&p, &d));
	policy__free(&p);
}

static void test_add_allow_error_keeps_policy(void **state)
{
	struct fw_policy p = { 0 };
	char err[256];

	(void)state;
	add(&p, "10.0.0.0/8");
	err[0] = '\0';
	assert_int_equal(policy__add_allow(&p, "10.0.0.0/33", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "invalid --allow '10.0.0.0/33'"));
	assert_int_equal(p.n_allow, 1);
	assert_true(allowed4(&p, "10.9.9.9", 1));
	policy__free(&p);
}

static void test_severity(void **state)
{
	struct fw_policy p = { 0 };
	struct fw_flow_facts verified = { .verified = true };
	struct fw_flow_facts unverified = { .verified = false };

	(void)state;
	assert_int_equal(policy__severity(&p, &verified), 73);
	assert_int_equal(policy__severity(&p, &unverified), 47);
	assert_int_equal(FW_SEVERITY_HIGH, 73);
	assert_int_equal(FW_SEVERITY_MEDIUM, 47);
}

static const struct fw_enforce_entry *
entry_for(const struct fw_enforce_entry *e, size_t n, const char *addr,
	  unsigned prefix)
{
	struct fw_allow_rule r;
	char spec[64], err[128];

	snprintf(spec, sizeof(spec), "%s/%u", addr, prefix);
	assert_int_equal(policy__parse_allow(spec, &r, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		if (e[i].key.family == r.family &&
		    e[i].key.prefixlen == 8 + prefix &&
		    !memcmp(e[i].key.addr, r.addr, 16))
			return &e[i];
	fail_msg("no entry for %s", spec);
	return NULL;
}

/* The kernel takes the longest prefix only: each network carries the
 * ports of every rule that contains it, host bits are cleared, and the
 * same network twice is one entry */
static void test_enforce_entries(void **state)
{
	struct fw_policy p = { 0 };
	struct fw_enforce_entry e[8];
	const struct fw_enforce_entry *x;
	char err[128];
	bool overflow;
	size_t n;

	(void)state;
	assert_int_equal(
		policy__add_allow(&p, "10.0.0.0/8:53", err, sizeof(err)), 0);
	assert_int_equal(
		policy__add_allow(&p, "10.1.2.3:443", err, sizeof(err)), 0);
	assert_int_equal(
		policy__add_allow(&p, "10.9.9.9/8:123", err, sizeof(err)), 0);
	assert_int_equal(policy__add_allow(&p, "[fd00::/8]", err, sizeof(err)),
			 0);
	n = policy__enforce_entries(&p, e, 8, &overflow);
	assert_false(overflow);
	assert_int_equal(n, 3);
	x = entry_for(e, n, "10.0.0.0", 8);
	assert_false(x->allow.any_port);
	assert_int_equal(x->allow.n_ports, 2);
	assert_int_equal(x->allow.ports[0], 53);
	assert_int_equal(x->allow.ports[1], 123);
	x = entry_for(e, n, "10.1.2.3", 32);
	assert_int_equal(x->allow.n_ports, 3); /* 53, 443, 123 */
	x = entry_for(e, n, "fd00::", 8);
	assert_true(x->allow.any_port);
	/* more networks than room: said */
	n = policy__enforce_entries(&p, e, 2, &overflow);
	assert_int_equal(n, 2);
	assert_true(overflow);
	policy__free(&p);
	assert_string_equal(policy__enforce_mode_name(FW_ENFORCE_BLOCK),
			    "enforce");
	assert_int_equal(policy__parse_enforce_mode("dry-run"),
			 FW_ENFORCE_DRY_RUN);
	assert_int_equal(policy__parse_enforce_mode("detect"), FW_ENFORCE_OFF);
	assert_int_equal(policy__parse_enforce_mode("block"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepted),
		cmocka_unit_test(test_parse_rejected),
		cmocka_unit_test(test_parse_rejects_whitespace),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test(test_empty_policy),
		cmocka_unit_test(test_loopback_is_local),
		cmocka_unit_test(test_local_route_is_local),
		cmocka_unit_test(test_prefix_zero),
		cmocka_unit_test(test_prefix_seven),
		cmocka_unit_test(test_prefix_full),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_mapped_v4_is_v4),
		cmocka_unit_test(test_add_allow_error_keeps_policy),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_enforce_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
