/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * drbg.h - the generator: an mbedTLS DRBG whose entropy callback extracts from the pool.
 * CTR_DRBG with AES-256 by default, HMAC_DRBG with SHA-512 where the build has no AES
 * (TLSMGR_DRBG_CTR 0). The unit tests build both (TLSMGR_DRBG_BOTH) and run each.
 */
#ifndef TLSMGR_DRBG_H
#define TLSMGR_DRBG_H

#include <stddef.h>

#include "mbedtls_compat.h"
#include "pool.h"

/* A kind is built when mbedTLS has it and the build wants it (TLSMGR_DRBG_BOTH: the tests). */
#if defined(MBEDTLS_CTR_DRBG_C) && defined(MBEDTLS_AES_C) && (TLSMGR_DRBG_CTR || TLSMGR_DRBG_BOTH)
#include <mbedtls/ctr_drbg.h>
#define DRBG_HAVE_CTR 1
#else
#define DRBG_HAVE_CTR 0
#endif
#if defined(MBEDTLS_HMAC_DRBG_C) && defined(MBEDTLS_SHA512_C) &&                                   \
    (!TLSMGR_DRBG_CTR || TLSMGR_DRBG_BOTH)
#include <mbedtls/hmac_drbg.h>
#define DRBG_HAVE_HMAC 1
#else
#define DRBG_HAVE_HMAC 0
#endif

#if TLSMGR_DRBG_CTR && !DRBG_HAVE_CTR
#error "TLSMGR_DRBG_CTR 1 needs MBEDTLS_CTR_DRBG_C and MBEDTLS_AES_C"
#endif
#if !TLSMGR_DRBG_CTR && !DRBG_HAVE_HMAC
#error "TLSMGR_DRBG_CTR 0 needs MBEDTLS_HMAC_DRBG_C and MBEDTLS_SHA512_C"
#endif

enum drbg_kind { DRBG_CTR, DRBG_HMAC };
#define DRBG_DEFAULT (TLSMGR_DRBG_CTR ? DRBG_CTR : DRBG_HMAC)

struct drbg {
    enum drbg_kind kind;
    int ready;
#if DRBG_HAVE_CTR
    mbedtls_ctr_drbg_context ctr;
#endif
#if DRBG_HAVE_HMAC
    mbedtls_hmac_drbg_context hmac;
#endif
};

/* Instantiates the generator from the pool (personalised with pers). Returns 0, or -1
 * (logged) when mbedTLS refuses or lacks the kind. */
int drbg_open(struct drbg *g, enum drbg_kind kind, struct pool *pool, const void *pers,
              size_t pers_len);
/* Fills out (any length). Returns 0 or -1 (logged). */
int drbg_random(struct drbg *g, unsigned char *out, size_t len);
/* Reseeds from the pool now, with optional additional input. Returns 0 or -1. */
int drbg_reseed(struct drbg *g, const void *add, size_t add_len);
void drbg_close(struct drbg *g);
/* mbedTLS's own DRBG self-tests (0 when passed or not compiled in the library). */
int drbg_self_test(int verbose);
const char *drbg_name(enum drbg_kind kind);

#endif
