// SPDX-License-Identifier: GPL-2.0
#include <cap-ng.h>
#include <linux/capability.h>
#include "privs.h"
#include "util.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int apply(bool effective_bpf, bool permitted_bpf)
{
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			 CAP_DAC_READ_SEARCH))
		return -1;
	if (effective_bpf && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, CAP_BPF))
		return -1;
	if (permitted_bpf && capng_update(CAPNG_ADD, CAPNG_PERMITTED, CAP_BPF))
		return -1;
	return capng_apply(CAPNG_SELECT_CAPS) ? -1 : 0;
}

int privs__drop(fw_bpf_check_fn check, void *ctx)
{
	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0;
	/* CAP_BPF stays permitted while the maps are tried without it */
	if (apply(false, true))
		goto fail;
	if (!check(ctx))
		return apply(false, false) ? -1 : 0;
	if (apply(true, true))
		goto fail;
	if (fw_verbose)
		fw_warn("this kernel needs CAP_BPF for map operations: kept");
	return 0;
fail:
	fw_err("cannot drop capabilities");
	return -1;
}
