/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `run --record`: opens the trace writer with this host's metadata (name,
 * kernel, boot id, clock mapping, version, rules) and closes it with the
 * run's statistics. The collector hands records to the writer itself.
 */
#ifndef FW_RECORDER_H
#define FW_RECORDER_H

#include <stdint.h>
#include "cli/options.h"
#include "sink/output.h"
#include "sink/sink.h"
#include "trace/trace_writer.h"

/* wall_minus_boot_ns: the run's clock mapping (fw_wall_minus_boot_ns) */
int recorder__open(struct fw_trace_writer **w, const struct fw_options *opts,
		   uint64_t run_id, uint64_t wall_minus_boot_ns);
/* A write failure not said yet (disk full, I/O error): the recording has
 * stopped, tracing goes on. Said once, on stderr and as a state event
 * "trace-write-failed" on the sink (JSON, journal). With stats (at stop):
 * pending records are written first, and the failure and the records it
 * lost go into stats. w may be NULL (not recording). */
void recorder__check(struct fw_trace_writer *w, struct fw_sink *sink,
		     struct fw_run_stats *stats);
/* Writes the END block and closes; prints a summary line in verbose mode.
 * Returns 0 or -errno (a write failed at some point). */
int recorder__close(struct fw_trace_writer *w, const struct fw_run_stats *s);

#endif /* FW_RECORDER_H */
