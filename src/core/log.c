/* SPDX-License-Identifier: BSD-2-Clause */
/* log.c - formats a message once and hands it to the port's sink. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "port.h"

static int log_verbose;
static int log_on = 1;

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

static void emit(int priority, const char *fmt, va_list ap)
{
    char line[TLSMGR_LOG_LINE];

    if (!log_on)
        return;
    vsnprintf(line, sizeof(line), fmt, ap);
    port_log_write(priority, line);
}

#define LOG_FN(name, priority)                                                                     \
    void name(const char *fmt, ...)                                                                \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        emit(priority, fmt, ap);                                                                   \
        va_end(ap);                                                                                \
    }

LOG_FN(log_err, PORT_LOG_ERR)
LOG_FN(log_warn, PORT_LOG_WARNING)
LOG_FN(log_notice, PORT_LOG_NOTICE)
LOG_FN(log_info, PORT_LOG_INFO)

#if TLSMGR_LOG_DEBUG
void log_debug(const char *fmt, ...)
{
    va_list ap;

    if (!log_verbose)
        return;
    va_start(ap, fmt);
    emit(PORT_LOG_DEBUG, fmt, ap);
    va_end(ap);
}
#endif
