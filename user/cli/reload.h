/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIGHUP's parsing, off the event loop: the config file and the command
 * line are read again (options__parse_run_err) and the GeoIP database
 * opened again in a thread of their own, so that events keep flowing to
 * the correlator while a file is parsed. The loop asks reload__done each
 * turn and applies the result itself: everything the loop owns (the
 * kernel's rules, the policy, the correlator) is changed by the loop only.
 */
#ifndef FW_RELOAD_H
#define FW_RELOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include "cli/options.h"
#include "core/geoip.h"

struct fw_reload {
	pthread_t thread;
	atomic_bool finished; /* set by the thread as its last act */
	int argc;
	char **argv;
	/* the result, the loop's once reload__done said true */
	int ret; /* 0: fresh (and geoip when fresh names one) are usable */
	struct fw_options fresh;
	struct fw_geoip *geoip;
	char err[1024]; /* when ret is not 0 */
};

/* Starts parsing argv (as `run` got it) in a new thread, into a new *r;
 * signals stay with the caller's threads. 0, or -errno when no thread
 * could be made (*r NULL). */
int reload__start(struct fw_reload **r, int argc, char **argv);
/* Has the reload finished? Then its thread is joined and the result is
 * in r: the caller takes fresh and geoip, then calls reload__free. Never
 * blocks. */
bool reload__done(struct fw_reload *r);
/* Frees r and what the caller did not take of its result */
void reload__free(struct fw_reload *r);
/* At stop: a finished reload is freed; one still reading (a file on a
 * hung network mount, a FIFO named as the GeoIP database) is left to its
 * thread, which the process's exit ends, so that a stop never waits for
 * it. NULL is fine. */
void reload__abandon(struct fw_reload *r);

#endif /* FW_RELOAD_H */
