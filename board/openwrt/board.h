/* SPDX-License-Identifier: BSD-2-Clause */
/* openwrt - /var is tmpfs; the seed lives under /etc (kept across sysupgrade). The exchange
 * file is rewritten at most hourly: fewer wake-ups on battery-less but busy SoCs. */
#define TLSMGR_BOARD_NAME                 "openwrt"
#define TLSMGR_DEFAULT_STATE_DIRECTORY    "/var/run/tlsmgr"
#define TLSMGR_DEFAULT_CONFIG_FILE        "/var/etc/tlsmgr.conf"
#define TLSMGR_DEFAULT_PRNG_UPDATE_PERIOD 3600
#define TLSMGR_DEFAULT_CACHE_MAP_SIZE     (8UL * 1024 * 1024)
#define TLSMGR_DEFAULT_CACHE_MAX_ENTRIES  5000
/* EGD: fewer slots (each holds 1 KB of buffers), and more time for a request, and for a new
 * connection's first bytes when connections flood, on slow, loaded SoCs where a client may be
 * descheduled between its connect and its write or between two writes. */
#define TLSMGR_EGD_MAX_CLIENTS        8
#define TLSMGR_EGD_REQUEST_TIMEOUT_MS 250
#define TLSMGR_EGD_CONTENDED_MS       25
