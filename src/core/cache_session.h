/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_session.h - the session DB of the cache env (TLS 1.2 session-ID resumption): lookup,
 * bounded store and removal for libtlsmgr, and the deletions the daemon's sweeper shares.
 * Every call opens and ends its own transaction unless it takes one (see cache_env.h).
 */
#ifndef TLSMGR_CACHE_SESSION_H
#define TLSMGR_CACHE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "cache_env.h"

/* Results of cache_session_lookup. */
#define CACHE_LOOKUP_MISS 0
#define CACHE_LOOKUP_HIT  1
/* Present but expired, incompatible or malformed: a miss; the caller may remove it with
 * cache_session_remove later. */
#define CACHE_LOOKUP_STALE 2

/*
 * Looks up tag/id with one read transaction and copies the blob into out (cap bytes; a blob
 * larger than cap is a miss). Validates the header against ce->mbedtls_hdr and now (wall
 * seconds). Returns CACHE_LOOKUP_HIT (and *outlen), CACHE_LOOKUP_MISS, CACHE_LOOKUP_STALE, or
 * -1 on an LMDB error (treat as a miss). Counts nothing: the caller adds to its
 * struct cache_counts.
 */
int cache_session_lookup(struct cache_env *ce, const uint8_t *tag, size_t taglen, const uint8_t *id,
                         size_t idlen, int64_t now, uint8_t *out, size_t cap, size_t *outlen);

/*
 * Stores tag/id -> blob (an mbedtls_ssl_session_save() output; its first 5 bytes must equal
 * ce->mbedtls_hdr, else nothing is stored and -1 is returned) in ONE write transaction:
 * replaces an existing entry (and its expiry index key), puts the entry and its index key,
 * evicts the earliest-expiring entries while tls_session_cache_max_entries is reached, adds
 * *flush (if not NULL) to the meta counters. On MDB_MAP_FULL the transaction is retried with
 * a growing number of evictions first. Returns 0 (and zeroes *flush), or -1 (nothing stored,
 * *flush kept for the next try).
 */
int cache_session_store(struct cache_env *ce, const uint8_t *tag, size_t taglen, const uint8_t *id,
                        size_t idlen, int64_t now, uint64_t expires, const uint8_t *blob,
                        size_t bloblen, struct cache_counts *flush);

/* Removes tag/id in one write transaction: when judge, only if it is (still) not CACHE_OK at
 * now, counting it as expired, incompatible or malformed; else unconditionally (a blob that
 * mbedtls_ssl_session_load refuses, or whose session ID differs from the key: the caller
 * counts it in *flush). The index key goes too when the header names it. Flushes *flush.
 * Returns 1 removed, 0 nothing to do or not present, -1 on error. */
int cache_session_remove(struct cache_env *ce, const uint8_t *tag, size_t taglen, const uint8_t *id,
                         size_t idlen, int judge, int64_t now, struct cache_counts *flush);

/* ---- Building blocks of the store and of the daemon's sweeper ------------------------- */

/* Evictions asked for, in turn, before each retry of a write that hit MDB_MAP_FULL: the
 * earliest-expiring entries make room, more each time, until the write fits. */
#define CACHE_FULL_RETRIES 3
extern const unsigned cache_full_evictions[CACHE_FULL_RETRIES];

/* Runs fn(ce, txn, extra, arg) in a write transaction and commits it with *flush (NULL
 * allowed); on MDB_MAP_FULL evicts cache_full_evictions[i] entries in a transaction of their
 * own and runs fn again with extra = that number (fn may evict more itself). Returns an MDB
 * error code: MDB_MAP_FULL when the last retry did not fit either. */
int cache_session_write(struct cache_env *ce,
                        int (*fn)(struct cache_env *ce, MDB_txn *txn, unsigned extra, void *arg),
                        void *arg, struct cache_counts *flush);

/* Deletes one session entry and its expiry index key (given expires; when the session
 * value is unreadable, pass expires as read from the index). Missing keys are not an error.
 * Returns an MDB error code. */
int cache_session_del(struct cache_env *ce, MDB_txn *txn, const uint8_t *skey, size_t skeylen,
                      uint64_t expires);
/* Deletes the n earliest-expiring entries (per the expiry index). *evicted gets the count.
 * Returns an MDB error code. */
int cache_session_evict(struct cache_env *ce, MDB_txn *txn, unsigned n, unsigned *evicted);

#endif
