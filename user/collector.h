/* SPDX-License-Identifier: GPL-2.0 */
/* `flightwatch run`: live tracing, from the kernel to the sinks */
#ifndef FW_COLLECTOR_H
#define FW_COLLECTOR_H

#include "cli/options.h"

/* Returns the process exit status */
int collector__run(struct fw_options *opts);

#endif /* FW_COLLECTOR_H */
