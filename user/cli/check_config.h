/* SPDX-License-Identifier: GPL-2.0 */
/* `flightwatch check-config [FILE]`: validate a config file and print the
 * effective rules */
#ifndef FW_CHECK_CONFIG_H
#define FW_CHECK_CONFIG_H

/* argv[0] is "check-config"; returns the exit status */
int check_config__main(int argc, char **argv);

#endif /* FW_CHECK_CONFIG_H */
