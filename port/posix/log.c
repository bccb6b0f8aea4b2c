/* SPDX-License-Identifier: BSD-2-Clause */
/* log.c - the log sink: syslog, or standard error in the foreground. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "port.h"

static int log_stderr = 1;
static char log_ident[32] = "tlsmgr";

void port_log_open(const char *ident, int facility, int to_stderr)
{
    size_t n = strlen(ident);

    if (n >= sizeof(log_ident))
        n = sizeof(log_ident) - 1;
    memcpy(log_ident, ident, n);
    log_ident[n] = '\0';
    log_stderr = to_stderr;
    if (!to_stderr)
        openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
}

void port_log_write(int priority, const char *message)
{
    if (log_stderr) {
        fprintf(stderr, "%s: %s\n", log_ident, message);
        fflush(stderr);
    } else {
        syslog(priority, "%s", message);
    }
}

void port_log_close(void)
{
    if (!log_stderr)
        closelog();
}

void port_print(const char *text)
{
    fputs(text, stdout);
    fflush(stdout);
}
