/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsmgr_check.h - rejects option combinations that cannot work, with the fix to make.
 * Included by tlsmgr_config.h after the defaults; never include it directly.
 */
#ifndef TLSMGR_CONFIG_H
#error "include tlsmgr_config.h, not tlsmgr_check.h"
#endif

#if TLSMGR_POOL_SIZE < 256 || TLSMGR_POOL_SIZE > 4096 || (TLSMGR_POOL_SIZE % 64) != 0
#error "TLSMGR_POOL_SIZE must be a multiple of 64 between 256 and 4096"
#endif

#if TLSMGR_EXCHANGE_SIZE < 64 || TLSMGR_EXCHANGE_SIZE > 4096
#error "TLSMGR_EXCHANGE_SIZE must be between 64 and 4096"
#endif

#if TLSMGR_SEED_SIZE < 64 || TLSMGR_SEED_SIZE > 4096
#error "TLSMGR_SEED_SIZE must be between 64 and 4096"
#endif

/* Switches are 0 or 1: code tests them with #if, and some also as values. The TLSMGR_DEFAULT_*
 * run-time defaults are checked by the configuration parser's own table instead (conf.c), so
 * that a board preset meets exactly the ranges a tlsmgr.conf line would. */
#if (TLSMGR_HEALTH_TESTS | 1) != 1 || (TLSMGR_KERNEL_CREDIT | 1) != 1
#error "TLSMGR_HEALTH_TESTS and TLSMGR_KERNEL_CREDIT must be 0 or 1"
#endif
#if (TLSMGR_EGD_SERVER | 1) != 1 || (TLSMGR_LOG_DEBUG | 1) != 1
#error "TLSMGR_EGD_SERVER and TLSMGR_LOG_DEBUG must be 0 or 1"
#endif
#if (TLSMGR_DEFAULT_SEED_CREDIT | 1) != 1 || (TLSMGR_DEFAULT_CACHE_SYNC | 1) != 1
#error "TLSMGR_DEFAULT_SEED_CREDIT and TLSMGR_DEFAULT_CACHE_SYNC must be 0 or 1"
#endif

#if TLSMGR_EGD_CLIENT_TIMEOUT_MS < 10 || TLSMGR_EGD_CLIENT_TIMEOUT_MS > 10000
#error "TLSMGR_EGD_CLIENT_TIMEOUT_MS must be between 10 and 10000"
#endif

#if TLSMGR_SWEEP_STEP_MS < 1 || TLSMGR_SWEEP_STEP_MS > 1000
#error "TLSMGR_SWEEP_STEP_MS must be between 1 and 1000"
#endif

#if TLSMGR_CLOCK_SKEW_TOLERANCE < 0 || TLSMGR_CLOCK_SKEW_TOLERANCE > 86400
#error "TLSMGR_CLOCK_SKEW_TOLERANCE must be between 0 and 86400 seconds"
#endif

#if TLSMGR_STATUS_INTERVAL < 0 || TLSMGR_STATUS_INTERVAL > 86400
#error "TLSMGR_STATUS_INTERVAL must be between 0 (never) and 86400 seconds"
#endif

#if TLSMGR_CONF_MAX_SIZE < 1024 || TLSMGR_CONF_MAX_SIZE > 16777216
#error "TLSMGR_CONF_MAX_SIZE must be between 1024 and 16777216"
#endif

#if TLSMGR_DRBG_CTR != 0 && TLSMGR_DRBG_CTR != 1
#error "TLSMGR_DRBG_CTR must be 0 (HMAC_DRBG) or 1 (CTR_DRBG)"
#endif

#if TLSMGR_HEALTH_MIN_ENTROPY < 1 || TLSMGR_HEALTH_MIN_ENTROPY > 8
#error "TLSMGR_HEALTH_MIN_ENTROPY must be between 1 and 8 (bits per byte)"
#endif
#if TLSMGR_HEALTH_ALPHA_LOG2 < 20 || TLSMGR_HEALTH_ALPHA_LOG2 > 40
#error "TLSMGR_HEALTH_ALPHA_LOG2 must be between 20 and 40"
#endif
#if TLSMGR_HEALTH_APT_WINDOW < 64 || TLSMGR_HEALTH_APT_WINDOW > 4096
#error "TLSMGR_HEALTH_APT_WINDOW must be between 64 and 4096"
#endif
#if TLSMGR_MAX_SOURCES < 1 || TLSMGR_MAX_SOURCES > 16
#error "TLSMGR_MAX_SOURCES must be between 1 and 16"
#endif

#if TLSMGR_DEFAULT_RANDOM_BYTES < 1 || TLSMGR_DEFAULT_RANDOM_BYTES > 1024
#error "TLSMGR_DEFAULT_RANDOM_BYTES must be between 1 and 1024"
#endif

#if TLSMGR_MIN_SEED_SAVE_PERIOD < 60
#error "TLSMGR_MIN_SEED_SAVE_PERIOD below 60 s would wear out flash: raise it"
#endif

#if TLSMGR_DEFAULT_SEED_SAVE_PERIOD < TLSMGR_MIN_SEED_SAVE_PERIOD
#error "TLSMGR_DEFAULT_SEED_SAVE_PERIOD must not be below TLSMGR_MIN_SEED_SAVE_PERIOD"
#endif

#if TLSMGR_EGD_SERVER
#if TLSMGR_EGD_MAX_CLIENTS < 1 || TLSMGR_EGD_MAX_CLIENTS > 256
#error "TLSMGR_EGD_MAX_CLIENTS must be between 1 and 256"
#endif
#if TLSMGR_EGD_CLIENT_BUFFER < 260
#error "TLSMGR_EGD_CLIENT_BUFFER must hold one 0x03 request: set it to 260 or more"
#endif
#if TLSMGR_EGD_REQUEST_TIMEOUT_MS < 10 || TLSMGR_EGD_REQUEST_TIMEOUT_MS > 10000
#error "TLSMGR_EGD_REQUEST_TIMEOUT_MS must be between 10 and 10000"
#endif
#if TLSMGR_EGD_SERVE_QUANTUM < 256 || TLSMGR_EGD_SERVE_QUANTUM > TLSMGR_EGD_CLIENT_BUFFER
#error "TLSMGR_EGD_SERVE_QUANTUM must be between 256 and TLSMGR_EGD_CLIENT_BUFFER"
#endif
#if TLSMGR_EGD_MAX_SILENT < 1 || TLSMGR_EGD_MAX_SILENT > 512
#error "TLSMGR_EGD_MAX_SILENT must be between 1 and 512"
#endif
#if TLSMGR_EGD_CONTENDED_MS < 1 || TLSMGR_EGD_CONTENDED_MS > TLSMGR_EGD_REQUEST_TIMEOUT_MS
#error "TLSMGR_EGD_CONTENDED_MS must be between 1 and TLSMGR_EGD_REQUEST_TIMEOUT_MS"
#endif
#if TLSMGR_EGD_ACCEPT_BATCH < 1 || TLSMGR_EGD_ACCEPT_BATCH > 256
#error "TLSMGR_EGD_ACCEPT_BATCH must be between 1 and 256"
#endif
#endif
/* Idle EGD clients are no longer cut (real clients keep their connection for hours); a
 * request in progress is bounded instead. */
#if defined(TLSMGR_EGD_IDLE_TIMEOUT) || defined(TLSMGR_EGD_BUSY_IDLE_MS)
#error                                                                                             \
    "TLSMGR_EGD_IDLE_TIMEOUT and TLSMGR_EGD_BUSY_IDLE_MS are gone: use TLSMGR_EGD_REQUEST_TIMEOUT_MS"
#endif

#if TLSMGR_MAX_FDS < 4 || TLSMGR_MAX_FDS > 1024
#error "TLSMGR_MAX_FDS must be 4 (room for the signal descriptor) to 1024 (PORT_POLL_MAX)"
#endif
#if TLSMGR_EGD_SERVER && TLSMGR_MAX_FDS < TLSMGR_EGD_MAX_CLIENTS + TLSMGR_EGD_MAX_SILENT + 3
#error "TLSMGR_MAX_FDS must be at least TLSMGR_EGD_MAX_CLIENTS + TLSMGR_EGD_MAX_SILENT + 3 with EGD"
#endif

#if TLSMGR_SERVICE_RETRY_MIN < 1 || TLSMGR_SERVICE_RETRY_MAX > 86400 ||                            \
    TLSMGR_SERVICE_RETRY_MIN > TLSMGR_SERVICE_RETRY_MAX
#error "TLSMGR_SERVICE_RETRY_MIN and _MAX must be 1 to 86400 seconds, MIN not above MAX"
#endif

#if TLSMGR_MAX_TIMERS < 4 || TLSMGR_MAX_TIMERS > 64
#error "TLSMGR_MAX_TIMERS must be between 4 and 64"
#endif

#if TLSMGR_SWEEP_BATCH < 1 || TLSMGR_SWEEP_BATCH > 100000
#error "TLSMGR_SWEEP_BATCH must be between 1 and 100000"
#endif

#if TLSMGR_DEFAULT_CACHE_MAX_ENTRIES < 1
#error "TLSMGR_DEFAULT_CACHE_MAX_ENTRIES must be at least 1"
#endif

#if TLSMGR_CACHE_CLIENT_RETRY_MS < 100 || TLSMGR_CACHE_CLIENT_RETRY_MS > 3600000
#error "TLSMGR_CACHE_CLIENT_RETRY_MS must be between 100 and 3600000"
#endif

#if TLSMGR_CACHE_LEAK_MAX < 1 || TLSMGR_CACHE_LEAK_MAX > 64
#error "TLSMGR_CACHE_LEAK_MAX must be between 1 and 64"
#endif
#if TLSMGR_TICKETS != 0 && TLSMGR_TICKETS != 1
#error "TLSMGR_TICKETS must be 0 or 1"
#endif
#if TLSMGR_MIN_TICKET_KEY_LIFETIME < 2 || TLSMGR_MIN_TICKET_KEY_LIFETIME > 518400
#error "TLSMGR_MIN_TICKET_KEY_LIFETIME must be between 2 and 518400 (6 days)"
#endif
#if TLSMGR_DEFAULT_TICKET_KEY_LIFETIME < TLSMGR_MIN_TICKET_KEY_LIFETIME ||                         \
    TLSMGR_DEFAULT_TICKET_KEY_LIFETIME > 518400
#error                                                                                             \
    "TLSMGR_DEFAULT_TICKET_KEY_LIFETIME must be between TLSMGR_MIN_TICKET_KEY_LIFETIME and 518400 (6 days)"
#endif
#if TLSMGR_TICKET_RETRY < 1 || TLSMGR_TICKET_RETRY > 3600
#error "TLSMGR_TICKET_RETRY must be between 1 and 3600 seconds"
#endif
#if TLSMGR_TICKET_CLIENT_RECHECK_MS < 1000 || TLSMGR_TICKET_CLIENT_RECHECK_MS > 3600000
#error "TLSMGR_TICKET_CLIENT_RECHECK_MS must be between 1000 and 3600000"
#endif

#if TLSMGR_TICKET_EXPORT != 0 && TLSMGR_TICKET_EXPORT != 1
#error "TLSMGR_TICKET_EXPORT must be 0 or 1"
#endif
#if TLSMGR_TICKET_EXPORT && !TLSMGR_TICKETS
#error "TLSMGR_TICKET_EXPORT needs TLSMGR_TICKETS 1 (the exported keys are the shared ones)"
#endif
#if TLSMGR_TICKET_EXPORT_MAX < 1 || TLSMGR_TICKET_EXPORT_MAX > 8
#error "TLSMGR_TICKET_EXPORT_MAX must be between 1 and 8"
#endif
#if TLSMGR_TICKET_IMPORT_CHECK < 1 || TLSMGR_TICKET_IMPORT_CHECK > 3600
#error "TLSMGR_TICKET_IMPORT_CHECK must be between 1 and 3600 seconds"
#endif
#if TLSMGR_HAPROXY_TIMEOUT_MS < 100 || TLSMGR_HAPROXY_TIMEOUT_MS > 30000
#error "TLSMGR_HAPROXY_TIMEOUT_MS must be between 100 and 30000"
#endif

#if TLSMGR_MAX_TAG_LEN < 1 || TLSMGR_MAX_TAG_LEN > 64
#error "TLSMGR_MAX_TAG_LEN must be between 1 and 64"
#endif

#if TLSMGR_CONF_MAX_LINE < 128 || TLSMGR_CONF_MAX_LINE > TLSMGR_CONF_MAX_SIZE
#error "TLSMGR_CONF_MAX_LINE must be between 128 and TLSMGR_CONF_MAX_SIZE"
#endif

#if TLSMGR_PATH_MAX < 64 || TLSMGR_PATH_MAX > 4096
#error "TLSMGR_PATH_MAX must be between 64 and 4096"
#endif

#if TLSMGR_LOG_LINE < 64
#error "TLSMGR_LOG_LINE must be at least 64"
#endif
