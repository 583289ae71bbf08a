/* SPDX-License-Identifier: GPL-2.0 */
/* Seeds the process table from /proc: processes started before the tracer */
#ifndef FW_PROCSCAN_H
#define FW_PROCSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/loader.h"

/* Delivers one FW_EV_EXEC record per process found under proc_root
 * ("/proc"), as if the kernel had seen it start; returns the count */
size_t procscan__seed(const char *proc_root, fw_record_fn fn, void *ctx);

/*
 * One process the collector met without its exec or fork record (records
 * were lost): if pid is still the process that started at start_ns, hand
 * fn an exec record made from /proc, as procscan__seed does. Returns
 * whether it was.
 */
bool procscan__identify(const char *proc_root, uint32_t pid, uint64_t start_ns,
			fw_record_fn fn, void *ctx);

/* When the process at pid started (to /proc's precision), 0 if none */
uint64_t procscan__start_ns(const char *proc_root, uint32_t pid);

#endif /* FW_PROCSCAN_H */
