/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_repair.h - the daemon opens the session cache's env as its owner: creates the
 * directory, the files and the named databases, gives them their modes and owner, and moves
 * an env that LMDB or the format record rejects aside and recreates it. TLS servers never do
 * any of this (cache_env_open): they see misses until the daemon has a good env.
 */
#ifndef TLSMGR_CACHE_REPAIR_H
#define TLSMGR_CACHE_REPAIR_H

#include "cache_env.h"

/*
 * Opens (creates if needed) the env at conf->cache_database with role CACHE_ROLE_DAEMON.
 * The directory is made 0750, data.mdb and lock.mdb 0660, all owned by uid:gid; an env LMDB
 * rejects (MDB_INVALID, MDB_CORRUPTED, MDB_VERSION_MISMATCH, MDB_PANIC, truncated or random
 * data.mdb, a word size of another machine) or whose format record is not ours is renamed to
 * PATH.bad (replacing an older one) and recreated, with one log line. A directory on JFFS2 is
 * refused with an error that names the parameter and the problem (the fix: tlsmgr(8),
 * CAVEATS). A new env gets the format record;
 * an env whose file already fills its map clears stale readers and evicts, the
 * earliest-expiring entries first (sweep_evict), until a write can commit. Sets
 * ce->scan_needed (the start-up check of every entry). Returns 0, or -1 (logged; ce->env NULL).
 */
int cache_repair_open(struct cache_env *ce, const struct tlsmgr_conf *conf, unsigned uid,
                      unsigned gid);

/* The env was found damaged (rc, a code cache_env_damaged accepts): closes it as safely as
 * it can be closed (cache_repair_abandon), moves it aside and recreates it, with one log line
 * that says why; with rc 0, closes it and opens it again as it is. Returns 0, or -1 (logged;
 * ce->env NULL: the caller tries again later). */
int cache_repair_replace(struct cache_env *ce, const struct tlsmgr_conf *conf, unsigned uid,
                         unsigned gid, int rc);

/* Runs fn(ce, arg) under the fault guard of ce's two files (port_guard) and LMDB's assertion
 * trap (cache_env_trap), and returns its result, or CACHE_ENV_FAULT when it read a page that a
 * file cut short no longer backs, or CACHE_ENV_ASSERT. fn is then abandoned where it stood:
 * LMDB's state is whatever the fault left (a write transaction still open, holding LMDB's
 * writer lock; a reader slot taken), so the env must not be used again, only given to
 * cache_repair_abandon or cache_repair_replace. */
int cache_repair_guard(struct cache_env *ce, int (*fn)(struct cache_env *ce, void *arg), void *arg);

/* Closes an env that may be damaged or may have faulted: aborts the write transaction a fault
 * left open (so that TLS servers waiting for LMDB's writer lock get it), then closes, both
 * under the guard. If that faults again (a file cut short once more in between), the env is
 * left mapped: a leak of one map and three descriptors, at most TLSMGR_CACHE_LEAK_MAX times,
 * after which no env is opened again until a restart. */
void cache_repair_abandon(struct cache_env *ce);

/* Writes the format record with ce->mbedtls_hdr in txn: a new env, or one whose every entry
 * the sweeper has just checked against the current mbedTLS. Returns an MDB error code. */
int cache_repair_mark_checked(struct cache_env *ce, MDB_txn *txn);

/* Text of an LMDB error, an errno value or a CACHE_ENV_ code (cache_env.h), for the log. */
const char *cache_env_strerror(int rc);
/* Keeps LMDB's text of an assertion for cache_env_strerror: the daemon's
 * cache_env_assert_hook (cache_repair_open sets it). */
void cache_repair_note_assert(const char *msg);

#endif
