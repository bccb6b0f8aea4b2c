/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_session.c - what a TLS server does with the session DB: look up (one read txn), store
 * within the size bound (one write txn that evicts the earliest-expiring entries when full),
 * remove a stale entry; and the deletions the store and the daemon's sweeper share.
 */
#include <errno.h>
#include <string.h>

#include "cache_session.h"

const unsigned cache_full_evictions[CACHE_FULL_RETRIES] = {16, 256, 4096};

int cache_session_del(struct cache_env *ce, MDB_txn *txn, const uint8_t *skey, size_t skeylen,
                      uint64_t expires)
{
    uint8_t xkey[CACHE_XKEY_MAX];
    size_t xlen = cache_key_expiry(xkey, sizeof(xkey), expires, skey, skeylen);
    MDB_val k = cache_val(skey, skeylen), xk = cache_val(xkey, xlen);
    int rc;

    if (xlen == 0)
        return EINVAL;
    rc = mdb_del(txn, ce->session, &k, NULL);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    rc = mdb_del(txn, ce->expiry, &xk, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int cache_session_evict(struct cache_env *ce, MDB_txn *txn, unsigned n, unsigned *evicted)
{
    MDB_cursor *cur;
    MDB_val k, v;
    int rc;

    *evicted = 0;
    if ((rc = mdb_cursor_open(txn, ce->expiry, &cur)) != 0)
        return rc;
    while (*evicted < n && (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST)) == 0) {
        uint64_t exp;
        const uint8_t *skey;
        size_t skeylen;
        struct cache_entry_hdr h;
        MDB_val sk, sv;

        if (cache_key_expiry_split(k.mv_data, k.mv_size, &exp, &skey, &skeylen) == 0) {
            sk = cache_val(skey, skeylen);
            /* Only the entry this index key belongs to; a stale index key goes alone. */
            if (mdb_get(txn, ce->session, &sk, &sv) == 0 &&
                (cache_entry_decode(sv.mv_data, sv.mv_size, &h, NULL) != CACHE_OK ||
                 h.expires == exp)) {
                if ((rc = mdb_del(txn, ce->session, &sk, NULL)) != 0)
                    break;
                (*evicted)++;
            }
        }
        /* k is LMDB's own copy of the key: mdb_del is done with it before it deletes. */
        if ((rc = mdb_del(txn, ce->expiry, &k, NULL)) != 0)
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int cache_session_lookup(struct cache_env *ce, const uint8_t *tag, size_t taglen, const uint8_t *id,
                         size_t idlen, int64_t now, uint8_t *out, size_t cap, size_t *outlen)
{
    uint8_t skey[CACHE_SKEY_MAX];
    size_t skeylen = cache_key_session(skey, sizeof(skey), tag, taglen, id, idlen);
    struct cache_entry_hdr h;
    const uint8_t *blob = NULL;
    MDB_txn *txn;
    MDB_val k = cache_val(skey, skeylen), v;
    int rc, result;

    if (skeylen == 0 || ce->env == NULL)
        return CACHE_LOOKUP_MISS;
    if (cache_env_txn_begin(ce, MDB_RDONLY, &txn) != 0)
        return -1;
    rc = mdb_get(txn, ce->session, &k, &v);
    if (rc == MDB_NOTFOUND) {
        result = CACHE_LOOKUP_MISS;
    } else if (rc != 0) {
        result = -1;
    } else if (cache_entry_check(v.mv_data, v.mv_size, ce->mbedtls_hdr, now, &h, &blob) !=
               CACHE_OK) {
        result = CACHE_LOOKUP_STALE;
    } else if (h.blob_len > cap) {
        result = CACHE_LOOKUP_MISS;
    } else {
        /* Copied out before the txn ends: the mapping may be reused after. */
        memcpy(out, blob, h.blob_len);
        *outlen = h.blob_len;
        result = CACHE_LOOKUP_HIT;
    }
    mdb_txn_abort(txn);
    return result;
}

/* What a store writes: the session key, the entry and its expiry time. */
struct store {
    const uint8_t *skey;
    size_t skeylen;
    const uint8_t *entry;
    size_t entrylen;
    uint64_t expires;
};

/* One attempt: replace, bound, put, count. extra: evictions asked for after MDB_MAP_FULL. */
static int store_txn(struct cache_env *ce, MDB_txn *txn, unsigned extra, void *arg)
{
    const struct store *st = arg;
    uint8_t xkey[CACHE_XKEY_MAX];
    size_t xlen = cache_key_expiry(xkey, sizeof(xkey), st->expires, st->skey, st->skeylen);
    struct cache_counts c;
    struct cache_entry_hdr h;
    MDB_val k = cache_val(st->skey, st->skeylen), v, xk = cache_val(xkey, xlen),
            empty = cache_val("", 0);
    unsigned ev = 0;
    int rc, replacing = 0;

    memset(&c, 0, sizeof(c));
    rc = mdb_get(txn, ce->session, &k, &v);
    if (rc == 0) {
        replacing = 1;
        /* Its index key is known only if the old header is readable; the sweeper removes
         * an index key whose entry disagrees. */
        if (cache_entry_decode(v.mv_data, v.mv_size, &h, NULL) == CACHE_OK &&
            (rc = cache_session_del(ce, txn, st->skey, st->skeylen, h.expires)) != 0)
            return rc;
    } else if (rc != MDB_NOTFOUND) {
        return rc;
    }
    /* The extra evictions, and as many as the bound on entries needs. */
    if (!replacing && ce->max_entries > 0) {
        MDB_stat ms;

        if ((rc = mdb_stat(txn, ce->session, &ms)) != 0)
            return rc;
        if (ms.ms_entries >= ce->max_entries)
            extra += (unsigned)(ms.ms_entries - ce->max_entries + 1);
    }
    if (extra > 0 && (rc = cache_session_evict(ce, txn, extra, &ev)) != 0)
        return rc;
    c.evicted = ev;
    v = cache_val(st->entry, st->entrylen);
    if ((rc = mdb_put(txn, ce->session, &k, &v, 0)) != 0 ||
        (rc = mdb_put(txn, ce->expiry, &xk, &empty, 0)) != 0)
        return rc;
    c.stores = 1;
    return cache_env_counts_add(ce, txn, &c);
}

/* Evictions alone, committed, so that the next transaction can reuse the freed pages (a
 * transaction never reuses pages it freed itself). */
static int evict_only(struct cache_env *ce, unsigned n)
{
    struct cache_counts c;
    unsigned ev = 0;
    MDB_txn *txn;
    int rc;

    if ((rc = cache_env_txn_begin(ce, 0, &txn)) != 0)
        return rc;
    memset(&c, 0, sizeof(c));
    rc = cache_session_evict(ce, txn, n, &ev);
    c.evicted = ev;
    return cache_env_txn_end(ce, txn, rc, &c);
}

int cache_session_write(struct cache_env *ce,
                        int (*fn)(struct cache_env *ce, MDB_txn *txn, unsigned extra, void *arg),
                        void *arg, struct cache_counts *flush)
{
    size_t i;
    int rc = 0;

    for (i = 0; i <= CACHE_FULL_RETRIES; i++) {
        unsigned extra = i == 0 ? 0 : cache_full_evictions[i - 1];
        MDB_txn *txn;

        if (i > 0 && (rc = evict_only(ce, extra)) != 0 && rc != MDB_MAP_FULL)
            break;
        if ((rc = cache_env_txn_begin(ce, 0, &txn)) != 0)
            break;
        rc = cache_env_txn_end(ce, txn, fn(ce, txn, extra, arg), flush);
        if (rc != MDB_MAP_FULL)
            break;
    }
    return rc;
}

int cache_session_store(struct cache_env *ce, const uint8_t *tag, size_t taglen, const uint8_t *id,
                        size_t idlen, int64_t now, uint64_t expires, const uint8_t *blob,
                        size_t bloblen, struct cache_counts *flush)
{
    uint8_t skey[CACHE_SKEY_MAX];
    uint8_t entry[CACHE_ENTRY_MAX];
    struct cache_entry_hdr h;
    struct store st;

    st.skey = skey;
    st.skeylen = cache_key_session(skey, sizeof(skey), tag, taglen, id, idlen);
    st.entry = entry;
    st.expires = expires;
    if (ce->env == NULL || ce->role == CACHE_ROLE_READONLY || st.skeylen == 0 || now < 0 ||
        blob == NULL || bloblen < CACHE_MBEDTLS_HDR_LEN ||
        memcmp(blob, ce->mbedtls_hdr, CACHE_MBEDTLS_HDR_LEN) != 0)
        return -1;
    memset(&h, 0, sizeof(h));
    h.version = CACHE_FORMAT_VERSION;
    memcpy(h.mbedtls_hdr, ce->mbedtls_hdr, CACHE_MBEDTLS_HDR_LEN);
    h.created = (uint64_t)now;
    h.expires = expires;
    st.entrylen = cache_entry_encode(entry, sizeof(entry), &h, blob, bloblen);
    if (st.entrylen == 0)
        return -1;
    return cache_session_write(ce, store_txn, &st, flush) == 0 ? 0 : -1;
}

int cache_session_remove(struct cache_env *ce, const uint8_t *tag, size_t taglen, const uint8_t *id,
                         size_t idlen, int judge, int64_t now, struct cache_counts *flush)
{
    uint8_t skey[CACHE_SKEY_MAX];
    size_t skeylen = cache_key_session(skey, sizeof(skey), tag, taglen, id, idlen);
    struct cache_counts c;
    struct cache_entry_hdr h;
    MDB_val k = cache_val(skey, skeylen), v;
    MDB_txn *txn;
    int rc, removed = 0;

    if (ce->env == NULL || ce->role == CACHE_ROLE_READONLY || skeylen == 0)
        return -1;
    if (cache_env_txn_begin(ce, 0, &txn) != 0)
        return -1;
    memset(&c, 0, sizeof(c));
    rc = mdb_get(txn, ce->session, &k, &v);
    if (rc == 0) {
        enum cache_verdict vd =
            cache_entry_check(v.mv_data, v.mv_size, ce->mbedtls_hdr, now, &h, NULL);

        if (!judge || vd != CACHE_OK) {
            /* Only a readable header of our version names the index key; any other one is
             * dropped by the sweeper later. */
            if (vd != CACHE_MALFORMED && h.version == CACHE_FORMAT_VERSION)
                rc = cache_session_del(ce, txn, skey, skeylen, h.expires);
            else
                rc = mdb_del(txn, ce->session, &k, NULL);
            removed = rc == 0;
            if (judge)
                cache_counts_bad(&c, vd);
        }
    } else if (rc == MDB_NOTFOUND) {
        rc = 0;
    }
    /* Adds nothing, and writes nothing, when nothing was counted (a drop). */
    if (rc == 0)
        rc = cache_env_counts_add(ce, txn, &c);
    return cache_env_txn_end(ce, txn, rc, flush) == 0 ? removed : -1;
}
