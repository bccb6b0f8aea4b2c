/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_resume.c - resumption across processes, as a TLS server sees it: the real daemon on a
 * private state directory, the example server (build/example-server) with WORKERS pre-forked
 * workers accepting on one socket, the kernel handing each connection to any of them, and
 * CLIENTS client processes (mbedTLS, in this file) making connections for ROW_S seconds,
 * each connection resuming the session its client got last. A connection is: TCP connect, the
 * handshake, "GET / HTTP/1.0", the one-line page (which names the worker and says whether the
 * handshake was new or resumed, and how), close_notify both ways. A TLS 1.3 ticket comes
 * after the handshake: the client takes its session once the NewSessionTicket is read, before
 * the page.
 *
 * For TLS 1.2 session IDs, TLS 1.2 tickets and (with mbedTLS 3.6) TLS 1.3 tickets, three
 * servers: none (no cache, no tickets: every handshake full: the full-handshake rate), mbedtls
 * (ssl_cache and ssl_ticket keys of each worker: a client resumes only on the worker that made
 * its session) and tlsmgr (the shared env and keys through libtlsmgr). Figures: the share of
 * connections that offered a session and resumed, and handshakes per second; the ratio
 * tlsmgr / peer. Targets: >= 95 % resumed in every tlsmgr row, and resumed handshakes >= 3x
 * the full-handshake rate. A TLS 1.3 resumption still does an ECDHE exchange (psk_dhe_ke);
 * the extra tlsmgr row where the client offers psk_ke alone shows what that exchange costs.
 * Median of RUNS rounds, the rows interleaved in each round.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mbedtls_compat.h"
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#if TLSMGR_MBEDTLS_3
#include <psa/crypto.h>
#endif

#define RUNS     5 /* rounds */
#define WORKERS  8
#define CLIENTS  4
#define ROW_S    1.0 /* each client makes connections for this long, per row and round */
#define MAX_PIDS 16
/* Targets. */
#define SHARE_TARGET 95.0
#define RATE_TARGET  3.0

#include "bench.h"
#include "bench_proc.h"

enum proto { P_TLS12_ID, P_TLS12_TICKET, P_TLS13_TICKET, P_TLS13_PSK, NPROTOS };
enum server { S_NONE, S_MBEDTLS, S_TLSMGR, NSERVERS };

static const char *const proto_name[NPROTOS] = {"TLS 1.2 session ID", "TLS 1.2 ticket",
                                                "TLS 1.3 ticket", "TLS 1.3 ticket, psk_ke"};
static const char *const proto_tag[NPROTOS] = {"tls12_id", "tls12_ticket", "tls13_ticket",
                                               "tls13_psk_ke"};
static const char *const server_name[NSERVERS] = {"none (every handshake full)",
                                                  "mbedtls (per worker)", "tlsmgr (shared)"};

/* What one client process reports. */
struct tally {
    unsigned conns, offered, resumed, failed, npids;
    long pids[MAX_PIDS];
};

struct row {
    double rate[RUNS], share[RUNS], cpu[RUNS]; /* cpu: server CPU seconds per handshake */
    unsigned workers, failed;
};

/* Server CPU seconds of a start and stop without clients, per server kind (its workers'
 * set-up), taken off each row's. */
static double idle_cpu[NSERVERS];

static char dir[128], conf[160], cert[160], key[160], server_bin[512];

/* The client's configuration for one protocol; `resume`: for connections that offer a
 * session (they differ for psk_ke only). */
static int client_conf(mbedtls_ssl_config *c, enum proto p, int resume,
                       mbedtls_ctr_drbg_context *drbg)
{
    if (mbedtls_ssl_config_defaults(c, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return -1;
    /* The bench measures the server; the client checks nothing it does not need. */
    mbedtls_ssl_conf_authmode(c, MBEDTLS_SSL_VERIFY_NONE);
    mbedtls_ssl_conf_rng(c, mbedtls_ctr_drbg_random, drbg);
    mbedtls_ssl_conf_session_tickets(c, p == P_TLS12_ID ? MBEDTLS_SSL_SESSION_TICKETS_DISABLED
                                                        : MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#if TLSMGR_MBEDTLS_3
    if (p == P_TLS12_ID || p == P_TLS12_TICKET) {
        mbedtls_ssl_conf_max_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
    } else {
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
        mbedtls_ssl_conf_min_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_3);
        mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
            c, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
        /* psk_ke: a resumption without the ECDHE exchange. The server prefers a full
         * handshake (ephemeral) to psk_ke when the client offers both, so a resuming
         * connection offers psk_ke alone (and sends no key share); the first one offers
         * ephemeral too, to get its first ticket, which then allows psk_ke. */
        if (p == P_TLS13_PSK)
            mbedtls_ssl_conf_tls13_key_exchange_modes(
                c, resume ? MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK
                          : MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK |
                                MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL);
#else
        return -1;
#endif
    }
#else
    (void)resume;
    if (p != P_TLS12_ID && p != P_TLS12_TICKET)
        return -1;
    mbedtls_ssl_conf_max_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    return 0;
}

static void note_pid(struct tally *t, long pid)
{
    unsigned i;

    for (i = 0; i < t->npids; i++)
        if (t->pids[i] == pid)
            return;
    if (t->npids < MAX_PIDS)
        t->pids[t->npids++] = pid;
}

/*
 * One connection: resumes *saved when have_saved, then keeps the session it ends with in
 * *saved. Returns 1 resumed, 0 new, -1 failed.
 */
static int one_conn(mbedtls_ssl_context *ssl, const char *port, mbedtls_ssl_session *saved,
                    int *have_saved, struct tally *t)
{
    static const char get[] = "GET / HTTP/1.0\r\n\r\n";
    char page[1024], *line;
    size_t len = 0;
    mbedtls_net_context net;
    int ret, one = 1, took = 0, result = -1;

    mbedtls_net_init(&net);
    if (mbedtls_net_connect(&net, "127.0.0.1", port, MBEDTLS_NET_PROTO_TCP) != 0)
        return -1;
    setsockopt(net.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    mbedtls_ssl_session_reset(ssl);
    mbedtls_ssl_set_bio(ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
    if (*have_saved && mbedtls_ssl_set_session(ssl, saved) != 0)
        goto out;
    while ((ret = mbedtls_ssl_handshake(ssl)) != 0)
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE)
            goto out;
    /* TLS 1.2: the session (and any ticket) is complete once the handshake is. */
    if (strcmp(mbedtls_ssl_get_version(ssl), "TLSv1.3") != 0) {
        mbedtls_ssl_session_free(saved);
        mbedtls_ssl_session_init(saved);
        took = mbedtls_ssl_get_session(ssl, saved) == 0;
    }
    if (mbedtls_ssl_write(ssl, (const unsigned char *)get, sizeof(get) - 1) !=
        (int)(sizeof(get) - 1))
        goto out;
    for (;;) {
        ret = mbedtls_ssl_read(ssl, (unsigned char *)page + len, sizeof(page) - 1 - len);
        if (ret > 0) {
            len += (size_t)ret;
            if (len == sizeof(page) - 1)
                break;
            continue;
        }
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
        if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
            mbedtls_ssl_session_free(saved);
            mbedtls_ssl_session_init(saved);
            took = mbedtls_ssl_get_session(ssl, saved) == 0;
            continue;
        }
#endif
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
            continue;
        break; /* close_notify, end of stream or an error: the page is what came */
    }
    page[len] = '\0';
    mbedtls_ssl_close_notify(ssl);
    line = strstr(page, "\r\n\r\nworker ");
    if (line == NULL)
        goto out;
    note_pid(t, strtol(line + 11, NULL, 10));
    if (strstr(line, "resumed by") != NULL)
        result = 1;
    else if (strstr(line, "new session") != NULL)
        result = 0;
out:
    /* A server without tickets gives a TLS 1.3 client nothing to resume. */
    *have_saved = took;
    mbedtls_net_free(&net);
    return result;
}

/* A client process: connections for ROW_S seconds, then its tally on fd. */
static void client_run(enum proto p, const char *port, int go, int fd)
{
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ssl_config c[2]; /* [1]: for connections that offer a session */
    mbedtls_ssl_context ssl[2];
    mbedtls_ssl_session saved;
    struct tally t;
    char byte;
    double end;
    int have = 0, i;

    memset(&t, 0, sizeof(t));
#if TLSMGR_MBEDTLS_3
    if (psa_crypto_init() != PSA_SUCCESS)
        _exit(1);
#endif
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ssl_session_init(&saved);
    if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0) != 0)
        _exit(1);
    for (i = 0; i < 2; i++) {
        mbedtls_ssl_config_init(&c[i]);
        mbedtls_ssl_init(&ssl[i]);
        if (client_conf(&c[i], p, i, &drbg) != 0 || mbedtls_ssl_setup(&ssl[i], &c[i]) != 0 ||
            mbedtls_ssl_set_hostname(&ssl[i], "localhost") != 0)
            _exit(1);
    }
    /* Every client starts when the parent says so. */
    if (read(go, &byte, 1) < 0)
        _exit(1);
    for (end = now_s() + ROW_S; now_s() < end;) {
        int offered = have, r = one_conn(&ssl[have], port, &saved, &have, &t);

        t.conns++;
        t.offered += offered && r >= 0;
        t.resumed += r == 1;
        t.failed += r < 0;
    }
    if (write(fd, &t, sizeof(t)) != (ssize_t)sizeof(t))
        _exit(1);
    _exit(0);
}

static int free_port(char *out, size_t cap)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), rc = -1;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
        snprintf(out, cap, "%u", ntohs(a.sin_port));
        rc = 0;
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The example server for (p, s) on a free port, once it accepts. Returns its pid or -1. */
static pid_t server_start(enum proto p, enum server s, char *port, size_t cap)
{
    static const char *const cache[NSERVERS] = {"none", "mbedtls", "tlsmgr"};
    const char *tickets = s == S_NONE ? "off" : s == S_MBEDTLS ? "local" : "tlsmgr";
    char log[200], workers[8];
    char *argv[] = {server_bin,
                    "-c",
                    conf,
                    "-p",
                    port,
                    "-w",
                    workers,
                    "--cert",
                    cert,
                    "--key",
                    key,
                    "--cache",
                    (char *)cache[s],
                    "--tickets",
                    (char *)tickets,
                    NULL};
    mbedtls_net_context probe;
    pid_t pid;
    int i;

    if (p == P_TLS12_ID)
        tickets = "off"; /* the ID cache alone: a server that issues tickets sends no ID */
    argv[14] = (char *)tickets;
    snprintf(workers, sizeof(workers), "%d", WORKERS);
    snprintf(log, sizeof(log), "%s/server.log", dir);
    if (free_port(port, cap) < 0 || (pid = bench_spawn(log, argv)) < 0)
        return -1;
    for (i = 0; i < 100; i++) {
        mbedtls_net_init(&probe);
        if (mbedtls_net_connect(&probe, "127.0.0.1", port, MBEDTLS_NET_PROTO_TCP) == 0) {
            mbedtls_net_free(&probe);
            usleep(100000); /* every worker set up */
            return pid;
        }
        if (waitpid(pid, NULL, WNOHANG) != 0)
            break;
        usleep(50000);
    }
    fprintf(stderr, "bench_resume: the example server did not start (see %s)\n", log);
    bench_stop(pid);
    return -1;
}

/* One row, one round: the server, CLIENTS clients started together. Returns 0 or -1. */
static int run_row(enum proto p, enum server s, struct row *row, int round)
{
    struct tally t, all;
    char port[16];
    int go[2], res[2], i;
    unsigned j, k;
    pid_t server, kids[CLIENTS];
    double t0, cpu = 0;

    server = server_start(p, s, port, sizeof(port));
    if (server < 0 || pipe(go) < 0 || pipe(res) < 0)
        return -1;
    for (i = 0; i < CLIENTS; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            close(go[1]);
            close(res[0]);
            client_run(p, port, go[0], res[1]);
        }
    }
    close(go[0]);
    close(res[1]);
    usleep(200000); /* the clients' own set-up is not timed */
    t0 = now_s();
    close(go[1]); /* every client reads end of file: go */
    memset(&all, 0, sizeof(all));
    for (i = 0; i < CLIENTS; i++) {
        if (read(res[0], &t, sizeof(t)) != (ssize_t)sizeof(t))
            break;
        all.conns += t.conns;
        all.offered += t.offered;
        all.resumed += t.resumed;
        all.failed += t.failed;
        for (j = 0; j < t.npids; j++)
            note_pid(&all, t.pids[j]);
    }
    t0 = now_s() - t0;
    close(res[0]);
    for (i = 0; i < CLIENTS; i++)
        waitpid(kids[i], NULL, 0);
    bench_stop_cpu(server, &cpu);
    if (i < CLIENTS) {
        fprintf(stderr, "bench_resume: a client failed (%s, %s)\n", proto_name[p], server_name[s]);
        return -1;
    }
    k = all.conns - all.failed;
    row->rate[round] = k / t0;
    row->share[round] = all.offered ? 100.0 * all.resumed / all.offered : 0;
    row->cpu[round] = k ? (cpu - idle_cpu[s]) / k : 0;
    row->failed += all.failed;
    if (all.npids > row->workers)
        row->workers = all.npids;
    return 0;
}

int main(int argc, char **argv)
{
    static struct row rows[NPROTOS][NSERVERS];
    const char *v = TLSMGR_MBEDTLS_3 ? "mbedtls3" : "mbedtls2";
    char bin[512], cmd[1024], extra[300];
    int nprotos = 2, p, s, r, status = 1;
    pid_t daemon;

    (void)argc;
#if TLSMGR_MBEDTLS_3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
    nprotos = NPROTOS;
#endif
    signal(SIGPIPE, SIG_IGN);
    bench_build_path(argv[0], "tlsmgr", bin, sizeof(bin));
    bench_build_path(argv[0], "example-server", server_bin, sizeof(server_bin));
    if (bench_tmpdir("bench_resume", dir, sizeof(dir)) < 0) {
        fprintf(stderr, "bench_resume: no temporary directory\n");
        return 1;
    }
    snprintf(conf, sizeof(conf), "%s/tlsmgr.conf", dir);
    snprintf(cert, sizeof(cert), "%s/crt.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
             "-subj /CN=localhost -keyout '%s' -out '%s' >'%s/req.log' 2>&1 && chmod 0644 '%s'",
             key, cert, dir, key);
    snprintf(extra, sizeof(extra), "tls_session_cache_database = lmdb:%s/state/cache\n", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_resume: openssl req failed (see %s/req.log)\n", dir);
        return 1;
    }
    daemon = bench_daemon_start(bin, dir, extra);
    if (daemon < 0)
        goto out;
    for (s = 0; s < NSERVERS; s++) {
        double idle[RUNS];
        char port[16];

        for (r = 0; r < RUNS; r++) {
            pid_t pid = server_start(P_TLS12_TICKET, (enum server)s, port, sizeof(port));

            idle[r] = 0;
            if (pid < 0 || bench_stop_cpu(pid, &idle[r]) != 0)
                goto out;
        }
        idle_cpu[s] = median(idle);
    }
    for (r = 0; r < RUNS; r++)
        for (p = 0; p < nprotos; p++)
            for (s = 0; s < NSERVERS; s++) {
                /* psk_ke is a tlsmgr row only (its peer is the TLS 1.3 none row). */
                if (p == P_TLS13_PSK && s != S_TLSMGR)
                    continue;
                if (run_row((enum proto)p, (enum server)s, &rows[p][s], r) < 0)
                    goto out;
            }
    status = 0;
    printf("bench_resume: mbedTLS %s, example server with %d workers, %d clients making "
           "connections (connect, handshake, GET, page, close) for %.1f s per row, median of %d "
           "rounds\n",
           MBEDTLS_VERSION_STRING, WORKERS, CLIENTS, ROW_S, RUNS);
    for (p = 0; p < nprotos; p++) {
        struct row *full = p == P_TLS13_PSK ? &rows[P_TLS13_TICKET][S_NONE] : &rows[p][S_NONE];
        struct row *peer = &rows[p][S_MBEDTLS], *ours = &rows[p][S_TLSMGR];
        double fr = median(full->rate), orate = median(ours->rate), oshare = median(ours->share);
        const char *t = proto_tag[p];

        printf("  %s:\n    %-28s resumed  handshakes/s  x full rate  server CPU/hs  workers  "
               "failed\n",
               proto_name[p], "server");
        for (s = 0; s < NSERVERS; s++) {
            struct row *w = &rows[p][s];

            if (p == P_TLS13_PSK && s != S_TLSMGR)
                continue;
            printf("    %-28s %5.1f %% %13.0f %11.2fx %10.0f us %8u %7u\n", server_name[s],
                   median(w->share), median(w->rate), median(w->rate) / fr, median(w->cpu) * 1e6,
                   w->workers, w->failed);
        }
        if (p != P_TLS13_PSK) {
            printf("bench resume_%s_%s: ours %.0f hs/s, peer %.0f hs/s (mbedTLS %s per worker), "
                   "ratio %.2f\n",
                   t, v, orate, median(peer->rate), p == P_TLS12_ID ? "ssl_cache" : "ssl_ticket",
                   orate / median(peer->rate));
            printf("bench resume_%s_share_%s: ours %.1f %%, peer %.1f %% (per worker), ratio "
                   "%.1f; target ours >= %.0f %%: %s\n",
                   t, v, oshare, median(peer->share),
                   median(peer->share) > 0 ? oshare / median(peer->share) : 0.0, SHARE_TARGET,
                   verdict(oshare >= SHARE_TARGET));
        }
        printf("bench resume_%s_vs_full_%s: ours %.0f hs/s, peer %.0f hs/s (no resumption), "
               "ratio %.2f; target ratio >= %.0f: %s\n",
               t, v, orate, fr, orate / fr, RATE_TARGET, verdict(orate / fr >= RATE_TARGET));
        if (ours->failed + peer->failed + full->failed > 0)
            status = 1;
    }
    if (status != 0)
        fprintf(stderr, "bench_resume: some connections failed (see %s/server.log)\n", dir);
out:
    if (bench_stop(daemon) != 0)
        status = 1;
    if (status == 0)
        bench_rmrf(dir);
    return status;
}
