/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FW_VERSION_H
#define FW_VERSION_H

#ifndef FW_VERSION
#define FW_VERSION "0.1.0"
#endif

#endif /* FW_VERSION_H */
