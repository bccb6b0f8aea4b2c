/* SPDX-License-Identifier: BSD-2-Clause */
/* log.c - formats a message once and hands it to the port's sink (or the status capture). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "port.h"

static int log_verbose;
static int log_on = 1;
static struct {
    char *buf;
    size_t cap, len;
    int also_log;
} capture;

void log_open(const char *ident, int facility, int foreground, int verbose)
{
    log_verbose = verbose;
    log_on = 1;
    port_log_open(ident, facility, foreground);
}

void log_close(void)
{
    port_log_close();
}

void log_enable(int on)
{
    log_on = on;
}

void log_capture_start(char *buf, size_t cap, int also_log)
{
    capture.buf = cap > 0 ? buf : NULL;
    capture.cap = cap;
    capture.len = 0;
    capture.also_log = also_log;
    if (capture.buf != NULL)
        capture.buf[0] = '\0';
}

size_t log_capture_stop(void)
{
    size_t len = capture.len;

    capture.buf = NULL;
    return len;
}

/* errnum >= 0 appends ": strerror(errnum)". */
static void emit(int priority, int errnum, const char *fmt, va_list ap)
{
    char line[TLSMGR_LOG_LINE];
    int n;

    if (capture.buf == NULL && !log_on)
        return;
    n = vsnprintf(line, sizeof(line), fmt, ap);
    if (errnum >= 0 && n >= 0 && (size_t)n < sizeof(line))
        snprintf(line + n, sizeof(line) - (size_t)n, ": %s", strerror(errnum));
    if (capture.buf != NULL) {
        n = snprintf(capture.buf + capture.len, capture.cap - capture.len, "%s\n", line);
        if (n > 0)
            capture.len +=
                (size_t)n < capture.cap - capture.len ? (size_t)n : capture.cap - capture.len - 1;
        if (!capture.also_log || !log_on)
            return;
    }
    port_log_write(priority, line);
}

#define LOG_FN(name, priority, with_errno)                                                         \
    void name(const char *fmt, ...)                                                                \
    {                                                                                              \
        int errnum = with_errno ? errno : -1;                                                      \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        emit(priority, errnum, fmt, ap);                                                           \
        va_end(ap);                                                                                \
    }

LOG_FN(log_err, PORT_LOG_ERR, 0)
LOG_FN(log_warn, PORT_LOG_WARNING, 0)
LOG_FN(log_notice, PORT_LOG_NOTICE, 0)
LOG_FN(log_info, PORT_LOG_INFO, 0)
LOG_FN(log_err_errno, PORT_LOG_ERR, 1)
LOG_FN(log_warn_errno, PORT_LOG_WARNING, 1)

#if TLSMGR_LOG_DEBUG
void log_debug(const char *fmt, ...)
{
    va_list ap;

    if (!log_verbose)
        return;
    va_start(ap, fmt);
    emit(PORT_LOG_DEBUG, -1, fmt, ap);
    va_end(ap);
}
#endif
