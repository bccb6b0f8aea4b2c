/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench.h - what every benchmark shares: a monotonic clock and the thread's CPU clock in
 * seconds, medians and percentiles of a set of runs (medians resist the noise of a shared
 * machine), and the one line each figure ends in, which tests/bench/run gathers into the
 * summary table:
 *
 *   bench NAME: ours X UNIT, peer Y UNIT (who the peer is), ratio R; target T: met|MISSED
 *
 * R is always ours / peer in the unit shown (below 1: ours smaller, e.g. faster for a time);
 * "n/a" where a figure has no peer. The target part is there only for figures with one.
 */
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

/* CPU seconds of the calling thread: what code costs, whatever else the machine runs (a
 * system call: read it around batches, not around each operation of a few microseconds). */
static inline double thread_cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The p-th percentile (0 to 100) of the n values in v, sorted in place; 0 when n is 0. */
static inline double percentile(double *v, size_t n, double p)
{
    size_t i;

    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), bench_cmp);
    i = (size_t)(p / 100.0 * (double)n);
    return v[i < n ? i : n - 1];
}

/* Median of the RUNS values in v (sorted in place); RUNS is the including file's. */
static inline double median(double *v)
{
    return percentile(v, RUNS, 50);
}

/* What a target line says of a figure. */
static inline const char *verdict(int met)
{
    return met ? "met" : "MISSED";
}

#endif
