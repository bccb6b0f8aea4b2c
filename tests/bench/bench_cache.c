/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_cache.c - what a TLS server pays per session-cache lookup and store through libtlsmgr
 * (the callbacks tlsmgr_ssl_conf installs on an mbedtls_ssl_config, called as mbedTLS calls
 * them: one LMDB transaction, mbedtls_ssl_session_load or _save, the process lock) against
 * the peer it replaces, mbedTLS's own ssl_cache (one linked list per process, installed on a
 * second mbedtls_ssl_config), at 1k, 10k and 100k entries, measured in the same run on the
 * same TLS 1.2 server sessions. Lookups find a random stored session; stores add a new one
 * to a cache at its size bound, so each one evicts (the steady state of a busy server).
 *
 * ssl_cache walks its list on every get and every set (its default bound is 50 entries), so
 * filling it costs n^2/2 steps: up to 10k entries it is filled through its own set and the
 * time is shown; beyond, the bench links the entries itself in the order and layout set
 * would give (a fill through set takes minutes here), and the measured store cost at that
 * size says what a fill through set would take. Times are CPU time of the calling thread (what
 * the code costs, not what else the shared machine runs), median of RUNS batches per figure;
 * the env lives on tmpfs (/dev/shm) when the machine has one, as on a router.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The peer's list is filled directly beyond FILL_MAX, and sessions are made as a server's. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#include "mbedtls_compat.h"
#include <mbedtls/platform_time.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
#include <psa/crypto.h>
#endif

#include "cache_repair.h"
#include "log.h"
#include "port.h"
#include "tlsmgr.h"

#define RUNS     7
#define BATCH_S  0.05 /* each timed batch takes at least this much CPU time */
#define CHUNK    16   /* operations between two readings of the clock */
#define FILL_MAX 10000
/* Target: a lookup at 100k entries. */
#define LOOKUP_TARGET_US 2.0

#include "bench.h"
#include "bench_proc.h"

static const unsigned sizes[] = {1000, 10000, 100000};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static char dir[128], conf_file[160];
static unsigned next_new; /* the next session number never stored */

/* Session number i as a server makes it: TLS 1.2, a 32-byte ID, a master secret. */
static void session_for(unsigned i, mbedtls_ssl_session *s)
{
    uint32_t x = i * 2654435761u + 1;
    size_t k;

    mbedtls_ssl_session_init(s);
    TLSMGR_SESSION_SET_TLS12(s);
#if TLSMGR_MBEDTLS_3
    s->MBEDTLS_PRIVATE(endpoint) = MBEDTLS_SSL_IS_SERVER;
#endif
    s->MBEDTLS_PRIVATE(ciphersuite) = MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    s->MBEDTLS_PRIVATE(start) = time(NULL);
    s->MBEDTLS_PRIVATE(id_len) = 32;
    for (k = 0; k < 32; k++) {
        x = x * 1103515245u + 12345u;
        s->MBEDTLS_PRIVATE(id)[k] = (unsigned char)(x >> 16);
    }
    for (k = 0; k < sizeof(s->MBEDTLS_PRIVATE(master)); k++)
        s->MBEDTLS_PRIVATE(master)[k] = (unsigned char)(i + k);
}

/* The server's get and set, called through the configuration as mbedTLS calls them. */
static int conf_get(const mbedtls_ssl_config *c, const mbedtls_ssl_session *key,
                    mbedtls_ssl_session *out)
{
#if TLSMGR_MBEDTLS_3
    return c->MBEDTLS_PRIVATE(f_get_cache)(c->MBEDTLS_PRIVATE(p_cache), key->MBEDTLS_PRIVATE(id),
                                           key->MBEDTLS_PRIVATE(id_len), out);
#else
    /* 2.28's server passes a session with only the ID set. */
    out->id_len = key->id_len;
    memcpy(out->id, key->id, key->id_len);
    return c->f_get_cache(c->p_cache, out);
#endif
}

static int conf_set(const mbedtls_ssl_config *c, const mbedtls_ssl_session *s)
{
#if TLSMGR_MBEDTLS_3
    return c->MBEDTLS_PRIVATE(f_set_cache)(c->MBEDTLS_PRIVATE(p_cache), s->MBEDTLS_PRIVATE(id),
                                           s->MBEDTLS_PRIVATE(id_len), s);
#else
    return c->f_set_cache(c->p_cache, s);
#endif
}

static int store(const mbedtls_ssl_config *c, unsigned i)
{
    mbedtls_ssl_session s;
    int rc;

    session_for(i, &s);
    rc = conf_set(c, &s);
    mbedtls_ssl_session_free(&s);
    return rc;
}

/* Appends session i to the peer's list as mbedtls_ssl_cache_set does into a cache that is
 * not full (a new entry at the end, stamped now), without walking the list. */
static int peer_append(mbedtls_ssl_cache_context *cache, mbedtls_ssl_cache_entry **tail, unsigned i)
{
    mbedtls_ssl_cache_entry *e = calloc(1, sizeof(*e));
    mbedtls_ssl_session s;
    int rc = -1;

    if (e == NULL)
        return -1;
    session_for(i, &s);
    e->MBEDTLS_PRIVATE(timestamp) = mbedtls_time(NULL);
#if TLSMGR_MBEDTLS_3
    {
        size_t len = 0;

        /* 3.x keeps the serialized session and its ID. */
        if (mbedtls_ssl_session_save(&s, NULL, 0, &len) == MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL &&
            (e->MBEDTLS_PRIVATE(session) = calloc(1, len)) != NULL &&
            mbedtls_ssl_session_save(&s, e->MBEDTLS_PRIVATE(session), len, &len) == 0) {
            e->MBEDTLS_PRIVATE(session_len) = len;
            memcpy(e->MBEDTLS_PRIVATE(session_id), s.MBEDTLS_PRIVATE(id), 32);
            e->MBEDTLS_PRIVATE(session_id_len) = 32;
            rc = 0;
        }
    }
#else
    /* 2.28 keeps a copy of the session structure (this one points at nothing: no peer
     * certificate, no ticket). */
    memcpy(&e->session, &s, sizeof(s));
    rc = 0;
#endif
    mbedtls_ssl_session_free(&s);
    if (rc != 0) {
#if TLSMGR_MBEDTLS_3
        free(e->MBEDTLS_PRIVATE(session));
#endif
        free(e);
        return -1;
    }
    if (*tail == NULL)
        cache->MBEDTLS_PRIVATE(chain) = e;
    else
        (*tail)->MBEDTLS_PRIVATE(next) = e;
    *tail = e;
    return 0;
}

/* Fills the peer to n entries: through set up to FILL_MAX (returns the seconds it took), the
 * rest appended directly. -1 on a failure. */
static double peer_fill(mbedtls_ssl_config *c, mbedtls_ssl_cache_context *cache, unsigned n)
{
    mbedtls_ssl_cache_entry *tail = NULL;
    double t0 = thread_cpu_s(), took;
    unsigned i;

    for (i = 0; i < n && i < FILL_MAX; i++)
        if (store(c, i) != 0)
            return -1;
    took = thread_cpu_s() - t0;
    for (tail = cache->MBEDTLS_PRIVATE(chain); tail != NULL && tail->MBEDTLS_PRIVATE(next) != NULL;
         tail = tail->MBEDTLS_PRIVATE(next))
        ;
    for (; i < n; i++)
        if (peer_append(cache, &tail, i) != 0)
            return -1;
    return took;
}

/* CPU seconds per lookup of random stored sessions (0..n-1), over a batch of at least
 * BATCH_S; -1 when one missed. */
static double time_lookups(const mbedtls_ssl_config *c, unsigned n)
{
    double t0 = thread_cpu_s(), t;
    unsigned ops = 0, x = (unsigned)rand(), i;

    do {
        for (i = 0; i < CHUNK; i++, ops++) {
            mbedtls_ssl_session key, out;
            int rc;

            x = x * 1103515245u + 12345u;
            session_for((x >> 8) % n, &key);
            mbedtls_ssl_session_init(&out);
            rc = conf_get(c, &key, &out);
            mbedtls_ssl_session_free(&out);
            mbedtls_ssl_session_free(&key);
            if (rc != 0)
                return -1;
        }
        t = thread_cpu_s() - t0;
    } while (t < BATCH_S);
    return t / ops;
}

/* CPU seconds per store of a session never stored, into the full cache; -1 on a failure. */
static double time_stores(const mbedtls_ssl_config *c)
{
    double t0 = thread_cpu_s(), t;
    unsigned ops = 0, i;

    do {
        for (i = 0; i < CHUNK; i++, ops++)
            if (store(c, next_new++) != 0)
                return -1;
        t = thread_cpu_s() - t0;
    } while (t < BATCH_S);
    return t / ops;
}

/* A configuration whose cache holds n entries at most, and its env made as the daemon
 * makes it. */
static int make_env(unsigned n)
{
    struct tlsmgr_conf c;
    struct conf_error err;
    struct cache_env ce;

    bench_remove_env(dir);
    if (bench_write(conf_file,
                    "state_directory = %s\ntls_session_cache_database = lmdb:%s/cache\n"
                    "tls_session_cache_max_entries = %u\ntls_session_cache_map_size = 256m\n",
                    dir, dir, n) < 0 ||
        conf_load(&c, conf_file, &err) < 0 ||
        cache_repair_open(&ce, &c, port_uid(), port_gid()) < 0)
        return -1;
    cache_env_close(&ce);
    return 0;
}

struct figures {
    double lookup[RUNS], store[RUNS];
};

/* One size: both caches filled with sessions 0..n-1, then lookups of each alternately, then
 * stores. Returns 0, or -1 on a failure (said). */
static int run_size(unsigned n, struct figures *ours, struct figures *peer, double *peer_fill_s)
{
    mbedtls_ssl_config oc, pc;
    mbedtls_ssl_cache_context cache;
    struct tlsmgr *t = NULL;
    double t0, fill_s;
    unsigned i;
    int r, rc = -1;

    mbedtls_ssl_config_init(&oc);
    mbedtls_ssl_config_init(&pc);
    mbedtls_ssl_cache_init(&cache);
    mbedtls_ssl_cache_set_max_entries(&cache, (int)n);
    if (make_env(n) < 0 || tlsmgr_open(&t, conf_file, "bench") != 0 ||
        mbedtls_ssl_config_defaults(&oc, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
        mbedtls_ssl_config_defaults(&pc, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
        tlsmgr_ssl_conf(t, &oc) != 0) {
        fprintf(stderr, "bench_cache: set-up of %u entries failed\n", n);
        goto out;
    }
    mbedtls_ssl_conf_session_cache(&pc, &cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
    t0 = thread_cpu_s();
    for (i = 0; i < n; i++)
        if (store(&oc, i) != 0) {
            fprintf(stderr, "bench_cache: libtlsmgr store %u failed\n", i);
            goto out;
        }
    fill_s = thread_cpu_s() - t0;
    *peer_fill_s = peer_fill(&pc, &cache, n);
    if (*peer_fill_s < 0) {
        fprintf(stderr, "bench_cache: filling ssl_cache failed\n");
        goto out;
    }
    printf("  %6u entries: filled libtlsmgr in %.2f s; ssl_cache ", n, fill_s);
    if (n <= FILL_MAX)
        printf("in %.2f s through its set\n", *peer_fill_s);
    else
        printf("directly (through its set up to %u entries: %.2f s)\n", FILL_MAX, *peer_fill_s);
    for (r = 0; r < RUNS; r++) {
        ours->lookup[r] = time_lookups(&oc, n);
        peer->lookup[r] = time_lookups(&pc, n);
        if (ours->lookup[r] < 0 || peer->lookup[r] < 0) {
            fprintf(stderr, "bench_cache: a lookup of a stored session missed (%s)\n",
                    ours->lookup[r] < 0 ? "libtlsmgr" : "ssl_cache");
            goto out;
        }
    }
    next_new = 10u * 1000 * 1000;
    for (r = 0; r < RUNS; r++) {
        ours->store[r] = time_stores(&oc);
        peer->store[r] = time_stores(&pc);
        if (ours->store[r] < 0 || peer->store[r] < 0) {
            fprintf(stderr, "bench_cache: a store failed (%s)\n",
                    ours->store[r] < 0 ? "libtlsmgr" : "ssl_cache");
            goto out;
        }
    }
    rc = 0;
out:
    tlsmgr_close(t);
    mbedtls_ssl_cache_free(&cache);
    mbedtls_ssl_config_free(&oc);
    mbedtls_ssl_config_free(&pc);
    return rc;
}

int main(void)
{
    struct figures ours[NSIZES], peer[NSIZES];
    double fill[NSIZES];
    const char *v = TLSMGR_MBEDTLS_3 ? "mbedtls3" : "mbedtls2";
    size_t s;
    int status = 0;

    log_enable(0);
#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
    if (psa_crypto_init() != PSA_SUCCESS)
        return 1;
#endif
    if (bench_tmpdir("bench_cache", dir, sizeof(dir)) < 0) {
        fprintf(stderr, "bench_cache: no temporary directory\n");
        return 1;
    }
    snprintf(conf_file, sizeof(conf_file), "%s/tlsmgr.conf", dir);
    printf("bench_cache: mbedTLS %s, TLS 1.2 server sessions, env on %s; CPU time, median of "
           "%d batches of %.0f ms per figure\n",
           MBEDTLS_VERSION_STRING, strncmp(dir, "/dev/shm", 8) == 0 ? "tmpfs" : "disk", RUNS,
           BATCH_S * 1e3);
    for (s = 0; s < NSIZES && status == 0; s++)
        if (run_size(sizes[s], &ours[s], &peer[s], &fill[s]) < 0)
            status = 1;
    bench_remove_env(dir);
    unlink(conf_file);
    rmdir(dir);
    if (status != 0)
        return status;
    for (s = 0; s < NSIZES; s++) {
        double ol = median(ours[s].lookup) * 1e6, pl = median(peer[s].lookup) * 1e6;
        double os = median(ours[s].store) * 1e6, ps = median(peer[s].store) * 1e6;
        unsigned k = sizes[s] / 1000;

        printf("bench cache_lookup_%uk_%s: ours %.2f us, peer %.2f us (mbedTLS ssl_cache), "
               "ratio %.3f",
               k, v, ol, pl, ol / pl);
        if (s == NSIZES - 1)
            printf("; target ours <= %.0f us: %s", LOOKUP_TARGET_US,
                   verdict(ol <= LOOKUP_TARGET_US));
        printf("\n");
        printf("bench cache_store_%uk_%s: ours %.2f us, peer %.2f us (mbedTLS ssl_cache), "
               "ratio %.3f\n",
               k, v, os, ps, os / ps);
    }
    /* What a fill through ssl_cache's own set costs at the largest size: n stores whose walk
     * grows from 0 to n entries, about n/2 times the measured store at n. */
    printf("  ssl_cache is O(n) per call: from %uk to %uk entries a lookup grows %.0fx and a "
           "store %.0fx (libtlsmgr: %.1fx and %.1fx); filling it to %uk through its set would "
           "take about %.0f s, where libtlsmgr filled it in the time shown above\n",
           sizes[0] / 1000, sizes[NSIZES - 1] / 1000,
           median(peer[NSIZES - 1].lookup) / median(peer[0].lookup),
           median(peer[NSIZES - 1].store) / median(peer[0].store),
           median(ours[NSIZES - 1].lookup) / median(ours[0].lookup),
           median(ours[NSIZES - 1].store) / median(ours[0].store), sizes[NSIZES - 1] / 1000,
           median(peer[NSIZES - 1].store) * sizes[NSIZES - 1] / 2);
    return 0;
}
