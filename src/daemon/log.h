/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - the daemon's one logging API (libtlsmgr never logs). Messages never contain key
 * material. Before log_open, messages go to standard error as "tlsmgr: message": the command
 * line's diagnostics (a bad option, a bad configuration file) use it too.
 */
#ifndef TLSMGR_LOG_H
#define TLSMGR_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "noinline.h"
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

/* log_err, log_warn, log_notice, log_info and log_debug take a printf format (a string
 * literal) and its arguments. They are one function, log_msg: the priority rides in the
 * format's first byte, since every variadic entry point costs its register save area in
 * code. */
/* The prefixes of log_err and log_err_errno, for a call that picks one at run time. */
#define LOG_P_ERR       "\003"
#define LOG_P_ERR_ERRNO "\023"
#define log_err(...)    log_msg(LOG_P_ERR __VA_ARGS__)
#define log_warn(...)   log_msg("\004" __VA_ARGS__)
#define log_notice(...) log_msg("\005" __VA_ARGS__)
#define log_info(...)   log_msg("\006" __VA_ARGS__)
#if TLSMGR_LOG_DEBUG
#define log_debug(...) log_msg("\007" __VA_ARGS__)
#else
#define log_debug(...) ((void)0)
#endif
/* The same, with ": " and the text of errno (as it was when called) appended: OpenBSD's
 * log_warn, for the many messages about a failed system call. */
#define log_err_errno(...)  log_msg(LOG_P_ERR_ERRNO __VA_ARGS__)
#define log_warn_errno(...) log_msg("\024" __VA_ARGS__)

/* fmt[0]: a PORT_LOG_* priority, plus LOG_ERRNO to append errno's text. */
#define LOG_ERRNO 0x10
void log_msg(const char *fmt, ...) TLSMGR_PRINTF(1, 2);

/* Logs one statistics line, "what: name value, name value, ...", at info priority: names is
 * a list of NUL-terminated names ended by an empty one ("a\0b\0"), values holds one value
 * per name. Every service's statistics take this one form. */
void log_counters(const char *what, const char *names, const uint64_t *values);
/* Statistics structures that are all uint64_t counters are read as arrays of them: this
 * type fails to compile when struct type has another size than n counters. */
#define LOG_COUNTERS_CHECK(type, n)                                                                \
    typedef char log_counters_check_##type[sizeof(struct type) == (n)*8 ? 1 : -1]

#endif
