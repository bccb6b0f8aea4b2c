/* SPDX-License-Identifier: BSD-2-Clause */
/* clock.c - POSIX clocks: CLOCK_MONOTONIC for timers, CLOCK_REALTIME for timestamps. A port
 * with more clocks includes this file after naming them (port/linux/clock.c). No 64-bit
 * division: on 32-bit targets it would link libgcc's, a kilobyte of code. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "port.h"

/* The clocks timers count on, the first one that works. */
#ifndef PORT_TIMER_CLOCKS
#define PORT_TIMER_CLOCKS CLOCK_MONOTONIC
#endif
/* The clocks port_clock_sample reads, index 1 the monotonic one (port.h). */
#ifndef PORT_SAMPLE_CLOCKS
#define PORT_SAMPLE_CLOCKS CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID
#endif

static uint64_t ns_of(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t port_now_ms(void)
{
    static const clockid_t ids[] = {PORT_TIMER_CLOCKS};
    struct timespec ts;
    size_t i;

    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (clock_gettime(ids[i], &ts) == 0)
            return (uint64_t)ts.tv_sec * 1000u + (unsigned long)ts.tv_nsec / 1000000u;
    return 0;
}

int64_t port_wall_time(void)
{
    struct timespec ts;

    return clock_gettime(CLOCK_REALTIME, &ts) == 0 ? (int64_t)ts.tv_sec : 0;
}

int port_clock_sample(uint64_t *out, int n)
{
    static const clockid_t ids[] = {PORT_SAMPLE_CLOCKS};
    int i;

    for (i = 0; i < n && i < (int)(sizeof(ids) / sizeof(ids[0])); i++)
        out[i] = ns_of(ids[i]);
    return i;
}
