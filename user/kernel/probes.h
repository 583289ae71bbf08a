/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runtime probes of what the running kernel allows beyond the tracer's
 * baseline: each loads (and attaches) an empty program of the kind and
 * detaches it at once. They change nothing on the system.
 */
#ifndef FW_PROBES_H
#define FW_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/btf.h>

struct fw_feature {
	const char *name; /* "fentry/fexit" */
	bool available;
	char detail[160]; /* why not, or what it needs */
};

enum {
	FW_FEATURE_FENTRY,
	FW_FEATURE_LSM,
	FW_FEATURE_SEND_LENGTH,
	FW_FEATURE_FILEMAP_PAGES,
	FW_FEATURE_COUNT,
};

/* Does an fentry program load and attach here? (the loader's question) */
bool probes__fentry(const struct btf *btf);
/* Fill features[FW_FEATURE_COUNT]; btf: the kernel's */
void probes__run(const struct btf *btf, struct fw_feature *features);

#endif /* FW_PROBES_H */
