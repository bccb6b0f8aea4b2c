/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * example-server.c - a pre-forked mbedTLS server that shares its TLS session cache through
 * libtlsmgr: the reference for adding tlsmgr to a server.
 *
 *   example-server -c /etc/tlsmgr/tlsmgr.conf -p 4433 -w 4 --cert crt.pem --key key.pem
 *                  [--cache none|mbedtls|tlsmgr] [--tickets off|local] [--tag NAME]
 *
 * N worker processes accept on one listening socket on 127.0.0.1; the kernel gives each
 * connection to any of them. With --cache mbedtls each worker has its own ssl_cache, so a
 * client resumes only when it happens to reach the worker that made its session; with
 * --cache tlsmgr every worker finds every session. Each connection gets one line of text and
 * one line on standard error: "worker PID: TLSv1.2 resumed" or "... new".
 * SIGTERM (or SIGINT) to the parent stops every worker.
 *
 * The tlsmgr part is three calls: tlsmgr_open() once, tlsmgr_ssl_conf() on each
 * mbedtls_ssl_config, tlsmgr_close() at the end. The handle may be opened before fork():
 * the library notices the new process and reopens what it must.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mbedtls/version.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/debug.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#include <psa/crypto.h>
#endif

#include "tlsmgr.h"

#define MAX_WORKERS     64
#define READ_TIMEOUT_MS 5000

enum cache_mode { CACHE_NONE, CACHE_MBEDTLS, CACHE_TLSMGR };

struct options {
    const char *conf_file; /* NULL: libtlsmgr's default */
    const char *port;
    const char *cert;
    const char *key;
    const char *tag;
    int workers;
    enum cache_mode cache;
    int tickets; /* 0 off, 1 mbedTLS's own per-process ticket keys */
};

/* Everything one worker owns. Never share a DRBG or a TLS context across fork(). */
struct worker {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt cert;
    mbedtls_pk_context key;
    mbedtls_ssl_config conf;
    mbedtls_ssl_cache_context cache;
    mbedtls_ssl_ticket_context ticket;
    mbedtls_ssl_context ssl;
    int resumed; /* set by on_debug during a handshake */
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

/* Only wakes sigsuspend() so that the parent reaps the worker. */
static void on_child(int sig)
{
    (void)sig;
}

static void usage(void)
{
    fprintf(stderr, "usage: example-server [-c tlsmgr.conf] -p PORT [-w N] --cert FILE --key "
                    "FILE\n"
                    "       [--cache none|mbedtls|tlsmgr] [--tickets off|local] [--tag NAME]\n");
    exit(2);
}

/*
 * mbedTLS has no public call that says whether a server handshake resumed a session; its
 * debug output is the one public signal: "a session has been resumed" (TLS 1.2, by ID or
 * ticket) and "key exchange mode: psk..." (TLS 1.3 with a ticket). A real server does not
 * need to know and installs no debug hook: this is only for the log line.
 */
static void on_debug(void *arg, int level, const char *file, int line, const char *msg)
{
    struct worker *w = arg;

    (void)level;
    (void)file;
    (void)line;
    if (strstr(msg, "a session has been resumed") != NULL ||
        strstr(msg, "key exchange mode: psk") != NULL)
        w->resumed = 1;
}

static int setup_error(const char *what, int ret)
{
    fprintf(stderr, "example-server: %s: mbedTLS error -0x%04x\n", what, (unsigned)-ret);
    return -1;
}

static int worker_setup(struct worker *w, const struct options *o, struct tlsmgr *t)
{
    static const char pers[] = "example-server";
    int ret;

    memset(w, 0, sizeof(*w));
    mbedtls_entropy_init(&w->entropy);
    mbedtls_ctr_drbg_init(&w->drbg);
    mbedtls_x509_crt_init(&w->cert);
    mbedtls_pk_init(&w->key);
    mbedtls_ssl_config_init(&w->conf);
    mbedtls_ssl_cache_init(&w->cache);
    mbedtls_ssl_ticket_init(&w->ticket);
    mbedtls_ssl_init(&w->ssl);

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    /* 3.x needs PSA before any key or TLS 1.3 work. */
    if (psa_crypto_init() != PSA_SUCCESS)
        return -1;
#endif
    ret = mbedtls_ctr_drbg_seed(&w->drbg, mbedtls_entropy_func, &w->entropy,
                                (const unsigned char *)pers, sizeof(pers) - 1);
    if (ret != 0)
        return setup_error("seeding the DRBG", ret);
    ret = mbedtls_x509_crt_parse_file(&w->cert, o->cert);
    if (ret != 0)
        return setup_error(o->cert, ret);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    ret = mbedtls_pk_parse_keyfile(&w->key, o->key, NULL, mbedtls_ctr_drbg_random, &w->drbg);
#else
    ret = mbedtls_pk_parse_keyfile(&w->key, o->key, NULL);
#endif
    if (ret != 0)
        return setup_error(o->key, ret);
    ret = mbedtls_ssl_config_defaults(&w->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0)
        return setup_error("mbedtls_ssl_config_defaults", ret);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_ssl_conf_min_tls_version(&w->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(&w->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    mbedtls_ssl_conf_rng(&w->conf, mbedtls_ctr_drbg_random, &w->drbg);
    mbedtls_ssl_conf_read_timeout(&w->conf, READ_TIMEOUT_MS);
    mbedtls_ssl_conf_dbg(&w->conf, on_debug, w);
    mbedtls_debug_set_threshold(3);
    ret = mbedtls_ssl_conf_own_cert(&w->conf, &w->cert, &w->key);
    if (ret != 0)
        return setup_error("mbedtls_ssl_conf_own_cert", ret);

    switch (o->cache) {
    case CACHE_MBEDTLS:
        /* The same names in 2.28 and 3.x, though the callback types differ. */
        mbedtls_ssl_conf_session_cache(&w->conf, &w->cache, mbedtls_ssl_cache_get,
                                       mbedtls_ssl_cache_set);
        break;
    case CACHE_TLSMGR:
        /* Installs libtlsmgr's cache callbacks; failures later are just cache misses. */
        if (tlsmgr_ssl_conf(t, &w->conf) != 0) {
            fprintf(stderr, "example-server: tlsmgr_ssl_conf failed\n");
            return -1;
        }
        break;
    case CACHE_NONE:
        break;
    }
    if (o->tickets) {
        ret = mbedtls_ssl_ticket_setup(&w->ticket, mbedtls_ctr_drbg_random, &w->drbg,
                                       MBEDTLS_CIPHER_AES_256_GCM, 86400);
        if (ret != 0)
            return setup_error("mbedtls_ssl_ticket_setup", ret);
        mbedtls_ssl_conf_session_tickets_cb(&w->conf, mbedtls_ssl_ticket_write,
                                            mbedtls_ssl_ticket_parse, &w->ticket);
    }
    return mbedtls_ssl_setup(&w->ssl, &w->conf) == 0 ? 0 : -1;
}

static void worker_free(struct worker *w)
{
    mbedtls_ssl_free(&w->ssl);
    mbedtls_ssl_ticket_free(&w->ticket);
    mbedtls_ssl_cache_free(&w->cache);
    mbedtls_ssl_config_free(&w->conf);
    mbedtls_pk_free(&w->key);
    mbedtls_x509_crt_free(&w->cert);
    mbedtls_ctr_drbg_free(&w->drbg);
    mbedtls_entropy_free(&w->entropy);
}

/* One connection: handshake, one line of text, close_notify. */
static void worker_serve(struct worker *w, mbedtls_net_context *client)
{
    char line[96];
    int ret, len;
    long pid = (long)getpid();

    w->resumed = 0;
    mbedtls_ssl_session_reset(&w->ssl);
    mbedtls_ssl_set_bio(&w->ssl, client, mbedtls_net_send, NULL, mbedtls_net_recv_timeout);
    while ((ret = mbedtls_ssl_handshake(&w->ssl)) != 0) {
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
            fprintf(stderr, "worker %ld: handshake failed: -0x%04x\n", pid, (unsigned)-ret);
            return;
        }
    }
    fprintf(stderr, "worker %ld: %s %s\n", pid, mbedtls_ssl_get_version(&w->ssl),
            w->resumed ? "resumed" : "new");
    len = snprintf(line, sizeof(line), "hello from worker %ld\n", pid);
    while ((ret = mbedtls_ssl_write(&w->ssl, (const unsigned char *)line, (size_t)len)) ==
               MBEDTLS_ERR_SSL_WANT_WRITE ||
           ret == MBEDTLS_ERR_SSL_WANT_READ)
        ;
    mbedtls_ssl_close_notify(&w->ssl);
}

static int worker_run(mbedtls_net_context *listener, const struct options *o, struct tlsmgr *t)
{
    static struct worker w;
    mbedtls_net_context client;

    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    if (worker_setup(&w, o, t) < 0)
        return 2;
    for (;;) {
        mbedtls_net_init(&client);
        if (mbedtls_net_accept(listener, &client, NULL, 0, NULL) != 0)
            continue;
        worker_serve(&w, &client);
        mbedtls_net_free(&client);
    }
}

static void parse_args(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"cert", required_argument, NULL, 'C'},  {"key", required_argument, NULL, 'K'},
        {"cache", required_argument, NULL, 'M'}, {"tickets", required_argument, NULL, 'T'},
        {"tag", required_argument, NULL, 'G'},   {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof(*o));
    o->workers = 4;
    o->cache = CACHE_TLSMGR;
    o->tag = "example";
    while ((c = getopt_long(argc, argv, "c:p:w:", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o->conf_file = optarg;
            break;
        case 'p':
            o->port = optarg;
            break;
        case 'w':
            o->workers = atoi(optarg);
            break;
        case 'C':
            o->cert = optarg;
            break;
        case 'K':
            o->key = optarg;
            break;
        case 'G':
            o->tag = optarg;
            break;
        case 'M':
            if (strcmp(optarg, "none") == 0)
                o->cache = CACHE_NONE;
            else if (strcmp(optarg, "mbedtls") == 0)
                o->cache = CACHE_MBEDTLS;
            else if (strcmp(optarg, "tlsmgr") == 0)
                o->cache = CACHE_TLSMGR;
            else
                usage();
            break;
        case 'T':
            if (strcmp(optarg, "off") == 0)
                o->tickets = 0;
            else if (strcmp(optarg, "local") == 0)
                o->tickets = 1;
            else if (strcmp(optarg, "tlsmgr") == 0) {
                fprintf(stderr, "example-server: --tickets tlsmgr (shared ticket keys) is not "
                                "available in this version; use off or local\n");
                exit(2);
            } else
                usage();
            break;
        default:
            usage();
        }
    }
    if (optind != argc || o->port == NULL || o->cert == NULL || o->key == NULL || o->workers < 1 ||
        o->workers > MAX_WORKERS)
        usage();
}

int main(int argc, char **argv)
{
    struct options o;
    struct tlsmgr *t = NULL;
    struct worker check;
    mbedtls_net_context listener;
    pid_t pids[MAX_WORKERS] = {0}, pid;
    struct sigaction sa;
    sigset_t block, old;
    int i, ret, alive;

    parse_args(argc, argv, &o);
    if (o.cache == CACHE_TLSMGR) {
        /* Once, before fork(): the configuration error shows here, not in every worker. */
        ret = tlsmgr_open(&t, o.conf_file, o.tag);
        if (ret != 0) {
            fprintf(stderr, "example-server: tlsmgr_open failed (%d)\n", ret);
            return 2;
        }
    }
    /* Try the whole set-up once so that a bad certificate or key stops us before forking. */
    ret = worker_setup(&check, &o, t);
    worker_free(&check);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    /* Each worker must start PSA with its own entropy: a random generator state copied by
     * fork() would give every worker the same "random" ephemeral keys. */
    mbedtls_psa_crypto_free();
#endif
    if (ret < 0)
        return 2;

    mbedtls_net_init(&listener);
    ret = mbedtls_net_bind(&listener, "127.0.0.1", o.port, MBEDTLS_NET_PROTO_TCP);
    if (ret != 0) {
        fprintf(stderr, "example-server: cannot listen on 127.0.0.1:%s: -0x%04x\n", o.port,
                (unsigned)-ret);
        return 1;
    }

    /* SIGTERM is blocked until sigsuspend, so it cannot slip in between the checks. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_child;
    sigaction(SIGCHLD, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);

    for (i = 0; i < o.workers; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            _exit(worker_run(&listener, &o, t));
        }
        if (pids[i] < 0) {
            fprintf(stderr, "example-server: fork: %s\n", strerror(errno));
            stop = 1;
            break;
        }
    }
    fprintf(stderr, "example-server: %d workers on 127.0.0.1:%s, cache %s, tickets %s\n", i, o.port,
            o.cache == CACHE_TLSMGR    ? "tlsmgr"
            : o.cache == CACHE_MBEDTLS ? "mbedtls"
                                       : "none",
            o.tickets ? "local" : "off");

    /* The parent only waits: a worker that dies is not replaced (this is an example). */
    alive = i;
    stop = stop || alive == 0;
    while (!stop && alive > 0) {
        sigsuspend(&old);
        while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
            for (i = 0; i < o.workers; i++)
                if (pids[i] == pid) {
                    fprintf(stderr, "example-server: worker %ld exited\n", (long)pid);
                    pids[i] = 0;
                    alive--;
                }
    }
    for (i = 0; i < o.workers; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGTERM);
    while (wait(NULL) > 0 || errno == EINTR)
        ;
    mbedtls_net_free(&listener);
    tlsmgr_close(t);
    return 0;
}
