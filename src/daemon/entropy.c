/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * entropy.c - the process's one pool and one DRBG behind entropy.h. The entropy service
 * seeds and reseeds them; everything else only draws output or mixes uncredited data.
 */
#include <string.h>

#include "byteorder.h"
#include "drbg.h"
#include "entropy.h"
#include "noinline.h"
#include "port.h"
#include "wipe.h"

static struct pool the_pool;
static struct drbg the_drbg;
static struct entropy_stats stats;

static const char personalisation[] = "tlsmgr generator v1";

/* All zero with counter 0 (pool_init's state) as the process starts, and again after
 * entropy_reset's wipe. */
struct pool *entropy_pool(void)
{
    return &the_pool;
}

void entropy_mix_clocks(void)
{
    uint64_t clocks[8];
    unsigned char be[8 * 8];
    int n = port_clock_sample(clocks, 8), i;

    /* Big-endian bytes, so that a scripted clock gives the same pool on every host. */
    for (i = 0; i < n; i++)
        put_be64(be + i * 8, clocks[i]);
    if (n > 0)
        pool_mix(&the_pool, "clock", be, (size_t)n * 8);
}

/* Inputs that cost nothing and make two instances differ even before the sources ran. */
/* The first instantiation takes what the pool holds plus the kernel RNG, the device's unique
 * data and the clocks: whoever draws or reseeds first. 0 once ready, -1 (logged). */
static int generator_ready(void)
{
    unsigned char buf[256];
    long n;

    if (the_drbg.ready)
        return 0;
    n = port_getrandom(buf, 64);
    if (n > 0)
        pool_mix(&the_pool, "getrandom", buf, (size_t)n);
    n = port_hardware_unique(buf, sizeof(buf));
    if (n > 0)
        pool_mix(&the_pool, "unique", buf, (size_t)n);
    entropy_mix_clocks();
    wipe(buf, sizeof(buf));
    return drbg_open(&the_drbg, DRBG_DEFAULT, &the_pool, personalisation,
                     sizeof(personalisation) - 1);
}

int entropy_reseed(void)
{
    if (!the_drbg.ready)
        return generator_ready();
    return drbg_reseed(&the_drbg, NULL, 0);
}

int entropy_random(unsigned char *out, size_t len)
{
    if (generator_ready() != 0)
        return -1;
    return drbg_random(&the_drbg, out, len);
}

TLSMGR_NOINLINE void entropy_mix(const char *tag, const void *data, size_t len)
{
    pool_mix(&the_pool, tag, data, len);
}

struct entropy_stats *entropy_stats(void)
{
    return &stats;
}

void entropy_count_egd(void)
{
    stats.egd_requests++;
}

void entropy_reset(void)
{
    drbg_close(&the_drbg);
    pool_wipe(&the_pool);
    memset(&stats, 0, sizeof(stats));
}
