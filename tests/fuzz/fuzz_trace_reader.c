// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: any bytes as a trace file, through the reader and on
 * into the correlator, as replay does. The reader must never crash, leak
 * or read out of bounds, whatever the file holds.
 */
#include <stddef.h>
#include <stdint.h>
#include "core/correlator.h"
#include "core/policy.h"
#include "trace/trace_reader.h"

static void on_alert(const struct fw_alert *a, void *ctx)
{
	(void)a;
	(void)ctx;
}

static void on_event(const void *rec, size_t size, void *ctx)
{
	correlator__feed(ctx, rec, size);
}

static void on_mark(const struct fw_event_header *hdr, void *ctx)
{
	(void)hdr;
	correlator__flush(ctx);
}

static void on_text(const char *key, const char *value, void *ctx)
{
	(void)key;
	(void)value;
	(void)ctx;
}

static void on_damage(const char *name, uint64_t off, const char *nature,
		      void *ctx)
{
	(void)name;
	(void)off;
	(void)nature;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_policy policy = { 0 };
	struct fw_correlator *c = correlator__new(&policy, on_alert, NULL);
	struct fw_trace_read_stats st = { 0 };
	struct fw_trace_reader_cb cb = {
		.meta = on_text,
		.end = on_text,
		.event = on_event,
		.mark = on_mark,
		.damage = on_damage,
		.ctx = c,
	};

	trace_reader__read_mem(data, size, "fuzz", &cb, &st);
	correlator__free(c);
	return 0;
}
