/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * example-server.c - a pre-forked HTTPS server on mbedTLS that shares its TLS session cache and
 * session ticket keys and seeds its random generators through libtlsmgr: the reference for
 * adding tlsmgr to a server.
 *
 *   example-server -c /etc/tlsmgr/tlsmgr.conf -p 4433 -w 4 --cert crt.pem --key key.pem
 *                  [--cache none|mbedtls|tlsmgr] [--tickets off|local|tlsmgr] [--tag NAME]
 *   curl -k https://127.0.0.1:4433/
 *
 * N worker processes accept on one listening socket on 127.0.0.1; the kernel gives each
 * connection to any of them. With --cache mbedtls each worker has its own ssl_cache, so a
 * client resumes only when it happens to reach the worker that made its session; with
 * --cache tlsmgr every worker finds every session. Tickets work the same way: --tickets local
 * gives each worker mbedTLS's own keys, --tickets tlsmgr the keys the daemon shares, so a
 * TLS 1.3 or TLS 1.2 ticket resumes on any worker. --tickets tlsmgr is the default with
 * --cache tlsmgr (the default too: the env names both); --cache none and mbedtls with
 * --tickets off or local use no tlsmgr at all.
 *
 * Each worker reads one HTTP/1.0 (or 1.1) request, answers a GET with a one-line page, e.g.
 * "worker 812: TLSv1.2, resumed by session ID", and anything else with 400, then closes the TLS
 * connection properly: close_notify both ways. It logs the page line, the answer and how the
 * client closed on standard error. SIGTERM (or SIGINT) to the parent stops every worker.
 *
 * What a server author needs, in order (look for "tlsmgr:" below):
 *   1. main(): tlsmgr_open() once, before fork(): configuration errors show once, at start;
 *   2. worker_setup(), in each worker after fork(): tlsmgr_entropy_source() as a seed source
 *      for the worker's own DRBG, then tlsmgr_ssl_conf() on its mbedtls_ssl_config (session
 *      cache and ticket callbacks);
 *   3. worker_run(): the usual accept loop, nothing tlsmgr-specific per connection;
 *   4. main(): tlsmgr_close() at the end.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
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

#define MAX_WORKERS 64
#define REQUEST_MS  10000 /* for the handshake and the request together */
#define CLOSE_MS    1000  /* for the client's close_notify after ours */
#define REQUEST_MAX 2048  /* bytes of request line and headers */

enum cache_mode { CACHE_NONE, CACHE_MBEDTLS, CACHE_TLSMGR };
enum ticket_mode { TICKETS_DEFAULT, TICKETS_OFF, TICKETS_LOCAL, TICKETS_TLSMGR };

struct options {
    const char *conf_file; /* NULL: libtlsmgr's default */
    const char *port;
    const char *cert;
    const char *key;
    const char *tag;
    int workers;
    enum cache_mode cache;
    enum ticket_mode tickets;
};

/* Everything one worker owns. Never share a DRBG or a TLS context across fork(). */
struct worker {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt cert;
    mbedtls_pk_context key;
    mbedtls_ssl_config conf;
    mbedtls_ssl_cache_context cache;
    mbedtls_ssl_context ssl;
    /* The ticket key source: its callbacks and their context (see tickets_setup). */
    mbedtls_ssl_ticket_context ticket;
    mbedtls_ssl_ticket_write_t *ticket_write;
    mbedtls_ssl_ticket_parse_t *ticket_parse;
    void *ticket_ctx;
    /* What the current handshake did (see on_debug and the ticket wrappers). */
    int sent_cert, ticket_accepted, ticket_issued;
};

/* The client's socket, with one deadline for a whole phase of the exchange. */
struct conn {
    mbedtls_net_context net;
    int64_t deadline; /* now_ms() */
    int peer_end;     /* 0 while the client may still send, else why it cannot (see tls_read) */
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

static int setup_error(const char *what, int ret)
{
    fprintf(stderr, "example-server: %s: mbedTLS error -0x%04x\n", what, (unsigned)-ret);
    return -1;
}

/* --- How the handshake resumed ------------------------------------------------------------
 * mbedTLS (2.28 and 3.6) has no public call that tells a server whether a handshake resumed.
 * What it does tell: a full handshake sends the server's certificate (TLS 1.2 and 1.3), a
 * resumed one does not, and its debug output (level 2, when built with MBEDTLS_DEBUG_C as
 * Debian's 2.28 and the default 3.6 are) names that step. A TLS 1.3 resumption is always by
 * ticket; a TLS 1.2 one is by ticket when the ticket callbacks (wrapped below, whatever key
 * source tickets_setup chose) accepted the client's ticket, else by session ID. Only the log
 * line and the page need this: a server that does not report it needs none of it. */
#if defined(MBEDTLS_DEBUG_C)
static void on_debug(void *arg, int level, const char *file, int line, const char *msg)
{
    struct worker *w = arg;

    (void)level;
    (void)file;
    (void)line;
    /* The message may start with the context's address (threading builds). */
    if (strstr(msg, "=> write certificate\n") != NULL)
        w->sent_cert = 1;
}
#endif

static int ticket_write(void *arg, const mbedtls_ssl_session *session, unsigned char *start,
                        const unsigned char *end, size_t *tlen, uint32_t *lifetime)
{
    struct worker *w = arg;
    int ret = w->ticket_write(w->ticket_ctx, session, start, end, tlen, lifetime);

    if (ret == 0)
        w->ticket_issued = 1;
    return ret;
}

static int ticket_parse(void *arg, mbedtls_ssl_session *session, unsigned char *buf, size_t len)
{
    struct worker *w = arg;
    int ret = w->ticket_parse(w->ticket_ctx, session, buf, len);

    if (ret == 0)
        w->ticket_accepted = 1;
    return ret;
}

static const char *session_kind(const struct worker *w)
{
#if !defined(MBEDTLS_DEBUG_C)
    return "new or resumed: not known without MBEDTLS_DEBUG_C";
#endif
    if (w->sent_cert)
        return w->ticket_issued ? "new session, ticket issued" : "new session";
    if (w->ticket_accepted || strcmp(mbedtls_ssl_get_version(&w->ssl), "TLSv1.3") == 0)
        return "resumed by ticket";
    return "resumed by session ID";
}

/* --- Ticket keys ----------------------------------------------------------------------------
 * The one place that chooses where ticket keys come from. --tickets local: mbedTLS's own
 * ticket context, with keys of this process only, so a ticket resumes only on the worker
 * that issued it. --tickets tlsmgr: the callbacks tlsmgr_ssl_conf() installed, with the keys
 * the daemon shares (wrapped here only for the log line; a server that does not report how it
 * resumed leaves what tlsmgr_ssl_conf() installed as it is). */
static int tickets_setup(struct worker *w, const struct options *o, struct tlsmgr *t)
{
    int ret;

    switch (o->tickets) {
    case TICKETS_DEFAULT: /* resolved in main */
    case TICKETS_OFF:
        /* tlsmgr_ssl_conf() may have installed ticket callbacks: none at all here. */
        mbedtls_ssl_conf_session_tickets_cb(&w->conf, NULL, NULL, NULL);
        return 0;
    case TICKETS_TLSMGR:
        w->ticket_write = tlsmgr_ticket_write;
        w->ticket_parse = tlsmgr_ticket_parse;
        w->ticket_ctx = t;
        break;
    case TICKETS_LOCAL:
        ret = mbedtls_ssl_ticket_setup(&w->ticket, mbedtls_ctr_drbg_random, &w->drbg,
                                       MBEDTLS_CIPHER_AES_256_GCM, 86400);
        if (ret != 0)
            return setup_error("mbedtls_ssl_ticket_setup", ret);
        w->ticket_write = mbedtls_ssl_ticket_write;
        w->ticket_parse = mbedtls_ssl_ticket_parse;
        w->ticket_ctx = &w->ticket;
        break;
    }
    mbedtls_ssl_conf_session_tickets_cb(&w->conf, ticket_write, ticket_parse, w);
    return 0;
}

/* --- One worker's TLS set-up ----------------------------------------------------------------- */
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
    if (t != NULL) {
        /* tlsmgr: the daemon's pool, mixed with the kernel RNG and this process's pid, as one
         * more strong source: a device that boots with little entropy still seeds well, and
         * no two workers can start from the same state. */
        ret = mbedtls_entropy_add_source(&w->entropy, tlsmgr_entropy_source, t, 32,
                                         MBEDTLS_ENTROPY_SOURCE_STRONG);
        if (ret != 0)
            return setup_error("mbedtls_entropy_add_source", ret);
    }
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
#if defined(MBEDTLS_DEBUG_C)
    mbedtls_ssl_conf_dbg(&w->conf, on_debug, w);
    mbedtls_debug_set_threshold(2); /* process-wide */
#endif
    ret = mbedtls_ssl_conf_own_cert(&w->conf, &w->cert, &w->key);
    if (ret != 0)
        return setup_error("mbedtls_ssl_conf_own_cert", ret);

    if (t != NULL) {
        /* tlsmgr: the shared session cache and the shared ticket keys. Lookups and stores
         * that fail later (daemon stopped, env missing) are cache misses: the handshake goes
         * on as a full one; without shared keys yet, tickets use keys of this process. */
        if (tlsmgr_ssl_conf(t, &w->conf) != 0) {
            fprintf(stderr, "example-server: tlsmgr_ssl_conf failed\n");
            return -1;
        }
    }
    switch (o->cache) {
    case CACHE_MBEDTLS:
        /* The same names in 2.28 and 3.x, though the callback types differ. */
        mbedtls_ssl_conf_session_cache(&w->conf, &w->cache, mbedtls_ssl_cache_get,
                                       mbedtls_ssl_cache_set);
        break;
    case CACHE_TLSMGR:
        break;
    case CACHE_NONE:
        mbedtls_ssl_conf_session_cache(&w->conf, NULL, NULL, NULL);
        break;
    }
    if (tickets_setup(w, o, t) != 0)
        return -1;
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

/* --- One connection -------------------------------------------------------------------------
 * Reads go through a deadline for the whole phase, not a timeout per read: a client that
 * sends one byte every few seconds must not hold a worker for ever. */
static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int conn_send(void *arg, const unsigned char *buf, size_t len)
{
    struct conn *c = arg;

    return mbedtls_net_send(&c->net, buf, len);
}

static int conn_recv(void *arg, unsigned char *buf, size_t len, uint32_t per_read_ms)
{
    struct conn *c = arg;
    int64_t left = c->deadline - now_ms();

    (void)per_read_ms;
    if (left <= 0)
        return MBEDTLS_ERR_SSL_TIMEOUT;
    return mbedtls_net_recv_timeout(&c->net, buf, len, (uint32_t)left);
}

/* mbedtls_ssl_read that notes in c->peer_end why the client can send no more: its close_notify
 * (MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY), end of stream (MBEDTLS_ERR_SSL_CONN_EOF) or an error. */
static int tls_read(mbedtls_ssl_context *ssl, struct conn *c, void *buf, size_t len)
{
    int ret;

    do
        ret = mbedtls_ssl_read(ssl, buf, len);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret == 0)
        ret = MBEDTLS_ERR_SSL_CONN_EOF;
    if (ret < 0 && ret != MBEDTLS_ERR_SSL_TIMEOUT)
        c->peer_end = ret;
    return ret;
}

/* Reads the request line and headers into req (NUL-terminated). Returns 1 when they ended
 * with an empty line, 0 when they did not within REQUEST_MAX bytes and the deadline, -1 when
 * the client closed first. */
static int read_request(mbedtls_ssl_context *ssl, struct conn *c, char *req, size_t size)
{
    size_t len = 0;
    int ret;

    req[0] = '\0';
    while (len < size - 1) {
        ret = tls_read(ssl, c, req + len, size - 1 - len);
        if (ret <= 0)
            return ret == MBEDTLS_ERR_SSL_TIMEOUT ? 0 : -1;
        if (memchr(req + len, '\0', (size_t)ret) != NULL)
            return 0; /* never valid in a request */
        len += (size_t)ret;
        req[len] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL || strstr(req, "\n\n") != NULL)
            return 1;
    }
    return 0;
}

/* 200 for "GET /target HTTP/1.0" (or 1.1), 400 for anything else. */
static int request_status(const char *req)
{
    const char *eol = req + strcspn(req, "\r\n"), *sp;

    if (strncmp(req, "GET /", 5) != 0)
        return 400;
    sp = strchr(req + 5, ' '); /* the end of the target */
    if (sp == NULL || eol - sp != 9)
        return 400;
    return strncmp(sp, " HTTP/1.0", 9) == 0 || strncmp(sp, " HTTP/1.1", 9) == 0 ? 200 : 400;
}

/* An HTTP/1.0 answer, body one line of text; the connection closes after it. */
static void answer(mbedtls_ssl_context *ssl, int status, const char *line)
{
    char msg[512];
    int len, ret;

    len = snprintf(msg, sizeof(msg),
                   "HTTP/1.0 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                   "Connection: close\r\n\r\n%s\n",
                   status == 200 ? "200 OK" : "400 Bad Request", strlen(line) + 1, line);
    if (len <= 0 || (size_t)len >= sizeof(msg))
        return;
    /* Shorter than any record may be (at least 512 bytes): written whole, or not at all. */
    do
        ret = mbedtls_ssl_write(ssl, (const unsigned char *)msg, (size_t)len);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
}

/* The TLS close: our close_notify, then the client's, read within CLOSE_MS. Closing the socket
 * with the client's data still unread would make the kernel send a reset, which the client
 * sees as an error, possibly before it read our answer. Returns how the client's side ended. */
static const char *tls_close(mbedtls_ssl_context *ssl, struct conn *c)
{
    unsigned char drain[256];

    mbedtls_ssl_close_notify(ssl);
    c->deadline = now_ms() + CLOSE_MS;
    while (c->peer_end == 0 && tls_read(ssl, c, drain, sizeof(drain)) > 0)
        ;
    switch (c->peer_end) {
    case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
        return "close_notify received";
    case 0:
        return "no close_notify (timed out)";
    case MBEDTLS_ERR_SSL_CONN_EOF:
        return "no close_notify (end of stream)";
    case MBEDTLS_ERR_NET_CONN_RESET:
        return "no close_notify (reset by the client)";
    default:
        return "no close_notify (error)";
    }
}

static void worker_serve(struct worker *w, struct conn *c)
{
    char req[REQUEST_MAX + 1], page[128];
    long pid = (long)getpid();
    int ret, status;

    w->sent_cert = w->ticket_accepted = w->ticket_issued = 0;
    c->peer_end = 0;
    c->deadline = now_ms() + REQUEST_MS;
    mbedtls_ssl_session_reset(&w->ssl);
    mbedtls_ssl_set_bio(&w->ssl, c, conn_send, NULL, conn_recv);
    while ((ret = mbedtls_ssl_handshake(&w->ssl)) != 0) {
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
            fprintf(stderr, "worker %ld: handshake failed: -0x%04x\n", pid, (unsigned)-ret);
            return;
        }
    }
    snprintf(page, sizeof(page), "worker %ld: %s, %s", pid, mbedtls_ssl_get_version(&w->ssl),
             session_kind(w));
    ret = read_request(&w->ssl, c, req, sizeof(req));
    if (ret < 0) {
        fprintf(stderr, "%s; no request; %s\n", page, tls_close(&w->ssl, c));
        return;
    }
    status = ret == 1 ? request_status(req) : 400;
    answer(&w->ssl, status, status == 200 ? page : "bad request");
    fprintf(stderr, "%s; answered %d; %s\n", page, status, tls_close(&w->ssl, c));
}

static int worker_run(mbedtls_net_context *listener, const struct options *o, struct tlsmgr *t)
{
    static struct worker w;
    struct conn c;
    int one = 1;

    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    if (worker_setup(&w, o, t) < 0)
        return 2;
    for (;;) {
        mbedtls_net_init(&c.net);
        if (mbedtls_net_accept(listener, &c.net, NULL, 0, NULL) != 0)
            continue;
        /* mbedTLS sends each handshake message, and the close_notify, in a send() of its own:
         * without this, Nagle's algorithm holds each small one back until the client has
         * acknowledged the previous one (tens of ms per TLS 1.2 handshake). */
        setsockopt(c.net.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        worker_serve(&w, &c);
        mbedtls_net_free(&c.net);
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: example-server [-c tlsmgr.conf] -p PORT [-w N] --cert FILE --key "
                    "FILE\n"
                    "       [--cache none|mbedtls|tlsmgr] [--tickets off|local|tlsmgr] [--tag "
                    "NAME]\n");
    exit(2);
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
    o->tickets = TICKETS_DEFAULT;
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
                o->tickets = TICKETS_OFF;
            else if (strcmp(optarg, "local") == 0)
                o->tickets = TICKETS_LOCAL;
            else if (strcmp(optarg, "tlsmgr") == 0)
                o->tickets = TICKETS_TLSMGR;
            else
                usage();
            break;
        default:
            usage();
        }
    }
    /* Shared tickets by default wherever the tlsmgr env is used. */
    if (o->tickets == TICKETS_DEFAULT)
        o->tickets = o->cache == CACHE_TLSMGR ? TICKETS_TLSMGR : TICKETS_OFF;
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
    int i, ret, alive, status;

    parse_args(argc, argv, &o);
    if (o.cache == CACHE_TLSMGR || o.tickets == TICKETS_TLSMGR) {
        /* tlsmgr: one handle, opened before fork() so that a bad configuration stops the
         * server here, once; every worker uses it (the library reopens what it must in a
         * new process). */
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

    /* A client that goes away while a worker writes must not kill the worker. */
    signal(SIGPIPE, SIG_IGN);
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
            o.tickets == TICKETS_LOCAL    ? "local"
            : o.tickets == TICKETS_TLSMGR ? "tlsmgr"
                                          : "off");

    /* The parent only waits: a worker that dies is not replaced (this is an example). */
    alive = i;
    stop = stop || alive == 0;
    while (!stop && alive > 0) {
        sigsuspend(&old);
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
            for (i = 0; i < o.workers; i++)
                if (pids[i] == pid) {
                    if (WIFSIGNALED(status))
                        fprintf(stderr, "example-server: worker %ld exited, killed by signal %d\n",
                                (long)pid, WTERMSIG(status));
                    else
                        fprintf(stderr, "example-server: worker %ld exited, status %d\n", (long)pid,
                                WEXITSTATUS(status));
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
    /* tlsmgr: every worker has gone; close the handle last. */
    tlsmgr_close(t);
    return 0;
}
