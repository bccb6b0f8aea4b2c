/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_cache_format.c - the cache's byte layouts: keys, the entry header (every field at its
 * documented offset, every length checked), verdicts, the meta format record, and the
 * mbedTLS header learned from the linked library.
 */
#include <string.h>

#include "mbedtls_compat.h"
#include "byteorder.h"
#include "cache_format.h"
#include "t.h"

static const uint8_t hdr5[5] = {3, 6, 6, 0, 0xff};

static void session_key_layout(void)
{
    uint8_t k[CACHE_SKEY_MAX + 4], id[32];
    uint8_t longtag[TLSMGR_MAX_TAG_LEN + 1];

    memset(id, 0x11, sizeof(id));
    T_EQ_INT(cache_key_session(k, sizeof(k), (const uint8_t *)"smtp", 4, id, 32), 37);
    T_EQ_INT(k[0], 4);
    T_ASSERT(memcmp(k + 1, "smtp", 4) == 0 && k[5] == 0x11 && k[36] == 0x11);
    T_ASSERT(cache_key_session_valid(k, 37));
    T_ASSERT(!cache_key_session_valid(k, 5));  /* no id */
    T_ASSERT(!cache_key_session_valid(k, 38)); /* id of 33 bytes */
    T_EQ_INT(cache_key_session(k, sizeof(k), NULL, 0, id, 1), 2);
    T_ASSERT(cache_key_session_valid(k, 2));
    T_EQ_INT(cache_key_session(k, sizeof(k), (const uint8_t *)"x", 1, id, 0), 0);
    T_EQ_INT(cache_key_session(k, sizeof(k), (const uint8_t *)"x", 1, id, 33), 0);
    memset(longtag, 'a', sizeof(longtag));
    T_EQ_INT(cache_key_session(k, sizeof(k), longtag, sizeof(longtag), id, 32), 0);
    T_EQ_INT(cache_key_session(k, 10, (const uint8_t *)"x", 1, id, 32), 0);
    k[0] = 200;
    T_ASSERT(!cache_key_session_valid(k, 37));
}

static void expiry_key_layout(void)
{
    uint8_t s[CACHE_SKEY_MAX], x[CACHE_XKEY_MAX], id[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const uint8_t *sk;
    size_t sl, xl, skl;
    uint64_t e;

    sl = cache_key_session(s, sizeof(s), (const uint8_t *)"w", 1, id, 8);
    xl = cache_key_expiry(x, sizeof(x), 0x0102030405060708ull, s, sl);
    T_EQ_INT(xl, 8 + sl);
    T_ASSERT(x[0] == 1 && x[7] == 8 && memcmp(x + 8, s, sl) == 0);
    T_EQ_INT(cache_key_expiry_split(x, xl, &e, &sk, &skl), 0);
    T_ASSERT(e == 0x0102030405060708ull && sk == x + 8 && skl == sl);
    T_EQ_INT(cache_key_expiry_split(x, 7, &e, &sk, &skl), -1);
    T_EQ_INT(cache_key_expiry_split(x, 9, &e, &sk, &skl), -1);
    /* Big-endian: an earlier time sorts first byte-wise. */
    {
        uint8_t a[CACHE_XKEY_MAX], b[CACHE_XKEY_MAX];

        cache_key_expiry(a, sizeof(a), 255, s, sl);
        cache_key_expiry(b, sizeof(b), 256, s, sl);
        T_ASSERT(memcmp(a, b, 8) < 0);
    }
}

static size_t make(uint8_t *out, uint64_t created, uint64_t expires, size_t bloblen)
{
    struct cache_entry_hdr h;
    uint8_t blob[CACHE_BLOB_MAX];

    memset(&h, 0, sizeof(h));
    h.version = CACHE_FORMAT_VERSION;
    memcpy(h.mbedtls_hdr, hdr5, 5);
    h.created = created;
    h.expires = expires;
    memset(blob, 0xEE, sizeof(blob));
    memcpy(blob, hdr5, 5);
    return cache_entry_encode(out, CACHE_ENTRY_MAX, &h, blob, bloblen);
}

static void entry_header_offsets(void)
{
    static uint8_t v[CACHE_ENTRY_MAX];
    struct cache_entry_hdr h;
    const uint8_t *blob = NULL;
    size_t n = make(v, 0x1111111111111111ull, 0x2222222222222222ull, 100);

    T_EQ_INT(n, 27 + 100);
    T_EQ_INT(v[0], CACHE_FORMAT_VERSION);
    T_EQ_INT(v[1], 0);
    T_ASSERT(memcmp(v + 2, hdr5, 5) == 0);
    T_ASSERT(v[7] == 0x11 && v[14] == 0x11 && v[15] == 0x22 && v[22] == 0x22);
    T_ASSERT(v[23] == 0 && v[24] == 0 && v[25] == 0 && v[26] == 100);
    T_EQ_INT(cache_entry_decode(v, n, &h, &blob), CACHE_OK);
    T_ASSERT(blob == v + 27 && h.blob_len == 100 && h.created == 0x1111111111111111ull);
}

static void entry_lengths_checked(void)
{
    static uint8_t v[CACHE_ENTRY_MAX + 8];
    struct cache_entry_hdr h;
    size_t n = make(v, 1000, 2000, 50), i;

    for (i = 0; i < n; i++)
        T_EQ_INT(cache_entry_decode(v, i, &h, NULL), CACHE_MALFORMED);
    T_EQ_INT(cache_entry_decode(v, n, &h, NULL), CACHE_OK);
    T_EQ_INT(cache_entry_decode(v, n + 1, &h, NULL), CACHE_MALFORMED);
    T_EQ_INT(cache_entry_decode(NULL, 0, &h, NULL), CACHE_MALFORMED);
    /* Blob length field zero, or too large, or disagreeing. */
    v[26] = 0;
    T_EQ_INT(cache_entry_decode(v, 27, &h, NULL), CACHE_MALFORMED);
    put_be32(v + 23, CACHE_BLOB_MAX + 1);
    T_EQ_INT(cache_entry_decode(v, 27 + CACHE_BLOB_MAX + 1, &h, NULL), CACHE_MALFORMED);
    put_be32(v + 23, 0xFFFFFFFFu);
    T_EQ_INT(cache_entry_decode(v, n, &h, NULL), CACHE_MALFORMED);
    /* Unknown flags; expires not after creation; times beyond int64. */
    n = make(v, 1000, 2000, 50);
    v[1] = 1;
    T_EQ_INT(cache_entry_decode(v, n, &h, NULL), CACHE_MALFORMED);
    v[1] = 0;
    put_be64(v + 15, 1000);
    T_EQ_INT(cache_entry_decode(v, n, &h, NULL), CACHE_MALFORMED);
    put_be64(v + 15, UINT64_MAX);
    T_EQ_INT(cache_entry_decode(v, n, &h, NULL), CACHE_MALFORMED);
    /* Encoder refuses what the decoder would. */
    T_EQ_INT(make(v, 2000, 2000, 50), 0);
    T_EQ_INT(make(v, 1000, 2000, 0), 0);
    T_EQ_INT(make(v, 1000, 2000, CACHE_BLOB_MAX), 27 + CACHE_BLOB_MAX);
}

static void verdicts(void)
{
    static uint8_t v[CACHE_ENTRY_MAX];
    struct cache_entry_hdr h;
    const uint8_t *blob = NULL;
    size_t n = make(v, 1000, 2000, 60);
    uint8_t other[5];

    T_EQ_INT(cache_entry_check(v, n, hdr5, 1500, &h, &blob), CACHE_OK);
    T_ASSERT(blob == v + 27);
    T_EQ_INT(cache_entry_check(v, n, hdr5, 1999, &h, NULL), CACHE_OK);
    T_EQ_INT(cache_entry_check(v, n, hdr5, 2000, &h, NULL), CACHE_EXPIRED);
    T_EQ_INT(cache_entry_check(v, n, hdr5, 1000 - TLSMGR_CLOCK_SKEW_TOLERANCE, &h, NULL), CACHE_OK);
    T_EQ_INT(cache_entry_check(v, n, hdr5, 1000 - TLSMGR_CLOCK_SKEW_TOLERANCE - 1, &h, NULL),
             CACHE_FUTURE);
    memcpy(other, hdr5, 5);
    other[2] ^= 1; /* a patch release */
    T_EQ_INT(cache_entry_check(v, n, other, 1500, &h, NULL), CACHE_INCOMPATIBLE);
    /* The blob's own header must repeat the entry's. */
    v[27] ^= 1;
    T_EQ_INT(cache_entry_check(v, n, hdr5, 1500, &h, NULL), CACHE_MALFORMED);
    v[27] ^= 1;
    /* Another format version: incompatible whatever follows. */
    v[0] = CACHE_FORMAT_VERSION + 1;
    T_EQ_INT(cache_entry_check(v, 27, hdr5, 1500, &h, NULL), CACHE_INCOMPATIBLE);
    T_EQ_STR(cache_verdict_name(CACHE_FUTURE), "future");
    T_EQ_STR(cache_verdict_name(CACHE_OK), "ok");
}

static void format_record(void)
{
    uint8_t r[CACHE_FORMAT_REC_LEN], o[5];

    cache_format_record(r, hdr5);
    T_ASSERT(memcmp(r, "TMGC", 4) == 0);
    T_EQ_INT(r[4], CACHE_FORMAT_VERSION);
    T_EQ_INT(r[5], sizeof(size_t));
    T_ASSERT(r[6] == 1 || r[6] == 2);
    T_ASSERT(memcmp(r + 8, hdr5, 5) == 0);
    T_EQ_INT(cache_format_compare(r, sizeof(r), hdr5), 0);
    memcpy(o, hdr5, 5);
    o[4] = 0;
    T_EQ_INT(cache_format_compare(r, sizeof(r), o), 1);
    T_EQ_INT(cache_format_compare(r, sizeof(r) - 1, hdr5), -1);
    r[5] ^= 12; /* another word size */
    T_EQ_INT(cache_format_compare(r, sizeof(r), hdr5), -1);
    T_EQ_INT(cache_format_compare(NULL, 0, hdr5), -1);
}

static void mbedtls_header_from_library(void)
{
    uint8_t h[5];

    T_EQ_INT(cache_mbedtls_header(h), 0);
    /* The first three bytes are the version of the library actually linked. */
    T_EQ_INT(h[0], MBEDTLS_VERSION_MAJOR);
    T_EQ_INT(h[1], MBEDTLS_VERSION_MINOR);
}

static void be_helpers(void)
{
    uint8_t b[8];

    put_be64(b, 0x0102030405060708ull);
    T_ASSERT(b[0] == 1 && b[7] == 8);
    T_ASSERT(get_be64(b) == 0x0102030405060708ull);
    put_be32(b, 0xA1B2C3D4u);
    T_ASSERT(b[0] == 0xA1 && b[3] == 0xD4 && get_be32(b) == 0xA1B2C3D4u);
}

T_MAIN(T_CASE(session_key_layout), T_CASE(expiry_key_layout), T_CASE(entry_header_offsets),
       T_CASE(entry_lengths_checked), T_CASE(verdicts), T_CASE(format_record),
       T_CASE(mbedtls_header_from_library), T_CASE(be_helpers))
