// SPDX-License-Identifier: GPL-2.0
/* Definitions of the shared maps (see maps.bpf.h) */
#define FW_DEFINE_MAPS
#include "maps.bpf.h"

const volatile __u32 fw_self_tgid = 0;
const volatile __u64 fw_taint_expiry_ns = 0;

char LICENSE[] SEC("license") = "GPL";
