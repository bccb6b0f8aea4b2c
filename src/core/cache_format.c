/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_format.c - encoders and hostile-input decoders for the session cache's keys, entry
 * header and meta format record (layout in cache_format.h and docs/FORMATS.md).
 */
#include <string.h>

#include "mbedtls_compat.h"
#include <mbedtls/ssl.h>

#include "byteorder.h"
#include "cache_format.h"

size_t cache_key_session(uint8_t *out, size_t cap, const uint8_t *tag, size_t taglen,
                         const uint8_t *id, size_t idlen)
{
    size_t len = 1 + taglen + idlen;

    if (taglen > TLSMGR_MAX_TAG_LEN || idlen < 1 || idlen > CACHE_ID_MAX || len > cap ||
        (taglen > 0 && tag == NULL) || id == NULL)
        return 0;
    out[0] = (uint8_t)taglen;
    if (taglen > 0)
        memcpy(out + 1, tag, taglen);
    memcpy(out + 1 + taglen, id, idlen);
    return len;
}

int cache_key_session_valid(const uint8_t *key, size_t len)
{
    size_t idlen;

    if (key == NULL || len < 2 || key[0] > TLSMGR_MAX_TAG_LEN || len < 1u + key[0] + 1u)
        return 0;
    idlen = len - 1 - key[0];
    return idlen >= 1 && idlen <= CACHE_ID_MAX;
}

size_t cache_key_expiry(uint8_t *out, size_t cap, uint64_t expires, const uint8_t *skey,
                        size_t skeylen)
{
    if (!cache_key_session_valid(skey, skeylen) || cap < 8 + skeylen)
        return 0;
    put_be64(out, expires);
    memcpy(out + 8, skey, skeylen);
    return 8 + skeylen;
}

int cache_key_expiry_split(const uint8_t *key, size_t len, uint64_t *expires, const uint8_t **skey,
                           size_t *skeylen)
{
    if (key == NULL || len < 8 || !cache_key_session_valid(key + 8, len - 8))
        return -1;
    *expires = get_be64(key);
    *skey = key + 8;
    *skeylen = len - 8;
    return 0;
}

/* Structure of a header alone (shared by encode and decode). created < expires <= INT64_MAX
 * bounds both times. */
static int hdr_sane(const struct cache_entry_hdr *h)
{
    return (h->flags & ~CACHE_FLAGS_KNOWN) == 0 && h->expires > h->created && h->blob_len >= 1 &&
           h->blob_len <= CACHE_BLOB_MAX && h->expires <= INT64_MAX;
}

size_t cache_entry_encode(uint8_t *out, size_t cap, const struct cache_entry_hdr *h,
                          const uint8_t *blob, size_t bloblen)
{
    struct cache_entry_hdr c = *h;

    if (blob == NULL || bloblen < 1 || bloblen > CACHE_BLOB_MAX ||
        cap < CACHE_ENTRY_HDR_LEN + bloblen)
        return 0;
    c.blob_len = (uint32_t)bloblen;
    if (!hdr_sane(&c))
        return 0;
    out[0] = c.version;
    out[1] = c.flags;
    memcpy(out + 2, c.mbedtls_hdr, CACHE_MBEDTLS_HDR_LEN);
    put_be64(out + 7, c.created);
    put_be64(out + 15, c.expires);
    put_be32(out + 23, c.blob_len);
    memcpy(out + CACHE_ENTRY_HDR_LEN, blob, bloblen);
    return CACHE_ENTRY_HDR_LEN + bloblen;
}

enum cache_verdict cache_entry_decode(const uint8_t *val, size_t len, struct cache_entry_hdr *h,
                                      const uint8_t **blob)
{
    memset(h, 0, sizeof(*h));
    if (val == NULL || len < CACHE_ENTRY_HDR_LEN)
        return CACHE_MALFORMED;
    h->version = val[0];
    h->flags = val[1];
    memcpy(h->mbedtls_hdr, val + 2, CACHE_MBEDTLS_HDR_LEN);
    h->created = get_be64(val + 7);
    h->expires = get_be64(val + 15);
    h->blob_len = get_be32(val + 23);
    /* A header of another version may be laid out differently: only its first byte is
     * trusted, and the entry is incompatible rather than malformed. */
    if (h->version != CACHE_FORMAT_VERSION)
        return CACHE_OK;
    if (!hdr_sane(h) || len - CACHE_ENTRY_HDR_LEN != h->blob_len)
        return CACHE_MALFORMED;
    if (blob != NULL)
        *blob = val + CACHE_ENTRY_HDR_LEN;
    return CACHE_OK;
}

enum cache_verdict cache_entry_judge(const struct cache_entry_hdr *h,
                                     const uint8_t cur_mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN],
                                     int64_t now)
{
    if (h->version != CACHE_FORMAT_VERSION ||
        memcmp(h->mbedtls_hdr, cur_mbedtls_hdr, CACHE_MBEDTLS_HDR_LEN) != 0)
        return CACHE_INCOMPATIBLE;
    if (now >= 0 && h->created > (uint64_t)now + TLSMGR_CLOCK_SKEW_TOLERANCE)
        return CACHE_FUTURE;
    if (now < 0 || h->expires <= (uint64_t)now)
        return CACHE_EXPIRED;
    return CACHE_OK;
}

enum cache_verdict cache_entry_check(const uint8_t *val, size_t len,
                                     const uint8_t cur_mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN],
                                     int64_t now, struct cache_entry_hdr *h, const uint8_t **blob)
{
    const uint8_t *b = NULL;
    enum cache_verdict v = cache_entry_decode(val, len, h, &b);

    if (v != CACHE_OK)
        return v;
    v = cache_entry_judge(h, cur_mbedtls_hdr, now);
    /* The blob repeats the writer's header: a disagreement means a forged or torn entry. */
    if (v == CACHE_OK && (h->blob_len < CACHE_MBEDTLS_HDR_LEN ||
                          memcmp(b, h->mbedtls_hdr, CACHE_MBEDTLS_HDR_LEN) != 0))
        v = CACHE_MALFORMED;
    if (v == CACHE_OK && blob != NULL)
        *blob = b;
    return v;
}

const char *cache_verdict_name(enum cache_verdict v)
{
    switch (v) {
    case CACHE_OK:
        return "ok";
    case CACHE_EXPIRED:
        return "expired";
    case CACHE_INCOMPATIBLE:
        return "incompatible";
    case CACHE_MALFORMED:
        return "malformed";
    case CACHE_FUTURE:
        return "future";
    }
    return "unknown";
}

int cache_mbedtls_header(uint8_t out[CACHE_MBEDTLS_HDR_LEN])
{
    mbedtls_ssl_session s;
    unsigned char buf[1024];
    size_t olen = 0;
    int rc;

    mbedtls_ssl_session_init(&s);
    TLSMGR_SESSION_SET_TLS12(&s);
    rc = mbedtls_ssl_session_save(&s, buf, sizeof(buf), &olen);
    mbedtls_ssl_session_free(&s);
    if (rc != 0 || olen < CACHE_MBEDTLS_HDR_LEN)
        return -1;
    memcpy(out, buf, CACHE_MBEDTLS_HDR_LEN);
    return 0;
}

static void format_env_part(uint8_t out[CACHE_FORMAT_ENV_LEN])
{
    const uint16_t probe = 1;

    memcpy(out, "TMGC", 4);
    out[4] = CACHE_FORMAT_VERSION;
    out[5] = (uint8_t)sizeof(size_t);
    out[6] = *(const uint8_t *)&probe == 1 ? 1 : 2;
    out[7] = 0;
}

void cache_format_record(uint8_t out[CACHE_FORMAT_REC_LEN],
                         const uint8_t mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN])
{
    memset(out, 0, CACHE_FORMAT_REC_LEN);
    format_env_part(out);
    memcpy(out + CACHE_FORMAT_ENV_LEN, mbedtls_hdr, CACHE_MBEDTLS_HDR_LEN);
}

int cache_format_compare(const uint8_t *rec, size_t len,
                         const uint8_t mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN])
{
    uint8_t ours[CACHE_FORMAT_REC_LEN];

    cache_format_record(ours, mbedtls_hdr);
    if (rec == NULL || len != CACHE_FORMAT_REC_LEN || memcmp(rec, ours, CACHE_FORMAT_ENV_LEN) != 0)
        return -1;
    return memcmp(rec, ours, CACHE_FORMAT_REC_LEN) == 0 ? 0 : 1;
}
