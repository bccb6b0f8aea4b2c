/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ticket_client.c - libtlsmgr's session ticket callbacks (mbedtls_ssl_conf_session_tickets_cb):
 * one code path for mbedTLS 2.28 and 3.6, TLS 1.2 and 1.3. A ticket is the
 * mbedtls_ssl_session_save() blob encrypted with AES-256-GCM under the key that is current in
 * the cache env's ticket slots, laid out as mbedTLS's own ssl_ticket.c does (ticket_format.h):
 * every process of every server sharing the env can resume it.
 *
 * The slots are kept in memory and read again (one read transaction) only when they may
 * have changed: when a key held becomes active or expires, when a ticket names a key not
 * held (at most once per TLSMGR_CACHE_CLIENT_RETRY_MS), and every
 * TLSMGR_TICKET_CLIENT_RECHECK_MS, which also notices an env the daemon replaced. No write
 * transaction ever happens here.
 *
 * While there is no shared key (no daemon, no env, no key yet, an env off tmpfs), tickets are
 * encrypted under keys private to the process, from the kernel RNG and rotated the same way:
 * the server then resumes as it would with mbedTLS's own ticket keys (only on the process
 * that issued the ticket), and TLS 1.3 handshakes never fail for want of a key. Once shared
 * keys appear, new tickets use them; tickets under a private key keep working on their
 * process until that key expires.
 *
 * Every failure of the parse callback is "no resumption" (the handshake goes on as a full
 * one). State is process-wide like the session cache's: guarded by port_mutex_lock, which is
 * held only to pick a key (the cryptography runs outside it on a copy, wiped after use), and
 * dropped in a forked child (pid check) so that no process uses another's private keys.
 */
#include <string.h>

#include "mbedtls_compat.h"
#include <mbedtls/ssl.h>

#include "cache_client.h"
#include "cache_env.h"
#include "client.h"
#include "port.h"
#include "ticket_client.h"
#include "ticket_store.h"
#include "wipe.h"

#if TLSMGR_TICKETS && defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_SRV_C) &&        \
    defined(MBEDTLS_GCM_C) && defined(MBEDTLS_AES_C)
#define HAVE_TICKETS 1
#include <mbedtls/gcm.h>
#else
#define HAVE_TICKETS 0
#endif

struct ticket_client {
    struct ticket_slots shared; /* the env's slots as last read */
    struct ticket_slots own;    /* keys private to this process, while no shared key exists */
    long pid;                   /* process the keys above belong to */
    uint64_t refresh_ms;        /* port_now_ms() at which the slots are read again */
    uint64_t unknown_ms;        /* no new read for an unknown key name before this */
    unsigned users;             /* handles with the callbacks installed */
    struct ticket_client_stats n;
};

/* Forgets the keys (wiped), the schedule and the counts; the state is pid's from now on. */
static void reset(struct ticket_client *c, long pid)
{
    unsigned users = c->users;

    wipe(c, sizeof(*c));
    c->users = users;
    c->pid = pid;
}

#if HAVE_TICKETS

static struct ticket_client state;

static int own_rng(void *arg, unsigned char *out, size_t len)
{
    (void)arg;
    return port_getrandom(out, len) == (long)len ? 0 : -1;
}

/* A new process: the parent's keys and schedule are not ours. */
static void check_pid(struct ticket_client *c)
{
    long pid = port_pid();

    if (c->pid != pid)
        reset(c, pid);
}

static int read_slots(struct cache_env *ce, void *slots)
{
    return ticket_store_read(ce, slots, NULL);
}

/* Reads the slots from the env (which is opened, or reopened when replaced, first) and
 * decides when to read them next. */
static void refresh(struct ticket_client *c, const struct tlsmgr_conf *conf)
{
    uint64_t now_ms = port_now_ms(), delay = TLSMGR_TICKET_CLIENT_RECHECK_MS;
    struct cache_env *ce = cache_client_env(conf, 1);
    int64_t now = port_wall_time(), next;

    if (ce == NULL || cache_client_trap(read_slots, &c->shared) != 0) {
        if (ce != NULL)
            cache_client_env_failed();
        ticket_slots_wipe(&c->shared);
        c->refresh_ms = now_ms + TLSMGR_CACHE_CLIENT_RETRY_MS;
        return;
    }
    c->n.reads++;
    next = ticket_slots_next_change(&c->shared, now);
    /* No next key waiting to become active (the newest key, the daemon keeps the slots in the
     * order of their activation): the daemon is about to write one (or is not running): look
     * again soon rather than at the next expiry. */
    if (!((c->shared.present & (1u << TICKET_SLOT_NEXT)) &&
          c->shared.k[TICKET_SLOT_NEXT].active > now) &&
        TLSMGR_CACHE_CLIENT_RETRY_MS < delay)
        delay = TLSMGR_CACHE_CLIENT_RETRY_MS;
    if (next > now && (uint64_t)(next - now) * 1000u < delay)
        delay = (uint64_t)(next - now) * 1000u;
    c->refresh_ms = now_ms + delay;
}

/* Slots that may have changed are read again; the caller holds the lock. */
static void refresh_if_due(struct ticket_client *c, const struct tlsmgr_conf *conf)
{
    check_pid(c);
    if (port_now_ms() >= c->refresh_ms)
        refresh(c, conf);
}

/* Copies a key into *out: with name NULL, the one that encrypts now (the shared one, else
 * this process's own) and a fresh IV into iv (under the lock: every port call of the library
 * is); else the unexpired key a ticket names, after one more read of the slots when none is
 * held (unless one was made very recently), counted as refused when there is none. Returns
 * 0, or -1 when there is no key (or no IV). */
static int pick_key(struct tlsmgr *t, const unsigned char *name, struct ticket_key *out,
                    unsigned char *iv)
{
    struct ticket_client *c = t->tickets;
    const struct ticket_key *k;
    int64_t now;

    port_mutex_lock();
    refresh_if_due(c, &t->conf);
    now = port_wall_time();
    if (name == NULL) {
        k = ticket_slots_current(&c->shared, now);
        if (k != NULL)
            c->n.issued_shared++;
        else if (ticket_slots_advance(&c->own, now, t->conf.ticket_key_lifetime, own_rng, NULL) >=
                     0 &&
                 (k = ticket_slots_current(&c->own, now)) != NULL)
            c->n.issued_own++;
        if (k != NULL && port_getrandom(iv, TICKET_IV_LEN) != TICKET_IV_LEN)
            k = NULL;
    } else {
        k = ticket_slots_find(&c->shared, name, now);
        if (k == NULL)
            k = ticket_slots_find(&c->own, name, now);
        if (k == NULL && port_now_ms() >= c->unknown_ms) {
            /* A key made since the last read (another process already uses it)? */
            c->n.unknown_reads++;
            c->unknown_ms = port_now_ms() + TLSMGR_CACHE_CLIENT_RETRY_MS;
            refresh(c, &t->conf);
            k = ticket_slots_find(&c->shared, name, port_wall_time());
        }
        if (k == NULL)
            c->n.refused++;
    }
    if (k != NULL)
        *out = *k;
    port_mutex_unlock();
    return k != NULL ? 0 : -1;
}

static void count(struct tlsmgr *t, int accepted)
{
    port_mutex_lock();
    if (accepted)
        t->tickets->n.accepted++;
    else
        t->tickets->n.refused++;
    port_mutex_unlock();
}

/* AES-256-GCM, in place under k, of the n bytes of session state after the header of the ticket
 * at tk (its additional data): encrypt (the tag is written after them), or decrypt and check
 * the tag. Returns 0 or an mbedTLS error (MBEDTLS_ERR_SSL_INVALID_MAC for a wrong tag). */
static int seal(const struct ticket_key *k, unsigned char *tk, size_t n, int encrypt)
{
    unsigned char *state_p = tk + TICKET_AAD_LEN, *iv = tk + TICKET_WIRE_NAME_LEN;
    mbedtls_gcm_context gcm;
    int ret;

    mbedtls_gcm_init(&gcm);
    ret = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, k->key, TICKET_KEY_LEN * 8);
    if (ret == 0 && encrypt)
        ret = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, n, iv, TICKET_IV_LEN, tk,
                                        TICKET_AAD_LEN, state_p, state_p, TICKET_TAG_LEN,
                                        state_p + n);
    else if (ret == 0 &&
             mbedtls_gcm_auth_decrypt(&gcm, n, iv, TICKET_IV_LEN, tk, TICKET_AAD_LEN, state_p + n,
                                      TICKET_TAG_LEN, state_p, state_p) != 0)
        ret = MBEDTLS_ERR_SSL_INVALID_MAC;
    mbedtls_gcm_free(&gcm);
    return ret;
}

int tlsmgr_ticket_write(void *ctx, const mbedtls_ssl_session *session, unsigned char *start,
                        const unsigned char *end, size_t *tlen, uint32_t *lifetime)
{
    struct tlsmgr *t = ctx;
    unsigned char *iv = start + TICKET_WIRE_NAME_LEN, *len_be = iv + TICKET_IV_LEN;
    struct ticket_key k;
    size_t clear_len = 0, room;
    int64_t left;
    int ret;

    /* 2.28 sends the lifetime even when the write fails: never leave it undefined. */
    *tlen = 0;
    *lifetime = 0;
    if (t == NULL || t->tickets == NULL || session == NULL || start == NULL || end == NULL)
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    if (end < start || (size_t)(end - start) <= TICKET_OVERHEAD)
        return MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL;
    room = (size_t)(end - start) - TICKET_OVERHEAD;
    if (room > 0xFFFF)
        room = 0xFFFF;
    if (pick_key(t, NULL, &k, iv) < 0)
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    ret = mbedtls_ssl_session_save(session, start + TICKET_AAD_LEN, room, &clear_len);
    if (ret == 0) {
        memcpy(start, k.name, TICKET_WIRE_NAME_LEN);
        len_be[0] = (unsigned char)(clear_len >> 8);
        len_be[1] = (unsigned char)clear_len;
        ret = seal(&k, start, clear_len, 1);
    }
    if (ret == 0) {
        /* The ticket is accepted as long as its key: never past 7 days (TLS 1.3). */
        left = ticket_key_expires(&k) - port_wall_time();
        *lifetime = left < 1                     ? 1
                    : left > TICKET_LIFETIME_MAX ? TICKET_LIFETIME_MAX
                                                 : (uint32_t)left;
        *tlen = TICKET_OVERHEAD + clear_len;
    } else {
        /* The session (its master secret) may be in the buffer in clear. */
        wipe(start, (size_t)(end - start));
    }
    wipe(&k, sizeof(k));
    return ret;
}

int tlsmgr_ticket_parse(void *ctx, mbedtls_ssl_session *session, unsigned char *buf, size_t len)
{
    struct tlsmgr *t = ctx;
    unsigned char *state_p = buf + TICKET_AAD_LEN;
    struct ticket_key k;
    size_t enc_len;
    int ret;

    if (t == NULL || t->tickets == NULL || session == NULL || buf == NULL)
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    if (len < TICKET_OVERHEAD)
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    enc_len = (size_t)buf[TICKET_AAD_LEN - 2] << 8 | buf[TICKET_AAD_LEN - 1];
    if (len != TICKET_OVERHEAD + enc_len)
        return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    /* Unknown name or expired key: mbedTLS's own code for "no resumption, full handshake". */
    if (pick_key(t, buf, &k, NULL) < 0)
        return MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;
    ret = seal(&k, buf, enc_len, 0);
    wipe(&k, sizeof(k));
    /* load refuses another mbedTLS version or build, and frees *session itself then. */
    if (ret == 0)
        ret = mbedtls_ssl_session_load(session, state_p, enc_len);
    if (ret == 0)
        TLSMGR_SESSION_NO_EARLY_DATA(session);
    wipe(state_p, enc_len);
    count(t, ret == 0);
    return ret;
}

void ticket_client_install(struct tlsmgr *t, struct mbedtls_ssl_config *conf)
{
    port_mutex_lock();
    if (t->tickets == NULL) {
        state.users++;
        t->tickets = &state;
    }
    port_mutex_unlock();
    mbedtls_ssl_conf_session_tickets_cb(conf, tlsmgr_ticket_write, tlsmgr_ticket_parse, t);
}

#else /* !HAVE_TICKETS */

void ticket_client_install(struct tlsmgr *t, struct mbedtls_ssl_config *conf)
{
    (void)t;
    (void)conf;
}

int tlsmgr_ticket_write(void *ctx, const mbedtls_ssl_session *session, unsigned char *start,
                        const unsigned char *end, size_t *tlen, uint32_t *lifetime)
{
    (void)ctx;
    (void)session;
    (void)start;
    (void)end;
    *tlen = 0;
    *lifetime = 0;
    return MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE;
}

int tlsmgr_ticket_parse(void *ctx, mbedtls_ssl_session *session, unsigned char *buf, size_t len)
{
    (void)ctx;
    (void)session;
    (void)buf;
    (void)len;
    return MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE;
}

#endif

void ticket_client_free(struct tlsmgr *t)
{
    struct ticket_client *c = t->tickets;

    if (c == NULL)
        return;
    port_mutex_lock();
    t->tickets = NULL;
    if (--c->users == 0)
        reset(c, 0);
    port_mutex_unlock();
}

int ticket_client_stats(struct tlsmgr *t, struct ticket_client_stats *out)
{
    if (t == NULL || t->tickets == NULL)
        return -1;
    port_mutex_lock();
    *out = t->tickets->n;
    port_mutex_unlock();
    return 0;
}
