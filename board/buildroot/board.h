/* SPDX-License-Identifier: BSD-2-Clause */
/* buildroot - a BusyBox or systemd image with /var/run on tmpfs and /etc on flash. */
#define TLSMGR_BOARD_NAME                 "buildroot"
#define TLSMGR_DEFAULT_STATE_DIRECTORY    "/var/run/tlsmgr"
#define TLSMGR_DEFAULT_PRNG_UPDATE_PERIOD 3600
