/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_pool.c - the pool and the generator: known answers (the same on every host and mbedTLS
 * version: the pool vector was also computed by an independent implementation of DESIGN 3.3),
 * sensitivity to every input byte, no repeated extraction, mbedTLS self-tests.
 */
#include <stdio.h>
#include <string.h>

#include "drbg.h"
#include "entropy.h"
#include "pool.h"
#include "t.h"

static void hex(const unsigned char *b, size_t n, char *out)
{
    size_t i;

    for (i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

/* The scripted inputs of the known-answer tests. */
static void script(struct pool *p, size_t flip)
{
    unsigned char a[100], b[1024];
    size_t i;

    for (i = 0; i < sizeof(a); i++)
        a[i] = (unsigned char)i;
    for (i = 0; i < sizeof(b); i++)
        b[i] = (unsigned char)(i * 7);
    if (flip < sizeof(a))
        a[flip] ^= 1;
    else if (flip < sizeof(a) + sizeof(b))
        b[flip - sizeof(a)] ^= 0x80;
    pool_init(p);
    pool_mix(p, "a", a, sizeof(a));
    pool_mix(p, "b", b, sizeof(b));
    pool_mix(p, "", NULL, 0);
}

static void pool_known_answer(void)
{
    static const char expect[] =
        "c67850f4162fa21cad387d290058413f426e5164e1d8e98cda6ced512171973357c31e5169ae50063cd3"
        "971724bb84bd307e2a6d52bcba2deb4758f20c14c9c9fa31f3b85e1b5500336a16cacfc7c7f2f42f2c7bd2"
        "89ebba38d29cab83507dbd49ca23ec";
    struct pool p;
    unsigned char out[100];
    char h[2 * sizeof(out) + 1];

    script(&p, (size_t)-1);
    pool_extract(&p, out, sizeof(out));
    hex(out, sizeof(out), h);
    T_EQ_STR(h, expect);
}

static void pool_every_input_byte_matters(void)
{
    struct pool p;
    unsigned char ref[32], out[32];
    size_t i;

    script(&p, (size_t)-1);
    pool_extract(&p, ref, sizeof(ref));
    for (i = 0; i < 100 + 1024; i++) {
        script(&p, i);
        pool_extract(&p, out, sizeof(out));
        if (memcmp(out, ref, sizeof(out)) == 0) {
            t_fail(__FILE__, __LINE__, "input byte %lu changed nothing", (unsigned long)i);
            break;
        }
    }
    /* The tag is an input too. */
    pool_init(&p);
    pool_mix(&p, "x", "data", 4);
    pool_extract(&p, out, sizeof(out));
    pool_init(&p);
    pool_mix(&p, "y", "data", 4);
    pool_extract(&p, ref, sizeof(ref));
    T_ASSERT(memcmp(out, ref, sizeof(out)) != 0);
}

static void pool_extractions_differ(void)
{
    static unsigned char seen[2000][16];
    struct pool p;
    unsigned i, j;

    pool_init(&p); /* even from an all-zero pool with no input */
    for (i = 0; i < 2000; i++) {
        pool_extract(&p, seen[i], 16);
        for (j = 0; j < i; j++)
            if (memcmp(seen[i], seen[j], 16) == 0) {
                t_fail(__FILE__, __LINE__, "extraction %u repeats %u", i, j);
                return;
            }
    }
}

/* Every block changes when one byte is mixed in. */
static void pool_input_reaches_every_block(void)
{
    struct pool a, b;
    unsigned i;

    pool_init(&a);
    pool_init(&b);
    pool_mix(&a, "t", "\0", 1);
    pool_mix(&b, "t", "\1", 1);
    for (i = 0; i < POOL_BLOCKS; i++)
        T_ASSERT(memcmp(a.block[i], b.block[i], POOL_BLOCK) != 0);
}

static void drbg_answer(enum drbg_kind kind, const char *expect)
{
    struct pool p;
    struct drbg g;
    unsigned char out[48];
    char h[2 * sizeof(out) + 1];

    script(&p, (size_t)-1);
    T_EQ_INT(drbg_open(&g, kind, &p, "pers", 4), 0);
    T_EQ_INT(drbg_random(&g, out, sizeof(out)), 0);
    T_EQ_INT(drbg_reseed(&g, "add", 3), 0);
    T_EQ_INT(drbg_random(&g, out, sizeof(out)), 0);
    hex(out, sizeof(out), h);
    T_EQ_STR(h, expect);
    drbg_close(&g);
}

static void drbg_ctr_known_answer(void)
{
#if DRBG_HAVE_CTR
    drbg_answer(DRBG_CTR, "3b18be3ea73d7d5a7d8b4761ede4473820797d933e7dcd2bfcc0070c076996ffa3606b34"
                          "d01a98d72984dd86f5ca4dc8");
#endif
}

static void drbg_hmac_known_answer(void)
{
#if DRBG_HAVE_HMAC
    drbg_answer(DRBG_HMAC, "ca3b964778386cdec166038df73f4f93d7c32034cf959578f3f8b71a7233940b0827b97"
                           "b032e5721931b5f0119f4e858");
#endif
}

static void drbg_long_requests(void)
{
    static unsigned char big[5000];
    struct pool p;
    struct drbg g;
    size_t zeros = 0, i;

    script(&p, (size_t)-1);
    T_EQ_INT(drbg_open(&g, DRBG_DEFAULT, &p, NULL, 0), 0);
    T_EQ_INT(drbg_random(&g, big, sizeof(big)), 0);
    for (i = 0; i < sizeof(big); i++)
        zeros += big[i] == 0;
    T_ASSERT(zeros < 100); /* about 20 expected */
    drbg_close(&g);
    T_EQ_INT(drbg_random(&g, big, 1), -1);
}

static void drbg_mbedtls_self_tests(void)
{
    T_EQ_INT(drbg_self_test(0), 0);
}

/* The process generator: scripted kernel RNG, device-unique data and virtual clocks give a fixed
 * answer; output never repeats. */
static void generator_known_answer(void)
{
    static const unsigned char kernel[] = "scripted kernel rng bytes";
    unsigned char a[32], b[32];
    char h[65];

    entropy_reset();
    port_test_entropy(kernel, sizeof(kernel) - 1);
    port_test_hardware_unique("serial-0001");
    T_EQ_INT(entropy_random(a, sizeof(a)), 0);
    hex(a, sizeof(a), h);
#if TLSMGR_DRBG_CTR /* the vector of the default generator, CTR_DRBG */
    T_EQ_STR(h, "e799c8b0b032be11afb56359b33b3f6923735f01548b59a6fa5c8623edde8f62");
#endif
    T_EQ_INT(entropy_random(b, sizeof(b)), 0);
    T_ASSERT(memcmp(a, b, sizeof(a)) != 0);
    /* a different device diverges */
    entropy_reset();
    port_test_entropy(kernel, sizeof(kernel) - 1);
    port_test_hardware_unique("serial-0002");
    T_EQ_INT(entropy_random(b, sizeof(b)), 0);
    T_ASSERT(memcmp(a, b, sizeof(a)) != 0);
    entropy_reset();
}

T_MAIN(T_CASE(pool_known_answer), T_CASE(pool_every_input_byte_matters),
       T_CASE(pool_extractions_differ), T_CASE(pool_input_reaches_every_block),
       T_CASE(drbg_ctr_known_answer), T_CASE(drbg_hmac_known_answer), T_CASE(drbg_long_requests),
       T_CASE(drbg_mbedtls_self_tests), T_CASE(generator_known_answer))
