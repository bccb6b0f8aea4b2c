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

/* 3.x defines MBEDTLS_PRIVATE in private_access.h, which ssl.h includes after this header
 * may have been read: defining it here too would clash. 2.28 has no such macro. */
#if !TLSMGR_MBEDTLS_3 && !defined(MBEDTLS_PRIVATE)
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

/* Marks a freshly initialised session as TLS 1.2 so that mbedtls_ssl_session_save() accepts
 * it (3.x refuses a session without a protocol version; 2.28 has no such field). Used to learn
 * the linked library's serialization header (cache_mbedtls_header). */
#if TLSMGR_MBEDTLS_3
#define TLSMGR_SESSION_SET_TLS12(s) ((s)->MBEDTLS_PRIVATE(tls_version) = MBEDTLS_SSL_VERSION_TLS1_2)
#else
#define TLSMGR_SESSION_SET_TLS12(s) ((void)(s))
#endif

/* Clears a loaded session's permission to accept TLS 1.3 early data: libtlsmgr's tickets
 * never allow 0-RTT (it could be replayed), even on a server configured for early data. */
#if TLSMGR_MBEDTLS_3 && defined(MBEDTLS_SSL_EARLY_DATA) && defined(MBEDTLS_SSL_PROTO_TLS1_3) &&    \
    defined(MBEDTLS_SSL_SESSION_TICKETS)
#define TLSMGR_SESSION_NO_EARLY_DATA(s)                                                            \
    ((s)->MBEDTLS_PRIVATE(ticket_flags) &= (uint8_t)~MBEDTLS_SSL_TLS1_3_TICKET_ALLOW_EARLY_DATA)
#else
#define TLSMGR_SESSION_NO_EARLY_DATA(s) ((void)(s))
#endif

/*
 * Session-cache callbacks (mbedtls_ssl_conf_session_cache): 3.x passes the session ID, 2.28
 * a session with only its ID set. TLSMGR_CACHE_ADAPTERS(prefix, get, set) defines
 * prefix_get and prefix_set with the linked library's signatures, forwarding to
 *   int get(void *ctx, const unsigned char *id, size_t idlen, mbedtls_ssl_session *s);
 *   int set(void *ctx, const unsigned char *id, size_t idlen, const mbedtls_ssl_session *s);
 * so that the cache code has one path for both. TLSMGR_SESSION_ID/_ID_LEN read a session's ID
 * (public fields in 2.28, accessors in 3.x). The user includes <mbedtls/ssl.h>.
 */
#if TLSMGR_MBEDTLS_3
#define TLSMGR_CACHE_ADAPTERS(prefix, get, set)                                                    \
    static int prefix##_get(void *ctx, unsigned char const *id, size_t idlen,                      \
                            mbedtls_ssl_session *s)                                                \
    {                                                                                              \
        return get(ctx, id, idlen, s);                                                             \
    }                                                                                              \
    static int prefix##_set(void *ctx, unsigned char const *id, size_t idlen,                      \
                            const mbedtls_ssl_session *s)                                          \
    {                                                                                              \
        return set(ctx, id, idlen, s);                                                             \
    }
#define TLSMGR_SESSION_ID(s)     (*mbedtls_ssl_session_get_id(s))
#define TLSMGR_SESSION_ID_LEN(s) mbedtls_ssl_session_get_id_len(s)
#else
#define TLSMGR_CACHE_ADAPTERS(prefix, get, set)                                                    \
    static int prefix##_get(void *ctx, mbedtls_ssl_session *s)                                     \
    {                                                                                              \
        return get(ctx, s->id, s->id_len, s);                                                      \
    }                                                                                              \
    static int prefix##_set(void *ctx, const mbedtls_ssl_session *s)                               \
    {                                                                                              \
        return set(ctx, s->id, s->id_len, s);                                                      \
    }
#define TLSMGR_SESSION_ID(s)     ((s)->id)
#define TLSMGR_SESSION_ID_LEN(s) ((s)->id_len)
#endif

#endif
