// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "core/resolvers.h"

static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

int resolvers__add(struct fw_resolvers *r, const char *text, char *err,
		   size_t err_size)
{
	uint8_t addr[16] = { 0 };
	int family = AF_INET;

	if (r->n == FW_RESOLVERS_MAX) {
		snprintf(err, err_size, "more than %d resolvers",
			 FW_RESOLVERS_MAX);
		return -1;
	}
	if (inet_pton(AF_INET, text, addr) != 1) {
		family = AF_INET6;
		if (inet_pton(AF_INET6, text, addr) != 1) {
			snprintf(
				err, err_size,
				"invalid resolver '%s': expected an IPv4 or IPv6 address",
				text);
			return -1;
		}
		if (!memcmp(addr, v4_mapped, sizeof(v4_mapped))) {
			memmove(addr, addr + 12, 4);
			memset(addr + 4, 0, 12);
			family = AF_INET;
		}
	}
	memcpy(r->list[r->n].addr, addr, sizeof(addr));
	r->list[r->n++].family = family;
	return 0;
}

void resolvers__load(struct fw_resolvers *r, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512], addr[128], err[128];

	r->n = 0;
	while (f && fgets(line, sizeof(line), f))
		/* "nameserver ADDR"; an IPv6 zone (%eth0) is not part of it */
		if (sscanf(line, " nameserver %127[0-9A-Fa-f.:]", addr) == 1)
			resolvers__add(r, addr, err, sizeof(err));
	if (f)
		fclose(f);
	if (!r->n) {
		/* what glibc and musl ask with no nameserver line */
		resolvers__add(r, "127.0.0.1", err, sizeof(err));
		resolvers__add(r, "::1", err, sizeof(err));
	}
}

bool resolvers__has(const struct fw_resolvers *r, int family,
		    const uint8_t *addr)
{
	uint8_t key[16] = { 0 };

	if (family == AF_INET6 && !memcmp(addr, v4_mapped, sizeof(v4_mapped))) {
		family = AF_INET;
		addr += 12;
	}
	memcpy(key, addr, family == AF_INET ? 4 : 16);
	for (size_t i = 0; i < r->n; i++)
		if (r->list[i].family == family &&
		    !memcmp(r->list[i].addr, key, sizeof(key)))
			return true;
	return false;
}
