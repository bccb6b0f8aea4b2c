/* SPDX-License-Identifier: BSD-2-Clause */
/* log_facility.c - syslog facility names, for the configuration parser of daemon and library. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <string.h>
#include <syslog.h>

#include "port.h"

int port_log_facility(const char *name)
{
    /* Names NUL-separated, codes in the same order: no table of pointers to relocate. The
     * codes are below 256 (facility number << 3, 23 at most). */
    static const char names[] =
        "daemon\0user\0authpriv\0local0\0local1\0local2\0local3\0local4\0local5\0local6\0local7\0";
    static const unsigned char codes[] = {LOG_DAEMON, LOG_USER,   LOG_AUTHPRIV, LOG_LOCAL0,
                                          LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,   LOG_LOCAL4,
                                          LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
    const char *n = names;
    size_t i;

    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++, n += strlen(n) + 1)
        if (strcmp(name, n) == 0)
            return codes[i];
    return -1;
}
