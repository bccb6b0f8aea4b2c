/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mbedtls_compat.h - the one place that knows mbedTLS 2.28 LTS from 3.6 LTS. Everything else
 * includes this header instead of branching on the version itself.
 */
#ifndef TLSMGR_MBEDTLS_COMPAT_H
#define TLSMGR_MBEDTLS_COMPAT_H

/* version.h pulls config.h on 2.x and build_info.h on 3.x: never include either directly. */
#include <mbedtls/version.h>
/* Before the MBEDTLS_PRIVATE fallback below: 3.x headers define it themselves. */
#include <mbedtls/sha512.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define TLSMGR_MBEDTLS_3 1
#else
#define TLSMGR_MBEDTLS_3 0
#endif

#if MBEDTLS_VERSION_NUMBER < 0x021C0000
#error "tlsmgr needs mbedTLS 2.28 LTS or 3.6 LTS"
#endif

#ifndef MBEDTLS_PRIVATE
#define MBEDTLS_PRIVATE(member) member
#endif

/* SHA-512: 2.28 has the *_ret functions (the plain names are deprecated there); 3.x renamed
 * the *_ret functions to the plain names. */
#if TLSMGR_MBEDTLS_3
#define tlsmgr_sha512_starts(ctx)       mbedtls_sha512_starts((ctx), 0)
#define tlsmgr_sha512_update(ctx, p, n) mbedtls_sha512_update((ctx), (p), (n))
#define tlsmgr_sha512_finish(ctx, out)  mbedtls_sha512_finish((ctx), (out))
#else
#define tlsmgr_sha512_starts(ctx)       mbedtls_sha512_starts_ret((ctx), 0)
#define tlsmgr_sha512_update(ctx, p, n) mbedtls_sha512_update_ret((ctx), (p), (n))
#define tlsmgr_sha512_finish(ctx, out)  mbedtls_sha512_finish_ret((ctx), (out))
#endif

#endif
