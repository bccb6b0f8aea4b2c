/* SPDX-License-Identifier: BSD-2-Clause */
/* bench.h - the timing helpers every benchmark uses: a monotonic clock in seconds and the
 * median of a set of runs (medians resist the noise of a shared machine). */
#ifndef TLSMGR_BENCH_H
#define TLSMGR_BENCH_H

#include <stdlib.h>
#include <time.h>

static inline double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Median of the RUNS values in v (sorted in place); RUNS is the including file's. */
static inline double median(double *v)
{
    qsort(v, RUNS, sizeof(*v), bench_cmp);
    return v[RUNS / 2];
}

#endif
