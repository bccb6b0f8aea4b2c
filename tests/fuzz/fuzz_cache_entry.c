/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_cache_entry.c - the cache entry header decoder and the key splitters on arbitrary
 * bytes (what another process may have written into the shared env): never read out of
 * bounds, and whatever is accepted must re-encode to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache_format.h"

static const uint8_t cur[CACHE_MBEDTLS_HDR_LEN] = {3, 6, 6, 0, 0xff};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t again[CACHE_ENTRY_MAX];
    struct cache_entry_hdr h;
    const uint8_t *blob = NULL, *skey;
    enum cache_verdict v;
    uint64_t exp;
    size_t skeylen, n;
    int64_t now = 1780000000;

    v = cache_entry_decode(data, size, &h, &blob);
    if (v == CACHE_OK && h.version == CACHE_FORMAT_VERSION) {
        if (blob != data + CACHE_ENTRY_HDR_LEN || h.blob_len != size - CACHE_ENTRY_HDR_LEN)
            abort();
        n = cache_entry_encode(again, sizeof(again), &h, blob, h.blob_len);
        if (n != size || memcmp(again, data, size) != 0)
            abort();
    }
    v = cache_entry_check(data, size, cur, now, &h, &blob);
    if (v == CACHE_OK && (h.expires <= (uint64_t)now || memcmp(blob, cur, sizeof(cur)) != 0))
        abort();
    if (cache_key_expiry_split(data, size, &exp, &skey, &skeylen) == 0 &&
        (skey != data + 8 || skeylen != size - 8 || !cache_key_session_valid(skey, skeylen)))
        abort();
    (void)cache_format_compare(data, size, cur);
    (void)cache_verdict_name(v);
    return 0;
}
