/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capabilities after start-up. Loading and attaching BPF programs, the
 * iterator over open files and the /proc scan need CAP_BPF, CAP_PERFMON,
 * CAP_SYS_ADMIN, CAP_SYS_PTRACE...; once they are done the collector keeps
 * only what its loop still uses:
 *   - CAP_DAC_READ_SEARCH: sniffing the header of flight logs any user
 *     owns, re-resolving watched directories under other users' homes
 *     (rescans, configuration reloads) and re-reading the configuration;
 *   - CAP_BPF (or CAP_SYS_ADMIN before 5.8) only where the kernel still
 *     checks it for operations on map and ring-buffer descriptors already
 *     open (before Linux 6.5, with kernel.unprivileged_bpf_disabled set):
 *     found by trying, the smallest set that works.
 * Process identity comes from exec events, so no /proc reads (and no
 * CAP_SYS_PTRACE) are needed once the seed scan is done.
 */
#ifndef FW_PRIVS_H
#define FW_PRIVS_H

/* Returns 0 when the map still works without the capability, -errno */
typedef int (*fw_bpf_check_fn)(void *ctx);

/* Drop to the set above (check decides about CAP_BPF). 0, or -1 after an
 * error line. Without any capability to drop (a test as non-root), 0;
 * when no smaller set keeps the maps working, none is dropped (a
 * warning). */
int privs__drop(fw_bpf_check_fn check, void *ctx);

#endif /* FW_PRIVS_H */
