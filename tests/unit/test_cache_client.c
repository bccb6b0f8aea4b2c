/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_cache_client.c - libtlsmgr's session-cache callbacks, driven by real mbedTLS
 * handshakes: a client and a server run in memory (TLS 1.2, PSK, so no certificate is
 * needed) and the server uses tlsmgr_ssl_conf on a real env in the case's directory. A
 * handshake resumed when the client's session keeps its ID (a new session gets a new one).
 * Covers the round trip, tags as namespaces, a missing or broken env, fork (the child opens
 * the env anew) and entries that fail the header or mbedTLS's own load checks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
#include <psa/crypto.h>
#endif

#include "byteorder.h"
#include "cache.h"
#include "cache_repair.h"
#include "cache_session.h"
#include "client.h"
#include "mbedtls_compat.h"
#include "port.h"
#include "t.h"
#include "tls_pair.h"
#include "tlsmgr.h"

/* Session-ID resumption: the client asks for no ticket (tlsmgr_ssl_conf installs ticket
 * callbacks too, and a server that issues a ticket sends an empty session ID). */
static void conf_tls12_psk_rng(mbedtls_ssl_config *c, int endpoint, uint64_t *rng_state)
{
    T_EQ_INT(tls_pair_conf_psk12(c, endpoint, rng_state, 0), 0);
}

static void conf_tls12_psk(mbedtls_ssl_config *c, int endpoint)
{
    conf_tls12_psk_rng(c, endpoint, NULL);
}

/*
 * One handshake against server configuration scf, offering *resume if not NULL; the client's
 * session is saved into *out (initialised here; the caller frees it). Returns 1 resumed,
 * 0 new session, -1 the handshake failed.
 */
static int handshake_rng(mbedtls_ssl_config *scf, const mbedtls_ssl_session *resume,
                         mbedtls_ssl_session *out, uint64_t *rng_state)
{
    mbedtls_ssl_config ccf;
    mbedtls_ssl_context cli, srv;
    int ret = -1;

    mbedtls_ssl_session_init(out);
    conf_tls12_psk_rng(&ccf, MBEDTLS_SSL_IS_CLIENT, rng_state);
    mbedtls_ssl_init(&cli);
    mbedtls_ssl_init(&srv);
    if (mbedtls_ssl_setup(&cli, &ccf) != 0 || mbedtls_ssl_setup(&srv, scf) != 0)
        goto done;
    if (resume != NULL && mbedtls_ssl_set_session(&cli, resume) != 0)
        goto done;
    if (tls_pair_run(&cli, &srv) != 0 || mbedtls_ssl_get_session(&cli, out) != 0)
        goto done;
    ret = 0;
    if (resume != NULL && TLSMGR_SESSION_ID_LEN(out) == TLSMGR_SESSION_ID_LEN(resume) &&
        memcmp(TLSMGR_SESSION_ID(out), TLSMGR_SESSION_ID(resume), TLSMGR_SESSION_ID_LEN(out)) == 0)
        ret = 1;
done:
    mbedtls_ssl_free(&cli);
    mbedtls_ssl_free(&srv);
    mbedtls_ssl_config_free(&ccf);
    return ret;
}

static int handshake(mbedtls_ssl_config *scf, const mbedtls_ssl_session *resume,
                     mbedtls_ssl_session *out)
{
    return handshake_rng(scf, resume, out, NULL);
}

/* A handshake whose new session is not kept: 1 it resumed, 0 new session, -1 it failed. */
static int resumes(mbedtls_ssl_config *scf, const mbedtls_ssl_session *resume)
{
    mbedtls_ssl_session x;
    int r = handshake(scf, resume, &x);

    mbedtls_ssl_session_free(&x);
    return r;
}

/* ---- Fixtures -------------------------------------------------------------------------- */

/* tlsmgr.conf in the case's directory: env at state/cache. */
static void write_conf(void)
{
    static const char text[] = "state_directory = state\n"
                               "tls_session_cache_database = lmdb:cache\n"
                               "tls_session_cache_timeout = 1h\n";

    mkdir("state", 0700);
    T_EQ_INT(t_write_file("tlsmgr.conf", text, sizeof(text) - 1), 0);
}

/* Creates the env as the daemon does. */
static void make_env(void)
{
    struct tlsmgr_conf c;
    struct conf_error err;
    struct cache_env ce;

    T_EQ_INT(conf_load(&c, "tlsmgr.conf", &err), 0);
    memset(&ce, 0, sizeof(ce));
    T_EQ_INT(cache_repair_open(&ce, &c, port_uid(), port_gid()), 0);
    cache_env_close(&ce);
    port_test_log_clear(); /* what the daemon logged; the library must add nothing */
}

/* Opens the env of tlsmgr.conf in role, to look at or change it behind the servers' back.
 * Returns 0 or -1. */
static int env_open(struct cache_env *ce, enum cache_role role)
{
    struct tlsmgr_conf c;
    struct conf_error err;

    if (conf_load(&c, "tlsmgr.conf", &err) < 0)
        return -1;
    memset(ce, 0, sizeof(*ce));
    if (role == CACHE_ROLE_DAEMON)
        return cache_repair_open(ce, &c, port_uid(), port_gid()) < 0 ? -1 : 0;
    return cache_env_open(ce, &c, role) < 0 ? -1 : 0;
}

/* The key of session s under tag, in key. */
static MDB_val session_key(uint8_t key[CACHE_SKEY_MAX], const char *tag,
                           const mbedtls_ssl_session *s)
{
    return cache_val(key, cache_key_session(key, CACHE_SKEY_MAX, (const uint8_t *)tag, strlen(tag),
                                            TLSMGR_SESSION_ID(s), TLSMGR_SESSION_ID_LEN(s)));
}

/* Entries in the env (opened read-only; no handle may be open in this process). */
static long env_entries(void)
{
    struct cache_env ce;
    struct cache_stats st;
    long n = -1;

    if (env_open(&ce, CACHE_ROLE_READONLY) < 0)
        return -1;
    if (cache_read_stats(&ce, &st) == 0)
        n = (long)st.entries;
    cache_env_close(&ce);
    return n;
}

/* A server handle for tag with its configuration. */
struct server {
    struct tlsmgr *t;
    mbedtls_ssl_config conf;
};

static int server_open(struct server *s, const char *tag)
{
    conf_tls12_psk(&s->conf, MBEDTLS_SSL_IS_SERVER);
    if (tlsmgr_open(&s->t, "tlsmgr.conf", tag) != 0)
        return -1;
    return tlsmgr_ssl_conf(s->t, &s->conf);
}

static void server_close(struct server *s)
{
    tlsmgr_close(s->t);
    mbedtls_ssl_config_free(&s->conf);
    s->t = NULL;
}

static void crypto_init(void)
{
#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
    T_ASSERT(psa_crypto_init() == PSA_SUCCESS);
#endif
}

/* How most cases start: a fresh env made as the daemon does, server "www" open on it, and a
 * full handshake whose new session (*first) is stored. */
static void start_www(struct server *a, mbedtls_ssl_session *first)
{
    crypto_init();
    write_conf();
    make_env();
    T_EQ_INT(server_open(a, "www"), 0);
    T_EQ_INT(handshake(&a->conf, NULL, first), 0);
}

/* Rewrites one byte of the stored value of session id under tag; off SIZE_MAX appends a
 * byte to the blob instead (and fixes the blob length in the header). */
static int poke_entry(const char *tag, const mbedtls_ssl_session *s, size_t off, uint8_t xor)
{
    struct cache_env ce;
    uint8_t key[CACHE_SKEY_MAX], val[CACHE_ENTRY_MAX];
    MDB_txn *txn;
    MDB_val k = session_key(key, tag, s), v;
    int rc = -1;

    if (env_open(&ce, CACHE_ROLE_CLIENT) < 0)
        return -1;
    if (cache_env_txn_begin(&ce, 0, &txn) == 0) {
        if (mdb_get(txn, ce.session, &k, &v) == 0 && (off < v.mv_size || off == SIZE_MAX) &&
            v.mv_size < sizeof(val)) {
            memcpy(val, v.mv_data, v.mv_size);
            if (off == SIZE_MAX) {
                val[v.mv_size] = xor;
                put_be32(val + 23, get_be32(val + 23) + 1);
                v.mv_size++;
            } else {
                val[off] ^= xor;
            }
            v.mv_data = val;
            if (mdb_put(txn, ce.session, &k, &v, 0) == 0 && mdb_txn_commit(txn) == 0)
                rc = 0;
            else
                mdb_txn_abort(txn);
        } else {
            mdb_txn_abort(txn);
        }
    }
    cache_env_close(&ce);
    return rc;
}

/* 1 if an entry for session s under tag exists. */
static int entry_exists(const char *tag, const mbedtls_ssl_session *s)
{
    struct cache_env ce;
    uint8_t key[CACHE_SKEY_MAX];
    MDB_txn *txn;
    MDB_val k = session_key(key, tag, s), v;
    int found = 0;

    if (env_open(&ce, CACHE_ROLE_READONLY) < 0)
        return -1;
    if (cache_env_txn_begin(&ce, MDB_RDONLY, &txn) == 0) {
        found = mdb_get(txn, ce.session, &k, &v) == 0;
        mdb_txn_abort(txn);
    }
    cache_env_close(&ce);
    return found;
}

/* ---- Cases ----------------------------------------------------------------------------- */

static void round_trip_resumes(void)
{
    struct server a;
    mbedtls_ssl_session s1, s2, s3;

    start_www(&a, &s1);
    T_EQ_INT(handshake(&a.conf, &s1, &s2), 1);
    /* A second handle (another server in the process) shares the env and sees it too. */
    {
        struct server b;

        T_EQ_INT(server_open(&b, "www"), 0);
        T_EQ_INT(handshake(&b.conf, &s1, &s3), 1);
        server_close(&b);
        mbedtls_ssl_session_free(&s3);
    }
    T_EQ_INT(handshake(&a.conf, &s1, &s3), 1);
    server_close(&a);
    T_EQ_INT(env_entries(), 1);
    /* The library logs nothing by itself, least of all sessions. */
    T_EQ_STR(port_test_log(), "");
    mbedtls_ssl_session_free(&s1);
    mbedtls_ssl_session_free(&s2);
    mbedtls_ssl_session_free(&s3);
}

static void tags_are_namespaces(void)
{
    struct server a, b;
    mbedtls_ssl_session sa, sb;

    crypto_init();
    write_conf();
    make_env();
    T_EQ_INT(server_open(&a, "www"), 0);
    T_EQ_INT(server_open(&b, "mail"), 0);
    T_EQ_INT(handshake(&a.conf, NULL, &sa), 0);
    T_EQ_INT(handshake(&b.conf, NULL, &sb), 0);
    T_EQ_INT(resumes(&b.conf, &sa), 0); /* www's session is unknown to mail */
    T_EQ_INT(resumes(&a.conf, &sb), 0);
    T_EQ_INT(resumes(&a.conf, &sa), 1);
    T_EQ_INT(resumes(&b.conf, &sb), 1);
    server_close(&a);
    server_close(&b);
    T_EQ_INT(entry_exists("www", &sa), 1);
    T_EQ_INT(entry_exists("mail", &sa), 0);
    T_EQ_INT(entry_exists("mail", &sb), 1);
    mbedtls_ssl_session_free(&sa);
    mbedtls_ssl_session_free(&sb);
}

static void missing_env_is_a_miss(void)
{
    struct server a;
    mbedtls_ssl_session s1, s2;
    struct stat st;

    crypto_init();
    write_conf(); /* no env: the daemon never ran */
    T_EQ_INT(server_open(&a, "www"), 0);
    T_EQ_INT(handshake(&a.conf, NULL, &s1), 0);
    T_EQ_INT(handshake(&a.conf, &s1, &s2), 0);
    T_ASSERT(stat("state/cache", &st) < 0); /* a client never creates the env */
    mbedtls_ssl_session_free(&s2);
    /* The daemon starts: the next try after the retry delay finds the env. */
    make_env();
    T_EQ_INT(resumes(&a.conf, &s1), 0); /* still within the delay: no new open */
    port_test_advance(TLSMGR_CACHE_CLIENT_RETRY_MS + 1);
    T_EQ_INT(handshake(&a.conf, &s1, &s2), 0);
    mbedtls_ssl_session_free(&s1);
    T_EQ_INT(handshake(&a.conf, &s2, &s1), 1);
    server_close(&a);
    mbedtls_ssl_session_free(&s1);
    mbedtls_ssl_session_free(&s2);
}

/* A server "www" that works without a cache: its session is not found again. */
static void server_misses(void)
{
    struct server a;
    mbedtls_ssl_session s1;

    T_EQ_INT(server_open(&a, "www"), 0);
    T_EQ_INT(handshake(&a.conf, NULL, &s1), 0);
    T_EQ_INT(resumes(&a.conf, &s1), 0);
    server_close(&a);
    mbedtls_ssl_session_free(&s1);
}

static void broken_env_is_a_miss(void)
{
    static const char junk[] = "this is not an LMDB data file, not even close to one.....";
    char big[8192];

    crypto_init();
    write_conf();
    mkdir("state/cache", 0700);
    memset(big, 0x5A, sizeof(big));
    memcpy(big, junk, sizeof(junk));
    T_EQ_INT(t_write_file("state/cache/data.mdb", big, sizeof(big)), 0);
    T_EQ_INT(t_write_file("state/cache/lock.mdb", junk, sizeof(junk)), 0);
    server_misses();
    /* Files of the wrong kind where the env should be: also a miss. */
    T_EQ_INT(unlink("state/cache/data.mdb"), 0);
    T_EQ_INT(mkdir("state/cache/data.mdb", 0700), 0);
    server_misses();
}

/*
 * The parent opens env E at state/cache and stores a session; E is then moved away and a new
 * empty env takes its place. The parent still uses E (its session resumes); a forked child
 * must notice the pid change and open the new env: the session is unknown there, and the
 * session the child stores lands in the new env.
 */
/* A server started on the env, which is then moved to aside and replaced by a new empty one. */
static void start_www_then_replace_env(struct server *a, mbedtls_ssl_session *s1, const char *aside)
{
    start_www(a, s1);
    T_EQ_INT(rename("state/cache", aside), 0);
    make_env();
}

/* The server and first session that a forked child (t_child) of the cases below works on. */
static struct server *forked_server;
static mbedtls_ssl_session *forked_s1;

static void child_follows_new_env(void)
{
    mbedtls_ssl_session s2, cs;

    T_EQ_INT(handshake(&forked_server->conf, forked_s1, &s2), 0); /* not in the new env */
    T_EQ_INT(handshake(&forked_server->conf, &s2, &cs), 1);       /* stored in the new env, found */
}

static void fork_reopens_env(void)
{
    struct server a;
    mbedtls_ssl_session s1, s2;

    start_www_then_replace_env(&a, &s1, "state/cache.old");
    forked_server = &a;
    forked_s1 = &s1;
    t_child(child_follows_new_env);
    T_EQ_INT(handshake(&a.conf, &s1, &s2), 1); /* the parent keeps its env */
    server_close(&a);
    T_EQ_INT(env_entries(), 1); /* the child's session */
    T_EQ_INT(entry_exists("www", &s1), 0);
    mbedtls_ssl_session_free(&s1);
    mbedtls_ssl_session_free(&s2);
}

/* The daemon moves a broken env aside and creates a new one: a running server follows at
 * its next store, and its sessions resume from the new env. */
static void replaced_env_is_followed(void)
{
    struct server a;
    mbedtls_ssl_session s1, s2, s3;

    start_www_then_replace_env(&a, &s1, "state/cache.bad");
    T_EQ_INT(handshake(&a.conf, NULL, &s2), 0); /* a new session, stored in the new env */
    T_EQ_INT(handshake(&a.conf, &s2, &s3), 1);
    server_close(&a);
    T_EQ_INT(env_entries(), 1);
    T_EQ_INT(entry_exists("www", &s2), 1);
    mbedtls_ssl_session_free(&s1);
    mbedtls_ssl_session_free(&s2);
    mbedtls_ssl_session_free(&s3);
}

/* A server whose env is replaced (by the daemon, after damage) finds in the new env, at its
 * first miss, a session another process stored there: no wait for its own next store. */
/* Another worker: opens the new env, stores its new session, hands it over in a file. */
static void child_stores_in_new_env(void)
{
    struct server b;
    mbedtls_ssl_session s;
    unsigned char buf[4096];
    size_t len = 0;

    T_EQ_INT(server_open(&b, "www"), 0);
    T_EQ_INT(handshake(&b.conf, NULL, &s), 0);
    T_EQ_INT(mbedtls_ssl_session_save(&s, buf, sizeof(buf), &len), 0);
    T_EQ_INT(t_write_file("session", buf, len), 0);
}

static void replaced_env_is_followed_on_a_miss(void)
{
    struct server a;
    mbedtls_ssl_session s1, s2, s3;

    start_www_then_replace_env(&a, &s1, "state/cache.bad");
    t_child(child_stores_in_new_env);
    {
        unsigned char buf[4096];
        long len = t_read_file("session", buf, sizeof(buf));

        mbedtls_ssl_session_init(&s2);
        T_ASSERT(len > 0 && mbedtls_ssl_session_load(&s2, buf, (size_t)len) == 0);
    }
    T_EQ_INT(handshake(&a.conf, &s2, &s3), 1);
    server_close(&a);
    mbedtls_ssl_session_free(&s1);
    mbedtls_ssl_session_free(&s2);
    mbedtls_ssl_session_free(&s3);
}

/* data.mdb or lock.mdb cut short by a member of the group: every handshake is a full one,
 * never a crash of the server, and the library logs nothing. */
static void cut_under_server(void)
{
    struct server a;
    mbedtls_ssl_session s1, s2;

    start_www(&a, &s1);
    T_EQ_INT(resumes(&a.conf, &s1), 1);
    T_EQ_INT(truncate("state/cache/data.mdb", 8192), 0);
    T_EQ_INT(handshake(&a.conf, &s1, &s2), 0);
    T_EQ_INT(resumes(&a.conf, &s2), 0);
    mbedtls_ssl_session_free(&s2);
    port_test_advance(TLSMGR_CACHE_CLIENT_RETRY_MS + 1);
    T_EQ_INT(truncate("state/cache/lock.mdb", 0), 0);
    T_EQ_INT(handshake(&a.conf, &s1, &s2), 0);
    T_EQ_INT(resumes(&a.conf, &s2), 0);
    server_close(&a);
    T_EQ_STR(port_test_log(), "");
    mbedtls_ssl_session_free(&s1);
    mbedtls_ssl_session_free(&s2);
}

static void damaged_env_is_a_miss_not_a_crash(void)
{
    t_child(cut_under_server);
}

/* After the damage, the daemon's repair (a new env at the same path) is used at once: no
 * retry delay, no wait for a store. */
static void damaged_env_replaced_is_used_at_once(void)
{
    struct server a;
    mbedtls_ssl_session s1, s2, s3;

    start_www(&a, &s1);
    T_EQ_INT(truncate("state/cache/data.mdb", 8192), 0);
    T_EQ_INT(handshake(&a.conf, &s1, &s2), 0); /* a miss, and the store is dropped */
    mbedtls_ssl_session_free(&s2);
    T_EQ_INT(rename("state/cache", "state/cache.bad"), 0);
    make_env();
    T_EQ_INT(handshake(&a.conf, &s1, &s2), 0); /* unknown in the new env; stored there */
    T_EQ_INT(handshake(&a.conf, &s2, &s3), 1);
    server_close(&a);
    T_EQ_INT(entry_exists("www", &s2), 1);
    mbedtls_ssl_session_free(&s1);
    mbedtls_ssl_session_free(&s2);
    mbedtls_ssl_session_free(&s3);
}

/* An entry whose header names another mbedTLS is a miss and is removed. */
static void header_mismatch_is_removed(void)
{
    struct server a;
    mbedtls_ssl_session s1, s2;

    start_www(&a, &s1);
    server_close(&a);
    T_EQ_INT(entry_exists("www", &s1), 1);
    T_EQ_INT(poke_entry("www", &s1, 2 + 2, 0x01), 0); /* header: mbedTLS patch version */
    T_EQ_INT(server_open(&a, "www"), 0);
    T_EQ_INT(handshake(&a.conf, &s1, &s2), 0);
    server_close(&a);
    T_EQ_INT(entry_exists("www", &s1), 0);
    T_EQ_INT(entry_exists("www", &s2), 1); /* the full handshake stored its new session */
    mbedtls_ssl_session_free(&s1);
    mbedtls_ssl_session_free(&s2);
}

/* A blob mbedTLS refuses although the entry's checks pass: a miss, and removed too. */
static void load_mismatch_is_removed(void)
{
    struct server a;
    mbedtls_ssl_session s1, s2;
    int i;

    for (i = 0; i < 2; i++) {
        start_www(&a, &s1);
        server_close(&a);
        if (i == 0) /* the blob's own copy of the version header */
            T_EQ_INT(poke_entry("www", &s1, CACHE_ENTRY_HDR_LEN + 2, 0x01), 0);
        else /* a byte after the end of the session: mbedTLS's load refuses it */
            T_EQ_INT(poke_entry("www", &s1, SIZE_MAX, 0x00), 0);
        T_EQ_INT(server_open(&a, "www"), 0);
        T_EQ_INT(handshake(&a.conf, &s1, &s2), 0);
        server_close(&a);
        T_EQ_INT(entry_exists("www", &s1), 0);
        mbedtls_ssl_session_free(&s1);
        mbedtls_ssl_session_free(&s2);
    }
}

static void expired_entry_is_a_miss(void)
{
    struct server a;
    mbedtls_ssl_session s1, s2;

    start_www(&a, &s1);
    port_test_advance(3600 * 1000ULL + 1000);
    T_EQ_INT(handshake(&a.conf, &s1, &s2), 0);
    server_close(&a);
    T_EQ_INT(entry_exists("www", &s1), 0);
    mbedtls_ssl_session_free(&s1);
    mbedtls_ssl_session_free(&s2);
}

/* Threads share one handle (and the process's env): each makes sessions and resumes its own
 * and a session made before the threads started. */
#define THREADS 4
#define ROUNDS  25

struct worker {
    pthread_t th;
    struct tlsmgr *t;
    const mbedtls_ssl_session *common;
    uint64_t rng_state;
    int new_ok, resumed, common_resumed, failed;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    mbedtls_ssl_config conf;
    mbedtls_ssl_session s1, s2;
    int i;

    conf_tls12_psk_rng(&conf, MBEDTLS_SSL_IS_SERVER, &w->rng_state);
    if (tlsmgr_ssl_conf(w->t, &conf) != 0) {
        w->failed++;
        mbedtls_ssl_config_free(&conf);
        return NULL;
    }
    for (i = 0; i < ROUNDS; i++) {
        int r = handshake_rng(&conf, NULL, &s1, &w->rng_state);

        w->new_ok += r == 0;
        w->failed += r < 0;
        if (r == 0) {
            w->resumed += handshake_rng(&conf, &s1, &s2, &w->rng_state) == 1;
            mbedtls_ssl_session_free(&s2);
        }
        mbedtls_ssl_session_free(&s1);
        w->common_resumed += handshake_rng(&conf, w->common, &s2, &w->rng_state) == 1;
        mbedtls_ssl_session_free(&s2);
    }
    mbedtls_ssl_config_free(&conf);
    return NULL;
}

static void threads_share_the_env(void)
{
    struct worker w[THREADS];
    struct server a;
    mbedtls_ssl_session common;
    int i;

    start_www(&a, &common);
    memset(w, 0, sizeof(w));
    for (i = 0; i < THREADS; i++) {
        w[i].t = a.t;
        w[i].common = &common;
        T_EQ_INT(port_getrandom(&w[i].rng_state, sizeof(w[i].rng_state)), 8);
        w[i].rng_state |= 1;
        T_EQ_INT(pthread_create(&w[i].th, NULL, worker_run, &w[i]), 0);
    }
    for (i = 0; i < THREADS; i++) {
        T_EQ_INT(pthread_join(w[i].th, NULL), 0);
        T_EQ_INT(w[i].failed, 0);
        T_EQ_INT(w[i].new_ok, ROUNDS);
        T_EQ_INT(w[i].resumed, ROUNDS);
        T_EQ_INT(w[i].common_resumed, ROUNDS);
    }
    server_close(&a);
    T_EQ_INT(env_entries(), 1 + THREADS * ROUNDS);
    mbedtls_ssl_session_free(&common);
}

static void bad_arguments(void)
{
    struct tlsmgr *t;
    mbedtls_ssl_config c;
    static const char text[] = "tls_session_cache_database =\n";

    mbedtls_ssl_config_init(&c);
    T_EQ_INT(tlsmgr_ssl_conf(NULL, &c), TLSMGR_ERR_ARG);
    T_EQ_INT(t_write_file("tlsmgr.conf", text, sizeof(text) - 1), 0);
    T_EQ_INT(tlsmgr_open(&t, "tlsmgr.conf", "www"), 0);
    T_EQ_INT(tlsmgr_ssl_conf(t, NULL), TLSMGR_ERR_ARG);
    T_EQ_INT(tlsmgr_ssl_conf(t, &c), TLSMGR_ERR_UNAVAIL); /* cache disabled */
    tlsmgr_close(t);
    mbedtls_ssl_config_free(&c);
}

T_MAIN(T_CASE(round_trip_resumes), T_CASE(tags_are_namespaces), T_CASE(missing_env_is_a_miss),
       T_CASE(broken_env_is_a_miss), T_CASE(fork_reopens_env), T_CASE(replaced_env_is_followed),
       T_CASE(replaced_env_is_followed_on_a_miss), T_CASE(damaged_env_is_a_miss_not_a_crash),
       T_CASE(damaged_env_replaced_is_used_at_once), T_CASE(header_mismatch_is_removed),
       T_CASE(load_mismatch_is_removed), T_CASE(expired_entry_is_a_miss),
       T_CASE(threads_share_the_env), T_CASE(bad_arguments))
