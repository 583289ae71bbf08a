/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The country of a destination address, from a MaxMind-format database
 * (GeoLite2-Country, GeoIP2-City, DB-IP's free country database: any
 * database whose records have country.iso_code), read with libmaxminddb.
 */
#ifndef FW_GEOIP_H
#define FW_GEOIP_H

#include <stdbool.h>
#include <stddef.h>
#include "flightwatch.h"

struct fw_geoip;

/* Opens the database at path; prints one error line and returns NULL when
 * it is missing or not a valid MaxMind database */
struct fw_geoip *geoip__open(const char *path);
void geoip__close(struct fw_geoip *g);
/* The ISO 3166-1 alpha-2 code of dest's address into cc (size >= 3);
 * false when the database has none for it */
bool geoip__country(struct fw_geoip *g, const struct fw_dest *dest, char *cc,
		    size_t size);

#endif /* FW_GEOIP_H */
