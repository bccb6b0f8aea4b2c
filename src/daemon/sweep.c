/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sweep.c - the cache sweeper: a full scan after start-up, then the expiry index walked from
 * its start every period, in bounded transactions that yield to the loop between them.
 */
#include <stddef.h>
#include <string.h>

#include "cache.h"
#include "cache_repair.h"
#include "cache_session.h"
#include "div64.h"
#include "entropy.h"
#include "log.h"
#include "port.h"
#include "sweep.h"

#define MIX_TAG "cache-sweep"

static uint64_t mono_ns(void)
{
    uint64_t v[2] = {0, 0};

    /* Index 1 is the monotonic clock (port.h). */
    if (port_clock_sample(v, 2) < 2)
        return port_now_ms() * 1000000u;
    return v[1];
}

static void on_timer(void *arg);

int sweep_init(struct sweep *s, struct cache_env *ce, struct loop *loop, unsigned period_s,
               sweep_broken_fn broken, void *broken_arg)
{
    memset(s, 0, sizeof(*s));
    s->ce = ce;
    s->loop = loop;
    s->broken = broken;
    s->broken_arg = broken_arg;
    s->timer = -1;
    s->batch = TLSMGR_SWEEP_BATCH;
    sweep_set_period(s, period_s); /* nothing scheduled yet: no timer */
    mbedtls_sha512_init(&s->md);
    if (loop != NULL) {
        s->timer = loop_timer_new(loop, "cache sweep", on_timer, s);
        if (s->timer < 0) { /* loop_timer_new said why */
            sweep_free(s);
            return -1;
        }
    }
    return 0;
}

void sweep_free(struct sweep *s)
{
    if (s->loop != NULL && s->timer >= 0)
        loop_timer_stop(s->loop, s->timer);
    mbedtls_sha512_free(&s->md);
}

void sweep_set_period(struct sweep *s, unsigned period_s)
{
    s->period_s = period_s > 0 ? period_s : 1;
    if (s->phase == SWEEP_IDLE)
        sweep_schedule(s);
}

void sweep_schedule(struct sweep *s)
{
    if (s->loop == NULL || s->timer < 0)
        return;
    if (s->phase != SWEEP_IDLE || s->ce->scan_needed)
        loop_timer_in(s->loop, s->timer, 0);
    else
        loop_timer_in(s->loop, s->timer, (uint64_t)s->period_s * 1000u);
}

void sweep_begin(struct sweep *s)
{
    int dead = 0;

    if (s->ce->env != NULL && mdb_reader_check(s->ce->env, &dead) == 0 && dead > 0) {
        s->t.readers_cleared += (unsigned)dead;
        log_info("cache sweep: %d stale readers cleared", dead);
    }
    memset(s->done, 0, sizeof(s->done));
    s->step_count = 0;
    s->resume_len = 0;
    s->started_ns = mono_ns();
    s->phase = s->ce->scan_needed ? SWEEP_SCAN : SWEEP_EXPIRY;
    (void)tlsmgr_sha512_starts(&s->md);
}

static void digest(struct sweep *s, const void *p, size_t n)
{
    (void)tlsmgr_sha512_update(&s->md, p, n);
}

/* Opens a cursor of a scan piece on the key where the last piece stopped, else the first.
 * Returns an MDB error code; *cur is NULL when the cursor could not be opened. */
static int scan_open(struct sweep *s, MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cur, MDB_val *k,
                     MDB_val *v)
{
    int rc;

    if ((rc = mdb_cursor_open(txn, dbi, cur)) != 0) {
        *cur = NULL;
        return rc;
    }
    if (s->resume_len == 0)
        return mdb_cursor_get(*cur, k, v, MDB_FIRST);
    *k = cache_val(s->resume, s->resume_len);
    return mdb_cursor_get(*cur, k, v, MDB_SET_RANGE);
}

/* 1 when a scan piece stops before key k: a key no LMDB write could have made, longer than
 * LMDB's default limit, which is also the longest this walk can resume from (*rc =
 * MDB_CORRUPTED; an LMDB built with a smaller limit says MDB_BAD_VALSIZE when such a key is
 * passed back to it, which scan_piece takes for the same), or the batch (s->batch deletions)
 * or the step's time is used up (k is kept to resume from, *more set). */
static int scan_stop(struct sweep *s, const MDB_val *k, unsigned n, uint64_t deadline, int *rc,
                     int *more)
{
    if (k->mv_size == 0 || k->mv_size > sizeof(s->resume)) {
        *rc = MDB_CORRUPTED;
        return 1;
    }
    if (n >= s->batch || port_now_ms() >= deadline) {
        memcpy(s->resume, k->mv_data, k->mv_size);
        s->resume_len = k->mv_size;
        *more = 1;
        return 1;
    }
    return 0;
}

/* 1 if the index holds the key of this entry. */
static int indexed(struct sweep *s, MDB_txn *txn, const uint8_t *skey, size_t skeylen,
                   uint64_t expires)
{
    uint8_t x[CACHE_XKEY_MAX];
    MDB_val k = cache_val(x, cache_key_expiry(x, sizeof(x), expires, skey, skeylen)), v;

    return k.mv_size > 0 && mdb_get(txn, s->ce->expiry, &k, &v) == 0;
}

/* The full scan's verdict on an entry (key k, a copy, and value v): 0 keeps it; 1 means it was
 * deleted and counted, with its index key when the header names it. *rc is set on an LMDB
 * error. */
static int judge_entry(struct sweep *s, MDB_txn *txn, MDB_val *k, const MDB_val *v, int64_t now,
                       struct cache_counts *c, int *rc)
{
    struct cache_entry_hdr h;
    enum cache_verdict vd =
        cache_entry_check(v->mv_data, v->mv_size, s->ce->mbedtls_hdr, now, &h, NULL);
    int valid = cache_key_session_valid(k->mv_data, k->mv_size);

    if (!valid)
        vd = CACHE_MALFORMED;
    else if (vd == CACHE_OK && !indexed(s, txn, k->mv_data, k->mv_size, h.expires))
        vd = CACHE_MALFORMED; /* never swept nor evicted without its index key */
    if (vd == CACHE_OK)
        return 0;
    /* Its index key, if any, has no entry any more: the index scan, which follows, drops it
     * as a stale one. */
    if ((*rc = mdb_del(txn, s->ce->session, k, NULL)) == 0)
        cache_counts_bad(c, vd);
    return 1;
}

/* The verdict on an index key k (a copy). The full scan's check (SWEEP_SCAN_INDEX) keeps a
 * well-formed one that names an entry with that expiry time, and drops the others (they could
 * never be swept). The expiry walk (SWEEP_EXPIRY) ends at the first that expires after now
 * (2: everything after it expires later), and deletes the others with their entry, unless
 * the entry was replaced (our version with another expiry time: it has its own index key,
 * this one is stale). 0 keeps k, 1 means it was deleted; *rc is set on an LMDB error. */
static int judge_index_key(struct sweep *s, MDB_txn *txn, MDB_val *k, int64_t now,
                           struct cache_counts *c, int *rc)
{
    int walk = s->phase == SWEEP_EXPIRY;
    const uint8_t *skey;
    size_t skeylen;
    uint64_t exp = 0;

    if (cache_key_expiry_split(k->mv_data, k->mv_size, &exp, &skey, &skeylen) < 0) {
        /* In the walk: shorter than a time, it sorts first; longer ones wait for a scan. */
        c->malformed++;
    } else if (walk && exp > (uint64_t)now) {
        return 2;
    } else {
        MDB_val sk = cache_val(skey, skeylen), sv;
        struct cache_entry_hdr h;
        enum cache_verdict vd;

        *rc = mdb_get(txn, s->ce->session, &sk, &sv);
        if (*rc != 0 && *rc != MDB_NOTFOUND)
            return 0;
        /* No entry: decoded as malformed, h zeroed. */
        vd = cache_entry_check(*rc == 0 ? sv.mv_data : NULL, *rc == 0 ? sv.mv_size : 0,
                               s->ce->mbedtls_hdr, now, &h, NULL);
        if (*rc == 0 && !walk && h.expires == exp)
            return 0;
        if (*rc == 0 && walk &&
            (vd == CACHE_MALFORMED || h.version != CACHE_FORMAT_VERSION || h.expires == exp)) {
            if ((*rc = mdb_del(txn, s->ce->session, &sk, NULL)) != 0)
                return 0;
            cache_counts_bad(c, vd);
        } else {
            s->done[3]++;
        }
    }
    *rc = mdb_del(txn, s->ce->expiry, k, NULL);
    return 1;
}

/* One bounded piece of the phase's walk (the session DB for SWEEP_SCAN, else the expiry
 * index), from where the last piece stopped: every key judged, the bad ones deleted; c, *n
 * and *more count from zero. */
static int scan_piece(struct sweep *s, MDB_txn *txn, int64_t now, struct cache_counts *c,
                      unsigned *n, int *more)
{
    uint64_t deadline = port_now_ms() + TLSMGR_SWEEP_STEP_MS;
    uint8_t kb[sizeof(s->resume)];
    int entries = s->phase == SWEEP_SCAN;
    MDB_cursor *cur;
    MDB_val k, v;
    int rc = scan_open(s, txn, entries ? s->ce->session : s->ce->expiry, &cur, &k, &v), r;

    memset(c, 0, sizeof(*c));
    *n = 0;
    *more = 0;
    if (cur == NULL)
        return rc;
    while (rc == 0) {
        if (scan_stop(s, &k, *n, deadline, &rc, more))
            break;
        /* A copy: LMDB's own key goes with a deletion. */
        memcpy(kb, k.mv_data, k.mv_size);
        k = cache_val(kb, k.mv_size);
        r = entries ? judge_entry(s, txn, &k, &v, now, c, &rc)
                    : judge_index_key(s, txn, &k, now, c, &rc);
        if (r == 2)
            break;
        if (rc != 0)
            continue;
        if (r == 0) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        } else {
            digest(s, k.mv_data, k.mv_size);
            (*n)++;
            rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        }
    }
    mdb_cursor_close(cur);
    /* Keys are read from the env, never made up: one LMDB refuses back is damage. */
    return rc == MDB_NOTFOUND ? 0 : rc == MDB_BAD_VALSIZE ? MDB_CORRUPTED : rc;
}

/* The sweep's figures, in the last transaction (only when it deleted something): sweeps + 1,
 * this one's duration, the longest step (this one began at t0), the time of its end. */
static int finish_txn(struct sweep *s, MDB_txn *txn, uint64_t t0)
{
    uint64_t t = mono_ns();
    uint64_t v[4] = {1, div64(t - s->started_ns, 1000000u), div64(t - t0, 1000u),
                     (uint64_t)port_wall_time()},
             old;
    const char *name = CACHE_STAT_SWEEP;
    int rc = 0, i;

    for (i = 0; rc == 0 && i < 4; i++, name += strlen(name) + 1) {
        old = cache_env_meta_get(s->ce, txn, name);
        if (i == 0)
            v[0] += old;
        else if (i == 2 && old > v[2])
            v[2] = old;
        rc = cache_env_meta_set(s->ce, txn, name, v[i]);
    }
    return rc;
}

/* The digest takes started_ns, step_count and done[] in one piece. */
typedef char
    sweep_digest_fields[offsetof(struct sweep, done) - offsetof(struct sweep, started_ns) ==
                                2 * sizeof(uint64_t)
                            ? 1
                            : -1];

static void finish(struct sweep *s)
{
    uint8_t md[64];
    uint64_t *total = &s->t.expired;
    size_t i;

    /* From here on started_ns holds the sweep's duration (sweep_begin sets it anew). */
    s->started_ns = mono_ns() - s->started_ns;
    s->t.last_ms = div64(s->started_ns, 1000000u);
    s->t.sweeps++;
    s->t.last_steps = s->step_count;
    s->phase = SWEEP_IDLE;
    if (s->done[0] + s->done[1] + s->done[2] > 0)
        log_debug("cache sweep: %llu expired, %llu incompatible, %llu malformed deleted in "
                  "%llu ms, %llu txns",
                  (unsigned long long)s->done[0], (unsigned long long)s->done[1],
                  (unsigned long long)s->done[2], (unsigned long long)s->t.last_ms,
                  (unsigned long long)s->step_count);
    for (i = 0; i < 4; i++)
        total[i] += s->done[i];
    /* Never credited: which sessions ended when is not secret enough to count as entropy,
     * but it is unpredictable to an outsider and costs nothing to mix. The deleted keys, then
     * the sweep's duration, steps and counts (in host order: only hashed). */
    digest(s, &s->started_ns, 6 * sizeof(uint64_t));
    if (tlsmgr_sha512_finish(&s->md, md) == 0)
        entropy_mix(MIX_TAG, md, sizeof(md));
}

/* A step or a sweep failed with rc: abandoned, retried at the next period. Damage is the
 * owner's to log, with its repair. */
static void failed(struct sweep *s, int rc)
{
    s->last_rc = rc;
    s->t.errors++;
    s->phase = SWEEP_IDLE;
    if (!cache_env_damaged(rc))
        log_err("cache sweep: %s", cache_env_strerror(rc));
}

int sweep_step(struct sweep *s)
{
    struct cache_counts c;
    uint64_t t0 = mono_ns(), step_us;
    int64_t now = port_wall_time();
    unsigned n;
    int more, rc, scanned = 0, wrote = 0, idle;
    MDB_txn *txn;

    if (s->phase == SWEEP_IDLE)
        sweep_begin(s);
    if ((rc = cache_env_txn_begin(s->ce, 0, &txn)) != 0)
        goto fail;
    rc = scan_piece(s, txn, now, &c, &n, &more);
    if (rc == 0 && !more && s->phase != SWEEP_EXPIRY) {
        /* After the index keys, every entry is of the current mbedTLS: record that. The
         * next phase follows in the next step. */
        if (s->phase == SWEEP_SCAN_INDEX) {
            rc = cache_repair_mark_checked(s->ce, txn);
            scanned = 1;
        }
        s->phase++;
        s->resume_len = 0;
        more = 1;
    }
    /* Counted before the commit: a failed step abandons the sweep, whose counts go with it. */
    s->done[0] += c.expired;
    s->done[1] += c.incompatible;
    s->done[2] += c.malformed;
    if (rc == 0 && !more && s->done[0] + s->done[1] + s->done[2] + s->done[3] > 0) {
        rc = finish_txn(s, txn, t0);
        wrote = 1;
    }
    /* A step that changed nothing writes nothing (no flash write for an idle sweep): its
     * transaction is aborted as a failed one, and the step goes on. */
    idle = rc == 0 && n == 0 && !scanned && !wrote;
    if ((rc = cache_env_txn_end(s->ce, txn, idle ? MDB_NOTFOUND : rc, &c)) != 0 && !idle)
        goto fail;
    step_us = div64(mono_ns() - t0, 1000u);
    if (step_us > s->t.longest_us)
        s->t.longest_us = step_us;
    s->t.steps++;
    s->step_count++;
    if (scanned) {
        s->ce->scan_needed = 0;
        s->t.scans++;
    }
    if (more) {
        log_debug("cache sweep: step %llu done, %u deleted in %llu us, more to do",
                  (unsigned long long)s->step_count, n, (unsigned long long)step_us);
        return 1;
    }
    finish(s);
    return 0;
fail:
    failed(s, rc);
    return -1;
}

int sweep_evict(struct cache_env *ce, unsigned max)
{
    struct sweep s;
    struct cache_counts c;
    unsigned n;
    int more, rc;
    MDB_txn *txn;

    memset(&s, 0, sizeof(s));
    s.ce = ce;
    s.batch = max;
    mbedtls_sha512_init(&s.md);
    /* Stale readers first: the pages they hold are what a full env lacks most. */
    sweep_begin(&s);
    s.phase = SWEEP_EXPIRY;
    if ((rc = cache_env_txn_begin(ce, 0, &txn)) == 0) {
        /* The walk with now < 0: every key is due, every sound entry judged expired. */
        rc = scan_piece(&s, txn, -1, &c, &n, &more);
        c.evicted = c.expired;
        c.expired = 0;
        rc = cache_env_txn_end(ce, txn, rc == 0 && n == 0 ? CACHE_ENV_NOROOM : rc, &c);
    }
    mbedtls_sha512_free(&s.md);
    return rc;
}

int sweep_run(struct sweep *s)
{
    int r;

    sweep_begin(s);
    while ((r = sweep_step(s)) == 1)
        ;
    return r;
}

static int guarded_step(struct cache_env *ce, void *arg)
{
    struct sweep *s = arg;

    (void)ce;
    return sweep_step(s);
}

/* A sweep first checks that the files at the env's path are the ones open and whole (two
 * stats and the fstats of every transaction), then runs each step under the fault guard: a
 * file cut short during the step is a failed step, not a SIGBUS. */
static void on_timer(void *arg)
{
    struct sweep *s = arg;
    int r = 0, rc = 0;

    if (s->phase == SWEEP_IDLE)
        rc = cache_env_replaced(s->ce) ? CACHE_ENV_GONE : cache_env_intact(s->ce);
    if (rc == 0 && (r = cache_repair_guard(s->ce, guarded_step, s)) == 1) {
        loop_timer_in(s->loop, s->timer, 0); /* yield: the loop runs, then the next step */
        return;
    }
    /* -1: the step failed and said so. Another code: the checks, or the guard or the trap
     * that stopped the step where it stood. */
    if (r == -1)
        rc = s->last_rc;
    else if (rc != 0 || (rc = r) != 0)
        failed(s, rc);
    loop_timer_in(s->loop, s->timer, (uint64_t)s->period_s * 1000u);
    if (rc != 0 && s->broken != NULL && (cache_env_damaged(rc) || rc == MDB_MAP_FULL))
        s->broken(s->broken_arg, rc);
}

void sweep_reset(struct sweep *s)
{
    s->phase = SWEEP_IDLE;
    s->resume_len = 0;
    sweep_schedule(s);
}

LOG_COUNTERS_CHECK(sweep_totals, 12);

void sweep_log_stats(const struct sweep *s)
{
    log_counters("cache sweep",
                 "sweeps\0scans\0expired\0incompatible\0malformed\0stale keys\0stale readers\0"
                 "txns\0last ms\0last txns\0max txn us\0errors\0",
                 (const uint64_t *)&s->t);
}
