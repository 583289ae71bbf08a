// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sink/journal.h"
#include "sink/sink.h"

enum fw_sink_kind sink__resolve(enum fw_sink_kind kind)
{
	if (kind != FW_SINK_AUTO)
		return kind;
	return journal__available() ? FW_SINK_JOURNAL : FW_SINK_TEXT;
}

/* Is stderr a terminal that is not already the journal? Then a person is
 * watching: journald gets the entries and the terminal shows them too. */
static bool person_watching(void)
{
	return isatty(STDERR_FILENO) && !getenv("JOURNAL_STREAM");
}

void sink__open(struct fw_sink *s, enum fw_sink_kind kind, int verbose,
		uint64_t run_id)
{
	memset(s, 0, sizeof(*s));
	s->kind = sink__resolve(kind);
	s->output.out = stdout;
	s->output.err = stderr;
	s->output.json = s->kind == FW_SINK_JSON;
	s->output.verbose = verbose;
	s->output.run_id = run_id;
	if (s->kind == FW_SINK_JOURNAL)
		s->journal = journal__new(&s->output, person_watching());
}

void sink__alert(const struct fw_alert *alert, void *ctx)
{
	struct fw_sink *s = ctx;

	if (s->quiet)
		return;
	if (s->journal)
		journal__alert(alert, s->journal);
	else
		output__alert(alert, &s->output);
}

void sink__ready(struct fw_sink *s, const struct fw_ready_info *info)
{
	if (s->journal)
		journal__ready(s->journal, info);
	else
		output__ready(&s->output, info);
}

void sink__stats(struct fw_sink *s, const struct fw_run_stats *stats)
{
	if (s->journal)
		journal__stats(s->journal, stats);
	else
		output__stats(&s->output, stats);
}

void sink__state(struct fw_sink *s, const char *action, const char *msg)
{
	if (s->journal)
		journal__state(s->journal, action, msg);
	else
		output__state(&s->output, action, msg);
}

void sink__tick(struct fw_sink *s, uint64_t now_ns)
{
	if (s->journal)
		journal__tick(s->journal, now_ns);
}

void sink__keep_spool(struct fw_sink *s)
{
	if (s->journal)
		journal__spool_in(s->journal, NULL);
}

bool sink__pollfd(struct fw_sink *s, struct pollfd *pfd)
{
	return s->journal && journal__pollfd(s->journal, pfd);
}

void sink__drain(struct fw_sink *s)
{
	if (s->journal)
		journal__drain(s->journal);
}

void sink__close(struct fw_sink *s)
{
	journal__free(s->journal);
	s->journal = NULL;
}
