/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sweep.c - the cache sweeper on the test port: survivors stay byte for byte, expired,
 * incompatible, malformed and future-dated entries go, counts add up, a big sweep takes
 * several bounded steps with the loop running between them, an idle sweep writes nothing,
 * stale readers of dead processes are cleared, the digest reaches the mix hook, and the
 * daemon's open of a full env evicts through the expiry walk.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "byteorder.h"
#include "cache.h"
#include "cache_repair.h"
#include "cache_session.h"
#include "entropy.h"
#include "loop.h"
#include "port.h"
#include "sweep.h"
#include "t.h"

static const uint8_t tag[] = "www";

static void open_env(struct cache_env *ce)
{
    struct tlsmgr_conf c;

    conf_defaults(&c);
    strcpy(c.cache_database, "cache");
    c.cache_max_entries = 1000000;
    c.cache_map_size = 8 << 20;
    T_EQ_INT(cache_repair_open(ce, &c, port_uid(), port_gid()), 0);
}

static void id_for(uint8_t id[32], unsigned n)
{
    memset(id, 0x5A, 32);
    memcpy(id, &n, sizeof(n));
}

static int store(struct cache_env *ce, unsigned n, int64_t created, uint64_t expires)
{
    uint8_t id[32], b[150];
    size_t i;

    id_for(id, n);
    memcpy(b, ce->mbedtls_hdr, CACHE_MBEDTLS_HDR_LEN);
    for (i = CACHE_MBEDTLS_HDR_LEN; i < sizeof(b); i++)
        b[i] = (uint8_t)(n + i);
    return cache_session_store(ce, tag, 3, id, 32, created, expires, b, sizeof(b), NULL);
}

/* Writes a raw value (and optionally an index key) as a hostile or old writer would. */
static void put_raw(struct cache_env *ce, unsigned n, const uint8_t *val, size_t len,
                    int with_index, uint64_t exp)
{
    uint8_t id[32], skey[CACHE_SKEY_MAX], xkey[CACHE_XKEY_MAX];
    size_t sl, xl;
    MDB_txn *txn;
    MDB_val k, v, e;

    id_for(id, n);
    sl = cache_key_session(skey, sizeof(skey), tag, 3, id, 32);
    T_EQ_INT(cache_env_txn_begin(ce, 0, &txn), 0);
    k.mv_data = skey;
    k.mv_size = sl;
    v.mv_data = (void *)val;
    v.mv_size = len;
    T_EQ_INT(mdb_put(txn, ce->session, &k, &v, 0), 0);
    if (with_index) {
        xl = cache_key_expiry(xkey, sizeof(xkey), exp, skey, sl);
        k.mv_data = xkey;
        k.mv_size = xl;
        e.mv_data = (void *)"";
        e.mv_size = 0;
        T_EQ_INT(mdb_put(txn, ce->expiry, &k, &e, 0), 0);
    }
    T_EQ_INT(mdb_txn_commit(txn), 0);
}

static size_t entry(struct cache_env *ce, uint8_t *out, int64_t created, uint64_t expires)
{
    struct cache_entry_hdr h;
    uint8_t b[100];

    memset(&h, 0, sizeof(h));
    h.version = CACHE_FORMAT_VERSION;
    memcpy(h.mbedtls_hdr, ce->mbedtls_hdr, CACHE_MBEDTLS_HDR_LEN);
    h.created = (uint64_t)created;
    h.expires = expires;
    memset(b, 7, sizeof(b));
    memcpy(b, ce->mbedtls_hdr, CACHE_MBEDTLS_HDR_LEN);
    return cache_entry_encode(out, 512, &h, b, sizeof(b));
}

/* Every session entry as "key=value" hex lines (what mdb_dump would show). */
static size_t dump(struct cache_env *ce, char *out, size_t cap)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    size_t len = 0, i;

    out[0] = '\0';
    if (cache_env_txn_begin(ce, MDB_RDONLY, &txn) != 0)
        return 0;
    mdb_cursor_open(txn, ce->session, &cur);
    while (mdb_cursor_get(cur, &k, &v, len == 0 ? MDB_FIRST : MDB_NEXT) == 0) {
        for (i = 0; i < k.mv_size && len + 3 < cap; i++)
            len += (size_t)snprintf(out + len, cap - len, "%02x", ((uint8_t *)k.mv_data)[i]);
        len += (size_t)snprintf(out + len, cap - len, "=");
        for (i = 0; i < v.mv_size && len + 3 < cap; i++)
            len += (size_t)snprintf(out + len, cap - len, "%02x", ((uint8_t *)v.mv_data)[i]);
        len += (size_t)snprintf(out + len, cap - len, "\n");
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return len;
}

static int present(struct cache_env *ce, unsigned n)
{
    uint8_t id[32], skey[CACHE_SKEY_MAX];
    size_t sl;
    MDB_txn *txn;
    MDB_val k, v;
    int rc;

    id_for(id, n);
    sl = cache_key_session(skey, sizeof(skey), tag, 3, id, 32);
    T_EQ_INT(cache_env_txn_begin(ce, MDB_RDONLY, &txn), 0);
    k.mv_data = skey;
    k.mv_size = sl;
    rc = mdb_get(txn, ce->session, &k, &v);
    mdb_txn_abort(txn);
    return rc == 0;
}

static void survivors_identical_bad_gone(void)
{
    uint64_t mixes_before;
    static char before[1 << 20], after[1 << 20];
    struct cache_env ce;
    struct sweep s;
    struct cache_stats st;
    int64_t now = port_wall_time();
    uint8_t v[600];
    size_t n;
    unsigned i;

    open_env(&ce);
    for (i = 0; i < 50; i++) /* live */
        T_EQ_INT(store(&ce, i, now - 10, (uint64_t)now + 100 + i), 0);
    for (i = 100; i < 130; i++) /* expired */
        T_EQ_INT(store(&ce, i, now - 1000, (uint64_t)now - 500 + i), 0);
    /* Incompatible: another mbedTLS header; another format version. */
    n = entry(&ce, v, now - 5, (uint64_t)now + 50);
    v[4] ^= 1;
    put_raw(&ce, 200, v, n, 1, (uint64_t)now + 50);
    n = entry(&ce, v, now - 5, (uint64_t)now + 50);
    v[0] = CACHE_FORMAT_VERSION + 1;
    put_raw(&ce, 201, v, n, 0, 0);
    /* Malformed: short; length disagrees; unknown flag; expires before creation. */
    put_raw(&ce, 300, (const uint8_t *)"\x01\x00", 2, 0, 0);
    n = entry(&ce, v, now - 5, (uint64_t)now + 50);
    put_raw(&ce, 301, v, n - 1, 1, (uint64_t)now + 50);
    n = entry(&ce, v, now - 5, (uint64_t)now + 50);
    v[1] = 0x80;
    put_raw(&ce, 302, v, n, 0, 0);
    n = entry(&ce, v, now - 5, (uint64_t)now + 50);
    put_be64(v + 15, (uint64_t)now - 6);
    put_raw(&ce, 303, v, n, 0, 0);
    /* Valid but without its index key: could never be swept. */
    n = entry(&ce, v, now - 5, (uint64_t)now + 50);
    put_raw(&ce, 304, v, n, 0, 0);
    /* Future: created beyond the tolerance (clock stepped back); within it: kept. */
    n = entry(&ce, v, now + TLSMGR_CLOCK_SKEW_TOLERANCE + 60, (uint64_t)now + 9000);
    put_raw(&ce, 400, v, n, 1, (uint64_t)now + 9000);
    n = entry(&ce, v, now + TLSMGR_CLOCK_SKEW_TOLERANCE - 60, (uint64_t)now + 9000);
    put_raw(&ce, 401, v, n, 1, (uint64_t)now + 9000);

    /* The expected survivors, dumped before the sweep from a copy without the bad ones. */
    T_EQ_INT(sweep_init(&s, &ce, NULL, 60, NULL, NULL), 0);
    mixes_before = entropy_pool()->counter;
    T_EQ_INT(ce.scan_needed, 1);
    T_EQ_INT(sweep_run(&s), 0);
    T_EQ_INT(ce.scan_needed, 0);
    dump(&ce, after, sizeof(after));
    T_EQ_INT(s.t.expired, 30);
    T_EQ_INT(s.t.incompatible, 2);
    T_EQ_INT(s.t.malformed, 6);
    /* One digest of the sweep went into the pool (never credited). */
    T_EQ_INT(entropy_pool()->counter, mixes_before + 1);
    for (i = 0; i < 50; i++)
        T_ASSERT(present(&ce, i));
    T_ASSERT(present(&ce, 401));
    for (i = 100; i < 130; i++)
        T_ASSERT(!present(&ce, i));
    T_ASSERT(!present(&ce, 200) && !present(&ce, 201) && !present(&ce, 300));
    T_ASSERT(!present(&ce, 301) && !present(&ce, 302) && !present(&ce, 303));
    T_ASSERT(!present(&ce, 304));
    T_ASSERT(!present(&ce, 400));
    T_EQ_INT(cache_read_stats(&ce, &st), 0);
    T_EQ_INT(st.entries, 51);
    T_EQ_INT(st.expiry_entries, 51);
    T_EQ_INT(st.c.expired, 30);
    T_EQ_INT(st.c.incompatible, 2);
    T_EQ_INT(st.c.malformed, 6);
    T_EQ_INT(st.sweeps, 1);

    /* A second sweep later: the survivors' bytes do not change, expired ones go. */
    dump(&ce, before, sizeof(before));
    T_EQ_INT(sweep_run(&s), 0);
    dump(&ce, after, sizeof(after));
    T_EQ_STR(after, before);
    port_test_advance(200 * 1000);
    T_EQ_INT(sweep_run(&s), 0);
    T_EQ_INT(cache_read_stats(&ce, &st), 0);
    T_EQ_INT(st.entries, 1); /* entry 401 lives on */
    T_EQ_INT(st.expiry_entries, 1);
    T_EQ_INT(st.c.expired, 80);
    sweep_free(&s);
    cache_env_close(&ce);
}

/* Survivors compared with a dump taken before the sweep, with no bad entry among them. */
static void survivors_byte_identical(void)
{
    static char before[1 << 20], after[1 << 20];
    struct cache_env ce;
    struct sweep s;
    int64_t now = port_wall_time();
    unsigned i;

    open_env(&ce);
    for (i = 0; i < 300; i++)
        T_EQ_INT(store(&ce, i, now - 10, (uint64_t)now + 100 + (i % 7) * 10), 0);
    T_EQ_INT(sweep_init(&s, &ce, NULL, 60, NULL, NULL), 0);
    T_EQ_INT(sweep_run(&s), 0); /* start-up scan: nothing to do */
    port_test_advance(135 * 1000);
    for (i = 1000; i < 1100; i++) /* written after: survive */
        T_EQ_INT(store(&ce, i, port_wall_time(), (uint64_t)port_wall_time() + 50), 0);
    /* Expected: entries with (i % 7) * 10 + 100 > 135, i.e. i % 7 >= 4, plus the new ones. */
    dump(&ce, before, sizeof(before));
    T_EQ_INT(sweep_run(&s), 0);
    dump(&ce, after, sizeof(after));
    {
        /* Every line of after is in before, unchanged. */
        char *line = after, *nl;
        unsigned lines = 0;

        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            T_ASSERT(strstr(before, line) != NULL);
            lines++;
            line = nl + 1;
        }
        T_EQ_INT(lines, 300 / 7 * 3 + (300 % 7 > 4 ? 300 % 7 - 4 : 0) + 100);
    }
    for (i = 0; i < 300; i++)
        T_EQ_INT(present(&ce, i), i % 7 >= 4);
    sweep_free(&s);
    cache_env_close(&ce);
}

static void big_sweep_yields_in_steps(void)
{
    struct loop l;
    struct cache_env ce;
    struct sweep s;
    struct cache_stats st;
    int64_t now = port_wall_time();
    uint64_t wake0;
    unsigned i, steps = 0;

    open_env(&ce);
    for (i = 0; i < 3 * TLSMGR_SWEEP_BATCH + 50; i++)
        T_EQ_INT(store(&ce, i, now, (uint64_t)now + 10 + i % 5), 0);
    for (i = 5000; i < 5020; i++)
        T_EQ_INT(store(&ce, i, now, (uint64_t)now + 100000), 0);
    loop_init(&l);
    T_EQ_INT(sweep_init(&s, &ce, &l, 60, NULL, NULL), 0);
    ce.scan_needed = 0;
    sweep_schedule(&s);
    /* Nothing due before the period: the loop sleeps. */
    port_test_horizon = port_now_ms() + 59 * 1000;
    T_EQ_INT(loop_run_until(&l, port_test_horizon), 0);
    T_EQ_INT(s.t.steps, 0);
    T_EQ_INT(l.wakeups, 0);
    port_test_horizon = 0;
    port_test_advance(2000);
    /* One step per loop iteration: the loop gets control between them. */
    wake0 = l.wakeups;
    while (s.t.sweeps == 0 && steps < 100) {
        T_EQ_INT(loop_run_once(&l, 0), 0);
        steps++;
        if (s.t.sweeps == 0) {
            T_ASSERT(loop_timer_armed(&l, s.timer));
            T_ASSERT(l.timers[s.timer].due <= port_now_ms()); /* 0-delay: next iteration */
        }
    }
    T_EQ_INT(s.t.sweeps, 1);
    T_ASSERT(s.t.last_steps >= 4);
    T_EQ_INT(l.wakeups - wake0, s.t.last_steps);
    T_EQ_INT(s.t.expired, 3 * TLSMGR_SWEEP_BATCH + 50);
    T_EQ_INT(cache_read_stats(&ce, &st), 0);
    T_EQ_INT(st.entries, 20);
    T_EQ_INT(st.expiry_entries, 20);
    /* Then the period timer again. */
    T_ASSERT(loop_timer_armed(&l, s.timer));
    T_ASSERT(l.timers[s.timer].due >= port_now_ms() + 59 * 1000);
    sweep_free(&s);
    cache_env_close(&ce);
}

static void idle_sweep_writes_nothing(void)
{
    struct cache_env ce;
    struct sweep s;
    MDB_envinfo a, b;
    int64_t now = port_wall_time();
    unsigned i;

    open_env(&ce);
    for (i = 0; i < 20; i++)
        T_EQ_INT(store(&ce, i, now, (uint64_t)now + 1000), 0);
    T_EQ_INT(sweep_init(&s, &ce, NULL, 60, NULL, NULL), 0);
    T_EQ_INT(sweep_run(&s), 0); /* scan: records the format */
    mdb_env_info(ce.env, &a);
    T_EQ_INT(sweep_run(&s), 0);
    T_EQ_INT(sweep_run(&s), 0);
    mdb_env_info(ce.env, &b);
    T_EQ_INT(b.me_last_txnid, a.me_last_txnid);
    T_EQ_INT(s.t.sweeps, 3);
    sweep_free(&s);
    cache_env_close(&ce);
}

static void stale_index_keys_dropped(void)
{
    struct cache_env ce;
    struct sweep s;
    struct cache_stats st;
    int64_t now = port_wall_time();
    uint8_t skey[CACHE_SKEY_MAX], xkey[CACHE_XKEY_MAX], id[32];
    MDB_txn *txn;
    MDB_val k, e;

    open_env(&ce);
    T_EQ_INT(store(&ce, 1, now, (uint64_t)now + 10), 0);
    T_EQ_INT(store(&ce, 2, now, (uint64_t)now + 1000), 0);
    /* An index key whose entry has another expiry (left by a torn writer), a dangling one,
     * and garbage in the index. */
    id_for(id, 2);
    T_EQ_INT(cache_env_txn_begin(&ce, 0, &txn), 0);
    k.mv_data = xkey;
    k.mv_size = cache_key_expiry(xkey, sizeof(xkey), (uint64_t)now + 5, skey,
                                 cache_key_session(skey, sizeof(skey), tag, 3, id, 32));
    e.mv_data = (void *)"";
    e.mv_size = 0;
    T_EQ_INT(mdb_put(txn, ce.expiry, &k, &e, 0), 0);
    id_for(id, 9);
    k.mv_size = cache_key_expiry(xkey, sizeof(xkey), (uint64_t)now + 5, skey,
                                 cache_key_session(skey, sizeof(skey), tag, 3, id, 32));
    T_EQ_INT(mdb_put(txn, ce.expiry, &k, &e, 0), 0);
    k.mv_data = (void *)"\x00\x00";
    k.mv_size = 2;
    T_EQ_INT(mdb_put(txn, ce.expiry, &k, &e, 0), 0);
    /* Sorts after every real time: only the start-up scan reaches it. */
    k.mv_data = (void *)"\xff\xffjunk-junk-junk";
    k.mv_size = 16;
    T_EQ_INT(mdb_put(txn, ce.expiry, &k, &e, 0), 0);
    T_EQ_INT(mdb_txn_commit(txn), 0);
    T_EQ_INT(sweep_init(&s, &ce, NULL, 60, NULL, NULL), 0);
    ce.scan_needed = 0;
    port_test_advance(60 * 1000);
    T_EQ_INT(sweep_run(&s), 0);
    T_ASSERT(!present(&ce, 1));
    T_ASSERT(present(&ce, 2));
    T_EQ_INT(s.t.expired, 1);
    T_EQ_INT(s.t.stale_index, 2);
    T_EQ_INT(s.t.malformed, 1);
    T_EQ_INT(cache_read_stats(&ce, &st), 0);
    T_EQ_INT(st.entries, 1);
    T_EQ_INT(st.expiry_entries, 2);
    ce.scan_needed = 1;
    T_EQ_INT(sweep_run(&s), 0);
    T_EQ_INT(s.t.malformed, 2);
    T_EQ_INT(cache_read_stats(&ce, &st), 0);
    T_EQ_INT(st.entries, 1);
    T_EQ_INT(st.expiry_entries, 1);
    T_ASSERT(present(&ce, 2));
    sweep_free(&s);
    cache_env_close(&ce);
}

/* A client that opens the env of c and holds it; with reads, in a read transaction, and then
 * killed: a stale reader. Returns its pid once it holds what it should. */
static pid_t client_holding(struct cache_env *daemon_env, const struct tlsmgr_conf *c, int reads)
{
    int fds[2];
    char ch;
    pid_t pid;

    T_ASSERT(pipe(fds) == 0);
    pid = fork();
    if (pid == 0) {
        struct cache_env cl;
        MDB_txn *txn;

        cache_env_forget(daemon_env);
        if (cache_env_open(&cl, c, CACHE_ROLE_CLIENT) < 0 ||
            (reads && cache_env_txn_begin(&cl, MDB_RDONLY, &txn) != 0))
            _exit(2);
        (void)write(fds[1], "r", 1);
        pause();
        _exit(0);
    }
    T_ASSERT(pid > 0);
    T_EQ_INT(read(fds[0], &ch, 1), 1);
    close(fds[0]);
    close(fds[1]);
    return pid;
}

static void end_client(pid_t pid)
{
    int status;

    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
}

static void stale_reader_cleared(void)
{
    struct cache_env ce;
    struct sweep s;
    struct tlsmgr_conf c;

    /* The daemon keeps the env open (the first opener of an env resets its reader table). */
    open_env(&ce);
    conf_defaults(&c);
    strcpy(c.cache_database, "cache");
    /* A TLS server holding a read transaction, then killed. */
    end_client(client_holding(&ce, &c, 1));
    T_EQ_INT(sweep_init(&s, &ce, NULL, 60, NULL, NULL), 0);
    T_EQ_INT(sweep_run(&s), 0);
    T_EQ_INT(s.t.readers_cleared, 1);
    T_ASSERT(port_test_log_has("stale reader"));
    sweep_free(&s);
    cache_env_close(&ce);
}

static void format_change_rescans(void)
{
    struct cache_env ce;
    struct sweep s;
    MDB_txn *txn;
    MDB_val k, v;
    int64_t now = port_wall_time();
    uint8_t rec[CACHE_FORMAT_REC_LEN];

    open_env(&ce);
    T_EQ_INT(store(&ce, 1, now, (uint64_t)now + 100), 0);
    T_EQ_INT(sweep_init(&s, &ce, NULL, 60, NULL, NULL), 0);
    T_EQ_INT(sweep_run(&s), 0);
    T_EQ_INT(s.t.scans, 1);
    T_EQ_INT(sweep_run(&s), 0);
    T_EQ_INT(s.t.scans, 1); /* only once */
    T_EQ_INT(cache_env_txn_begin(&ce, MDB_RDONLY, &txn), 0);
    k.mv_data = (void *)CACHE_META_FORMAT;
    k.mv_size = strlen(CACHE_META_FORMAT);
    T_EQ_INT(mdb_get(txn, ce.meta, &k, &v), 0);
    cache_format_record(rec, ce.mbedtls_hdr);
    T_ASSERT(v.mv_size == sizeof(rec) && memcmp(v.mv_data, rec, sizeof(rec)) == 0);
    mdb_txn_abort(txn);
    sweep_free(&s);
    cache_env_close(&ce);
}

/* Puts a sound entry n expiring at exp with its index key, as a store would but without
 * evicting. Returns the MDB code of the puts or the commit. */
static int put_entry(struct cache_env *ce, unsigned n, int64_t now, uint64_t exp)
{
    uint8_t id[32], skey[CACHE_SKEY_MAX], xkey[CACHE_XKEY_MAX], v[512];
    size_t sl;
    MDB_txn *txn;
    MDB_val k, d, xk, e = {0, ""};
    int rc;

    id_for(id, n);
    sl = cache_key_session(skey, sizeof(skey), tag, 3, id, 32);
    k.mv_data = skey;
    k.mv_size = sl;
    d.mv_data = v;
    d.mv_size = entry(ce, v, now, exp);
    xk.mv_data = xkey;
    xk.mv_size = cache_key_expiry(xkey, sizeof(xkey), exp, skey, sl);
    T_EQ_INT(cache_env_txn_begin(ce, 0, &txn), 0);
    if ((rc = mdb_put(txn, ce->session, &k, &d, 0)) == 0)
        rc = mdb_put(txn, ce->expiry, &xk, &e, 0);
    return cache_env_txn_end(ce, txn, rc, NULL);
}

/* Sets meta value name in a transaction of its own. Returns an MDB code. */
static int meta_write(struct cache_env *ce, const char *name)
{
    MDB_txn *txn;

    T_EQ_INT(cache_env_txn_begin(ce, 0, &txn), 0);
    return cache_env_txn_end(ce, txn, cache_env_meta_set(ce, txn, name, 1), NULL);
}

/* A TLS server killed in a read transaction kept every page freed since from reuse, and the
 * cache filled its map. The daemon's next open clears the stale reader and evicts until its
 * own write fits: the earliest-expiring entries first, counted as evicted, a malformed one as
 * malformed. */
static void startup_evicts_earliest(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    struct cache_stats st;
    int64_t now = port_wall_time();
    char name[32];
    unsigned n, i;
    pid_t holder;

    conf_defaults(&c);
    strcpy(c.cache_database, "cache");
    c.cache_max_entries = 1000000;
    c.cache_map_size = 4 << 20;
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    end_client(client_holding(&ce, &c, 1));
    /* Its index key sorts first. */
    put_raw(&ce, 1000000, (const uint8_t *)"\x01\x00", 2, 1, (uint64_t)now + 1);
    /* Entry n expires at now + 100000 - n: the last ones put expire first. */
    for (n = 0; put_entry(&ce, n, now, (uint64_t)now + 100000 - n) == 0; n++)
        ;
    T_ASSERT(n > 20);
    /* The last pages too: not even the daemon's own write at its open fits now. */
    for (i = 0; i < 10000; i++) {
        snprintf(name, sizeof(name), "fill%u", i);
        if (meta_write(&ce, name) != 0 && meta_write(&ce, CACHE_META_STARTED) != 0)
            break;
    }
    T_ASSERT(i < 10000);
    /* Reopened while a client holds the env: its reader table, stale slot and all, stays. */
    holder = client_holding(&ce, &c, 0);
    cache_env_close(&ce);
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    end_client(holder);
    T_EQ_INT(ce.recreated, 0);
    T_ASSERT(port_test_log_has("1 stale readers cleared"));
    T_EQ_INT(cache_read_stats(&ce, &st), 0);
    T_EQ_INT(st.c.malformed, 1);
    T_EQ_INT(st.c.expired, 0);
    T_ASSERT(st.c.evicted > 0 && st.c.evicted < n);
    T_EQ_INT(st.entries, n - st.c.evicted);
    T_EQ_INT(st.expiry_entries, st.entries);
    T_ASSERT(!present(&ce, 1000000));
    for (i = 0; i < n; i++)
        T_EQ_INT(present(&ce, i), i < n - st.c.evicted);
    cache_env_close(&ce);
}

T_MAIN(T_CASE(survivors_identical_bad_gone), T_CASE(survivors_byte_identical),
       T_CASE(big_sweep_yields_in_steps), T_CASE(idle_sweep_writes_nothing),
       T_CASE(stale_index_keys_dropped), T_CASE(stale_reader_cleared),
       T_CASE(format_change_rescans), T_CASE(startup_evicts_earliest))
