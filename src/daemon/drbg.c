/* SPDX-License-Identifier: BSD-2-Clause */
/* drbg.c - the mbedTLS DRBG behind the generator, fed only by the pool. */

#include "drbg.h"
#include "log.h"
#include "noinline.h"

/* Requests are split to the library's limit (1024 bytes for both DRBGs). */
#define DRBG_CHUNK 1024

/* Whether g is a CTR_DRBG: known at compile time when the build has one kind. */
#define IS_CTR(kind) (DRBG_HAVE_CTR && (!DRBG_HAVE_HMAC || (kind) == DRBG_CTR))

static int from_pool(void *arg, unsigned char *out, size_t len)
{
    return pool_extract(arg, out, len);
}

const char *drbg_name(enum drbg_kind kind)
{
    return IS_CTR(kind) ? "CTR_DRBG(AES-256)" : "HMAC_DRBG(SHA-512)";
}

TLSMGR_NOINLINE static int failed(enum drbg_kind kind, const char *step, int rc)
{
    log_err("generator: %s %s: mbedTLS -0x%04x", drbg_name(kind), step, (unsigned)-rc);
    return -1;
}

int drbg_open(struct drbg *g, enum drbg_kind kind, struct pool *pool, const void *pers,
              size_t pers_len)
{
    int rc = -1;

    /* Each kind's init clears its context; nothing else in g is read before it is set. */
    g->kind = kind;
    if (IS_CTR(kind)) {
#if DRBG_HAVE_CTR
        mbedtls_ctr_drbg_init(&g->ctr);
        rc = mbedtls_ctr_drbg_seed(&g->ctr, from_pool, pool, pers, pers_len);
        if (rc != 0)
            mbedtls_ctr_drbg_free(&g->ctr);
#endif
    } else {
#if DRBG_HAVE_HMAC
        mbedtls_hmac_drbg_init(&g->hmac);
        rc = mbedtls_hmac_drbg_seed(&g->hmac, mbedtls_md_info_from_type(MBEDTLS_MD_SHA512),
                                    from_pool, pool, pers, pers_len);
        if (rc != 0)
            mbedtls_hmac_drbg_free(&g->hmac);
#endif
    }
    g->ready = rc == 0;
    return rc != 0 ? failed(kind, "seed", rc) : 0;
}

int drbg_random(struct drbg *g, unsigned char *out, size_t len)
{
    while (len > 0) {
        size_t n = len < DRBG_CHUNK ? len : DRBG_CHUNK;
        int rc = -1;

        if (!g->ready)
            return -1;
#if DRBG_HAVE_CTR
        if (IS_CTR(g->kind))
            rc = mbedtls_ctr_drbg_random(&g->ctr, out, n);
#endif
#if DRBG_HAVE_HMAC
        if (!IS_CTR(g->kind))
            rc = mbedtls_hmac_drbg_random(&g->hmac, out, n);
#endif
        if (rc != 0)
            return failed(g->kind, "random", rc);
        out += n;
        len -= n;
    }
    return 0;
}

int drbg_reseed(struct drbg *g, const void *add, size_t add_len)
{
    int rc = -1;

    if (!g->ready)
        return -1;
#if DRBG_HAVE_CTR
    if (IS_CTR(g->kind))
        rc = mbedtls_ctr_drbg_reseed(&g->ctr, add, add_len);
#endif
#if DRBG_HAVE_HMAC
    if (!IS_CTR(g->kind))
        rc = mbedtls_hmac_drbg_reseed(&g->hmac, add, add_len);
#endif
    if (rc != 0)
        return failed(g->kind, "reseed", rc);
    return 0;
}

void drbg_close(struct drbg *g)
{
    if (!g->ready)
        return;
#if DRBG_HAVE_CTR
    if (IS_CTR(g->kind))
        mbedtls_ctr_drbg_free(&g->ctr);
#endif
#if DRBG_HAVE_HMAC
    if (!IS_CTR(g->kind))
        mbedtls_hmac_drbg_free(&g->hmac);
#endif
    g->ready = 0;
}

int drbg_self_test(int verbose)
{
    int rc = 0;

#if defined(MBEDTLS_SELF_TEST)
#if DRBG_HAVE_CTR
    rc |= mbedtls_ctr_drbg_self_test(verbose);
#endif
#if DRBG_HAVE_HMAC
    rc |= mbedtls_hmac_drbg_self_test(verbose);
#endif
#else
    (void)verbose;
#endif
    return rc ? -1 : 0;
}
