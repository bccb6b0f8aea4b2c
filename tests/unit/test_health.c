/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_health.c - SP 800-90B tests: cutoffs for the configured assumed min-entropy, a stuck
 * source trips the RCT within the cutoff, a biased one trips the APT, random input passes.
 */
#include <string.h>

#include "health.h"
#include "pool.h"
#include "t.h"
#include "tlsmgr_config.h"

#if TLSMGR_HEALTH_TESTS
/* 1 + CRITBINOM(W, 2^-H, 1 - 2^-N), summed from the pmf: health.c may use a constant. */
static unsigned apt_quantile(void)
{
    const unsigned w = TLSMGR_HEALTH_APT_WINDOW;
    const double p = 1.0 / (1u << TLSMGR_HEALTH_MIN_ENTROPY);
    const double level = 1.0 - 1.0 / (double)((unsigned long long)1 << TLSMGR_HEALTH_ALPHA_LOG2);
    double pmf = 1.0, cdf;
    unsigned k;

    for (k = 0; k < w; k++)
        pmf *= 1.0 - p;
    for (cdf = pmf, k = 0; k < w && cdf < level; k++) {
        pmf *= (double)(w - k) / (double)(k + 1) * p / (1.0 - p);
        cdf += pmf;
    }
    return k < w ? k + 1 : w;
}

static void cutoffs_follow_the_configuration(void)
{
    /* 1 + ceil(30 / 2) for the default H = 2, alpha = 2^-30 */
    T_EQ_INT(health_rct_cutoff(), 1 + (TLSMGR_HEALTH_ALPHA_LOG2 + TLSMGR_HEALTH_MIN_ENTROPY - 1) /
                                          TLSMGR_HEALTH_MIN_ENTROPY);
#if TLSMGR_HEALTH_MIN_ENTROPY == 2 && TLSMGR_HEALTH_ALPHA_LOG2 == 30 &&                            \
    TLSMGR_HEALTH_APT_WINDOW == 512
    T_EQ_INT(health_rct_cutoff(), 16);
    /* Binomial(512, 1/4): mean 128, sd 9.8; the 1 - 2^-30 quantile is near mean + 6 sd. */
    T_EQ_INT(health_apt_cutoff(), 190); /* 1 + CRITBINOM(512, 0.25, 1 - 2^-30) = 1 + 189 */
#endif
    T_EQ_INT(health_apt_cutoff(), apt_quantile());
    T_ASSERT(health_apt_cutoff() <= TLSMGR_HEALTH_APT_WINDOW);
}

static void stuck_source_trips_rct_within_cutoff(void)
{
    unsigned char b[64];
    struct health h;
    unsigned c = health_rct_cutoff();

    memset(b, 0x5a, sizeof(b));
    health_init(&h);
    T_EQ_INT(health_feed(&h, b, c - 1), 0);
    T_EQ_INT(health_feed(&h, b, 1), -1); /* the c-th identical byte */
    /* across reads too: the run carries over */
    health_init(&h);
    T_EQ_INT(health_feed(&h, (const unsigned char *)"xy", 2), 0);
    T_EQ_INT(health_feed(&h, b, c - 1), 0);
    T_EQ_INT(health_feed(&h, b, 1), -1);
}

static void biased_source_trips_apt(void)
{
    static unsigned char b[TLSMGR_HEALTH_APT_WINDOW];
    struct health h;
    size_t i;

    /* Half the bytes are 0x00, never two in a row, so the RCT stays quiet. */
    for (i = 0; i < sizeof(b); i++)
        b[i] = (unsigned char)(i % 2 ? 0 : 1 + i % 255);
    b[0] = 0;
    health_init(&h);
    T_EQ_INT(health_feed(&h, b, sizeof(b)), -1);
    /* the same bias at one byte in 200 passes */
    for (i = 0; i < sizeof(b); i++)
        b[i] = (unsigned char)(i % 200 ? 1 + (i * 37) % 251 : 0);
    health_init(&h);
    T_EQ_INT(health_feed(&h, b, sizeof(b)), 0);
}

/* 4 MB of good random bytes: at a false-alarm rate of 2^-30 per test, no failure expected. */
static void random_input_passes(void)
{
    static unsigned char b[4096];
    struct health h;
    struct pool p;
    unsigned i, failures = 0;

    pool_init(&p);
    health_init(&h);
    for (i = 0; i < 1024; i++) {
        pool_extract(&p, b, sizeof(b));
        failures += health_feed(&h, b, sizeof(b)) != 0;
    }
    T_EQ_INT(failures, 0);
}

/* After a failure the tests restart and judge later input afresh. */
static void recovers_after_failure(void)
{
    unsigned char stuck[64], good[256];
    struct health h;
    struct pool p;

    memset(stuck, 0, sizeof(stuck));
    pool_init(&p);
    pool_extract(&p, good, sizeof(good));
    health_init(&h);
    T_EQ_INT(health_feed(&h, stuck, sizeof(stuck)), -1);
    T_EQ_INT(health_feed(&h, good, sizeof(good)), 0);
}

T_MAIN(T_CASE(cutoffs_follow_the_configuration), T_CASE(stuck_source_trips_rct_within_cutoff),
       T_CASE(biased_source_trips_apt), T_CASE(random_input_passes), T_CASE(recovers_after_failure))
#else
static void health_tests_compiled_out(void)
{
}
T_MAIN(T_CASE(health_tests_compiled_out))
#endif
