// SPDX-License-Identifier: GPL-2.0
#include <cap-ng.h>
#include <linux/capability.h>
#include <stdint.h>
#include "kernel/privs.h"
#include "lib/util.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* Permitted capabilities at the start, one bit each */
static uint64_t had;

static bool has(int cap)
{
	return had & (1ull << cap);
}

/* Effective and permitted: CAP_DAC_READ_SEARCH and extra (-1: none);
 * with keep_permitted the permitted set stays whole, so that a later call
 * can still choose another extra */
static int apply(int extra, bool keep_permitted)
{
	capng_clear(CAPNG_SELECT_CAPS);
	for (int cap = 0; cap < 64; cap++) {
		capng_type_t type = 0;

		if (!has(cap))
			continue;
		if (cap == CAP_DAC_READ_SEARCH || cap == extra)
			type = CAPNG_EFFECTIVE | CAPNG_PERMITTED;
		else if (keep_permitted)
			type = CAPNG_PERMITTED;
		if (type && capng_update(CAPNG_ADD, type, cap))
			return -1;
	}
	return capng_apply(CAPNG_SELECT_CAPS) ? -1 : 0;
}

int privs__drop(fw_bpf_check_fn check, void *ctx)
{
	/* kernels that check map operations on open descriptors want
	 * CAP_BPF, or CAP_SYS_ADMIN before CAP_BPF existed (5.8) */
	static const int extras[] = { -1, CAP_BPF, CAP_SYS_ADMIN };

	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0;
	had = 0;
	for (int cap = 0; cap < 64; cap++)
		if (capng_have_capability(CAPNG_PERMITTED, cap) == 1)
			had |= 1ull << cap;
	for (size_t i = 0; i < FW_ARRAY_SIZE(extras); i++) {
		if (extras[i] >= 0 && !has(extras[i]))
			continue;
		if (apply(extras[i], true))
			goto fail;
		if (check(ctx))
			continue;
		if (apply(extras[i], false))
			goto fail;
		if (extras[i] >= 0 && fw_verbose)
			fw_warn("this kernel needs capability %d for map operations: kept",
				extras[i]);
		return 0;
	}
	/* nothing smaller works: keep what we have rather than go blind */
	if (apply(-1, true) || capng_get_caps_process())
		goto fail;
	for (int cap = 0; cap < 64; cap++)
		if (has(cap))
			capng_update(CAPNG_ADD,
				     CAPNG_EFFECTIVE | CAPNG_PERMITTED, cap);
	if (capng_apply(CAPNG_SELECT_CAPS))
		goto fail;
	fw_warn("the maps do not work with fewer capabilities: none dropped");
	return 0;
fail:
	fw_err("cannot drop capabilities");
	return -1;
}
