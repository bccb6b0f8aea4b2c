/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - the daemon's one logging API (libtlsmgr never logs). Messages never contain key
 * material. Before log_open, messages go to standard error as "tlsmgr: message": the command
 * line's diagnostics (a bad option, a bad configuration file) use it too.
 */
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
 * enables log_debug. */
void log_open(const char *ident, int facility, int foreground, int verbose);
void log_close(void);
/* 0 silences everything, 1 sends to the port sink again (the unit tests). */
void log_enable(int on);

/* Copies every message that follows into buf (one line each, NUL-terminated, cut at cap) until
 * log_capture_stop, which returns the length; also_log 0 keeps them out of the sink. The
 * status file is written this way from the services' statistics lines. */
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

/* The same, with ": " and the text of errno (as it was when called) appended: OpenBSD's
 * log_warn, for the many messages about a failed system call. */
void log_err_errno(const char *fmt, ...) TLSMGR_PRINTF(1, 2);
void log_warn_errno(const char *fmt, ...) TLSMGR_PRINTF(1, 2);

#endif
