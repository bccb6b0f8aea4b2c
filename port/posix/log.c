/* SPDX-License-Identifier: BSD-2-Clause */
/* log.c - the log sink: syslog, or standard error in the foreground. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "eintr.h"
#include "port.h"
#include "syscalls.h"

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

/* Writes all of text to fd (unbuffered: nothing is lost if the process dies next). */
static void write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t w = sys_write(fd, text, len);

        if (EINTR_AGAIN(w < 0))
            continue;
        if (w <= 0)
            return;
        text += w;
        len -= (size_t)w;
    }
}

/* Longest message written whole to standard error (the daemon's lines are TLSMGR_LOG_LINE,
 * 512 bytes by default); a longer one is cut, as syslog cuts. */
#define LINE_MAX_STDERR 2048

void port_log_write(int priority, const char *message)
{
    if (log_stderr) {
        /* One write per line, so that lines of several processes do not interleave. */
        char line[sizeof(log_ident) + 2 + LINE_MAX_STDERR + 1];
        size_t n = strlen(log_ident), m = strlen(message);

        if (m > LINE_MAX_STDERR)
            m = LINE_MAX_STDERR;
        memcpy(line, log_ident, n);
        memcpy(line + n, ": ", 2);
        memcpy(line + n + 2, message, m);
        line[n + 2 + m] = '\n';
        write_all(2, line, n + 3 + m);
    } else {
        syslog(priority, "%s", message);
    }
}

void port_log_close(void)
{
    /* syslog's connection stays until exit: syslog() would open it again for a message
     * logged after this, and closing it earlier frees nothing the daemon needs. */
}

void port_print(const char *text)
{
    write_all(1, text, strlen(text));
}
