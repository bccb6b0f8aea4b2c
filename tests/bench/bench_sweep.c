/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_sweep.c - the cache sweep of 100k entries with 10 % expired, with the layout tlsmgr
 * uses (an expiry index walked from its start, DESIGN §3.7) against two peers measured in
 * the same run on the same data:
 *   full scan  read every entry's header, delete the expired (no index), in bounded txns;
 *   buckets    one session DB per sweep period, an expired bucket dropped whole (mdb_drop).
 * Also the price of the index at store time: single-entry store transactions with and
 * without the second put; and what the size bound costs without it: a store into a full
 * cache (tls_session_cache_max_entries reached) through cache_session_store, which evicts the
 * earliest-expiring entry via the index, against the same store transaction scanning every
 * header of the session DB for the earliest expiry. A verdict line weighs both for a stated
 * workload. Median of 5 runs each; the env lives on tmpfs (/dev/shm) when the machine has
 * one, as on a router.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "byteorder.h"
#include "cache.h"
#include "cache_repair.h"
#include "cache_session.h"
#include "log.h"
#include "port.h"
#include "sweep.h"

#define N_ENTRIES 100000
#define N_EXPIRED (N_ENTRIES / 10)
#define RUNS      5
#define BLOB_LEN  115 /* a TLS 1.2 session without peer certificate */
#define N_BUCKETS 8
#define STORES    3000

#include "bench.h"
/* Stores into the full cache per run: the scanning peer costs a whole scan each. */
#define FULL_STORES      200
#define FULL_SCAN_STORES 20
/* The workload of the verdict: sweeps per day (period 1 h) and stores per second into the
 * full cache. */
#define SWEEPS_PER_DAY 24
#define STORES_PER_S   1

static char dir[128];
/* One entry in `every` is expired: 10 for the headline figure, 100 for the 1 % row. */
static unsigned every = 10;
static uint8_t mhdr[CACHE_MBEDTLS_HDR_LEN];

static void wipe(void)
{
    char p[300];

    snprintf(p, sizeof(p), "%s/cache/data.mdb", dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/cache/lock.mdb", dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/cache", dir);
    rmdir(p);
}

static void open_env(struct cache_env *ce)
{
    struct tlsmgr_conf c;

    wipe();
    conf_defaults(&c);
    snprintf(c.cache_database, sizeof(c.cache_database), "%s/cache", dir);
    c.cache_map_size = 256u << 20;
    c.cache_max_entries = 10000000;
    if (cache_repair_open(ce, &c, getuid(), getgid()) < 0) {
        fprintf(stderr, "bench_sweep: cannot open the env in %s\n", dir);
        exit(1);
    }
}

/* Entry i's random-looking 32-byte id and its blob (starting with the mbedTLS header). */
static void id_blob_for(unsigned i, uint8_t *id, uint8_t *blob)
{
    uint32_t x = i * 2654435761u;
    size_t k;

    for (k = 0; k < 32; k++) {
        x = x * 1103515245u + 12345u;
        id[k] = (uint8_t)(x >> 16);
    }
    memset(blob, (int)i, BLOB_LEN);
    memcpy(blob, mhdr, sizeof(mhdr));
}

/* Entry i: one in `every` (spread over the key space) expired, the rest live with spread
 * expiry times. */
static void entry_for(unsigned i, int64_t now, uint8_t *skey, size_t *skeylen, uint8_t *val,
                      size_t *vallen, uint64_t *exp)
{
    struct cache_entry_hdr h;
    uint8_t id[32], blob[BLOB_LEN];

    id_blob_for(i, id, blob);
    *skeylen = cache_key_session(skey, CACHE_SKEY_MAX, (const uint8_t *)"www", 3, id, 32);
    *exp = i % every == 0 ? (uint64_t)now - 1 - i % 3600 : (uint64_t)now + 60 + i % 3600;
    memset(&h, 0, sizeof(h));
    h.version = CACHE_FORMAT_VERSION;
    memcpy(h.mbedtls_hdr, mhdr, sizeof(mhdr));
    h.created = *exp - 3700; /* an hour's timeout */
    h.expires = *exp;
    *vallen = cache_entry_encode(val, CACHE_ENTRY_MAX, &h, blob, sizeof(blob));
}

static MDB_val v_of(const void *p, size_t n)
{
    MDB_val v;

    v.mv_data = (void *)p;
    v.mv_size = n;
    return v;
}

/* layout: 0 index, 1 no index, 2 buckets (dbis given). */
static void fill(struct cache_env *ce, int layout, MDB_dbi *buckets, int64_t now)
{
    MDB_txn *txn = NULL;
    unsigned i;

    for (i = 0; i < N_ENTRIES; i++) {
        uint8_t skey[CACHE_SKEY_MAX], x[CACHE_XKEY_MAX], val[CACHE_ENTRY_MAX];
        size_t sl, vl;
        uint64_t exp;
        MDB_val k, v, e = v_of("", 0);

        if (txn == NULL)
            cache_env_txn_begin(ce, 0, &txn);
        entry_for(i, now, skey, &sl, val, &vl, &exp);
        k = v_of(skey, sl);
        v = v_of(val, vl);
        if (layout == 2) {
            /* Bucket by expiry: the expired all sit in bucket 0. */
            unsigned b =
                exp <= (uint64_t)now ? 0 : 1 + (unsigned)((exp - now) * (N_BUCKETS - 1) / 3700);
            mdb_put(txn, buckets[b < N_BUCKETS ? b : N_BUCKETS - 1], &k, &v, 0);
        } else {
            mdb_put(txn, ce->session, &k, &v, 0);
        }
        if (layout == 0) {
            k = v_of(x, cache_key_expiry(x, sizeof(x), exp, skey, sl));
            mdb_put(txn, ce->expiry, &k, &e, 0);
        }
        if (i % 10000 == 9999) {
            mdb_txn_commit(txn);
            txn = NULL;
        }
    }
    if (txn != NULL)
        mdb_txn_commit(txn);
}

/* The peer: every entry's header read, the expired deleted, 1000 deletions per txn at most,
 * resumed after the last key (as bounded as our sweep, so only the layout differs). */
static unsigned full_scan_sweep(struct cache_env *ce, int64_t now, double *longest)
{
    uint8_t resume[CACHE_SKEY_MAX];
    size_t rlen = 0;
    unsigned deleted = 0;
    int done = 0;

    *longest = 0;
    while (!done) {
        double t0 = now_s();
        MDB_txn *txn;
        MDB_cursor *cur;
        MDB_val k, v;
        unsigned n = 0;
        int rc;

        cache_env_txn_begin(ce, 0, &txn);
        mdb_cursor_open(txn, ce->session, &cur);
        if (rlen > 0) {
            k = v_of(resume, rlen);
            rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        } else {
            rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
        }
        done = 1;
        while (rc == 0) {
            struct cache_entry_hdr h;

            if (n >= 1000) {
                memcpy(resume, k.mv_data, k.mv_size);
                rlen = k.mv_size;
                done = 0;
                break;
            }
            if (cache_entry_check(v.mv_data, v.mv_size, mhdr, now, &h, NULL) != CACHE_OK) {
                mdb_cursor_del(cur, 0);
                n++;
                rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
                if (rc == EINVAL)
                    rc = MDB_NOTFOUND;
            } else {
                rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            }
        }
        mdb_cursor_close(cur);
        mdb_txn_commit(txn);
        deleted += n;
        if (now_s() - t0 > *longest)
            *longest = now_s() - t0;
    }
    return deleted;
}

static void open_buckets(struct cache_env *ce, MDB_dbi *b)
{
    MDB_txn *txn;
    char name[8];
    unsigned i;

    /* The cache env has room for 4 named DBs only: the bucket peer runs in its own env. */
    (void)ce;
    cache_env_txn_begin(ce, 0, &txn);
    for (i = 0; i < N_BUCKETS; i++) {
        snprintf(name, sizeof(name), "b%u", i);
        mdb_dbi_open(txn, name, MDB_CREATE, &b[i]);
    }
    mdb_txn_commit(txn);
}

static void open_bucket_env(struct cache_env *ce)
{
    char p[300];

    wipe();
    memset(ce, 0, sizeof(*ce));
    snprintf(p, sizeof(p), "%s/cache", dir);
    mkdir(p, 0750);
    mdb_env_create(&ce->env);
    mdb_env_set_maxdbs(ce->env, N_BUCKETS + 4);
    mdb_env_set_mapsize(ce->env, 256u << 20);
    if (mdb_env_open(ce->env, p, MDB_NOTLS | MDB_NOSYNC, 0660) != 0) {
        fprintf(stderr, "bench_sweep: cannot open the bucket env\n");
        exit(1);
    }
}

static double store_cost(int with_index, int64_t now)
{
    struct cache_env ce;
    double t0;
    unsigned i;

    open_env(&ce);
    t0 = now_s();
    for (i = 0; i < STORES; i++) {
        uint8_t skey[CACHE_SKEY_MAX], x[CACHE_XKEY_MAX], val[CACHE_ENTRY_MAX];
        size_t sl, vl;
        uint64_t exp;
        MDB_txn *txn;
        MDB_val k, v, e = v_of("", 0);

        entry_for(i, now, skey, &sl, val, &vl, &exp);
        cache_env_txn_begin(&ce, 0, &txn);
        k = v_of(skey, sl);
        v = v_of(val, vl);
        mdb_put(txn, ce.session, &k, &v, 0);
        if (with_index) {
            k = v_of(x, cache_key_expiry(x, sizeof(x), exp, skey, sl));
            mdb_put(txn, ce.expiry, &k, &e, 0);
        }
        mdb_txn_commit(txn);
    }
    t0 = (now_s() - t0) / STORES;
    cache_env_close(&ce);
    return t0;
}

/* Ours: tlsmgr's own store (cache_session_store) into a cache of N_ENTRIES with the bound at
 * N_ENTRIES, so that each store evicts the earliest-expiring entry through the index. */
static double full_store_index(int64_t now, unsigned first)
{
    struct cache_env ce;
    struct cache_stats st;
    double t0;
    unsigned i;

    open_env(&ce);
    fill(&ce, 0, NULL, now);
    ce.max_entries = N_ENTRIES;
    t0 = now_s();
    for (i = 0; i < FULL_STORES; i++) {
        uint8_t id[32], blob[BLOB_LEN];

        id_blob_for(first + i, id, blob);
        if (cache_session_store(&ce, (const uint8_t *)"www", 3, id, sizeof(id), now,
                                (uint64_t)now + 3600, blob, sizeof(blob), NULL) != 0)
            fprintf(stderr, "bench_sweep: full-cache store failed\n");
    }
    t0 = (now_s() - t0) / FULL_STORES;
    if (cache_read_stats(&ce, &st) != 0 || st.entries != N_ENTRIES || st.c.evicted != FULL_STORES)
        fprintf(stderr, "bench_sweep: full-cache store left %llu entries, evicted %llu\n",
                (unsigned long long)st.entries, (unsigned long long)st.c.evicted);
    cache_env_close(&ce);
    return t0;
}

/* The peer without an index: the same store transaction (replacement check, entry count,
 * put, counters), but the earliest-expiring entry is found by reading every entry's header. */
static double full_store_scan(int64_t now, unsigned first)
{
    struct cache_env ce;
    struct cache_stats st;
    MDB_stat ms;
    double t0;
    unsigned i;

    open_env(&ce);
    fill(&ce, 1, NULL, now);
    t0 = now_s();
    for (i = 0; i < FULL_SCAN_STORES; i++) {
        uint8_t id[32], blob[BLOB_LEN], skey[CACHE_SKEY_MAX], val[CACHE_ENTRY_MAX];
        uint8_t oldest[CACHE_SKEY_MAX];
        size_t sl, vl, ol = 0;
        uint64_t min = UINT64_MAX;
        struct cache_entry_hdr h;
        struct cache_counts c;
        MDB_txn *txn;
        MDB_cursor *cur;
        MDB_val k, v;
        int rc;

        id_blob_for(first + i, id, blob);
        sl = cache_key_session(skey, sizeof(skey), (const uint8_t *)"www", 3, id, sizeof(id));
        memset(&h, 0, sizeof(h));
        h.version = CACHE_FORMAT_VERSION;
        memcpy(h.mbedtls_hdr, mhdr, sizeof(mhdr));
        h.created = (uint64_t)now;
        h.expires = (uint64_t)now + 3600;
        vl = cache_entry_encode(val, sizeof(val), &h, blob, sizeof(blob));
        memset(&c, 0, sizeof(c));
        cache_env_txn_begin(&ce, 0, &txn);
        k = v_of(skey, sl);
        if (mdb_get(txn, ce.session, &k, &v) != MDB_NOTFOUND)
            fprintf(stderr, "bench_sweep: unexpected replacement\n");
        mdb_stat(txn, ce.session, &ms);
        if (ms.ms_entries >= N_ENTRIES) {
            mdb_cursor_open(txn, ce.session, &cur);
            for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
                 rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
                if (cache_entry_decode(v.mv_data, v.mv_size, &h, NULL) == CACHE_OK &&
                    h.expires < min) {
                    min = h.expires;
                    memcpy(oldest, k.mv_data, k.mv_size);
                    ol = k.mv_size;
                }
            }
            mdb_cursor_close(cur);
            k = v_of(oldest, ol);
            if (ol > 0 && mdb_del(txn, ce.session, &k, NULL) == 0)
                c.evicted = 1;
        }
        k = v_of(skey, sl);
        v = v_of(val, vl);
        mdb_put(txn, ce.session, &k, &v, 0);
        c.stores = 1;
        cache_env_counts_add(&ce, txn, &c);
        mdb_txn_commit(txn);
    }
    t0 = (now_s() - t0) / FULL_SCAN_STORES;
    if (cache_read_stats(&ce, &st) != 0 || st.entries != N_ENTRIES ||
        st.c.evicted != FULL_SCAN_STORES)
        fprintf(stderr, "bench_sweep: scanning store left %llu entries, evicted %llu\n",
                (unsigned long long)st.entries, (unsigned long long)st.c.evicted);
    cache_env_close(&ce);
    return t0;
}

int main(void)
{
    double idx[RUNS], idx_long[RUNS], scan[RUNS], scan_long[RUNS], bucket[RUNS];
    double st_idx[RUNS], st_plain[RUNS], idx1[RUNS], scan1[RUNS], full_idx[RUNS], full_scan[RUNS];
    double day_idx, day_scan, d_sweep, d_store;
    int64_t now = (int64_t)time(NULL);
    struct stat sb;
    int r;

    log_enable(0);
    snprintf(dir, sizeof(dir), "%s/bench_sweep.XXXXXX",
             stat("/dev/shm", &sb) == 0 ? "/dev/shm" : "/tmp");
    if (mkdtemp(dir) == NULL || cache_mbedtls_header(mhdr) < 0) {
        fprintf(stderr, "bench_sweep: setup failed\n");
        return 1;
    }
    for (r = 0; r < RUNS; r++) {
        struct cache_env ce;
        struct sweep s;
        MDB_dbi b[N_BUCKETS];
        MDB_txn *txn;
        double t0, longest;
        unsigned n;

        /* Ours: the expiry index walked from its start. */
        open_env(&ce);
        fill(&ce, 0, NULL, now);
        sweep_init(&s, &ce, NULL, 3600, NULL, NULL);
        ce.scan_needed = 0;
        t0 = now_s();
        sweep_run(&s);
        idx[r] = now_s() - t0;
        idx_long[r] = s.t.longest_us / 1e6;
        if (s.t.expired != N_ENTRIES / every)
            fprintf(stderr, "bench_sweep: index sweep deleted %llu\n",
                    (unsigned long long)s.t.expired);
        sweep_free(&s);
        cache_env_close(&ce);

        /* Peer: full scan, no index. */
        open_env(&ce);
        fill(&ce, 1, NULL, now);
        t0 = now_s();
        n = full_scan_sweep(&ce, now, &longest);
        scan[r] = now_s() - t0;
        scan_long[r] = longest;
        if (n != N_ENTRIES / every)
            fprintf(stderr, "bench_sweep: full scan deleted %u\n", n);
        cache_env_close(&ce);

        /* Peer: time buckets, the expired one dropped whole. */
        open_bucket_env(&ce);
        open_buckets(&ce, b);
        fill(&ce, 2, b, now);
        t0 = now_s();
        mdb_txn_begin(ce.env, NULL, 0, &txn);
        mdb_drop(txn, b[0], 0);
        mdb_txn_commit(txn);
        bucket[r] = now_s() - t0;
        mdb_env_close(ce.env);

        st_idx[r] = store_cost(1, now);
        st_plain[r] = store_cost(0, now);
        /* New ids, never in the cache: every store evicts. */
        full_idx[r] = full_store_index(now, 2 * N_ENTRIES + r * FULL_STORES);
        full_scan[r] = full_store_scan(now, 3 * N_ENTRIES + r * FULL_STORES);
    }
    /* The same two sweeps with 1 % expired: the index's cost follows what expired, the full
     * scan's what is stored. */
    every = 100;
    for (r = 0; r < RUNS; r++) {
        struct cache_env ce;
        struct sweep s;
        double t0, longest;

        open_env(&ce);
        fill(&ce, 0, NULL, now);
        sweep_init(&s, &ce, NULL, 3600, NULL, NULL);
        ce.scan_needed = 0;
        t0 = now_s();
        sweep_run(&s);
        idx1[r] = now_s() - t0;
        sweep_free(&s);
        cache_env_close(&ce);
        open_env(&ce);
        fill(&ce, 1, NULL, now);
        t0 = now_s();
        full_scan_sweep(&ce, now, &longest);
        scan1[r] = now_s() - t0;
        cache_env_close(&ce);
    }
    wipe();
    rmdir(dir);
    printf("bench_sweep: %d entries, %d expired, env on %s, median of %d runs\n", N_ENTRIES,
           N_EXPIRED, strncmp(dir, "/dev/shm", 8) == 0 ? "tmpfs" : "disk", RUNS);
    printf("  expiry index sweep (tlsmgr) %8.2f ms  longest txn %.2f ms\n", median(idx) * 1e3,
           median(idx_long) * 1e3);
    printf("  full-scan sweep (peer)      %8.2f ms  longest txn %.2f ms  ratio %.1fx\n",
           median(scan) * 1e3, median(scan_long) * 1e3, median(scan) / median(idx));
    printf("  time-bucket drop (peer)     %8.2f ms  (one txn)          ratio %.2fx\n",
           median(bucket) * 1e3, median(bucket) / median(idx));
    printf("  1 %% expired: index %.2f ms, full scan %.2f ms, ratio %.1fx\n", median(idx1) * 1e3,
           median(scan1) * 1e3, median(scan1) / median(idx1));
    printf("  store txn with index        %8.2f us  without %.2f us    ratio %.2fx\n",
           median(st_idx) * 1e6, median(st_plain) * 1e6, median(st_idx) / median(st_plain));
    printf("  store into full cache, index %8.2f us  header scan %.2f ms  ratio %.0fx\n",
           median(full_idx) * 1e6, median(full_scan) * 1e3, median(full_scan) / median(full_idx));
    /* Per day: the sweeps at 10 % expired plus every store evicting from the full cache. */
    day_idx = SWEEPS_PER_DAY * median(idx) + 86400.0 * STORES_PER_S * median(full_idx);
    day_scan = SWEEPS_PER_DAY * median(scan) + 86400.0 * STORES_PER_S * median(full_scan);
    d_sweep = SWEEPS_PER_DAY * (median(idx) - median(scan));
    d_store = median(full_scan) - median(full_idx);
    printf("  verdict, hourly sweeps of 10 %% + %d store/s into the full cache: index %.2f s/day,"
           " no index %.2f s/day: %s wins",
           STORES_PER_S, day_idx, day_scan, day_idx <= day_scan ? "index" : "no index");
    if (d_sweep > 0 && d_store > 0)
        printf(" (index ahead above %.0f such stores/day)", d_sweep / d_store);
    printf("\n");
    return 0;
}
