/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_cache_env.c - the cache's LMDB env: creation and modes, clients that never create,
 * lookup and store, the size bound, a file that already fills its map, MDB_MAP_RESIZED, and
 * bad envs (truncated, random bytes, wrong format record) moved aside with one log line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "byteorder.h"
#include "cache.h"
#include "cache_repair.h"
#include "cache_session.h"
#include "port.h"
#include "t.h"

static const uint8_t tag[] = "www";

static void conf_for(struct tlsmgr_conf *c, unsigned max_entries, uint64_t map_size)
{
    conf_defaults(c);
    strcpy(c->cache_database, "cache");
    c->cache_max_entries = max_entries;
    c->cache_map_size = map_size;
}

static size_t blob_for(uint8_t *b, size_t len, unsigned n)
{
    size_t i;

    T_ASSERT(cache_mbedtls_header(b) == 0);
    for (i = CACHE_MBEDTLS_HDR_LEN; i < len; i++)
        b[i] = (uint8_t)(n * 31 + i);
    return len;
}

static void id_for(uint8_t id[32], unsigned n)
{
    memset(id, 0xA5, 32);
    memcpy(id, &n, sizeof(n));
}

static int store_n(struct cache_env *ce, unsigned n, int64_t now, uint64_t expires, size_t len)
{
    uint8_t id[32], b[2048];

    id_for(id, n);
    blob_for(b, len, n);
    return cache_session_store(ce, tag, 3, id, 32, now, expires, b, len, NULL);
}

static int lookup_n(struct cache_env *ce, unsigned n, int64_t now)
{
    uint8_t id[32], out[4096], want[2048];
    size_t outlen = 0;
    int rc;

    id_for(id, n);
    rc = cache_session_lookup(ce, tag, 3, id, 32, now, out, sizeof(out), &outlen);
    if (rc == CACHE_LOOKUP_HIT) {
        blob_for(want, outlen, n);
        T_ASSERT(memcmp(out, want, outlen) == 0);
    }
    return rc;
}

/* The daemon reopens the env of c; a client then stores and finds count new entries from
 * number first on. */
static void reopened_stores(const struct tlsmgr_conf *c, unsigned first, unsigned count,
                            int64_t now)
{
    struct cache_env ce;
    unsigned i;

    T_EQ_INT(cache_repair_open(&ce, c, port_uid(), port_gid()), 0);
    cache_env_close(&ce);
    T_EQ_INT(cache_env_open(&ce, c, CACHE_ROLE_CLIENT), 0);
    for (i = 0; i < count; i++) {
        T_EQ_INT(store_n(&ce, first + i, now, (uint64_t)now + 50000, 1500), 0);
        T_EQ_INT(lookup_n(&ce, first + i, now), CACHE_LOOKUP_HIT);
    }
    cache_env_close(&ce);
}

static void create_sets_modes(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    struct stat st;

    conf_for(&c, 100, 1 << 20);
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    T_ASSERT(stat("cache", &st) == 0 && (st.st_mode & 07777) == 0750);
    T_ASSERT(stat("cache/data.mdb", &st) == 0 && (st.st_mode & 07777) == 0660);
    T_ASSERT(stat("cache/lock.mdb", &st) == 0 && (st.st_mode & 07777) == 0660);
    T_EQ_INT(ce.scan_needed, 1);
    T_EQ_INT(ce.recreated, 0);
    cache_env_close(&ce);
    /* Reopen: same env, no log line about moving it. */
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    T_EQ_INT(ce.recreated, 0);
    cache_env_close(&ce);
    T_EQ_INT(t_log_count("moved aside"), 0);
}

static void client_never_creates(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    struct stat st;

    conf_for(&c, 100, 1 << 20);
    T_EQ_INT(cache_env_open(&ce, &c, CACHE_ROLE_CLIENT), -1);
    T_ASSERT(stat("cache", &st) < 0);
    T_EQ_INT(cache_env_open(&ce, &c, CACHE_ROLE_READONLY), -1);
    T_ASSERT(stat("cache", &st) < 0);
    T_EQ_INT(lookup_n(&ce, 1, 100), CACHE_LOOKUP_MISS);
    T_EQ_INT(store_n(&ce, 1, 100, 200, 100), -1);
    /* Not a word logged by a client. */
    T_EQ_INT(strlen(port_test_log()), 0);
}

static void store_lookup_replace(void)
{
    struct tlsmgr_conf c;
    struct cache_env d, cl;
    struct cache_stats st;
    struct cache_counts fl;
    int64_t now = port_wall_time();

    conf_for(&c, 100, 1 << 20);
    T_EQ_INT(cache_repair_open(&d, &c, port_uid(), port_gid()), 0);
    cache_env_close(&d);
    T_EQ_INT(cache_env_open(&cl, &c, CACHE_ROLE_CLIENT), 0);
    T_EQ_INT(lookup_n(&cl, 1, now), CACHE_LOOKUP_MISS);
    T_EQ_INT(store_n(&cl, 1, now, now + 100, 120), 0);
    T_EQ_INT(lookup_n(&cl, 1, now), CACHE_LOOKUP_HIT);
    T_EQ_INT(lookup_n(&cl, 1, now + 100), CACHE_LOOKUP_STALE);
    /* Replace: one entry, one index key. */
    T_EQ_INT(store_n(&cl, 1, now, now + 500, 300), 0);
    memset(&fl, 0, sizeof(fl));
    fl.lookups = 4;
    fl.hits = 1;
    fl.misses = 3;
    T_EQ_INT(store_n(&cl, 2, now, now + 500, 300), 0);
    T_EQ_INT(cache_read_stats(&cl, &st), 0);
    T_EQ_INT(st.entries, 2);
    T_EQ_INT(st.expiry_entries, 2);
    T_EQ_INT(st.c.stores, 3);
    {
        uint8_t id[32], b[200];

        id_for(id, 3);
        blob_for(b, sizeof(b), 3);
        T_EQ_INT(cache_session_store(&cl, tag, 3, id, 32, now, now + 9, b, sizeof(b), &fl), 0);
        T_EQ_INT(fl.lookups, 0); /* flushed */
        /* A blob of another mbedTLS is refused. */
        b[2] ^= 1;
        T_EQ_INT(cache_session_store(&cl, tag, 3, id, 32, now, now + 9, b, sizeof(b), NULL), -1);
        /* Stale entry removed in a later write txn. */
        T_EQ_INT(cache_session_remove(&cl, tag, 3, id, 32, 1, now + 9, NULL), 1);
        T_EQ_INT(cache_session_remove(&cl, tag, 3, id, 32, 1, now + 9, NULL), 0);
    }
    T_EQ_INT(cache_read_stats(&cl, &st), 0);
    T_EQ_INT(st.c.lookups, 4);
    T_EQ_INT(st.c.hits, 1);
    T_EQ_INT(st.c.misses, 3);
    T_EQ_INT(st.c.expired, 1);
    T_EQ_INT(st.entries, 2);
    T_EQ_INT(st.expiry_entries, 2);
    /* The tag keeps services apart. */
    {
        uint8_t id[32], out[512];
        size_t ol;

        id_for(id, 1);
        T_EQ_INT(cache_session_lookup(&cl, (const uint8_t *)"smtp", 4, id, 32, now, out,
                                      sizeof(out), &ol),
                 CACHE_LOOKUP_MISS);
    }
    cache_env_close(&cl);
}

static void bound_evicts_earliest(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    struct cache_stats st;
    int64_t now = port_wall_time();
    unsigned i;

    conf_for(&c, 10, 1 << 20);
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    /* Entry i expires at now + 1000 - i: the last stored expire first. */
    for (i = 0; i < 15; i++)
        T_EQ_INT(store_n(&ce, i, now, (uint64_t)now + 1000 - i, 100), 0);
    T_EQ_INT(cache_read_stats(&ce, &st), 0);
    T_EQ_INT(st.entries, 10);
    T_EQ_INT(st.expiry_entries, 10);
    T_EQ_INT(st.c.evicted, 5);
    T_EQ_INT(lookup_n(&ce, 0, now), CACHE_LOOKUP_HIT);
    T_EQ_INT(lookup_n(&ce, 8, now), CACHE_LOOKUP_HIT);
    T_EQ_INT(lookup_n(&ce, 14, now), CACHE_LOOKUP_HIT); /* stored last: always kept */
    T_EQ_INT(lookup_n(&ce, 9, now), CACHE_LOOKUP_MISS);
    T_EQ_INT(lookup_n(&ce, 13, now), CACHE_LOOKUP_MISS);
    cache_env_close(&ce);
}

/* Fills an env to MDB_MAP_FULL with a big map bound (max_entries out of the way). */
static unsigned fill_to_full(struct cache_env *ce, int64_t now)
{
    unsigned i;

    for (i = 0; i < 100000; i++)
        if (store_n(ce, i, now, (uint64_t)now + 10000 + i, 1500) < 0)
            break;
    return i;
}

static void map_full_still_stores(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    struct cache_stats st;
    int64_t now = port_wall_time();
    unsigned n, i;

    conf_for(&c, 1000000, 256 * 1024);
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    /* Stores never fail: MDB_MAP_FULL evicts the earliest and still stores. */
    n = fill_to_full(&ce, now);
    T_EQ_INT(n, 100000);
    T_EQ_INT(cache_read_stats(&ce, &st), 0);
    T_ASSERT(st.c.evicted > 0);
    /* How many fit depends on the B-tree's layout (key order differs with byte order); what
     * must hold is that the newest entries are all there. */
    T_ASSERT(st.entries >= 5);
    for (i = 1; i <= 5; i++)
        T_EQ_INT(lookup_n(&ce, n - i, now), CACHE_LOOKUP_HIT);
    cache_env_close(&ce);
    /* Reopened at the same size: the file fills its map from the start. */
    reopened_stores(&c, 200000, 50, now);
}

static void smaller_map_than_file_still_stores(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    int64_t now = port_wall_time();
    unsigned i;

    conf_for(&c, 1000000, 1 << 20);
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    for (i = 0; i < 400; i++)
        T_EQ_INT(store_n(&ce, i, now, (uint64_t)now + 10000 + i, 1500), 0);
    cache_env_close(&ce);
    /* The configuration shrank; LMDB files never do. */
    conf_for(&c, 1000000, 64 * 1024);
    reopened_stores(&c, 5000, 20, now);
}

static void map_resized_is_handled(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    int64_t now = port_wall_time();
    pid_t pid;
    int status = -1;

    conf_for(&c, 1000000, 128 * 1024);
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    cache_env_close(&ce);
    T_EQ_INT(cache_env_open(&ce, &c, CACHE_ROLE_CLIENT), 0);
    T_EQ_INT(store_n(&ce, 1, now, (uint64_t)now + 100, 100), 0);
    pid = fork();
    if (pid == 0) {
        /* Another process, configured with a bigger map, grows the file. */
        struct tlsmgr_conf big;
        struct cache_env o;
        unsigned i;

        cache_env_forget(&ce);
        conf_for(&big, 1000000, 4 << 20);
        if (cache_env_open(&o, &big, CACHE_ROLE_CLIENT) < 0)
            _exit(2);
        for (i = 0; i < 600; i++)
            if (store_n(&o, 100 + i, now, (uint64_t)now + 100 + i, 1500) < 0)
                _exit(3);
        cache_env_close(&o);
        _exit(0);
    }
    T_ASSERT(pid > 0 && waitpid(pid, &status, 0) == pid);
    T_EQ_INT(status, 0);
    T_EQ_INT(lookup_n(&ce, 650, now), CACHE_LOOKUP_HIT);
    T_EQ_INT(store_n(&ce, 2, now, (uint64_t)now + 100, 100), 0);
    T_EQ_INT(lookup_n(&ce, 2, now), CACHE_LOOKUP_HIT);
    cache_env_close(&ce);
}

static int lookup_one(struct cache_env *ce, void *arg)
{
    (void)arg;
    return lookup_n(ce, 1, port_wall_time());
}

/* Plants a bad env, opens it as the daemon: moved aside, recreated, one log line; a client
 * opening the bad env sees only a miss. */
static void expect_recreated(void (*plant)(void), const char *why)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    struct stat st;

    conf_for(&c, 100, 1 << 20);
    plant();
    T_EQ_INT(cache_env_open(&ce, &c, CACHE_ROLE_CLIENT), -1);
    T_EQ_INT(lookup_n(&ce, 1, 100), CACHE_LOOKUP_MISS);
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    T_EQ_INT(ce.recreated, 1);
    T_EQ_INT(t_log_count("moved aside"), 1);
    if (!port_test_log_has(why))
        t_fail(__FILE__, __LINE__, "log lacks \"%s\": %s", why, port_test_log());
    T_ASSERT(stat("cache.bad/data.mdb", &st) == 0);
    T_EQ_INT(store_n(&ce, 1, port_wall_time(), (uint64_t)port_wall_time() + 10, 100), 0);
    T_EQ_INT(lookup_n(&ce, 1, port_wall_time()), CACHE_LOOKUP_HIT);
    cache_env_close(&ce);
}

static void plant_random(void)
{
    uint8_t b[16384];
    size_t i;

    for (i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)(rand() >> 3);
    mkdir("cache", 0750);
    t_write_file("cache/data.mdb", b, sizeof(b));
    /* An older cache.bad is replaced. */
    mkdir("cache.bad", 0750);
    t_write_file("cache.bad/data.mdb", "old", 3);
}

/* The daemon's env of c (4 MB map) with 500 entries of 1000 bytes, closed. */
static void filled_env(struct tlsmgr_conf *c)
{
    struct cache_env ce;
    int64_t now = port_wall_time();
    unsigned i;

    conf_for(c, 100000, 4 << 20);
    T_EQ_INT(cache_repair_open(&ce, c, port_uid(), port_gid()), 0);
    for (i = 0; i < 500; i++)
        store_n(&ce, i, now, (uint64_t)now + 100, 1000);
    cache_env_close(&ce);
}

static void plant_truncated(void)
{
    struct tlsmgr_conf c;

    filled_env(&c);
    T_ASSERT(truncate("cache/data.mdb", 64 * 1024) == 0);
    port_test_log_clear();
}

/* Bytes of data.mdb its newest meta page claims, as a TLS server's LMDB sees them. */
static uint64_t claimed_bytes(const struct tlsmgr_conf *c, unsigned *psize)
{
    struct cache_env ce;
    MDB_envinfo info;
    MDB_stat st;
    uint64_t n = 0;

    if (cache_env_open(&ce, c, CACHE_ROLE_CLIENT) == 0 && mdb_env_info(ce.env, &info) == 0 &&
        mdb_env_stat(ce.env, &st) == 0) {
        n = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
        *psize = st.ms_psize;
    }
    cache_env_close(&ce);
    return n;
}

/* One page short of what its meta page claims: no tolerance. */
static void plant_one_page_short(void)
{
    struct tlsmgr_conf c;
    unsigned psize = 0;
    uint64_t claimed;

    filled_env(&c);
    claimed = claimed_bytes(&c, &psize);
    T_ASSERT(claimed > 64 * psize);
    T_ASSERT(truncate("cache/data.mdb", (off_t)(claimed - psize)) == 0);
    port_test_log_clear();
}

static void plant_short_header(void)
{
    mkdir("cache", 0750);
    t_write_file("cache/data.mdb", "\x01\x02\x03", 3);
}

static void plant_wrong_format(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    MDB_txn *txn;
    MDB_val k, v;

    conf_for(&c, 100, 1 << 20);
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    T_EQ_INT(cache_env_txn_begin(&ce, 0, &txn), 0);
    k.mv_data = (void *)CACHE_META_FORMAT;
    k.mv_size = strlen(CACHE_META_FORMAT);
    v.mv_data = (void *)"XMGC\x01\x08\x01\x00xxxxx\0\0\0";
    v.mv_size = CACHE_FORMAT_REC_LEN;
    T_EQ_INT(mdb_put(txn, ce.meta, &k, &v, 0), 0);
    T_EQ_INT(mdb_txn_commit(txn), 0);
    cache_env_close(&ce);
    port_test_log_clear();
}

static void plant_word_size(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    MDB_txn *txn;
    MDB_val k, v;
    uint8_t rec[CACHE_FORMAT_REC_LEN];

    conf_for(&c, 100, 1 << 20);
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    T_EQ_INT(cache_env_txn_begin(&ce, 0, &txn), 0);
    cache_format_record(rec, ce.mbedtls_hdr);
    rec[5] = sizeof(size_t) == 8 ? 4 : 8;
    k.mv_data = (void *)CACHE_META_FORMAT;
    k.mv_size = strlen(CACHE_META_FORMAT);
    v.mv_data = rec;
    v.mv_size = sizeof(rec);
    T_EQ_INT(mdb_put(txn, ce.meta, &k, &v, 0), 0);
    T_EQ_INT(mdb_txn_commit(txn), 0);
    cache_env_close(&ce);
    port_test_log_clear();
}

static void random_bytes_recreated(void)
{
    expect_recreated(plant_random, "cache");
}

static void truncated_recreated(void)
{
    expect_recreated(plant_truncated, "truncated");
}

static void one_page_short(void)
{
    expect_recreated(plant_one_page_short, "truncated");
}

static void one_page_short_recreated(void)
{
    /* In a child: LMDB reading a page past the end of the file is a SIGBUS. */
    t_child(one_page_short);
}

static void short_file_recreated(void)
{
    expect_recreated(plant_short_header, "cache");
}

static void wrong_format_recreated(void)
{
    expect_recreated(plant_wrong_format, "wrong format record");
}

static void wrong_word_size_recreated(void)
{
    expect_recreated(plant_word_size, "wrong format record");
}

static void mbedtls_change_needs_scan(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    MDB_txn *txn;
    uint8_t other[CACHE_MBEDTLS_HDR_LEN];

    conf_for(&c, 100, 1 << 20);
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    memcpy(other, ce.mbedtls_hdr, sizeof(other));
    ce.mbedtls_hdr[2] ^= 0xFF;
    T_EQ_INT(cache_env_txn_begin(&ce, 0, &txn), 0);
    T_EQ_INT(cache_repair_mark_checked(&ce, txn), 0);
    T_EQ_INT(mdb_txn_commit(txn), 0);
    cache_env_close(&ce);
    /* A client accepts the env (entries are judged one by one). */
    T_EQ_INT(cache_env_open(&ce, &c, CACHE_ROLE_CLIENT), 0);
    T_EQ_INT(ce.scan_needed, 1);
    T_ASSERT(memcmp(ce.mbedtls_hdr, other, sizeof(other)) == 0);
    cache_env_close(&ce);
    T_EQ_INT(t_log_count("moved aside"), 0);
}

static void jffs2_refused_clearly(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    struct stat st;

    conf_for(&c, 100, 1 << 20);
    port_test_fs = PORT_FS_JFFS2;
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), -1);
    T_ASSERT(port_test_log_has("JFFS2"));
    T_ASSERT(port_test_log_has("tls_session_cache_database"));
    T_ASSERT(stat("cache", &st) < 0);
    port_test_log_clear();
    T_EQ_INT(cache_env_open(&ce, &c, CACHE_ROLE_CLIENT), -1);
    T_EQ_INT(strlen(port_test_log()), 0);
}

/* tls_session_cache_sync = yes syncs the env on a persistent file system only: a cache on tmpfs
 * has no disk to reach. The daemon and the clients open it alike. */
static void sync_follows_file_system(void)
{
    static const struct {
        int sync, fs, nosync;
    } cases[] = {
        {1, PORT_FS_OTHER, 0}, {1, PORT_FS_TMPFS, 1}, {0, PORT_FS_OTHER, 1}, {0, PORT_FS_TMPFS, 1}};
    struct tlsmgr_conf c;
    struct cache_env ce;
    unsigned i, flags;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        conf_for(&c, 100, 1 << 20);
        c.cache_sync = cases[i].sync;
        port_test_fs = cases[i].fs;
        T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
        T_EQ_INT(mdb_env_get_flags(ce.env, &flags), 0);
        T_EQ_INT((flags & MDB_NOSYNC) != 0, cases[i].nosync);
        cache_env_close(&ce);
        T_EQ_INT(cache_env_open(&ce, &c, CACHE_ROLE_CLIENT), 0);
        T_EQ_INT(mdb_env_get_flags(ce.env, &flags), 0);
        T_EQ_INT((flags & MDB_NOSYNC) != 0, cases[i].nosync);
        cache_env_close(&ce);
    }
}

static void drop_and_replaced(void)
{
    struct tlsmgr_conf c;
    struct cache_env d, cl;
    struct cache_stats st;
    int64_t now = port_wall_time();
    uint8_t id[32];

    conf_for(&c, 100, 1 << 20);
    T_EQ_INT(cache_repair_open(&d, &c, port_uid(), port_gid()), 0);
    cache_env_close(&d);
    T_EQ_INT(cache_env_open(&cl, &c, CACHE_ROLE_CLIENT), 0);
    T_EQ_INT(store_n(&cl, 1, now, (uint64_t)now + 100, 100), 0);
    id_for(id, 1);
    T_EQ_INT(cache_session_remove(&cl, tag, 3, id, 32, 0, 0, NULL), 1);
    T_EQ_INT(cache_session_remove(&cl, tag, 3, id, 32, 0, 0, NULL), 0);
    T_EQ_INT(cache_read_stats(&cl, &st), 0);
    T_EQ_INT(st.entries, 0);
    T_EQ_INT(st.expiry_entries, 0);
    T_EQ_INT(cache_env_replaced(&cl), 0);
    /* The daemon moves the env aside and creates a new one. */
    T_ASSERT(rename("cache", "cache.old") == 0);
    T_EQ_INT(cache_env_replaced(&cl), 1);
    T_EQ_INT(cache_repair_open(&d, &c, port_uid(), port_gid()), 0);
    T_EQ_INT(cache_env_replaced(&cl), 1);
    cache_env_close(&d);
    cache_env_close(&cl);
    T_EQ_INT(cache_env_open(&cl, &c, CACHE_ROLE_CLIENT), 0);
    T_EQ_INT(cache_env_replaced(&cl), 0);
    cache_env_close(&cl);
}

/* A TLS server's view while the daemon keeps the env open and a group member cuts file to
 * size bytes (-1: one page short of what the meta page claims): every call is a miss or a
 * failed store, never a crash, and closing is safe. */
static void client_calls_on(const char *file, off_t size)
{
    struct tlsmgr_conf c;
    struct cache_env d, cl;
    struct cache_stats st;
    int64_t now = port_wall_time();
    unsigned i;

    conf_for(&c, 100000, 4 << 20);
    T_EQ_INT(cache_repair_open(&d, &c, port_uid(), port_gid()), 0);
    T_EQ_INT(cache_env_open(&cl, &c, CACHE_ROLE_CLIENT), 0);
    for (i = 0; i < 300; i++)
        T_EQ_INT(store_n(&cl, i, now, (uint64_t)now + 100, 1000), 0);
    T_EQ_INT(lookup_n(&cl, 7, now), CACHE_LOOKUP_HIT);
    if (size < 0) {
        MDB_envinfo info;
        MDB_stat ms;

        T_EQ_INT(mdb_env_info(cl.env, &info), 0);
        T_EQ_INT(mdb_env_stat(cl.env, &ms), 0);
        size = (off_t)info.me_last_pgno * ms.ms_psize;
    }
    T_ASSERT(truncate(file, size) == 0);
    for (i = 0; i < 300; i += 13)
        T_ASSERT(lookup_n(&cl, i, now) != CACHE_LOOKUP_HIT);
    T_EQ_INT(store_n(&cl, 1000, now, (uint64_t)now + 100, 1000), -1);
    T_EQ_INT(cache_read_stats(&cl, &st), CACHE_ENV_SHORT);
    cache_env_close(&cl);
    /* A new open of the damaged env fails: a miss. (Not of a lock.mdb cut short: within
     * the process that holds the daemon's env, LMDB would take the file for unused.) */
    if (strstr(file, "data.mdb") != NULL) {
        T_EQ_INT(cache_env_open(&cl, &c, CACHE_ROLE_CLIENT), -1);
        T_EQ_INT(lookup_n(&cl, 7, now), CACHE_LOOKUP_MISS);
    }
    cache_env_forget(&d);
}

static void client_on_short_data(void)
{
    client_calls_on("cache/data.mdb", 8192);
}

static void client_on_one_page_short_data(void)
{
    client_calls_on("cache/data.mdb", -1);
}

static void client_on_short_lock(void)
{
    client_calls_on("cache/lock.mdb", 0);
}

static void client_misses_on_truncated_data(void)
{
    t_child(client_on_short_data);
}

static void client_misses_one_page_short(void)
{
    t_child(client_on_one_page_short_data);
}

static void client_misses_on_truncated_lock(void)
{
    t_child(client_on_short_lock);
}

/* lock.mdb overwritten in place (its size unchanged): LMDB's header is gone, and its mutexes
 * may never be released; the client stops before it waits on them. */
/* The daemon's env (d) and a client's (cl) of c, with entry 1 stored. */
static void daemon_and_client(struct tlsmgr_conf *c, struct cache_env *d, struct cache_env *cl)
{
    conf_for(c, 100000, 4 << 20);
    T_EQ_INT(cache_repair_open(d, c, port_uid(), port_gid()), 0);
    T_EQ_INT(cache_env_open(cl, c, CACHE_ROLE_CLIENT), 0);
    T_EQ_INT(store_n(cl, 1, port_wall_time(), (uint64_t)port_wall_time() + 100, 100), 0);
}

/* Writes len zero bytes into file at offset 0, its size unchanged. */
static void zero_start(const char *file, size_t len)
{
    static const char zeros[2 * 65536];
    int fd = open(file, O_WRONLY);

    T_ASSERT(len <= sizeof(zeros));
    T_ASSERT(fd >= 0 && pwrite(fd, zeros, len, 0) == (ssize_t)len);
    close(fd);
}

static void client_misses_on_overwritten_lock(void)
{
    struct tlsmgr_conf c;
    struct cache_env d, cl;
    int64_t now = port_wall_time();

    daemon_and_client(&c, &d, &cl);
    zero_start("cache/lock.mdb", 64);
    T_EQ_INT(lookup_n(&cl, 1, now), -1);
    T_EQ_INT(store_n(&cl, 2, now, (uint64_t)now + 100, 100), -1);
    T_EQ_INT(cache_env_intact(&cl), CACHE_ENV_LOCK);
    T_ASSERT(cache_env_damaged(CACHE_ENV_LOCK));
    cache_env_close(&cl);
    cache_env_close(&d);
}

/* Zeros over data.mdb's two meta pages under an open env: LMDB's own checks fail (it would
 * abort the process); the client takes a miss, and lets go of the env. */
static void client_on_zeroed_meta(void)
{
    struct tlsmgr_conf c;
    struct cache_env d, cl;
    MDB_stat ms;

    daemon_and_client(&c, &d, &cl);
    T_EQ_INT(mdb_env_stat(cl.env, &ms), 0);
    zero_start("cache/data.mdb", 2 * ms.ms_psize);
    T_EQ_INT(cache_env_trap(&cl, lookup_one, NULL), CACHE_ENV_ASSERT);
    T_ASSERT(strstr(cache_env_strerror(CACHE_ENV_ASSERT), "Assertion") != NULL);
    cache_env_abandon(&cl);
    T_ASSERT(cl.env == NULL);
    /* A new open of that env: refused, not aborted. */
    T_EQ_INT(cache_env_open(&cl, &c, CACHE_ROLE_CLIENT), -1);
    cache_env_forget(&d);
}

/* data.mdb cut to nothing: a client never opens it (LMDB would write new meta pages into the
 * daemon's file, and the damage would no longer show). */
static void client_never_opens_empty_data(void)
{
    struct tlsmgr_conf c;
    struct cache_env d, cl;
    struct stat st;

    daemon_and_client(&c, &d, &cl);
    cache_env_close(&cl);
    T_ASSERT(truncate("cache/data.mdb", 0) == 0);
    T_EQ_INT(cache_env_open(&cl, &c, CACHE_ROLE_CLIENT), -1);
    T_ASSERT(stat("cache/data.mdb", &st) == 0 && st.st_size == 0);
    cache_env_close(&d);
}

static void client_misses_on_zeroed_meta(void)
{
    t_child(client_on_zeroed_meta);
}

/* The one list of errors that mean damage (cache_env.c says why for each). */
static void damage_codes(void)
{
    static const int damage[] = {
        MDB_PAGE_NOTFOUND, MDB_CORRUPTED,    MDB_PANIC,        MDB_VERSION_MISMATCH,
        MDB_INVALID,       MDB_CURSOR_FULL,  MDB_PAGE_FULL,    MDB_INCOMPATIBLE,
        MDB_BAD_TXN,       MDB_BAD_DBI,      CACHE_ENV_SHORT,  CACHE_ENV_FAULT,
        CACHE_ENV_GONE,    CACHE_ENV_LOCK,   CACHE_ENV_ASSERT, CACHE_ENV_NODBS,
        CACHE_ENV_NOREC,   CACHE_ENV_FORMAT, CACHE_ENV_NOROOM};
    static const int other[] = {0,
                                MDB_KEYEXIST,
                                MDB_NOTFOUND,
                                MDB_MAP_FULL,
                                MDB_DBS_FULL,
                                MDB_READERS_FULL,
                                MDB_TLS_FULL,
                                MDB_TXN_FULL,
                                MDB_MAP_RESIZED,
                                MDB_BAD_RSLOT,
                                MDB_BAD_VALSIZE,
                                ENOMEM,
                                EACCES,
                                EIO,
                                ENOSPC,
                                EINVAL,
                                CACHE_ENV_NOLOCK};
    size_t i;
    int rc;

    /* Every code of this module has a text of its own. */
    for (rc = CACHE_ENV_SHORT; rc > CACHE_ENV_SHORT - CACHE_ENV_CODES; rc--)
        if (rc != CACHE_ENV_ASSERT && (cache_env_strerror(rc)[0] == '\0' ||
                                       strcmp(cache_env_strerror(rc), mdb_strerror(rc)) == 0))
            t_fail(__FILE__, __LINE__, "code %d has no text", rc);

    for (i = 0; i < sizeof(damage) / sizeof(damage[0]); i++)
        if (!cache_env_damaged(damage[i]))
            t_fail(__FILE__, __LINE__, "%s is not counted as damage",
                   cache_env_strerror(damage[i]));
    for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        if (cache_env_damaged(other[i]))
            t_fail(__FILE__, __LINE__, "%s is counted as damage", cache_env_strerror(other[i]));
}

static void no_cache_configured(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;

    conf_for(&c, 100, 1 << 20);
    c.cache_database[0] = '\0';
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), -1);
    T_ASSERT(ce.env == NULL);
    cache_env_close(&ce);
}

T_MAIN(T_CASE(create_sets_modes), T_CASE(client_never_creates), T_CASE(store_lookup_replace),
       T_CASE(bound_evicts_earliest), T_CASE(map_full_still_stores),
       T_CASE(smaller_map_than_file_still_stores), T_CASE(map_resized_is_handled),
       T_CASE(random_bytes_recreated), T_CASE(truncated_recreated),
       T_CASE(one_page_short_recreated), T_CASE(short_file_recreated),
       T_CASE(wrong_format_recreated), T_CASE(wrong_word_size_recreated),
       T_CASE(mbedtls_change_needs_scan), T_CASE(jffs2_refused_clearly),
       T_CASE(sync_follows_file_system), T_CASE(drop_and_replaced),
       T_CASE(client_misses_on_truncated_data), T_CASE(client_misses_one_page_short),
       T_CASE(client_misses_on_truncated_lock), T_CASE(client_misses_on_overwritten_lock),
       T_CASE(client_misses_on_zeroed_meta), T_CASE(client_never_opens_empty_data),
       T_CASE(damage_codes), T_CASE(no_cache_configured))
