/* SPDX-License-Identifier: BSD-2-Clause */
/* clock.c - Linux clocks: timers count across suspend (CLOCK_BOOTTIME), so a router that
 * sleeps does not postpone its reseeds by the time it slept. */
#define _GNU_SOURCE
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
    struct timespec ts;

    if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0 && clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t port_wall_time(void)
{
    return (int64_t)time(NULL);
}

int port_clock_sample(uint64_t *out, int n)
{
    static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
                                    CLOCK_PROCESS_CPUTIME_ID, CLOCK_MONOTONIC_RAW};
    int i;

    for (i = 0; i < n && i < (int)(sizeof(ids) / sizeof(ids[0])); i++)
        out[i] = ns_of(ids[i]);
    return i;
}
