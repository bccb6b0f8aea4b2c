/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_client.c - libtlsmgr's TLS 1.2 session-ID cache: mbedTLS session-cache callbacks that
 * store mbedtls_ssl_session_save() blobs in the shared LMDB env and load them back, so that a
 * client resumes on any process of the server, not only on the one that made its session.
 *
 * Every failure is a miss: the handshake goes on as a full one. The env is opened by the
 * first call of each process (never used across fork: a pid change drops the parent's env
 * unclosed and opens a new one) and after a failed open it is not tried again for
 * TLSMGR_CACHE_CLIENT_RETRY_MS. The env is one per process, shared by every handle: LMDB
 * forbids opening one env twice in a process (its fcntl locks are per process, so a second
 * open would take itself for the only user and reset the lock table). One process-wide lock
 * is held for each call: it guards this state and the blob buffer, and LMDB's map-resize
 * handling needs that no other transaction of the process is open (cache_env.h). Nothing
 * here logs.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ssl.h>

#include "cache_session.h"
#include "cache_client.h"
#include "client.h"
#include "mbedtls_compat.h"
#include "port.h"
#include "ticket_client.h"
#include "wipe.h"

struct cache_client {
    struct cache_env ce;
    int open;                   /* ce holds an env opened by process pid */
    int damaged;                /* ce's files are cut short or overwritten: unused until the
                                 * daemon replaces it (checked by name at each call) */
    long pid;                   /* process that owns ce (0: none yet) */
    uint64_t retry_ms;          /* after a failed open: no new try before this port_now_ms() */
    struct cache_counts counts; /* lookups, hits... added to the env by the next store */
    unsigned users;             /* handles with the cache installed */
    uint8_t *buf;               /* CACHE_BLOB_MAX bytes: one session at a time, wiped after use */
};

/* The process's one cache state; every handle's t->cache points here once installed. */
static struct cache_client shared;

/* Closes the env of this process (aborting the write transaction an assertion left open, if
 * any), to be opened again at the next call, or after TLSMGR_CACHE_CLIENT_RETRY_MS. */
static void env_drop(struct cache_client *c, int retry_later)
{
    cache_env_abandon(&c->ce);
    c->open = c->damaged = 0;
    c->retry_ms = retry_later ? port_now_ms() + TLSMGR_CACHE_CLIENT_RETRY_MS : 0;
}

/* The env of this process, opened if need be; NULL when there is none (a miss). */
static struct cache_env *env_get(struct cache_client *c, const struct tlsmgr_conf *conf)
{
    long pid = port_pid();
    uint64_t now = port_now_ms();

    if (c->pid != pid) {
        /* A forked child: the parent's env (its map, descriptors and reader slots) belongs to
         * the parent; closing it here would disturb the parent's readers. */
        if (c->open)
            cache_env_forget(&c->ce);
        c->open = 0;
        c->damaged = 0;
        c->pid = pid;
        c->retry_ms = 0;
        memset(&c->counts, 0, sizeof(c->counts)); /* the parent adds its own */
    }
    if (c->open && c->damaged) {
        /* Never read again; the daemon moves it aside and recreates it within a sweep
         * period, and the new one is opened at once. */
        if (!cache_env_replaced(&c->ce))
            return NULL;
        env_drop(c, 0);
    }
    if (c->open) {
        /* Handles reading different configurations share the env only if it is the same. */
        return strcmp(c->ce.path, conf->cache_database) == 0 ? &c->ce : NULL;
    }
    if (c->retry_ms != 0 && now < c->retry_ms)
        return NULL;
    if (cache_env_open(&c->ce, conf, CACHE_ROLE_CLIENT) < 0) {
        c->retry_ms = now + TLSMGR_CACHE_CLIENT_RETRY_MS;
        return NULL;
    }
    c->open = 1;
    c->retry_ms = 0;
    return &c->ce;
}

/* An LMDB error on a read. A file of the env cut short or overwritten: the env is kept, unread,
 * until the daemon replaces it (env_get). Any other error: closed, and opened again after
 * the retry delay. */
static void env_failed(struct cache_client *c)
{
    if (!c->open)
        return;
    if (cache_env_intact(&c->ce) != 0)
        c->damaged = 1;
    else
        env_drop(c, 1);
}

/* The daemon moved a damaged env aside and made a new one: the env of this process is closed
 * and the new one opened. Returns it, or NULL. */
static struct cache_env *env_follow(struct cache_client *c, const struct tlsmgr_conf *conf)
{
    env_drop(c, 0);
    return env_get(c, conf);
}

struct cache_env *cache_client_env(const struct tlsmgr_conf *conf, int check_replaced)
{
    struct cache_env *ce = env_get(&shared, conf);

    if (ce != NULL && check_replaced && cache_env_replaced(ce))
        ce = env_follow(&shared, conf);
    return ce;
}

void cache_client_env_failed(void)
{
    env_failed(&shared);
}

/* Runs fn on the env of c under LMDB's assertion trap: an env whose pages LMDB finds
 * inconsistent (where LMDB would abort the process) is given up at once, its write
 * transaction aborted so that no other process waits for LMDB's writer lock, and opened again
 * after the retry delay. Returns fn's result, -1 then. */
static int trapped(struct cache_client *c, int (*fn)(struct cache_env *ce, void *arg), void *arg)
{
    int rc = cache_env_trap(&c->ce, fn, arg);

    if (rc != CACHE_ENV_ASSERT)
        return rc;
    if (c->buf != NULL)
        wipe(c->buf, CACHE_BLOB_MAX);
    env_drop(c, 1);
    return -1;
}

int cache_client_trap(int (*fn)(struct cache_env *ce, void *arg), void *arg)
{
    return trapped(&shared, fn, arg);
}

/* One call of cache_session.c on the process's env, for handle t. */
enum op_kind { OP_LOOKUP, OP_STORE, OP_REMOVE, OP_DROP };

struct op {
    enum op_kind kind;
    struct tlsmgr *t;
    const unsigned char *id;
    size_t idlen;
    int64_t now;
    size_t len; /* of the blob in the buffer: out of a lookup, into a store */
};

static void op_init(struct op *o, enum op_kind kind, struct tlsmgr *t, const unsigned char *id,
                    size_t idlen)
{
    memset(o, 0, sizeof(*o));
    o->kind = kind;
    o->t = t;
    o->id = id;
    o->idlen = idlen;
    o->now = port_wall_time();
}

static int run_op(struct cache_env *ce, void *arg)
{
    struct op *o = arg;
    struct cache_client *c = o->t->cache;
    const uint8_t *tag = (const uint8_t *)o->t->tag;
    size_t taglen = o->t->taglen;

    switch (o->kind) {
    case OP_LOOKUP:
        return cache_session_lookup(ce, tag, taglen, o->id, o->idlen, o->now, c->buf,
                                    CACHE_BLOB_MAX, &o->len);
    case OP_STORE:
        return cache_session_store(ce, tag, taglen, o->id, o->idlen, o->now,
                                   (uint64_t)o->now + o->t->conf.cache_timeout, c->buf, o->len,
                                   &c->counts);
    default:
        /* A stale entry goes only if it still is; a refused one in any case. */
        return cache_session_remove(ce, tag, taglen, o->id, o->idlen, o->kind == OP_REMOVE, o->now,
                                    &c->counts);
    }
}

/* Runs o under LMDB's assertion trap (trapped). */
static int op_run(struct cache_client *c, struct op *o)
{
    return trapped(c, run_op, o);
}

/* A blob mbedTLS refuses (a build with other options under the same version header, or
 * damage), or one stored under another ID: removed, so that no later lookup pays for it
 * again, and counted (OP_DROP: unconditionally; OP_REMOVE only takes entries that fail the
 * header checks). */
static void entry_drop(struct cache_client *c, struct op *o)
{
    c->counts.incompatible++;
    o->kind = OP_DROP;
    (void)op_run(c, o);
}

/* The get callback: 0 and *s filled on a hit, 1 on a miss. */
static int cache_get(void *ctx, const unsigned char *id_in, size_t idlen, mbedtls_ssl_session *s)
{
    /* On 2.28 id_in points into *s, which a failed load wipes: keep a copy. */
    unsigned char id[CACHE_ID_MAX];
    struct tlsmgr *t = ctx;
    struct cache_client *c = t != NULL ? t->cache : NULL;
    struct op o;
    int r, ret = 1;

    if (c == NULL || id_in == NULL || idlen == 0 || idlen > CACHE_ID_MAX || s == NULL)
        return 1;
    memcpy(id, id_in, idlen);
    port_mutex_lock();
    if (env_get(c, &t->conf) != NULL) {
        op_init(&o, OP_LOOKUP, t, id, idlen);
        c->counts.lookups++;
        r = op_run(c, &o);
        /* A miss or an error may mean that the daemon replaced the env (a damaged one): the
         * new one is asked too. Checked on misses only (a full handshake follows anyway),
         * never on hits. */
        if ((r == CACHE_LOOKUP_MISS || r < 0) && c->open && cache_env_replaced(&c->ce))
            r = env_follow(c, &t->conf) == NULL ? CACHE_LOOKUP_MISS : op_run(c, &o);
        if (r == CACHE_LOOKUP_HIT) {
            /* load fails on any version or option mismatch; it frees *s itself then. The
             * ID check guards against an entry stored under a key it does not match. */
            if (mbedtls_ssl_session_load(s, c->buf, o.len) != 0) {
                entry_drop(c, &o);
            } else if (TLSMGR_SESSION_ID_LEN(s) != idlen ||
                       memcmp(TLSMGR_SESSION_ID(s), id, idlen) != 0) {
                mbedtls_ssl_session_free(s);
                entry_drop(c, &o);
            } else {
                ret = 0;
            }
        } else if (r == CACHE_LOOKUP_STALE) {
            o.kind = OP_REMOVE;
            (void)op_run(c, &o);
        } else if (r < 0) {
            env_failed(c);
        }
        if (ret == 0)
            c->counts.hits++;
        else
            c->counts.misses++;
        /* The blob holds the master secret. */
        wipe(c->buf, o.len < CACHE_BLOB_MAX ? o.len : CACHE_BLOB_MAX);
    }
    port_mutex_unlock();
    return ret;
}

/* The set callback: stores a new session; a failure only means it will not resume. */
static int cache_set(void *ctx, const unsigned char *id, size_t idlen, const mbedtls_ssl_session *s)
{
    struct tlsmgr *t = ctx;
    struct cache_client *c = t != NULL ? t->cache : NULL;
    struct cache_env *ce;
    struct op o;
    int ret = 1;

    if (c == NULL || id == NULL || idlen == 0 || idlen > CACHE_ID_MAX || s == NULL)
        return 1;
    port_mutex_lock();
    /* The daemon may have moved a damaged env aside and made a new one: follow it. */
    ce = cache_client_env(&t->conf, 1);
    if (ce != NULL) {
        op_init(&o, OP_STORE, t, id, idlen);
        /* A session too big for an entry (a long client certificate chain) is not cached. */
        if (mbedtls_ssl_session_save(s, c->buf, CACHE_BLOB_MAX, &o.len) == 0 && op_run(c, &o) == 0)
            ret = 0;
        wipe(c->buf, o.len < CACHE_BLOB_MAX ? o.len : CACHE_BLOB_MAX);
    }
    port_mutex_unlock();
    return ret;
}

/* tlsmgr_cb_get and tlsmgr_cb_set: cache_get/cache_set with the linked mbedTLS's signatures. */
TLSMGR_CACHE_ADAPTERS(tlsmgr_cb, cache_get, cache_set)

int tlsmgr_ssl_conf(struct tlsmgr *t, struct mbedtls_ssl_config *conf)
{
    int ret = 0;

    if (t == NULL || conf == NULL)
        return TLSMGR_ERR_ARG;
    if (t->conf.cache_database[0] == '\0')
        return TLSMGR_ERR_UNAVAIL;
    port_mutex_lock();
    if (t->cache == NULL) {
        if (shared.users == 0) {
            shared.buf = malloc(CACHE_BLOB_MAX);
            if (shared.buf == NULL)
                ret = TLSMGR_ERR_NOMEM;
        }
        if (ret == 0) {
            shared.users++;
            t->cache = &shared;
        }
    }
    port_mutex_unlock();
    if (ret == 0) {
        mbedtls_ssl_conf_session_cache(conf, t, tlsmgr_cb_get, tlsmgr_cb_set);
        ticket_client_install(t, conf);
    }
    return ret;
}

void cache_client_free(struct tlsmgr *t)
{
    struct cache_client *c = t->cache;

    if (c == NULL)
        return;
    port_mutex_lock();
    t->cache = NULL;
    if (--c->users == 0) {
        if (c->open && c->pid == port_pid())
            cache_env_close(&c->ce);
        else if (c->open)
            cache_env_forget(&c->ce);
        c->open = c->damaged = 0;
        c->retry_ms = 0;
        free(c->buf);
        c->buf = NULL;
    }
    port_mutex_unlock();
}
