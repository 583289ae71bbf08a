// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "kernel/recorder.h"
#include "lib/util.h"
#include "version.h"

static void add_u64(char **text, size_t *len, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	trace_meta__add(text, len, key, buf);
}

static void add_boot_id(char **text, size_t *len)
{
	char id[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (f) {
		if (!fgets(id, sizeof(id), f))
			id[0] = '\0';
		fclose(f);
	}
	id[strcspn(id, "\n")] = '\0';
	trace_meta__add(text, len, "boot_id", id);
}

static void add_allow(char **text, size_t *len, const struct fw_allow_rule *r)
{
	char buf[96];

	/* in the syntax of --allow, so that replay can parse it back */
	policy__format_allow(r, buf, sizeof(buf));
	trace_meta__add(text, len, "allow", buf);
}

int recorder__open(struct fw_trace_writer **w, const struct fw_options *opts,
		   uint64_t run_id, uint64_t wall_minus_boot_ns)
{
	struct fw_trace_writer_opts wo = { 0 };
	char *text = NULL, host[256] = "";
	struct utsname uts;
	size_t len = 0, i;
	int err;

	trace_meta__add(&text, &len, "format", "flightwatch-trace");
	trace_meta__add(&text, &len, "version", FW_VERSION);
	gethostname(host, sizeof(host) - 1);
	trace_meta__add(&text, &len, "hostname", host);
	if (!uname(&uts)) {
		trace_meta__add(&text, &len, "kernel_release", uts.release);
		trace_meta__add(&text, &len, "machine", uts.machine);
	}
	add_boot_id(&text, &len);
	/* boot-time stamps of the events map to wall time with this: the
	 * mapping the live alerts use too */
	add_u64(&text, &len, "clock_wall_minus_boot_ns", wall_minus_boot_ns);
	add_u64(&text, &len, "run_id", run_id);
	trace_meta__add(&text, &len, "default_rules",
			opts->default_rules ? "yes" : "no");
	for (i = 0; i < opts->rules.n_dirs; i++)
		trace_meta__add(&text, &len, "watch", opts->rules.dirs[i]);
	for (i = 0; i < opts->rules.n_patterns; i++)
		trace_meta__add(&text, &len, "pattern",
				opts->rules.pattern_text[i]);
	for (i = 0; i < opts->policy.n_allow; i++)
		add_allow(&text, &len, &opts->policy.allow[i]);

	wo.path = opts->record_path;
	wo.max_size = opts->max_size;
	wo.keep = opts->keep;
	wo.meta = text;
	wo.meta_len = len;
	err = trace_writer__open(w, &wo);
	if (err)
		fw_err("cannot create trace %s: %s", opts->record_path,
		       strerror(-err));
	free(text);
	return err;
}

void recorder__check(struct fw_trace_writer *w, struct fw_sink *sink,
		     struct fw_run_stats *stats)
{
	struct fw_trace_writer_stats ws;
	char msg[1024];
	int err;

	if (!w)
		return;
	if (stats)
		trace_writer__flush(w);
	err = trace_writer__take_error(w);
	if (err) {
		snprintf(
			msg, sizeof(msg),
			"flightwatch: recording stopped: cannot write the trace %s: %s; tracing goes on (alerts are still reported, no longer recorded)",
			trace_writer__path(w), strerror(err));
		/* a text sink prints state on stderr itself */
		if (sink->kind != FW_SINK_TEXT)
			fw_err("%s", msg + strlen("flightwatch: "));
		sink__state(sink, "trace-write-failed", msg);
	}
	if (stats) {
		trace_writer__stats(w, &ws);
		stats->trace_write_errors = ws.error != 0;
		stats->trace_records_lost = ws.lost;
	}
}

int recorder__close(struct fw_trace_writer *w, const struct fw_run_stats *s)
{
	struct fw_trace_writer_stats ws;
	char *text = NULL;
	uint64_t evicted = 0;
	size_t len = 0;
	int err;

	if (!w)
		return 0;
	/* every record on disk first, so that the counts are final */
	trace_writer__flush(w);
	trace_writer__stats(w, &ws);
	add_u64(&text, &len, "events", ws.events);
	add_u64(&text, &len, "kernel_lost", s->lost);
	add_u64(&text, &len, "untracked_syscalls", s->pending_full);
	for (int i = 0; i < FW_LRU_MAX; i++)
		evicted += s->evicted[i];
	add_u64(&text, &len, "evicted", evicted);
	add_u64(&text, &len, "flows", s->correlator.flows);
	add_u64(&text, &len, "alerts", s->correlator.alerts);
	add_u64(&text, &len, "updates", s->correlator.updates);
	add_u64(&text, &len, "raw_bytes", ws.raw_bytes);
	err = trace_writer__close(w, text, len);
	free(text);
	if (fw_verbose)
		fprintf(stderr,
			"flightwatch: trace: %" PRIu64 " records, %" PRIu64
			" bytes raw, %" PRIu64 " bytes written in %" PRIu64
			" blocks, %" PRIu64 " files (before the end block)\n",
			ws.events, ws.raw_bytes, ws.file_bytes, ws.blocks,
			ws.files);
	return err;
}
