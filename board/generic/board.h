/* SPDX-License-Identifier: BSD-2-Clause */
/* generic - a Linux system with the defaults of config/tlsmgr_config.h. */
#define TLSMGR_BOARD_NAME "generic"
