// SPDX-License-Identifier: GPL-2.0
/* The license of the linked object: helpers that need GPL check it once */
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";
