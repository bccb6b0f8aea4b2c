/* SPDX-License-Identifier: BSD-2-Clause */
/* clock.c - Linux clocks: timers count across suspend (CLOCK_BOOTTIME), so a router that
 * sleeps does not postpone its reseeds by the time it slept; kernels without it fall back to
 * CLOCK_MONOTONIC. The code is port/posix/clock.c's, on these clocks. */
#define _GNU_SOURCE

#define PORT_TIMER_CLOCKS CLOCK_BOOTTIME, CLOCK_MONOTONIC
#define PORT_SAMPLE_CLOCKS                                                                         \
    CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_PROCESS_CPUTIME_ID, CLOCK_MONOTONIC_RAW

#include "../posix/clock.c"
