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

void log_msg(const char *fmt, ...)
{
    char line[TLSMGR_LOG_LINE];
    int errnum = errno, priority = fmt[0] & 7, n;
    va_list ap;

    if ((priority == PORT_LOG_DEBUG && !log_verbose) || (capture.buf == NULL && !log_on))
        return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt + 1, ap);
    va_end(ap);
    if ((fmt[0] & LOG_ERRNO) && n >= 0 && (size_t)n < sizeof(line))
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

void log_counters(const char *what, const char *names, const uint64_t *values)
{
    char line[TLSMGR_LOG_LINE];
    const char *sep = ": ";
    int n = snprintf(line, sizeof(line), "%s", what);
    size_t len = n > 0 ? (size_t)n : 0;

    /* A line too long is cut like any other: the loop ends once len reaches the end. */
    for (; *names != '\0' && len < sizeof(line); names += strlen(names) + 1, values++) {
        n = snprintf(line + len, sizeof(line) - len, "%s%s %llu", sep, names,
                     (unsigned long long)*values);
        if (n < 0)
            break;
        len += (size_t)n;
        sep = ", ";
    }
    log_info("%s", line);
}
