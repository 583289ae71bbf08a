// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/reload.h"
#include "lib/util.h"

static void *parse(void *arg)
{
	struct fw_reload *r = arg;

	r->ret = options__parse_run_err(r->argc, r->argv, &r->fresh, r->err,
					sizeof(r->err));
	/* an updated database file (geoipupdate) or another path */
	if (!r->ret && r->fresh.geoip_path &&
	    !(r->geoip = geoip__open(r->fresh.geoip_path))) {
		snprintf(r->err, sizeof(r->err),
			 "cannot use the GeoIP database %s",
			 r->fresh.geoip_path);
		options__free(&r->fresh);
		r->ret = -1;
	}
	atomic_store(&r->finished, true);
	return NULL;
}

int reload__start(struct fw_reload **out, int argc, char **argv)
{
	struct fw_reload *r = fw_xcalloc(1, sizeof(*r));
	sigset_t all, old;
	int err;

	r->ret = -1;
	r->argc = argc;
	r->argv = argv;
	atomic_init(&r->finished, false);
	/* the thread inherits a mask blocking every signal: SIGHUP, SIGINT
	 * and SIGTERM interrupt the loop's poll, never the parser */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&r->thread, NULL, parse, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		free(r);
		*out = NULL;
		return -err;
	}
	*out = r;
	return 0;
}

bool reload__done(struct fw_reload *r)
{
	if (!r || !atomic_load(&r->finished))
		return false;
	pthread_join(r->thread, NULL);
	return true;
}

void reload__free(struct fw_reload *r)
{
	if (!r)
		return;
	options__free(&r->fresh);
	geoip__close(r->geoip);
	free(r);
}

void reload__abandon(struct fw_reload *r)
{
	if (!r)
		return;
	if (reload__done(r)) {
		reload__free(r);
		return;
	}
	pthread_detach(r->thread);
}
