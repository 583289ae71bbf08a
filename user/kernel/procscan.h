/* SPDX-License-Identifier: GPL-2.0 */
/* Seeds the process table from /proc: processes started before the tracer */
#ifndef FW_PROCSCAN_H
#define FW_PROCSCAN_H

#include <stddef.h>
#include "kernel/loader.h"

/* Delivers one FW_EV_EXEC record per process found under proc_root
 * ("/proc"), as if the kernel had seen it start; returns the count */
size_t procscan__seed(const char *proc_root, fw_record_fn fn, void *ctx);

#endif /* FW_PROCSCAN_H */
