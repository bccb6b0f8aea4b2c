/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ticket_client.c - libtlsmgr's session ticket callbacks against the env's shared keys,
 * on the virtual clock: round trip, no read per handshake, a ticket across a rotation and
 * refused once its key has left every slot, damaged tickets and blobs refused cleanly,
 * process keys while the daemon is missing and the shared keys as soon as they appear, a key
 * made behind a process's back found on demand (rate-limited), fork, a replaced env, threads,
 * and real in-memory handshakes: TLS 1.2 tickets and session IDs side by side (both mbedTLS
 * lines) and TLS 1.3 (mbedTLS 3.6), resumed in another process than the one that issued the
 * ticket. The daemon's side runs in forked children, as it would in its own process.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mbedtls_compat.h"
#include <mbedtls/debug.h>
#include <mbedtls/gcm.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
#include <psa/crypto.h>
#endif

#include "cache_env.h"
#include "cache_repair.h"
#include "entropy.h"
#include "port.h"
#include "t.h"
#include "ticket_client.h"
#include "ticket_store.h"
#include "tickets.h"
#include "tls_pair.h"
#include "tlsmgr.h"

#define L 3600
#define P (L / 2)

/* ---- Fixtures -------------------------------------------------------------------------- */

static void write_conf(void)
{
    static const char text[] = "state_directory = state\n"
                               "tls_session_cache_database = lmdb:cache\n"
                               "tls_ticket_key_lifetime = 1h\n";

    mkdir("state", 0700);
    T_EQ_INT(t_write_file("tlsmgr.conf", text, sizeof(text) - 1), 0);
}

static int daemon_env(struct cache_env *ce)
{
    struct tlsmgr_conf c;
    struct conf_error err;

    if (conf_load(&c, "tlsmgr.conf", &err) < 0)
        return -1;
    return cache_repair_open(ce, &c, port_uid(), port_gid());
}

/* What the daemon does at start-up and at each rotation, in a process of its own (LMDB
 * forbids a second open of the env in the test's process): create the env if needed, then
 * rotate what is due at the current virtual time. fresh: start from empty slots. */
static void daemon_run(int fresh)
{
    pid_t pid = fork();
    int status = -1;

    if (pid == 0) {
        struct cache_env ce;
        struct tickets tk;
        struct ticket_slots none;

        memset(&none, 0, sizeof(none));
        port_test_fs = PORT_FS_TMPFS;
        entropy_reset();
        if (daemon_env(&ce) < 0 || (fresh && ticket_store_write(&ce, &none) != 0) ||
            tickets_init(&tk, &ce, NULL, L) < 0 || tk.failures != 0)
            _exit(1);
        cache_env_close(&ce);
        _exit(0);
    }
    T_ASSERT(pid > 0 && waitpid(pid, &status, 0) == pid);
    T_EQ_INT(status, 0);
}

/* The slots as the daemon left them (read in a child, for the same reason). */
static void env_slots(struct ticket_slots *s)
{
    int fd[2];
    pid_t pid;

    memset(s, 0, sizeof(*s));
    T_EQ_INT(pipe(fd), 0);
    pid = fork();
    if (pid == 0) {
        struct cache_env ce;
        struct ticket_slots got;

        if (daemon_env(&ce) < 0 || ticket_store_read(&ce, &got, NULL) != 0 ||
            write(fd[1], &got, sizeof(got)) != (ssize_t)sizeof(got))
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    T_EQ_INT(read(fd[0], s, sizeof(*s)), (long)sizeof(*s));
    close(fd[0]);
    waitpid(pid, NULL, 0);
}

struct server {
    struct tlsmgr *t;
    mbedtls_ssl_config conf;
};

static void crypto_init(void)
{
#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
    T_ASSERT(psa_crypto_init() == PSA_SUCCESS);
#endif
}

static void server_open(struct server *s)
{
    crypto_init();
    T_EQ_INT(tls_pair_conf_psk12(&s->conf, MBEDTLS_SSL_IS_SERVER, NULL, 1), 0);
    T_EQ_INT(tlsmgr_open(&s->t, "tlsmgr.conf", "www"), 0);
    T_EQ_INT(tlsmgr_ssl_conf(s->t, &s->conf), 0);
}

static void server_close(struct server *s)
{
    tlsmgr_close(s->t);
    mbedtls_ssl_config_free(&s->conf);
}

static struct ticket_client_stats stats(struct server *s)
{
    struct ticket_client_stats n;

    memset(&n, 0, sizeof(n));
    T_EQ_INT(ticket_client_stats(s->t, &n), 0);
    return n;
}

/* ---- Tickets through the callbacks ----------------------------------------------------- */

struct ticket {
    unsigned char b[512];
    size_t len;
    uint32_t lifetime;
};

/* A TLS 1.2 session as mbedtls_ssl_session_save() accepts it (its header says the version). */
static void session_make(mbedtls_ssl_session *s)
{
    mbedtls_ssl_session_init(s);
    TLSMGR_SESSION_SET_TLS12(s);
}

static int issue(struct server *s, struct ticket *tk)
{
    mbedtls_ssl_session sess;
    int rc;

    session_make(&sess);
    rc = tlsmgr_ticket_write(s->t, &sess, tk->b, tk->b + sizeof(tk->b), &tk->len, &tk->lifetime);
    mbedtls_ssl_session_free(&sess);
    return rc;
}

/* The parse callback's answer for tk (on a copy: it decrypts in place). */
static int parse(struct server *s, const struct ticket *tk)
{
    unsigned char copy[sizeof(tk->b)];
    mbedtls_ssl_session out;
    int rc;

    memcpy(copy, tk->b, tk->len);
    mbedtls_ssl_session_init(&out);
    rc = tlsmgr_ticket_parse(s->t, &out, copy, tk->len);
    mbedtls_ssl_session_free(&out);
    return rc;
}

static void start(struct server *s)
{
    write_conf();
    daemon_run(1);
    server_open(s);
}

static void round_trip(void)
{
    struct server s;
    struct ticket tk;
    struct ticket_slots env;
    mbedtls_ssl_session in, out;
    unsigned char a[256], b[256], copy[sizeof(tk.b)];
    size_t alen = 0, blen = 0;

    start(&s);
    T_EQ_INT(issue(&s, &tk), 0);
    env_slots(&env);
    T_ASSERT(memcmp(tk.b, env.k[TICKET_SLOT_CURRENT].name, TICKET_WIRE_NAME_LEN) == 0);
    T_EQ_INT(tk.len, TICKET_OVERHEAD + (size_t)(tk.b[16] << 8 | tk.b[17]));
    T_EQ_INT(tk.lifetime, L);
    /* The session comes back as it went. */
    session_make(&in);
    mbedtls_ssl_session_init(&out);
    memcpy(copy, tk.b, tk.len);
    T_EQ_INT(tlsmgr_ticket_parse(s.t, &out, copy, tk.len), 0);
    T_EQ_INT(mbedtls_ssl_session_save(&in, a, sizeof(a), &alen), 0);
    T_EQ_INT(mbedtls_ssl_session_save(&out, b, sizeof(b), &blen), 0);
    T_ASSERT(alen == blen && memcmp(a, b, alen) == 0);
    /* The clear session is not left in the ticket buffer. */
    T_ASSERT(memcmp(copy + TICKET_AAD_LEN, a, alen) != 0);
    mbedtls_ssl_session_free(&in);
    mbedtls_ssl_session_free(&out);
    T_EQ_INT(stats(&s).issued_shared, 1);
    T_EQ_INT(stats(&s).accepted, 1);
    T_EQ_INT(stats(&s).issued_own, 0);
    ticket_slots_wipe(&env);
    server_close(&s);
}

static void no_read_per_handshake(void)
{
    struct server s;
    struct ticket tk;
    int i;

    start(&s);
    for (i = 0; i < 100; i++) {
        T_EQ_INT(issue(&s, &tk), 0);
        T_EQ_INT(parse(&s, &tk), 0);
        port_test_advance(1000);
    }
    T_EQ_INT(stats(&s).reads,
             2); /* the first, and one a minute later (TLSMGR_TICKET_CLIENT_RECHECK_MS) */
    T_EQ_INT(stats(&s).accepted, 100);
    server_close(&s);
}

static void rotation_then_refused(void)
{
    struct server s;
    struct ticket a, b;
    uint64_t reads;

    start(&s);
    T_EQ_INT(issue(&s, &a), 0);
    port_test_advance(P * 1000ull);
    daemon_run(0);
    /* After one rotation: the old key is previous and still decrypts; new tickets use the
     * key that was next. */
    T_EQ_INT(parse(&s, &a), 0);
    T_EQ_INT(issue(&s, &b), 0);
    T_ASSERT(memcmp(a.b, b.b, TICKET_WIRE_NAME_LEN) != 0);
    T_EQ_INT(b.lifetime, L);
    reads = stats(&s).reads;
    /* The key has left every slot: refused as expired, a plain full handshake. */
    port_test_advance(P * 1000ull);
    daemon_run(0);
    T_EQ_INT(parse(&s, &a), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    T_EQ_INT(parse(&s, &b), 0);
    T_ASSERT(stats(&s).reads > reads);
    /* Expired even when the daemon has not rotated (it died): the process's clock decides. */
    port_test_advance(P * 1000ull);
    T_EQ_INT(parse(&s, &b), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    server_close(&s);
}

static void damaged_tickets_refused(void)
{
    struct server s;
    struct ticket tk, bad;
    size_t body;

    start(&s);
    T_EQ_INT(issue(&s, &tk), 0);
    body = tk.len - TICKET_OVERHEAD;
#define FLIPPED(off, want)                                                                         \
    do {                                                                                           \
        bad = tk;                                                                                  \
        bad.b[(off)] ^= 0x01;                                                                      \
        T_EQ_INT(parse(&s, &bad), (want));                                                         \
    } while (0)
    FLIPPED(0, MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED); /* unknown key name */
    FLIPPED(5, MBEDTLS_ERR_SSL_INVALID_MAC);            /* IV */
    FLIPPED(17, MBEDTLS_ERR_SSL_BAD_INPUT_DATA);        /* length */
    FLIPPED(TICKET_AAD_LEN, MBEDTLS_ERR_SSL_INVALID_MAC);
    FLIPPED(TICKET_AAD_LEN + body, MBEDTLS_ERR_SSL_INVALID_MAC); /* tag */
    FLIPPED(tk.len - 1, MBEDTLS_ERR_SSL_INVALID_MAC);
#undef FLIPPED
    bad = tk;
    bad.len--;
    T_EQ_INT(parse(&s, &bad), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    bad.len = tk.len + 1;
    T_EQ_INT(parse(&s, &bad), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    bad.len = TICKET_OVERHEAD - 1;
    T_EQ_INT(parse(&s, &bad), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    bad.len = 0;
    T_EQ_INT(parse(&s, &bad), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    /* The original still works. */
    T_EQ_INT(parse(&s, &tk), 0);
    server_close(&s);
}

/* A ticket whose blob is whatever the caller says, sealed under key k as the callbacks do. */
static void seal(struct ticket *tk, const struct ticket_key *k, const unsigned char *blob, size_t n)
{
    mbedtls_gcm_context g;

    memcpy(tk->b, k->name, TICKET_WIRE_NAME_LEN);
    memset(tk->b + TICKET_WIRE_NAME_LEN, 7, TICKET_IV_LEN);
    tk->b[16] = (unsigned char)(n >> 8);
    tk->b[17] = (unsigned char)n;
    mbedtls_gcm_init(&g);
    T_EQ_INT(mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, k->key, 256), 0);
    T_EQ_INT(mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, n, tk->b + 4, TICKET_IV_LEN, tk->b,
                                       TICKET_AAD_LEN, blob, tk->b + TICKET_AAD_LEN, TICKET_TAG_LEN,
                                       tk->b + TICKET_AAD_LEN + n),
             0);
    mbedtls_gcm_free(&g);
    tk->len = TICKET_OVERHEAD + n;
}

static void foreign_blob_refused(void)
{
    struct server s;
    struct ticket good, tk;
    struct ticket_slots env;
    unsigned char blob[200];
    mbedtls_ssl_session sess;
    size_t n;

    start(&s);
    env_slots(&env);
    /* Authentic, but written by another mbedTLS version: session_load refuses it. */
    session_make(&sess);
    T_EQ_INT(mbedtls_ssl_session_save(&sess, blob, sizeof(blob), &n), 0);
    mbedtls_ssl_session_free(&sess);
    seal(&good, &env.k[TICKET_SLOT_CURRENT], blob, n);
    T_EQ_INT(parse(&s, &good), 0);
    blob[2] ^= 0x40; /* patch version */
    seal(&tk, &env.k[TICKET_SLOT_CURRENT], blob, n);
    T_ASSERT(parse(&s, &tk) != 0);
    /* Garbage, and nothing at all. */
    memset(blob, 0xEE, sizeof(blob));
    seal(&tk, &env.k[TICKET_SLOT_CURRENT], blob, sizeof(blob));
    T_ASSERT(parse(&s, &tk) != 0);
    seal(&tk, &env.k[TICKET_SLOT_CURRENT], blob, 0);
    T_ASSERT(parse(&s, &tk) != 0);
    /* Under a key that is only next yet: accepted (another process may already use it). */
    seal(&tk, &env.k[TICKET_SLOT_NEXT], good.b + 0, 0);
    session_make(&sess);
    T_EQ_INT(mbedtls_ssl_session_save(&sess, blob, sizeof(blob), &n), 0);
    mbedtls_ssl_session_free(&sess);
    seal(&tk, &env.k[TICKET_SLOT_NEXT], blob, n);
    T_EQ_INT(parse(&s, &tk), 0);
    T_EQ_INT(stats(&s).refused, 3);
    ticket_slots_wipe(&env);
    server_close(&s);
}

static void own_keys_until_shared_appear(void)
{
    struct server s;
    struct ticket a, b;

    write_conf();
    server_open(&s); /* no daemon, no env */
    T_EQ_INT(issue(&s, &a), 0);
    T_EQ_INT(parse(&s, &a), 0);
    T_EQ_INT(stats(&s).issued_own, 1);
    T_EQ_INT(a.lifetime, L);
    daemon_run(1);
    /* The env is tried again after TLSMGR_CACHE_CLIENT_RETRY_MS: shared keys from then on. */
    port_test_advance(TLSMGR_CACHE_CLIENT_RETRY_MS);
    T_EQ_INT(issue(&s, &b), 0);
    T_EQ_INT(stats(&s).issued_shared, 1);
    T_EQ_INT(parse(&s, &b), 0);
    /* Tickets under the process's own key still resume here until it expires. */
    T_EQ_INT(parse(&s, &a), 0);
    port_test_advance(L * 1000ull);
    T_EQ_INT(parse(&s, &a), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    server_close(&s);
}

/* Runs fn in a forked child (another TLS process); returns its exit status. */
static int in_child(int (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    int status = -1;

    if (pid == 0)
        _exit(fn(arg));
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

struct child_arg {
    struct server *s;
    struct ticket *tk;
};

static int child_issues(void *arg)
{
    struct child_arg *c = arg;

    return issue(c->s, c->tk) == 0 && stats(c->s).issued_shared == 1 ? 0 : 1;
}

static int child_parses(void *arg)
{
    struct child_arg *c = arg;
    int rc = parse(c->s, c->tk);

    return rc == 0 ? 0 : rc == MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED ? 2 : 1;
}

static void unknown_key_read_on_demand(void)
{
    struct server s;
    struct ticket a, fresh;
    struct child_arg c;
    int fd[2];

    start(&s);
    T_EQ_INT(issue(&s, &a), 0);
    /* The daemon replaces every key (as after a repair) behind this process's back; another
     * process reads them and issues a ticket. */
    daemon_run(1);
    T_EQ_INT(pipe(fd), 0);
    c.s = &s;
    c.tk = &fresh;
    if (fork() == 0) {
        _exit(child_issues(&c) != 0 || write(fd[1], &fresh, sizeof(fresh)) != sizeof(fresh));
    }
    close(fd[1]);
    T_EQ_INT(read(fd[0], &fresh, sizeof(fresh)), (long)sizeof(fresh));
    close(fd[0]);
    wait(NULL);
    T_EQ_INT(parse(&s, &fresh), 0);
    T_EQ_INT(stats(&s).unknown_reads, 1);
    /* Bogus names read again at most once per TLSMGR_CACHE_CLIENT_RETRY_MS. */
    fresh.b[0] ^= 0xFF;
    T_EQ_INT(parse(&s, &fresh), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    T_EQ_INT(parse(&s, &fresh), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    T_EQ_INT(stats(&s).unknown_reads, 1);
    port_test_advance(TLSMGR_CACHE_CLIENT_RETRY_MS);
    T_EQ_INT(parse(&s, &fresh), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    T_EQ_INT(stats(&s).unknown_reads, 2);
    /* The keys of the old set are gone from the env, so from this process too. */
    T_EQ_INT(parse(&s, &a), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    server_close(&s);
}

static void fork_and_keys(void)
{
    struct server s;
    struct ticket a;
    struct child_arg c;

    /* A child never holds its parent's own keys. */
    write_conf();
    server_open(&s);
    T_EQ_INT(issue(&s, &a), 0);
    c.s = &s;
    c.tk = &a;
    T_EQ_INT(in_child(child_parses, &c), 2);
    T_EQ_INT(parse(&s, &a), 0);
    server_close(&s);
    /* With shared keys, any process resumes any other's ticket. */
    start(&s);
    T_EQ_INT(issue(&s, &a), 0);
    T_EQ_INT(in_child(child_parses, &c), 0);
    server_close(&s);
}

static void replaced_env_followed(void)
{
    struct server s;
    struct ticket a, b;

    start(&s);
    T_EQ_INT(issue(&s, &a), 0);
    /* tmpfs cleared and the daemon restarted on a new env (a reboot, seen by a server that
     * kept running). */
    T_EQ_INT(system("rm -rf cache"), 0);
    daemon_run(1);
    port_test_advance(TLSMGR_TICKET_CLIENT_RECHECK_MS);
    T_EQ_INT(parse(&s, &a), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    T_EQ_INT(issue(&s, &b), 0);
    T_ASSERT(memcmp(a.b, b.b, TICKET_WIRE_NAME_LEN) != 0);
    T_EQ_INT(parse(&s, &b), 0);
    server_close(&s);
}

struct worker {
    struct server *s;
    int ok;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct ticket tk;
    int i;

    for (i = 0; i < 200; i++)
        if (issue(w->s, &tk) == 0 && parse(w->s, &tk) == 0)
            w->ok++;
    return NULL;
}

static void threads_share_the_keys(void)
{
    struct server s;
    struct worker w[4];
    pthread_t th[4];
    int i;

    start(&s);
    for (i = 0; i < 4; i++) {
        w[i].s = &s;
        w[i].ok = 0;
        T_EQ_INT(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        T_EQ_INT(w[i].ok, 200);
    }
    T_EQ_INT(stats(&s).accepted, 800);
    T_EQ_INT(stats(&s).issued_shared, 800);
    server_close(&s);
}

static void bad_arguments(void)
{
    struct server s;
    struct ticket tk;
    mbedtls_ssl_session sess;
    size_t len = 9;
    uint32_t life = 9;

    start(&s);
    session_make(&sess);
    T_EQ_INT(tlsmgr_ticket_write(NULL, &sess, tk.b, tk.b + sizeof(tk.b), &len, &life),
             MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    T_EQ_INT(len, 0);
    T_EQ_INT(life, 0);
    T_EQ_INT(tlsmgr_ticket_write(s.t, &sess, tk.b, tk.b + TICKET_OVERHEAD, &len, &life),
             MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL);
    /* Room for the header but not the session: the write fails, nothing left in clear. */
    memset(tk.b, 0, sizeof(tk.b));
    T_ASSERT(tlsmgr_ticket_write(s.t, &sess, tk.b, tk.b + TICKET_OVERHEAD + 4, &len, &life) != 0);
    T_EQ_INT(len, 0);
    T_EQ_INT(tlsmgr_ticket_parse(NULL, &sess, tk.b, 40), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    mbedtls_ssl_session_free(&sess);
    server_close(&s);
}

/* ---- Real handshakes ------------------------------------------------------------------- */

#if defined(MBEDTLS_DEBUG_C)
/* mbedTLS says in its debug output, and only there, whether a server handshake resumed. */
static void on_debug(void *arg, int level, const char *file, int line, const char *msg)
{
    (void)level;
    (void)file;
    (void)line;
    if (strstr(msg, "a session has been resumed") != NULL ||
        strstr(msg, "key exchange mode: psk") != NULL)
        *(int *)arg = 1;
}

/* One handshake of client configuration ccf against scf, offering *resume if not NULL;
 * the client's session goes to *out (if not NULL). 1 resumed, 0 full, -1 failed. */
static int connect_once(mbedtls_ssl_config *ccf, mbedtls_ssl_config *scf,
                        const mbedtls_ssl_session *resume, mbedtls_ssl_session *out)
{
    mbedtls_ssl_context cli, srv;
    int resumed = 0, ret = -1;

    mbedtls_ssl_conf_dbg(scf, on_debug, &resumed);
    mbedtls_debug_set_threshold(3);
    mbedtls_ssl_init(&cli);
    mbedtls_ssl_init(&srv);
    if (mbedtls_ssl_setup(&cli, ccf) == 0 && mbedtls_ssl_setup(&srv, scf) == 0 &&
        (resume == NULL || mbedtls_ssl_set_session(&cli, resume) == 0) &&
        tls_pair_run(&cli, &srv) == 0 && (out == NULL || mbedtls_ssl_get_session(&cli, out) == 0))
        ret = resumed;
    mbedtls_ssl_free(&cli);
    mbedtls_ssl_free(&srv);
    mbedtls_debug_set_threshold(0);
    mbedtls_ssl_conf_dbg(scf, NULL, NULL);
    return ret;
}

struct resume_arg {
    mbedtls_ssl_config *ccf, *scf;
    mbedtls_ssl_session *sess;
};

static int child_resumes(void *arg)
{
    struct resume_arg *r = arg;

    return connect_once(r->ccf, r->scf, r->sess, NULL) == 1 ? 0 : 1;
}

static void tls12_ticket_and_id_side_by_side(void)
{
    struct server s;
    mbedtls_ssl_config with, without;
    mbedtls_ssl_session st, sid;
    struct resume_arg r;

    start(&s);
    T_EQ_INT(tls_pair_conf_psk12(&with, MBEDTLS_SSL_IS_CLIENT, NULL, 1), 0);
    T_EQ_INT(tls_pair_conf_psk12(&without, MBEDTLS_SSL_IS_CLIENT, NULL, 0), 0);
    mbedtls_ssl_session_init(&st);
    mbedtls_ssl_session_init(&sid);
    T_EQ_INT(connect_once(&with, &s.conf, NULL, &st), 0);
    T_EQ_INT(connect_once(&without, &s.conf, NULL, &sid), 0);
    T_EQ_INT(stats(&s).issued_shared, 1);
    /* Both resume in another process of the server: by ticket and by session ID. */
    r.ccf = &with;
    r.scf = &s.conf;
    r.sess = &st;
    T_EQ_INT(in_child(child_resumes, &r), 0);
    r.ccf = &without;
    r.sess = &sid;
    T_EQ_INT(in_child(child_resumes, &r), 0);
    mbedtls_ssl_session_free(&st);
    mbedtls_ssl_session_free(&sid);
    mbedtls_ssl_config_free(&with);
    mbedtls_ssl_config_free(&without);
    server_close(&s);
}

#if defined(MBEDTLS_SSL_PROTO_TLS1_3) && TLSMGR_MBEDTLS_3
static const char crt_pem[] = "-----BEGIN CERTIFICATE-----\n"
                              "MIIBgzCCASmgAwIBAgIUWYvOdr4J0gF3nlFUvEtWy6YjGQAwCgYIKoZIzj0EAwIw\n"
                              "FjEUMBIGA1UEAwwLdGxzbWdyLXRlc3QwIBcNMjYxMjAxMDAyMzQ5WhgPMjEyNjEx\n"
                              "MDcwMDIzNDlaMBYxFDASBgNVBAMMC3Rsc21nci10ZXN0MFkwEwYHKoZIzj0CAQYI\n"
                              "KoZIzj0DAQcDQgAEfmITEdXH5SDtzsnOCXAbc419Khlz74sGB34q4RxDWw08bkgq\n"
                              "kRwzG1N7ipmPLBcuzJ16btTgWTHC3vHtz4Rh8KNTMFEwHQYDVR0OBBYEFLLAwRTu\n"
                              "i/ZUn67s3nAxftc5MnfaMB8GA1UdIwQYMBaAFLLAwRTui/ZUn67s3nAxftc5Mnfa\n"
                              "MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAOCc9x3sy1x6DxfG\n"
                              "yM/xTBsFtfnyVAN8Mjcnk6N8Q/73AiBrnzNdObvUNnh0YcECfeQYwko9wCscre9Y\n"
                              "TiW8jMZ/Kg==\n"
                              "-----END CERTIFICATE-----\n";
/* A throw-away test key, valid for nothing but this test. */
static const char key_pem[] = "-----BEGIN EC PRIVATE KEY-----\n"
                              "MHcCAQEEIBODVVTMZl8rXDbtZ6uNRse8sss0D4Lkw+t9N9RPXBdQoAoGCCqGSM49\n"
                              "AwEHoUQDQgAEfmITEdXH5SDtzsnOCXAbc419Khlz74sGB34q4RxDWw08bkgqkRwz\n"
                              "G1N7ipmPLBcuzJ16btTgWTHC3vHtz4Rh8A==\n"
                              "-----END EC PRIVATE KEY-----\n";

static void tls13_conf(mbedtls_ssl_config *c, int endpoint)
{
    mbedtls_ssl_config_init(c);
    T_EQ_INT(mbedtls_ssl_config_defaults(c, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                         MBEDTLS_SSL_PRESET_DEFAULT),
             0);
    mbedtls_ssl_conf_rng(c, rng, NULL);
    mbedtls_ssl_conf_min_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_3);
    mbedtls_ssl_conf_max_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_3);
    if (endpoint == MBEDTLS_SSL_IS_CLIENT) {
        mbedtls_ssl_conf_authmode(c, MBEDTLS_SSL_VERIFY_NONE);
        mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
            c, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
    }
}

static void tls13_resumes_in_another_process(void)
{
    struct server s;
    mbedtls_ssl_config ccf;
    mbedtls_x509_crt crt;
    mbedtls_pk_context key;
    mbedtls_ssl_session sess;
    struct resume_arg r;

    write_conf();
    daemon_run(1);
    crypto_init();
    mbedtls_x509_crt_init(&crt);
    mbedtls_pk_init(&key);
    T_EQ_INT(mbedtls_x509_crt_parse(&crt, (const unsigned char *)crt_pem, sizeof(crt_pem)), 0);
    T_EQ_INT(mbedtls_pk_parse_key(&key, (const unsigned char *)key_pem, sizeof(key_pem), NULL, 0,
                                  rng, NULL),
             0);
    tls13_conf(&s.conf, MBEDTLS_SSL_IS_SERVER);
    T_EQ_INT(mbedtls_ssl_conf_own_cert(&s.conf, &crt, &key), 0);
    T_EQ_INT(tlsmgr_open(&s.t, "tlsmgr.conf", "www"), 0);
    T_EQ_INT(tlsmgr_ssl_conf(s.t, &s.conf), 0);
    tls13_conf(&ccf, MBEDTLS_SSL_IS_CLIENT);
    mbedtls_ssl_session_init(&sess);
    T_EQ_INT(connect_once(&ccf, &s.conf, NULL, &sess), 0);
    T_EQ_INT(stats(&s).issued_shared, 1);
    r.ccf = &ccf;
    r.scf = &s.conf;
    r.sess = &sess;
    T_EQ_INT(in_child(child_resumes, &r), 0);
    /* After the key left every slot (mbedTLS's own clock has not moved: only the key's
     * expiry refuses it), a full handshake. */
    port_test_advance(L * 1000ull);
    daemon_run(0);
    T_EQ_INT(in_child(child_resumes, &r), 1);
    mbedtls_ssl_session_free(&sess);
    mbedtls_ssl_config_free(&ccf);
    server_close(&s);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&crt);
}
#endif
#endif

T_MAIN(T_CASE(round_trip), T_CASE(no_read_per_handshake), T_CASE(rotation_then_refused),
       T_CASE(damaged_tickets_refused), T_CASE(foreign_blob_refused),
       T_CASE(own_keys_until_shared_appear), T_CASE(unknown_key_read_on_demand),
       T_CASE(fork_and_keys), T_CASE(replaced_env_followed), T_CASE(threads_share_the_keys),
       T_CASE(bad_arguments)
#if defined(MBEDTLS_DEBUG_C)
           ,
       T_CASE(tls12_ticket_and_id_side_by_side)
#if defined(MBEDTLS_SSL_PROTO_TLS1_3) && TLSMGR_MBEDTLS_3
           ,
       T_CASE(tls13_resumes_in_another_process)
#endif
#endif
)
