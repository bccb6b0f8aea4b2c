/* SPDX-License-Identifier: BSD-2-Clause */
/* log_facility.c - syslog facility names, for the configuration parser of daemon and library. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <string.h>
#include <syslog.h>

#include "port.h"

int port_log_facility(const char *name)
{
    static const struct {
        const char *name;
        int code;
    } names[] = {{"daemon", LOG_DAEMON}, {"user", LOG_USER},     {"authpriv", LOG_AUTHPRIV},
                 {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
                 {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
                 {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].code;
    return -1;
}
