/* SPDX-License-Identifier: GPL-2.0 */
/* `flightwatch check-kernel`: what this kernel lets the tracer follow,
 * before it is deployed */
#ifndef FW_CHECK_KERNEL_H
#define FW_CHECK_KERNEL_H

/* argv[0] is "check-kernel"; returns the exit status: 0 when the tracer
 * runs here, 1 when its essential programs cannot load, 2 on bad usage */
int check_kernel__main(int argc, char **argv);

#endif /* FW_CHECK_KERNEL_H */
