/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_env.h - the session cache's LMDB environment, shared by the daemon (which creates,
 * repairs and sweeps it) and libtlsmgr (which only opens it, looks up and stores).
 *
 * One env = one directory holding data.mdb and lock.mdb, named databases session, expiry,
 * meta and ticket (cache_format.h). Opened with MDB_NOTLS (client threads share one env,
 * each call uses its own transaction), MDB_NOSYNC unless tls_session_cache_sync = yes and the
 * directory is not on tmpfs, the map size from the configuration.
 *
 * Threads: every call opens and ends its own transaction, so calls may come from several
 * threads, with one exception LMDB imposes: MDB_MAP_RESIZED (another process grew the map)
 * is handled by mdb_env_set_mapsize(env, 0) and one retry, which is only safe while no other
 * transaction of this process is open. A multi-threaded caller therefore serialises its calls
 * on one env (libtlsmgr holds its mutex around each call; a lookup is a fraction of a µs).
 * Fork: an env must never be used across fork(); see cache_env_forget.
 *
 * Counters: lookups, hits and misses are counted by the caller in a struct cache_counts
 * (per process, no write per lookup) and added to meta by the next cache_env_store, in the
 * write transaction the store opens anyway. stores and evicted are counted by the store
 * itself; expired, incompatible and malformed by the daemon's sweeper.
 */
#ifndef TLSMGR_CACHE_ENV_H
#define TLSMGR_CACHE_ENV_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "cache_format.h"
#include "conf.h"

enum cache_role {
    CACHE_ROLE_DAEMON,  /* create the directory and files, repair a bad env, log */
    CACHE_ROLE_CLIENT,  /* open an existing env read-write; never create, never log */
    CACHE_ROLE_READONLY /* open an existing env read-only (tlsmgr -s); never create */
};

/* Counters a caller accumulates between stores. */
struct cache_counts {
    uint64_t lookups, hits, misses, stores, expired, evicted, incompatible, malformed;
};

/* What tlsmgr -s and SIGUSR1 show. */
struct cache_stats {
    uint64_t entries;              /* entries in the session DB now */
    uint64_t expiry_entries;       /* entries in the expiry index (equal when healthy) */
    struct cache_counts c;         /* totals from meta */
    uint64_t sweeps;               /* complete sweeps */
    uint64_t last_sweep_ms;        /* duration of the last complete sweep */
    uint64_t longest_txn_us;       /* longest sweep transaction */
    uint64_t last_sweep_time;      /* wall clock at the end of the last sweep (0: never) */
    uint64_t map_size, used_bytes; /* map size and bytes in use (last page + 1) */
    unsigned readers, max_readers; /* reader slots in use, and available */
};

struct cache_env {
    MDB_env *env;
    MDB_dbi session, expiry, meta, ticket;
    enum cache_role role;
    char path[TLSMGR_PATH_MAX];
    unsigned max_entries;
    uint64_t map_size;
    /* The linked mbedTLS's serialization header (cache_mbedtls_header at open). */
    uint8_t mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN];
    /* Daemon: set at open when every entry must be checked (start-up; format record changed).
     * The sweeper clears it after its full scan and then rewrites the format record. */
    int scan_needed;
    /* Daemon: the env was moved aside and recreated during this open. */
    int recreated;
};

/* Results of cache_env_lookup. */
#define CACHE_LOOKUP_MISS 0
#define CACHE_LOOKUP_HIT  1
#define CACHE_LOOKUP_STALE                                                                         \
    2 /* present but expired, incompatible or malformed: a miss; the                               \
         caller may remove it with cache_env_remove later */

/*
 * Opens (daemon: creates if needed) the env at conf->cache_database.
 * Daemon: creates the directory 0750, then data.mdb and lock.mdb are set to 0660 owned by
 * uid:gid (port_fchmod/port_fchown); an env LMDB rejects (MDB_INVALID, MDB_CORRUPTED,
 * MDB_VERSION_MISMATCH, MDB_PANIC, truncated or random data.mdb, a word size of another
 * machine) or whose format record is not ours is renamed to PATH.bad (replacing an older
 * one) and recreated, with one log line. A directory on JFFS2 is refused with an error that
 * names the problem and the fix. The daemon writes the format record and checks the env can
 * still store (a file that already fills its map evicts until it can).
 * Client and read-only: open only; any problem returns -1 without logging (a miss).
 * uid/gid matter only for the daemon. Returns 0, or -1 (ce->env is NULL then).
 */
int cache_env_open(struct cache_env *ce, const struct tlsmgr_conf *conf, enum cache_role role,
                   unsigned uid, unsigned gid);
/* Closes the env (no transaction may be open). Safe on a closed or zeroed struct. */
void cache_env_close(struct cache_env *ce);
/* In a child after fork(): drops the parent's env without touching LMDB state (closing it
 * would release the parent's reader slots). The mapping leaks until exec or exit. */
void cache_env_forget(struct cache_env *ce);

/*
 * Looks up tag/id with one read transaction and copies the blob into out (cap bytes; a blob
 * larger than cap is a miss). Validates the header against ce->mbedtls_hdr and now (wall
 * seconds). Returns CACHE_LOOKUP_HIT (and *outlen), CACHE_LOOKUP_MISS, CACHE_LOOKUP_STALE, or
 * -1 on an LMDB error (treat as a miss). Counts nothing: the caller adds to its
 * struct cache_counts.
 */
int cache_env_lookup(struct cache_env *ce, const uint8_t *tag, size_t taglen, const uint8_t *id,
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
int cache_env_store(struct cache_env *ce, const uint8_t *tag, size_t taglen, const uint8_t *id,
                    size_t idlen, int64_t now, uint64_t expires, const uint8_t *blob,
                    size_t bloblen, struct cache_counts *flush);

/* Removes tag/id in one write transaction if it is (still) not CACHE_OK at now, counting it as
 * expired, incompatible or malformed; also flushes *flush. Returns 1 removed, 0 nothing to
 * do, -1 on error. */
int cache_env_remove(struct cache_env *ce, const uint8_t *tag, size_t taglen, const uint8_t *id,
                     size_t idlen, int64_t now, struct cache_counts *flush);

/* Removes tag/id unconditionally in one write transaction (a blob that
 * mbedtls_ssl_session_load refuses, or whose session ID differs from the key), with its
 * index key when the header names it; flushes *flush (the caller counts the removal there).
 * Returns 1 removed, 0 not present, -1 on error. */
int cache_env_drop(struct cache_env *ce, const uint8_t *tag, size_t taglen, const uint8_t *id,
                   size_t idlen, struct cache_counts *flush);

/* 1 if PATH/data.mdb is no longer the file this env has open (the daemon moved a bad env
 * aside and created a new one, or it is gone): the caller closes and reopens. 0 if it is the
 * same file. Costs a stat and an fstat; call it now and then (e.g. before a store), not on
 * every lookup. */
int cache_env_replaced(struct cache_env *ce);

/* Reads the statistics with one read transaction. Returns 0 or -1. */
int cache_env_stats(struct cache_env *ce, struct cache_stats *st);

/* ---- Building blocks for the daemon's sweeper (and the store above) ------------------- */

/* Evictions asked for, in turn, before each retry of a write that hit MDB_MAP_FULL: the
 * earliest-expiring entries make room, more each time, until the write fits. */
#define CACHE_FULL_RETRIES 3
extern const unsigned cache_full_evictions[CACHE_FULL_RETRIES];

/* mdb_txn_begin that handles MDB_MAP_RESIZED (set_mapsize(0) and retry). Returns an MDB
 * error code (0 = MDB_SUCCESS). flags: 0 or MDB_RDONLY. */
int cache_env_txn_begin(struct cache_env *ce, unsigned flags, MDB_txn **txn);
/* Ends a write transaction: when rc is 0, adds *flush (NULL allowed) and commits, else
 * aborts. Returns an MDB error code; *flush is zeroed only once it is committed. */
int cache_env_txn_end(struct cache_env *ce, MDB_txn *txn, int rc, struct cache_counts *flush);
/* An MDB_val that points at n bytes at p (LMDB never writes through a key or data it is given). */
MDB_val cache_val(const void *p, size_t n);
/* Deletes one session entry and its expiry index key (given expires; when the session
 * value is unreadable, pass expires as read from the index). Missing keys are not an error.
 * Returns an MDB error code. */
int cache_env_del(struct cache_env *ce, MDB_txn *txn, const uint8_t *skey, size_t skeylen,
                  uint64_t expires);
/* Deletes the n earliest-expiring entries (per the expiry index). *evicted gets the count.
 * Returns an MDB error code. */
int cache_env_evict(struct cache_env *ce, MDB_txn *txn, unsigned n, unsigned *evicted);
/* Adds c (NULL allowed) to the meta counters. Returns an MDB error code. */
int cache_env_counts_add(struct cache_env *ce, MDB_txn *txn, const struct cache_counts *c);
/* Counts one entry removed for verdict v: expired, incompatible, else malformed. */
void cache_counts_bad(struct cache_counts *c, enum cache_verdict v);
/* Sets a meta u64 value (sweep duration etc.). Returns an MDB error code. */
int cache_env_meta_set(struct cache_env *ce, MDB_txn *txn, const char *name, uint64_t v);
/* Reads a meta u64 value (0 when missing or malformed). */
uint64_t cache_env_meta_get(struct cache_env *ce, MDB_txn *txn, const char *name);
/* Writes the format record with ce->mbedtls_hdr (after a full scan). */
int cache_env_format_write(struct cache_env *ce, MDB_txn *txn);

#endif
