/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_env.h - the session cache's LMDB environment as every process opens it: libtlsmgr
 * (lookups and stores), tlsmgr -s (read-only) and the daemon, which also creates and repairs it
 * (src/daemon/cache_repair.h) and sweeps it (sweep.h).
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
 * (per process, no write per lookup) and added to meta by the next store, in the write
 * transaction the store opens anyway. stores and evicted are counted by the store itself;
 * expired, incompatible and malformed by the daemon's sweeper.
 */
#ifndef TLSMGR_CACHE_ENV_H
#define TLSMGR_CACHE_ENV_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "cache_format.h"
#include "conf.h"

/* Mode of data.mdb and lock.mdb: the TLS servers' group shares the env. */
#define CACHE_ENV_MODE 0660

enum cache_role {
    CACHE_ROLE_DAEMON,  /* created and repaired by cache_repair_open; the sweeper writes */
    CACHE_ROLE_CLIENT,  /* an existing env, read-write; never created, never logged */
    CACHE_ROLE_READONLY /* an existing env, read-only (tlsmgr -s) */
};

/* Counters a caller accumulates between stores, in the order of CACHE_META_COUNTERS. */
struct cache_counts {
    uint64_t lookups, hits, misses, stores, expired, evicted, incompatible, malformed;
};

struct cache_env {
    MDB_env *env;
    MDB_dbi session, expiry, meta, ticket;
    enum cache_role role;
    unsigned max_entries;
    uint64_t map_size;
    int sync; /* tls_session_cache_sync */
    /* The linked mbedTLS's serialization header (cache_mbedtls_header at open). */
    uint8_t mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN];
    /* Set at open when every entry must be checked (the format record names another mbedTLS
     * header; the daemon also sets it at start-up). The sweeper clears it after its full
     * scan and then rewrites the format record. */
    int scan_needed;
    /* Daemon: the env was moved aside and recreated during this open. */
    int recreated;
    /* What cache_env_intact compares the files with, before each transaction: */
    unsigned psize;       /* LMDB's page size */
    int lock_fd;          /* lock.mdb, opened by us (never closed while LMDB holds its locks) */
    int lock_open;        /* lock_fd is open */
    uint64_t lock_size;   /* lock.mdb's size when LMDB mapped it: the size of its lock map */
    uint8_t lock_head[8]; /* its first bytes then: LMDB's magic and lock format */
    uint64_t covered;     /* data.mdb is known to be at least this long (cache_env_txn_begin) */
    /* The write transaction in progress (NULL: none): the one to abort after a fault. */
    MDB_txn *wtxn;
    /* CACHE_ENV_FAULT or CACHE_ENV_ASSERT once a call was abandoned mid-way: every later
     * transaction fails with it (cache_env_intact) until the env is closed. */
    int broken;
    /* Last: the fields above are then a short offset away from ce. */
    char path[TLSMGR_PATH_MAX];
};

/* Opens the existing env at conf->cache_database (role CLIENT or READONLY): both files must
 * exist and be regular files, LMDB must accept them and the format record must be ours. Any
 * problem returns -1 without logging (a miss), with ce->env NULL. */
int cache_env_open(struct cache_env *ce, const struct tlsmgr_conf *conf, enum cache_role role);
/* The same, telling why: 0, -1 (no env there, or no permission) or CACHE_ENV_BAD (LMDB or
 * the format record rejects it, or it is damaged: *why, an LMDB error or a CACHE_ENV_ code,
 * says how; the daemon's cache_env_strerror tells it). */
int cache_env_open_why(struct cache_env *ce, const struct tlsmgr_conf *conf, enum cache_role role,
                       int *why);
/* Closes the env (no transaction may be open). Safe on a closed or zeroed struct, and on an
 * env whose files were cut short: LMDB's close clears this process's reader slots in the
 * lock map, so the pages of a lock.mdb cut short are first replaced by zeros
 * (port_map_detach); where the port cannot do that, the env is left mapped (a leak of one
 * map and its descriptors) rather than touched. */
void cache_env_close(struct cache_env *ce);
/* In a child after fork(): drops the parent's env without touching LMDB state (closing it
 * would release the parent's reader slots). The mapping leaks until exec or exit. */
void cache_env_forget(struct cache_env *ce);
/* 1 if PATH/data.mdb or PATH/lock.mdb is no longer the file this env has open (the daemon
 * moved a bad env aside and created a new one, or it is gone), or if no env is open: the caller
 * closes and reopens. 0 if both are the same files. Costs two stats and two fstats; call it now and
 * then (before a store, after a miss), not on every lookup. */
int cache_env_replaced(struct cache_env *ce);
/* The descriptors of data.mdb (LMDB's) and lock.mdb (ours), -1 where there is none. */
void cache_env_fds(const struct cache_env *ce, int fd[2]);

/* ---- Damage ------------------------------------------------------------------------------
 *
 * data.mdb and lock.mdb are shared in writing with the TLS servers' group, so any member can
 * cut them short, overwrite or remove them. LMDB maps both files and trusts what it reads:
 * a page past the end of a file cut short is a SIGBUS in whichever process reads it. So:
 *  - every writer makes data.mdb as long as its map before it writes (a sparse file: no
 *    block is written), so that a file shorter than the pages its meta page claims is always
 *    damage (LMDB alone may leave "loose" pages at the end unwritten);
 *  - before every transaction, cache_env_intact compares both files' sizes with what LMDB
 *    will read: a short one makes the transaction fail with CACHE_ENV_SHORT, a miss for a TLS
 *    server, a repair for the daemon;
 *  - the daemon also reads under a fault guard (cache_repair_guard) and checks at each sweep
 *    that the files at the env's path are still the ones it has open.
 * Codes of this module, in LMDB's error space but outside its range: */
#define CACHE_ENV_SHORT  (-30700) /* a file is shorter than what LMDB maps of it */
#define CACHE_ENV_FAULT  (-30701) /* reading the map faulted (the daemon's guard caught it) */
#define CACHE_ENV_GONE   (-30702) /* data.mdb or lock.mdb is not the file open, or missing */
#define CACHE_ENV_LOCK   (-30703) /* lock.mdb's header changed: it was overwritten */
#define CACHE_ENV_ASSERT (-30704) /* LMDB found its pages inconsistent (an assertion) */
/* Reasons of an open, not errors of a transaction; damage (cache_env_damaged) but the last: */
#define CACHE_ENV_NODBS  (-30705) /* the named databases are missing */
#define CACHE_ENV_NOREC  (-30706) /* the format record is missing */
#define CACHE_ENV_FORMAT (-30707) /* the format record is not ours */
#define CACHE_ENV_NOROOM (-30708) /* full, and no entry can be evicted */
#define CACHE_ENV_NOLOCK (-30709) /* lock.mdb cannot be opened beside LMDB: not damage */
#define CACHE_ENV_CODES  10       /* CACHE_ENV_SHORT down to CACHE_ENV_NOLOCK */

/* 1 if rc, an error of an LMDB call or of this module, means that the env is damaged (its
 * pages, its lock file or its named databases are not what this code wrote): the daemon then
 * moves it aside and recreates it, a TLS server drops it and takes a miss. The one list of
 * such codes, with the reason of each, is in cache_env.c. */
int cache_env_damaged(int rc);
/* 0 if rc is 0, CACHE_ENV_BAD if it means damage (cache_env_damaged), else -1. */
int cache_env_bad(int rc);
/* 1 if lock.mdb is shorter than LMDB's map of it (or cannot be checked): touching the lock map
 * may then fault. */
int cache_env_lock_short(struct cache_env *ce);
/* Runs fn(ce, arg) and returns its result, or CACHE_ENV_ASSERT when LMDB's own consistency
 * checks failed on pages of this env (LMDB would call abort(): garbage where it expects a leaf
 * page, a zeroed meta page). fn is then abandoned where it stood, as after a fault: the env
 * must only be given to cache_env_abandon. The caller is the only one in the process to use an
 * env meanwhile (libtlsmgr: its process-wide lock; the daemon is single-threaded). A trap inside
 * another runs fn under the outer one. */
int cache_env_trap(struct cache_env *ce, int (*fn)(struct cache_env *ce, void *arg), void *arg);
/* Called with LMDB's text of an assertion that a trap caught (NULL: none, as in libtlsmgr, which
 * tells no reasons): the daemon keeps it for its log (cache_env_strerror). */
extern void (*cache_env_assert_hook)(const char *msg);
/* Closes an env found damaged, perhaps in the middle of a transaction (after a trap or a fault):
 * the write transaction left open, which holds LMDB's writer lock that every other process
 * waits for, is aborted first (over zero pages if lock.mdb was cut short), then the env is
 * closed (cache_env_close). */
void cache_env_abandon(struct cache_env *ce);
/* 0 if data.mdb covers every page the newest meta page claims and lock.mdb is as long as
 * LMDB's lock map, else CACHE_ENV_SHORT (ce->broken, if set, first); CACHE_ENV_LOCK if lock.mdb's
 * first bytes (LMDB's magic and lock format, which never change) are not what they were at open: a
 * lock file overwritten holds mutexes that may never be released. Two fstats, a pread of 8 bytes
 * and mdb_env_info: cheap enough for every transaction (cache_env_txn_begin calls it). A file
 * damaged after it returned can still fault or block: see libtlsmgr(3), CAVEATS. */
int cache_env_intact(struct cache_env *ce);

/* ---- The steps of an open, for cache_env_open and the daemon's cache_repair_open ------- */

/* Returned by the steps below when LMDB or the format record rejects the files: the daemon
 * moves such an env aside and recreates it. */
#define CACHE_ENV_BAD 1

/* Fills ce from conf (nothing opened). Returns 0, or -1 when the cache is disabled, the path
 * is too long or the linked mbedTLS cannot serialize sessions. */
int cache_env_init(struct cache_env *ce, const struct tlsmgr_conf *conf, enum cache_role role);
/* Maps the env (mdb_env_open; created when missing unless read-only) and checks that its
 * files are not cut short (cache_env_intact). Returns 0, -1 (no memory or permission: *why
 * says which) or CACHE_ENV_BAD (*why says why); ce->env is NULL unless 0. *why is an LMDB
 * error, an errno value or a CACHE_ENV_ code. */
int cache_env_map(struct cache_env *ce, int *why);
/* Opens the four named databases in txn with mdb_dbi_open flags (MDB_CREATE or 0). Returns an
 * MDB error code. */
int cache_env_dbis(struct cache_env *ce, MDB_txn *txn, unsigned flags);
/* Compares the format record, read in txn, with ours (sets ce->scan_needed when only the
 * mbedTLS header differs). Returns 0, CACHE_ENV_NOREC, CACHE_ENV_FORMAT or an MDB error. */
int cache_env_format(struct cache_env *ce, MDB_txn *txn);
/* Opens the handles of the named databases and checks the format record
 * (cache_env_format). Returns 0, -1 or CACHE_ENV_BAD, with *why. */
int cache_env_check(struct cache_env *ce, int *why);
/* The env's two files: CACHE_ENV_FILE(0) is "data.mdb", CACHE_ENV_FILE(1) "lock.mdb". */
extern const char cache_env_files[];
#define CACHE_ENV_FILE(i) (cache_env_files + (i) * sizeof("data.mdb"))
/* dir/CACHE_ENV_FILE(i) into out. Returns 0, -1 if too long. */
int cache_env_file(const char *dir, int i, char *out, size_t cap);

/* ---- Transactions, meta values and counters ------------------------------------------- */

/* mdb_txn_begin after cache_env_intact, handling MDB_MAP_RESIZED (set_mapsize(0) and
 * retry); a write transaction first makes data.mdb as long as the map. Returns an MDB error
 * code or CACHE_ENV_SHORT (0 = MDB_SUCCESS). flags: 0 or MDB_RDONLY. */
int cache_env_txn_begin(struct cache_env *ce, unsigned flags, MDB_txn **txn);
/* End a transaction of cache_env_txn_begin (a write one must end here: ce->wtxn). */
int cache_env_commit(struct cache_env *ce, MDB_txn *txn);
void cache_env_abort(struct cache_env *ce, MDB_txn *txn);
/* Ends a write transaction: when rc is 0, adds *flush (NULL allowed) and commits, else
 * aborts. Returns an MDB error code; *flush is zeroed only once it is committed. */
int cache_env_txn_end(struct cache_env *ce, MDB_txn *txn, int rc, struct cache_counts *flush);
/* An MDB_val that points at n bytes at p (LMDB never writes through a key or data it is given). */
MDB_val cache_val(const void *p, size_t n);
/* Adds c (NULL allowed) to the meta counters. Returns an MDB error code. */
int cache_env_counts_add(struct cache_env *ce, MDB_txn *txn, const struct cache_counts *c);
/* Counts one entry removed for verdict v: expired (CACHE_OK too: one removed when due),
 * incompatible, else malformed. */
void cache_counts_bad(struct cache_counts *c, enum cache_verdict v);
/* Reads (put 0) or writes meta value name, *v. Returns an MDB error code. */
int cache_env_meta(struct cache_env *ce, MDB_txn *txn, const char *name, MDB_val *v, int put);
/* Sets a meta u64 value (sweep duration etc.). Returns an MDB error code. */
int cache_env_meta_set(struct cache_env *ce, MDB_txn *txn, const char *name, uint64_t v);
/* Reads a meta u64 value (0 when missing or malformed). */
uint64_t cache_env_meta_get(struct cache_env *ce, MDB_txn *txn, const char *name);

#endif
