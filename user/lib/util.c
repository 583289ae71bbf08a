// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lib/escape.h"
#include "lib/util.h"

int fw_verbose;

/* Messages name files, processes and config values: the whole line goes
 * through the one escaping rule, so that none can forge or hide lines */
static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	char *msg = NULL, *safe;

	if (vasprintf(&msg, fmt, ap) < 0) {
		fprintf(stderr, "flightwatch: %sout of memory\n", prefix);
		return;
	}
	safe = fw_escape_dup(msg);
	fprintf(stderr, "flightwatch: %s%s\n", prefix, safe);
	free(safe);
	free(msg);
}

void fw_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

void fw_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("warning: ", fmt, ap);
	va_end(ap);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t fw_boot_now_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

uint64_t fw_wall_minus_boot_ns(void)
{
	struct timespec wall, boot;

	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return ((uint64_t)wall.tv_sec * 1000000000ull + wall.tv_nsec) -
	       ((uint64_t)boot.tv_sec * 1000000000ull + boot.tv_nsec);
}

uint64_t fw_boot_to_wall_ns(uint64_t boot_ns)
{
	/* Re-read both clocks each time: cheap, and follows clock steps */
	uint64_t wall = clock_ns(CLOCK_REALTIME);
	uint64_t boot = clock_ns(CLOCK_BOOTTIME);

	return wall - boot + boot_ns;
}

void fw_format_time(uint64_t wall_ns, char *buf, size_t size)
{
	time_t secs = wall_ns / 1000000000ull;
	struct tm tm;
	size_t n;

	gmtime_r(&secs, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06uZ",
		 (unsigned)(wall_ns % 1000000000ull / 1000));
}

void fw_format_ip(const struct fw_dest *dest, char *buf, size_t size)
{
	int af = dest->family == AF_INET6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, dest->addr, buf, size))
		snprintf(buf, size, "?");
}

void fw_format_dest(const struct fw_dest *dest, const char *domain, char *buf,
		    size_t size)
{
	char ip[INET6_ADDRSTRLEN], host[INET6_ADDRSTRLEN + 2];

	fw_format_ip(dest, ip, sizeof(ip));
	/* a raw socket's send has no port: "10.0.0.1/icmp" */
	if (!dest->port) {
		if (domain)
			snprintf(buf, size, "%s (%s)/%s", domain, ip,
				 fw_transport_name(dest->proto));
		else
			snprintf(buf, size, "%s/%s", ip,
				 fw_transport_name(dest->proto));
		return;
	}
	if (domain)
		snprintf(buf, size, "%s (%s):%u/%s", domain, ip, dest->port,
			 fw_transport_name(dest->proto));
	else {
		snprintf(host, sizeof(host),
			 dest->family == AF_INET6 ? "[%s]" : "%s", ip);
		snprintf(buf, size, "%s:%u/%s", host, dest->port,
			 fw_transport_name(dest->proto));
	}
}

const char *fw_socket_family_name(uint32_t family)
{
	/* include/linux/socket.h: the families that can leave the host
	 * without the IP stack flightwatch follows (bpf/net.bpf.h) */
	static const char *const names[] = {
		[3] = "ax25",	     [4] = "ipx",	 [5] = "appletalk",
		[6] = "netrom",	     [7] = "bridge",	 [8] = "atmpvc",
		[9] = "x25",	     [11] = "rose",	 [12] = "decnet",
		[13] = "netbeui",    [14] = "security",	 [17] = "packet",
		[18] = "ash",	     [19] = "econet",	 [20] = "atmsvc",
		[21] = "rds",	     [22] = "sna",	 [23] = "irda",
		[24] = "pppox",	     [25] = "wanpipe",	 [26] = "llc",
		[27] = "ib",	     [28] = "mpls",	 [29] = "can",
		[30] = "tipc",	     [31] = "bluetooth", [32] = "iucv",
		[33] = "rxrpc",	     [34] = "isdn",	 [35] = "phonet",
		[36] = "ieee802154", [37] = "caif",	 [39] = "nfc",
		[40] = "vsock",	     [41] = "kcm",	 [42] = "qipcrtr",
		[43] = "smc",	     [44] = "xdp",	 [45] = "mctp",
	};

	if (family < FW_ARRAY_SIZE(names) && names[family])
		return names[family];
	return "unknown";
}

/* IANA's keywords, as ECS's network.transport uses them */
const char *fw_transport_name(uint8_t proto)
{
	switch (proto) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "ipv6-icmp";
	case 132:
		return "sctp";
	case 136:
		return "udplite";
	case 255:
		return "raw";
	default:
		return "unknown";
	}
}

const char *fw_event_path(const char *buf, uint32_t off)
{
	/* the kernel always ends the path at FW_PATH_MAX - 1 (build_path);
	 * a record from a damaged or hostile trace may not */
	if (off >= FW_PATH_MAX - 1 || buf[FW_PATH_MAX - 1] != '\0')
		return "";
	return buf + off;
}

void *fw_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fw_err("out of memory");
		abort();
	}
	return p;
}

char *fw_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p) {
		fw_err("out of memory");
		abort();
	}
	return p;
}

int fw_name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return (int)i;
	return -1;
}
