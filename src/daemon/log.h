/* SPDX-License-Identifier: BSD-2-Clause */
/* log.h - the one logging API of daemon and library. Messages never contain key material. */
#ifndef TLSMGR_LOG_H
#define TLSMGR_LOG_H

#include <stddef.h>

#include "tlsmgr_config.h"

#if defined(__GNUC__)
#define TLSMGR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TLSMGR_PRINTF(a, b)
#endif

/* Chooses the sink: syslog under ident/facility, or standard error when foreground. verbose
 * enables log_debug. Before log_open, messages go to standard error. */
void log_open(const char *ident, int facility, int foreground, int verbose);
void log_close(void);
/* Library use: 0 silences everything (the default of libtlsmgr), 1 sends to the port sink. */
void log_enable(int on);

/* Copies every message that follows into buf (one line each, NUL-terminated, cut at cap) until
 * log_capture_stop, which returns the length; also_log 0 keeps them out of the sink. */
void log_capture_start(char *buf, size_t cap, int also_log);
size_t log_capture_stop(void);

void log_err(const char *fmt, ...) TLSMGR_PRINTF(1, 2);
void log_warn(const char *fmt, ...) TLSMGR_PRINTF(1, 2);
void log_notice(const char *fmt, ...) TLSMGR_PRINTF(1, 2);
void log_info(const char *fmt, ...) TLSMGR_PRINTF(1, 2);
#if TLSMGR_LOG_DEBUG
void log_debug(const char *fmt, ...) TLSMGR_PRINTF(1, 2);
#else
#define log_debug(...) ((void)0)
#endif

#endif
