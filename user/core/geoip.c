// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "core/geoip.h"
#include "lib/util.h"

struct fw_geoip {
	MMDB_s db;
	char *path;
	bool warned; /* a damaged tree or data section is reported once */
};

struct fw_geoip *geoip__open(const char *path)
{
	struct fw_geoip *g = fw_xcalloc(1, sizeof(*g));
	int err = MMDB_open(path, MMDB_MODE_MMAP, &g->db);

	if (err != MMDB_SUCCESS) {
		int saved = errno;

		/* libmaxminddb's text for a missing file says not why */
		if (err == MMDB_FILE_OPEN_ERROR || err == MMDB_IO_ERROR)
			fw_err("cannot open GeoIP database %s: %s", path,
			       strerror(saved));
		else
			fw_err("%s is not a usable MaxMind GeoIP database: %s",
			       path, MMDB_strerror(err));
		free(g);
		return NULL;
	}
	g->path = fw_xstrdup(path);
	return g;
}

void geoip__close(struct fw_geoip *g)
{
	if (!g)
		return;
	MMDB_close(&g->db);
	free(g->path);
	free(g);
}

static void warn_once(struct fw_geoip *g, int err)
{
	if (g->warned)
		return;
	g->warned = true;
	fw_warn("GeoIP database %s: %s: countries may be missing", g->path,
		MMDB_strerror(err));
}

/* path[0]/path[1] of the record, when it is a two-letter code */
static bool iso_code(struct fw_geoip *g, MMDB_entry_s *entry,
		     const char *parent, char *cc, size_t size)
{
	MMDB_entry_data_s data;
	int err = MMDB_get_value(entry, &data, parent, "iso_code", NULL);

	if (err != MMDB_SUCCESS) {
		if (err != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
			warn_once(g, err);
		return false;
	}
	if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING ||
	    data.data_size != 2 || size < 3)
		return false;
	for (int i = 0; i < 2; i++) {
		char ch = data.utf8_string[i];

		if (ch < 'A' || ch > 'Z')
			return false;
		cc[i] = ch;
	}
	cc[2] = '\0';
	return true;
}

bool geoip__country(struct fw_geoip *g, const struct fw_dest *dest, char *cc,
		    size_t size)
{
	struct sockaddr_storage ss = { 0 };
	MMDB_lookup_result_s res;
	int err;

	if (!g)
		return false;
	if (dest->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, dest->addr, 4);
	} else if (dest->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, dest->addr, 16);
	} else {
		return false;
	}
	res = MMDB_lookup_sockaddr(&g->db, (struct sockaddr *)&ss, &err);
	if (err != MMDB_SUCCESS) {
		/* an IPv4-only database asked about IPv6: simply unknown */
		if (err != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
			warn_once(g, err);
		return false;
	}
	if (!res.found_entry)
		return false;
	/* where the address is used, else where it is registered (MaxMind
	 * leaves country out for some anycast and satellite ranges) */
	return iso_code(g, &res.entry, "country", cc, size) ||
	       iso_code(g, &res.entry, "registered_country", cc, size);
}
