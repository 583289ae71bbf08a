/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DNS servers this host asks: only their answers may name a
 * destination (a process cannot label its own destination with answers
 * from a server of its choosing). The nameservers of /etc/resolv.conf
 * unless given (--resolver).
 */
#ifndef FW_RESOLVERS_H
#define FW_RESOLVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_RESOLVERS_MAX 16

struct fw_resolvers {
	struct {
		uint8_t addr[16]; /* IPv4 in the first 4 bytes */
		uint8_t family;
	} list[FW_RESOLVERS_MAX];
	size_t n;
};

/* Add one address (IPv4 or IPv6, v4-mapped taken as IPv4); -1 with a
 * reason in err when it is not one or the list is full */
int resolvers__add(struct fw_resolvers *r, const char *text, char *err,
		   size_t err_size);
/* The nameserver lines of a resolv.conf file (a missing file or none:
 * the resolver library's default, the local host) */
void resolvers__load(struct fw_resolvers *r, const char *path);
bool resolvers__has(const struct fw_resolvers *r, int family,
		    const uint8_t *addr);

#endif /* FW_RESOLVERS_H */
