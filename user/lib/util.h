/* SPDX-License-Identifier: GPL-2.0 */
/* Error reporting, clocks and small formatting helpers */
#ifndef FW_UTIL_H
#define FW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flightwatch.h"

#define FW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The one error printer: "flightwatch: <message>" on stderr, one line */
void fw_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fw_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int fw_verbose;

/* Wall-clock time of a CLOCK_BOOTTIME timestamp, in ns since the epoch */
uint64_t fw_boot_to_wall_ns(uint64_t boot_ns);
uint64_t fw_boot_now_ns(void);
/* CLOCK_REALTIME - CLOCK_BOOTTIME now: a run takes it once, so that its
 * live alerts and its recording map event times to the same wall time */
uint64_t fw_wall_minus_boot_ns(void);
/* 2026-11-21T22:33:41.123456Z */
void fw_format_time(uint64_t wall_ns, char *buf, size_t size);

/* "10.0.0.1" or "fd00::1" */
void fw_format_ip(const struct fw_dest *dest, char *buf, size_t size);
const char *fw_transport_name(uint8_t proto);
/* A socket address family's name as in AF_<NAME>, lower case: "packet",
 * "vsock", "bluetooth", ...; "unknown" */
const char *fw_socket_family_name(uint32_t family);
/* "10.0.0.1:80/tcp", "[fd00::1]:80/tcp"; with a name (domain not NULL)
 * "upload.example (10.0.0.1):80/tcp". FW_DEST_TEXT bytes hold any. */
#define FW_DEST_TEXT 1200
void fw_format_dest(const struct fw_dest *dest, const char *domain, char *buf,
		    size_t size);

/* Bytes of a kernel path buffer written backwards (see build_path) */
const char *fw_event_path(const char *buf, uint32_t off);

/* The index of s among names[0..n) (a NULL entry matches nothing), or -1:
 * a keyword's enum value where names is indexed by it */
int fw_name_index(const char *const *names, size_t n, const char *s);
void *fw_xcalloc(size_t n, size_t size);
char *fw_xstrdup(const char *s);

#endif /* FW_UTIL_H */
