/* SPDX-License-Identifier: BSD-2-Clause */
/* tiny - 4 MB flash / 32 MB RAM class. No EGD server (TLS processes read the exchange file or
 * use getrandom), a small cache and map, fewer descriptors and timers. */
#define TLSMGR_BOARD_NAME                 "tiny"
#define TLSMGR_EGD_SERVER                 0
#define TLSMGR_MAX_SOURCES                4
#define TLSMGR_MAX_FDS                    4
#define TLSMGR_MAX_TIMERS                 8
#define TLSMGR_LOG_DEBUG                  0
#define TLSMGR_DEFAULT_EGD_SOCKET         ""
#define TLSMGR_DEFAULT_PRNG_UPDATE_PERIOD 3600
#define TLSMGR_DEFAULT_CACHE_MAX_ENTRIES  1000
#define TLSMGR_DEFAULT_CACHE_MAP_SIZE     (1UL * 1024 * 1024)
#define TLSMGR_SWEEP_BATCH                250
/* Key files for lighttpd, nginx and HAProxy are for bigger boxes: left out. */
#define TLSMGR_TICKET_EXPORT 0
