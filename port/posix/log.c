/* SPDX-License-Identifier: BSD-2-Clause */
/* log.c - the log sink: syslog, or standard error in the foreground. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

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

/* Writes all of iov to fd (unbuffered: nothing is lost if the process dies next). */
static void write_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
}

void port_log_write(int priority, const char *message)
{
    if (log_stderr) {
        /* One writev per line, so that lines of several processes do not interleave. */
        struct iovec iov[4] = {{log_ident, strlen(log_ident)},
                               {(void *)": ", 2},
                               {(void *)message, strlen(message)},
                               {(void *)"\n", 1}};

        write_all(2, iov, 4);
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
    struct iovec iov = {(void *)text, strlen(text)};

    write_all(1, &iov, 1);
}
