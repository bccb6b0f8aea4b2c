/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache.h - the daemon's session cache service (creates the LMDB env, runs the sweeper) and
 * the status report of tlsmgr -s.
 */
#ifndef TLSMGR_CACHE_H
#define TLSMGR_CACHE_H

#include <stdint.h>

#include "cache_env.h"
#include "conf.h"
#include "daemon.h"

/* What tlsmgr -s and SIGUSR1 show: uint64_t values only, shown in this order. */
struct cache_stats {
    uint64_t entries;              /* entries in the session DB now */
    uint64_t expiry_entries;       /* entries in the expiry index (equal when healthy) */
    struct cache_counts c;         /* totals from meta */
    uint64_t sweeps;               /* complete sweeps */
    uint64_t last_sweep_ms;        /* duration of the last complete sweep */
    uint64_t longest_txn_us;       /* longest sweep transaction */
    uint64_t last_sweep_time;      /* wall clock at the end of the last sweep (0: never) */
    uint64_t map_size, used_bytes; /* map size and bytes in use (last page + 1) */
    uint64_t readers, max_readers; /* reader slots in use, and available */
};

extern const struct service cache_service;

/* The names of the fields of struct cache_stats, in its order, as tlsmgr -s and the statistics
 * line show them: those read from meta are the keys they are stored under (cache_format.h),
 * from CACHE_STAT_META on; the sweeper's own figures from CACHE_STAT_SWEEP on. */
#define CACHE_STAT_HEAD "entries\0expiry_entries\0"
extern const char cache_stat_names[];
#define CACHE_STAT_META  (cache_stat_names + sizeof(CACHE_STAT_HEAD) - 1)
#define CACHE_STAT_SWEEP (CACHE_STAT_META + sizeof(CACHE_META_COUNTERS) - 1)

/* tlsmgr -s: opens the env named by c read-only and prints its statistics. Returns 0, or 1
 * after printing why when there is no cache to report on. */
int cache_print_status(const struct tlsmgr_conf *c);

/* Reads the statistics of an open env with one read transaction. Returns 0 or an LMDB error
 * code (CACHE_ENV_SHORT when a file of the env is cut short). */
int cache_read_stats(struct cache_env *ce, struct cache_stats *st);

#endif
