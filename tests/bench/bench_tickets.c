/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_tickets.c - what a TLS server pays per ticket with libtlsmgr's shared keys
 * (tlsmgr_ticket_write + tlsmgr_ticket_parse: a key copied under the library lock, the IV
 * drawn, AES-256-GCM) against the peer it replaces, mbedTLS's own ssl_ticket context with
 * keys of the process, measured in the same run on the same session; and what one read of
 * the slots from the env costs (one LMDB read transaction), which libtlsmgr does only when
 * the slots may have changed rather than per handshake. CPU time of the thread, median of 7
 * runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The peer checks the session's own times: the bench sets them as a server handshake would. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS
#include "mbedtls_compat.h"
#include <mbedtls/platform_time.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ticket.h>
#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
#include <psa/crypto.h>
#endif

#include "cache_env.h"
#include "cache_repair.h"
#include "log.h"
#include "port.h"
#include "ticket_store.h"
#include "tlsmgr.h"

#define RUNS  7
#define OPS   20000
#define READS 100000

#include "bench.h"

typedef int (*write_fn)(void *, const mbedtls_ssl_session *, unsigned char *, const unsigned char *,
                        size_t *, uint32_t *);
typedef int (*parse_fn)(void *, mbedtls_ssl_session *, unsigned char *, size_t);

static int kernel_rng(void *arg, unsigned char *out, size_t len)
{
    (void)arg;
    return port_getrandom(out, len) == (long)len ? 0 : -1;
}

/* Seconds for OPS tickets written and parsed back; -1 when one fails. */
static double time_tickets(write_fn w, parse_fn p, void *ctx, const mbedtls_ssl_session *s)
{
    unsigned char buf[512];
    mbedtls_ssl_session out;
    double t0 = thread_cpu_s();
    size_t len;
    uint32_t life;
    int i;

    for (i = 0; i < OPS; i++) {
        if (w(ctx, s, buf, buf + sizeof(buf), &len, &life) != 0)
            return -1;
        mbedtls_ssl_session_init(&out);
        if (p(ctx, &out, buf, len) != 0)
            return -1;
        mbedtls_ssl_session_free(&out);
    }
    return thread_cpu_s() - t0;
}

static int make_env(const char *dir, struct tlsmgr_conf *c)
{
    struct cache_env ce;
    struct ticket_slots s;
    int rc;

    conf_defaults(c);
    snprintf(c->state_directory, sizeof(c->state_directory), "%s", dir);
    snprintf(c->cache_database, sizeof(c->cache_database), "%s/cache", dir);
    memset(&s, 0, sizeof(s));
    if (cache_repair_open(&ce, c, port_uid(), port_gid()) < 0)
        return -1;
    rc = ticket_slots_advance(&s, port_wall_time(), 43200, kernel_rng, NULL) < 0 ||
         ticket_store_write(&ce, &s) != 0;
    ticket_slots_wipe(&s);
    cache_env_close(&ce);
    return rc ? -1 : 0;
}

int main(void)
{
    char dir[] = "/tmp/bench_tickets.XXXXXX", path[128], cmd[160];
    double ours[RUNS], peer[RUNS], reads[RUNS], o, k;
    struct tlsmgr_conf c;
    struct tlsmgr *t = NULL;
    struct cache_env ce;
    struct ticket_slots slots;
    mbedtls_ssl_config conf;
    mbedtls_ssl_ticket_context local;
    mbedtls_ssl_session s;
    FILE *f;
    int r, i, status = 1;

    log_enable(0);
#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
    if (psa_crypto_init() != PSA_SUCCESS)
        return 1;
#endif
    if (mkdtemp(dir) == NULL || make_env(dir, &c) < 0) {
        fprintf(stderr, "bench_tickets: cannot make an env in %s\n", dir);
        return 1;
    }
    snprintf(path, sizeof(path), "%s/tlsmgr.conf", dir);
    f = fopen(path, "w");
    if (f == NULL || fprintf(f, "state_directory = %s\n", dir) < 0 || fclose(f) != 0)
        return 1;
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_ticket_init(&local);
    mbedtls_ssl_session_init(&s);
    TLSMGR_SESSION_SET_TLS12(&s);
    s.MBEDTLS_PRIVATE(start) = time(NULL);
#if TLSMGR_MBEDTLS_3
    s.MBEDTLS_PRIVATE(endpoint) = MBEDTLS_SSL_IS_SERVER;
    s.MBEDTLS_PRIVATE(ticket_creation_time) = mbedtls_ms_time();
#endif
    if (mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
        tlsmgr_open(&t, path, "bench") != 0 || tlsmgr_ssl_conf(t, &conf) != 0 ||
        mbedtls_ssl_ticket_setup(&local, kernel_rng, NULL, MBEDTLS_CIPHER_AES_256_GCM, 43200) !=
            0) {
        fprintf(stderr, "bench_tickets: set-up failed\n");
        goto out;
    }
    printf("bench_tickets: %d tickets written and parsed per run, median of %d runs\n", OPS, RUNS);
    for (r = 0; r < RUNS; r++) {
        peer[r] = time_tickets(mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse, &local, &s);
        ours[r] = time_tickets(tlsmgr_ticket_write, tlsmgr_ticket_parse, t, &s);
        if (ours[r] < 0 || peer[r] < 0) {
            fprintf(stderr, "bench_tickets: a ticket failed\n");
            goto out;
        }
    }
    o = median(ours) / OPS * 1e6;
    k = median(peer) / OPS * 1e6;
    printf("bench ticket_write_parse: ours %.2f us, peer %.2f us (mbedTLS ssl_ticket, keys of "
           "the process), ratio %.2f\n",
           o, k, o / k);
    /* What a read of the slots per handshake would add. The handle's env is this process's
     * only one: close it first (LMDB forbids two in a process). */
    tlsmgr_close(t);
    t = NULL;
    if (cache_env_open(&ce, &c, CACHE_ROLE_CLIENT) < 0)
        goto out;
    for (r = 0; r < RUNS; r++) {
        double t0 = thread_cpu_s();

        for (i = 0; i < READS; i++)
            if (ticket_store_read(&ce, &slots, NULL) != 0)
                break;
        reads[r] = thread_cpu_s() - t0;
    }
    ticket_slots_wipe(&slots);
    cache_env_close(&ce);
    printf("  one read of the slots         %6.2f us (%.0f %% of a ticket; done only when the "
           "slots may have changed)\n",
           median(reads) / READS * 1e6, median(reads) / READS * 1e6 / o * 100);
    status = 0;
out:
    tlsmgr_close(t);
    mbedtls_ssl_session_free(&s);
    mbedtls_ssl_ticket_free(&local);
    mbedtls_ssl_config_free(&conf);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_tickets: cannot remove %s\n", dir);
    return status;
}
