/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * entropy.h - the process's one entropy pool and one generator (entropy.c): output for the
 * exchange file, the persistent seed and EGD clients; a way to mix in data that is never
 * credited (EGD 0x03 writes, cache sweep digests); and the seeding the entropy service
 * (entropy_service.c) does at start-up and at each reseed.
 */
#ifndef TLSMGR_ENTROPY_H
#define TLSMGR_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"

/* Fills out with len bytes of generator output (any length; requests are split as the DRBG
 * needs). The first call instantiates the generator from whatever the pool holds plus the
 * kernel RNG and clocks when the service has not seeded it yet. Returns 0, or -1 if the
 * generator cannot be instantiated (logged). */
int entropy_random(unsigned char *out, size_t len);

/* Mixes data into the pool under a domain tag; never counted as entropy. */
void entropy_mix(const char *tag, const void *data, size_t len);
/* Mixes every clock of the platform under the tag "clock" (never credited). */
void entropy_mix_clocks(void);

/* The process's pool (all zero with counter 0 until something is mixed in). */
struct pool *entropy_pool(void);
/* Reseeds the DRBG from the pool now (instantiating it if needed, as entropy_random does).
 * 0 or -1. */
int entropy_reseed(void);

/* Statistics of the entropy half, logged by SIGUSR1 (uint64_t counters only, logged in this
 * order). The EGD service counts its requests in egd_requests (entropy_count_egd). */
struct entropy_stats {
    uint64_t reseeds;
    uint64_t source_failures;
    uint64_t health_failures;
    uint64_t exchange_writes;
    uint64_t seed_writes;
    uint64_t credited_bits;
    uint64_t egd_requests;
};

struct entropy_stats *entropy_stats(void);
void entropy_count_egd(void);

/* Forgets the pool, the generator and the statistics (start of each unit test). */
void entropy_reset(void);

#endif
