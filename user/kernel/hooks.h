/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which BPF programs the tracer can run without, what is not followed
 * without each, and which variant of a program fits the running kernel.
 *
 * Every program not named here is essential: file reads, sends,
 * fork/exec/exit and carriers (the syscall and scheduler hooks). An
 * optional program belongs to a group whose programs only work together
 * (io_uring's submission and completion): when one is left out, so is the
 * group. A group may have variants of a program for the tracepoint
 * signatures different kernels declare: the one the kernel's BTF declares
 * is kept.
 */
#ifndef FW_HOOKS_H
#define FW_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "sink/output.h"

/* A program the kernel (or libbpf) refused at load, and the reason */
struct fw_refusal {
	char prog[64];
	char reason[sizeof(((struct fw_hook_status *)0)->reason)];
};

/* Hooks left out, with the reason: what the ready line reports */
struct fw_hook_list {
	struct fw_hook_status *items;
	size_t n, max;
};

/* Is prog (a program's name) one the tracer can run without? */
bool hooks__optional(const char *prog);
/* Is prog one of the enforcement programs, loaded only with --enforce? */
bool hooks__enforcing(const char *prog);
/* What is not followed (or enforced) without prog */
const char *hooks__lost(const char *prog);
/* The hook (section) a user knows a program by: "tp_btf/io_uring_complete"
 * for every variant of it; the program's own name when it is not listed */
const char *hooks__label(const char *prog);
/* Is sec (an attached program's section) one of an optional program? */
bool hooks__section_optional(const char *sec);
/* Before load: keep of each optional hook the first variant that fits
 * (the signature btf declares; fentry variants only where fentry programs
 * load), leave out (autoload off) the other variants, the hooks the kernel
 * lacks, the programs refused before and every group one of those breaks,
 * and the enforcement programs unless enforce;
 * each hook left out is added to out once, with what is not followed
 * without it */
void hooks__select(struct bpf_object *obj, const struct btf *btf,
		   const struct fw_refusal *refused, size_t n_refused,
		   bool fentry, bool enforce, struct fw_hook_list *out);
/* Is prog one of the syscall hooks of the fast tier? (essential there) */
bool hooks__fast_syscall(const char *prog);
/* Before load: the syscall programs of one tier on, the other's off. The
 * fast tier's programs are on where btf has their function; a 32-bit
 * one's may be absent (no ia32 emulation), any other's missing makes the
 * tier impossible: -ENOENT with the function in missing. 0 otherwise. */
int hooks__select_tier(struct bpf_object *obj, const struct btf *btf, bool fast,
		       char *missing, size_t size);
/* Add hook and reason to list unless the hook is there already */
void hooks__list_add(struct fw_hook_list *list, const char *hook,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* FW_HOOKS_H */
