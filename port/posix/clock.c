/* SPDX-License-Identifier: BSD-2-Clause */
/* clock.c - POSIX clocks: CLOCK_MONOTONIC for timers, CLOCK_REALTIME for timestamps. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "port.h"

static uint64_t ns_of(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t port_now_ms(void)
{
    return ns_of(CLOCK_MONOTONIC) / 1000000u;
}

int64_t port_wall_time(void)
{
    return (int64_t)time(NULL);
}

int port_clock_sample(uint64_t *out, int n)
{
    static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID};
    int i;

    for (i = 0; i < n && i < (int)(sizeof(ids) / sizeof(ids[0])); i++)
        out[i] = ns_of(ids[i]);
    return i;
}
