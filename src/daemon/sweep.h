/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sweep.h - the session cache's sweeper. Every sweep period it walks the expiry index from
 * its start and deletes what has expired; after start-up (or a changed format record) it
 * first checks every entry once and deletes the incompatible, malformed and future-dated.
 * Work is cut into bounded write transactions (at most TLSMGR_SWEEP_BATCH deletions or
 * TLSMGR_SWEEP_STEP_MS each) and the loop runs between them (a 0-delay timer), so a big sweep
 * never holds LMDB's writer lock or the daemon for long. Surviving entries are never written.
 */
#ifndef TLSMGR_SWEEP_H
#define TLSMGR_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "cache_env.h"
#include "loop.h"
#include "mbedtls_compat.h"

/* Called when a sweep fails with an error that means the env is damaged (cache_env_damaged:
 * a bad page, a file cut short or replaced, a fault caught by the guard) or full
 * (MDB_MAP_FULL): the owner repairs or reopens the env, then calls sweep_reset. */
typedef void (*sweep_broken_fn)(void *arg, int mdb_rc);

/* uint64_t counters only, logged in this order. */
struct sweep_totals {
    uint64_t sweeps;                                        /* complete sweeps since start */
    uint64_t scans;                                         /* of which full scans */
    uint64_t expired, incompatible, malformed, stale_index; /* deleted since start */
    uint64_t readers_cleared;                               /* stale reader slots freed */
    uint64_t steps;                                         /* transactions since start */
    uint64_t last_ms;                                       /* last complete sweep */
    uint64_t last_steps;                                    /* its transactions */
    uint64_t longest_us;                                    /* longest step since start */
    uint64_t errors;
};

enum sweep_phase { SWEEP_IDLE, SWEEP_SCAN, SWEEP_SCAN_INDEX, SWEEP_EXPIRY };

struct sweep {
    struct cache_env *ce;
    struct loop *loop;
    int timer;
    unsigned period_s;
    enum sweep_phase phase;
    unsigned batch; /* deletions per step: TLSMGR_SWEEP_BATCH */
    size_t resume_len;
    uint64_t started_ns;
    uint64_t step_count;
    /* Deleted during this sweep, in the order of struct sweep_totals: expired, incompatible,
     * malformed entries, stale index keys. */
    uint64_t done[4];
    int last_rc; /* LMDB code of the last failed step */
    sweep_broken_fn broken;
    void *broken_arg;
    struct sweep_totals t;
    mbedtls_sha512_context md; /* digest of this sweep's deleted keys and counters */
    /* Key where the walk resumes (raw LMDB key, at most 511 bytes: LMDB's default limit).
     * Last, as md: the fields above are then a short offset away from s. */
    uint8_t resume[511];
};

/* Prepares a sweeper on an open env. Returns 0, or -1 (no timer slot). With
 * loop NULL nothing is scheduled: the caller drives sweep_begin/sweep_step itself. */
int sweep_init(struct sweep *s, struct cache_env *ce, struct loop *loop, unsigned period_s,
               sweep_broken_fn broken, void *broken_arg);
void sweep_free(struct sweep *s);
/* Arms the next sweep: now when a full scan is due, else in period_s. */
void sweep_schedule(struct sweep *s);
void sweep_set_period(struct sweep *s, unsigned period_s);
/* After the env was reopened: the sweep in progress is dropped, the next one scheduled. */
void sweep_reset(struct sweep *s);

/* Begins a sweep (clears stale readers; full scan first if ce->scan_needed). */
void sweep_begin(struct sweep *s);
/* One bounded transaction. Returns 1 if more work remains, 0 when the sweep is complete,
 * -1 on an error (the sweep is abandoned and retried at the next period). */
int sweep_step(struct sweep *s);
/* Runs a whole sweep without yielding (tests and benchmarks). Returns 0 or -1. */
int sweep_run(struct sweep *s);

/* For an env whose file fills its map: clears stale readers, then evicts up to max of the
 * earliest-expiring entries (stale index keys count too) in one write transaction of the
 * expiry walk, without a sweeper; entries that are malformed or of another mbedTLS are
 * counted as such, the others as evicted. Returns an MDB error code, or CACHE_ENV_NOROOM
 * when the index is empty. */
int sweep_evict(struct cache_env *ce, unsigned max);

/* Logs the totals (SIGUSR1). */
void sweep_log_stats(const struct sweep *s);

#endif
