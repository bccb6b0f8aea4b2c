/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * health.c - the RCT and APT of SP 800-90B section 4.4 on bytes. The APT cutoff is the
 * binomial quantile: a constant for the default configuration, else computed once with a
 * recurrence over the probabilities, so no maths library is linked.
 */
#include <stdint.h>

#include "health.h"
#include "tlsmgr_config.h"

#if TLSMGR_HEALTH_TESTS

#define H          TLSMGR_HEALTH_MIN_ENTROPY
#define ALPHA_LOG2 TLSMGR_HEALTH_ALPHA_LOG2
#define WINDOW     TLSMGR_HEALTH_APT_WINDOW

unsigned health_rct_cutoff(void)
{
    return 1 + (ALPHA_LOG2 + H - 1) / H; /* 1 + ceil(-log2(alpha) / H) */
}

/* 1 + CRITBINOM(W, 2^-H, 1 - alpha): the smallest count that a source with the assumed
 * min-entropy reaches in a window with probability at most alpha. */
#if H == 2 && ALPHA_LOG2 == 30 && WINDOW == 512
/* The defaults' value, which test_health computes from the binomial: a default build carries
 * no floating point. */
unsigned health_apt_cutoff(void)
{
    return 190;
}
#else
unsigned health_apt_cutoff(void)
{
    /* P(X = k + 1) = P(X = k) * (W - k) / (k + 1) * p / (1 - p), from P(X = 0) = (1 - p)^W */
    const double p = 1.0 / (1u << H), ratio = p / (1.0 - p);
    const double level = 1.0 - 1.0 / (double)((uint64_t)1 << ALPHA_LOG2);
    static unsigned apt_cutoff;
    double pmf = 1.0, cdf;
    unsigned k;

    if (apt_cutoff != 0)
        return apt_cutoff;
    for (k = 0; k < WINDOW; k++)
        pmf *= 1.0 - p;
    for (cdf = pmf, k = 0; k < WINDOW && cdf < level; k++) {
        pmf *= (double)(WINDOW - k) / (double)(k + 1) * ratio;
        cdf += pmf;
    }
    apt_cutoff = k < WINDOW ? k + 1 : WINDOW;
    return apt_cutoff;
}
#endif

void health_init(struct health *h)
{
    h->rct_value = 0;
    h->rct_run = 0;
    h->apt_value = 0;
    h->apt_seen = 0;
    h->apt_count = 0;
}

int health_feed(struct health *h, const unsigned char *data, size_t len)
{
    unsigned rct = health_rct_cutoff(), apt = health_apt_cutoff();
    int failed = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char b = data[i];

        if (h->rct_run > 0 && b == h->rct_value) {
            if (++h->rct_run >= rct) {
                failed = 1;
                h->rct_run = 0;
            }
        } else {
            h->rct_value = b;
            h->rct_run = 1;
        }

        if (h->apt_seen == 0) {
            h->apt_value = b;
            h->apt_count = 1;
            h->apt_seen = 1;
            continue;
        }
        if (b == h->apt_value && ++h->apt_count >= apt) {
            failed = 1;
            h->apt_seen = 0;
            continue;
        }
        if (++h->apt_seen >= WINDOW)
            h->apt_seen = 0;
    }
    return failed ? -1 : 0;
}

#endif /* TLSMGR_HEALTH_TESTS */
