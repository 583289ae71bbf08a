/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Privileges after start-up. Loading and attaching BPF programs, the
 * iterator over open files and the /proc scan need root with CAP_BPF,
 * CAP_PERFMON, CAP_SYS_ADMIN, CAP_SYS_PTRACE...; once they are done the
 * collector confines itself for good:
 *   - it becomes the system user _flightwatch (etc/flightwatch.sysusers),
 *     so that a compromised collector cannot write root's files; without
 *     that user (a plain `sudo flightwatch run`) it stays uid 0 and does
 *     all of the rest;
 *   - it keeps only CAP_DAC_READ_SEARCH (sniffing the header of flight
 *     logs any user owns, re-resolving watched directories under other
 *     users' homes, re-reading the configuration and the GeoIP database)
 *     and, where the kernel still checks it for operations on map and
 *     ring-buffer descriptors already open (before Linux 6.5, with
 *     kernel.unprivileged_bpf_disabled set), CAP_BPF or CAP_SYS_ADMIN:
 *     found by trying, the smallest set that works;
 *   - the bounding and ambient sets are emptied and SECBIT_NOROOT,
 *     SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS and SECBIT_NO_CAP_AMBIENT_RAISE
 *     are set and locked, with NO_NEW_PRIVS: no execve, of a setuid or a
 *     file-capability program or as uid 0, can give a capability back;
 *   - a seccomp allowlist (privs_seccomp.c) admits only the system calls
 *     the event loop and its reload thread make.
 * Process identity comes from exec events, so no /proc reads (and no
 * CAP_SYS_PTRACE) are needed once the seed scan is done.
 */
#ifndef FW_PRIVS_H
#define FW_PRIVS_H

#include <stdbool.h>
#include <stdint.h>

/* The dedicated system user the collector runs as after attaching */
#define FW_PRIVS_USER "_flightwatch"

/* Returns 0 when the map still works without the capability, -errno */
typedef int (*fw_bpf_check_fn)(void *ctx);

/* Drop to the state above (check decides about CAP_BPF). rotating: a
 * file the collector must still rename and create again after the drop
 * (a trace with --max-size), or NULL; when the user could not do that in
 * its directory, the collector stays uid 0 (and says why in verbose
 * mode). 0, or -1 after an error
 * line. Without any capability to drop (a test as non-root), 0; when no
 * smaller set keeps the maps working, the capabilities stay (a warning)
 * but the rest is done. */
int privs__drop(fw_bpf_check_fn check, void *ctx, const char *rotating);

/* The steps of privs__drop, for the test helper that checks them: */
/* Become user (NULL or missing: stay), keep only the capabilities in
 * keep (one bit each), empty the bounding and ambient sets, lock the
 * securebits, set NO_NEW_PRIVS. 0 or -1 after an error line. */
int privs__confine(const char *user, uint64_t keep, const char *rotating);
/* Install the event loop's seccomp allowlist (every thread). 0 or -1
 * after an error line. */
int privs__sandbox(void);

#endif /* FW_PRIVS_H */
