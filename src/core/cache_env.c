/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_env.c - mapping the session cache's LMDB env and checking that it is ours, as every
 * process does (libtlsmgr, tlsmgr -s, and the daemon before its own repairs); the transaction,
 * meta and counter helpers. Nothing here creates, repairs or logs: that is the daemon's
 * (src/daemon/cache_repair.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "cache_env.h"
#include "port.h"

/* Named databases: session, expiry, meta, ticket. */
#define ENV_MAXDBS 4

int cache_env_file(const struct cache_env *ce, const char *name, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", ce->path, name);

    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int cache_env_init(struct cache_env *ce, const struct tlsmgr_conf *conf, enum cache_role role)
{
    size_t len = strlen(conf->cache_database);

    memset(ce, 0, sizeof(*ce));
    ce->role = role;
    ce->max_entries = conf->cache_max_entries;
    ce->map_size = conf->cache_map_size;
    ce->sync = conf->cache_sync;
    if (len == 0 || len >= sizeof(ce->path))
        return -1;
    memcpy(ce->path, conf->cache_database, len + 1);
    return cache_mbedtls_header(ce->mbedtls_hdr);
}

/* A data.mdb cut short would fault (SIGBUS) when a page past its end is read. The file may
 * legitimately end a few pages before the last page number (pages allocated and freed again
 * in one transaction are never written), so only a larger shortfall counts as truncation. */
#define TRUNC_SLACK_PAGES 64
static int size_ok(struct cache_env *ce)
{
    MDB_envinfo info;
    MDB_stat st;
    struct port_stat fst;
    int fd;

    if (mdb_env_info(ce->env, &info) != 0 || mdb_env_stat(ce->env, &st) != 0 ||
        mdb_env_get_fd(ce->env, &fd) != 0 || port_fstat(fd, &fst) < 0)
        return 0;
    return fst.size >= 2u * st.ms_psize && fst.size + (uint64_t)TRUNC_SLACK_PAGES * st.ms_psize >=
                                               ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
}

int cache_env_map(struct cache_env *ce, const char **why)
{
    unsigned flags = MDB_NOTLS;
    int rc;

    if (ce->role == CACHE_ROLE_READONLY)
        flags |= MDB_RDONLY;
    if (!ce->sync || port_fs_type(ce->path) == PORT_FS_TMPFS)
        flags |= MDB_NOSYNC;
    if ((rc = mdb_env_create(&ce->env)) != 0) {
        ce->env = NULL;
        *why = mdb_strerror(rc);
        return -1;
    }
    (void)mdb_env_set_maxdbs(ce->env, ENV_MAXDBS);
    (void)mdb_env_set_mapsize(ce->env, (size_t)ce->map_size);
    rc = mdb_env_open(ce->env, ce->path, flags, CACHE_ENV_MODE);
    if (rc == 0 && !size_ok(ce)) {
        *why = "data.mdb is truncated";
        rc = CACHE_ENV_BAD;
    } else if (rc != 0) {
        *why = mdb_strerror(rc);
        /* Resources and permissions are not the files' fault: anything else is. */
        rc = rc == ENOMEM || rc == EACCES || rc == EPERM || rc == ENOSPC || rc == EROFS
                 ? -1
                 : CACHE_ENV_BAD;
    }
    if (rc != 0) {
        mdb_env_close(ce->env);
        ce->env = NULL;
    }
    return rc;
}

int cache_env_dbis(struct cache_env *ce, MDB_txn *txn, unsigned flags)
{
    int rc;

    if ((rc = mdb_dbi_open(txn, CACHE_DB_SESSION, flags, &ce->session)) != 0 ||
        (rc = mdb_dbi_open(txn, CACHE_DB_EXPIRY, flags, &ce->expiry)) != 0 ||
        (rc = mdb_dbi_open(txn, CACHE_DB_META, flags, &ce->meta)) != 0 ||
        (rc = mdb_dbi_open(txn, CACHE_DB_TICKET, flags, &ce->ticket)) != 0)
        return rc;
    return 0;
}

int cache_env_check(struct cache_env *ce, const char **why)
{
    MDB_txn *txn;
    MDB_val k = cache_val(CACHE_META_FORMAT, strlen(CACHE_META_FORMAT)), v;
    int rc, bad;

    rc = cache_env_txn_begin(ce, MDB_RDONLY, &txn);
    if (rc != 0) {
        *why = mdb_strerror(rc);
        return rc == MDB_PANIC || rc == MDB_CORRUPTED || rc == MDB_INVALID ? CACHE_ENV_BAD : -1;
    }
    if ((rc = cache_env_dbis(ce, txn, 0)) != 0) {
        mdb_txn_abort(txn);
        *why = rc == MDB_NOTFOUND ? "named databases missing" : mdb_strerror(rc);
        return CACHE_ENV_BAD;
    }
    rc = mdb_get(txn, ce->meta, &k, &v);
    if (rc != 0) {
        mdb_txn_abort(txn);
        *why = rc == MDB_NOTFOUND ? "format record missing" : mdb_strerror(rc);
        return rc == MDB_NOTFOUND || rc == MDB_CORRUPTED ? CACHE_ENV_BAD : -1;
    }
    bad = cache_format_compare(v.mv_data, v.mv_size, ce->mbedtls_hdr);
    if (bad < 0) {
        mdb_txn_abort(txn);
        *why = "wrong format record";
        return CACHE_ENV_BAD;
    }
    if (bad > 0)
        ce->scan_needed = 1;
    /* A read txn must commit too, so the handles stay valid. */
    rc = mdb_txn_commit(txn);
    if (rc != 0) {
        *why = mdb_strerror(rc);
        return rc == MDB_CORRUPTED || rc == MDB_PANIC ? CACHE_ENV_BAD : -1;
    }
    return 0;
}

int cache_env_open(struct cache_env *ce, const struct tlsmgr_conf *conf, enum cache_role role)
{
    char p[TLSMGR_PATH_MAX + 16];
    struct port_stat st;
    const char *why;

    if (cache_env_init(ce, conf, role) < 0)
        return -1;
    /* Never create: only the daemon does (and a JFFS2 directory is refused there). */
    if (cache_env_file(ce, "data.mdb", p, sizeof(p)) < 0 || port_lstat(p, &st) < 0 ||
        st.type != PORT_FT_REG || cache_env_file(ce, "lock.mdb", p, sizeof(p)) < 0 ||
        port_lstat(p, &st) < 0 || st.type != PORT_FT_REG)
        return -1;
    if (cache_env_map(ce, &why) != 0)
        return -1;
    if (cache_env_check(ce, &why) != 0) {
        cache_env_close(ce);
        return -1;
    }
    return 0;
}

void cache_env_close(struct cache_env *ce)
{
    if (ce->env != NULL)
        mdb_env_close(ce->env);
    ce->env = NULL;
}

void cache_env_forget(struct cache_env *ce)
{
    ce->env = NULL;
}

int cache_env_replaced(struct cache_env *ce)
{
    char p[TLSMGR_PATH_MAX + 16];
    struct port_stat now, open_;
    int fd;

    if (ce->env == NULL || mdb_env_get_fd(ce->env, &fd) != 0 || port_fstat(fd, &open_) < 0 ||
        cache_env_file(ce, "data.mdb", p, sizeof(p)) < 0 || port_lstat(p, &now) < 0)
        return 1;
    return now.dev != open_.dev || now.ino != open_.ino;
}

/* ---- Transaction helpers ------------------------------------------------------------- */

int cache_env_txn_begin(struct cache_env *ce, unsigned flags, MDB_txn **txn)
{
    int rc;

    if (ce->env == NULL)
        return EINVAL;
    rc = mdb_txn_begin(ce->env, NULL, flags, txn);
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map: adopt its size (no txn of ours is open). */
        rc = mdb_env_set_mapsize(ce->env, 0);
        if (rc == 0)
            rc = mdb_txn_begin(ce->env, NULL, flags, txn);
    }
    return rc;
}

int cache_env_txn_end(struct cache_env *ce, MDB_txn *txn, int rc, struct cache_counts *flush)
{
    if (rc == 0)
        rc = cache_env_counts_add(ce, txn, flush);
    if (rc == 0)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    if (rc == 0 && flush != NULL)
        memset(flush, 0, sizeof(*flush));
    return rc;
}

MDB_val cache_val(const void *p, size_t n)
{
    MDB_val v;

    v.mv_data = (void *)p;
    v.mv_size = n;
    return v;
}

uint64_t cache_env_meta_get(struct cache_env *ce, MDB_txn *txn, const char *name)
{
    MDB_val k = cache_val(name, strlen(name)), v;

    if (mdb_get(txn, ce->meta, &k, &v) != 0 || v.mv_size != 8)
        return 0;
    return get_be64(v.mv_data);
}

int cache_env_meta_set(struct cache_env *ce, MDB_txn *txn, const char *name, uint64_t val)
{
    uint8_t b[8];
    MDB_val k = cache_val(name, strlen(name)), v = cache_val(b, sizeof(b));

    put_be64(b, val);
    return mdb_put(txn, ce->meta, &k, &v, 0);
}

int cache_env_counts_add(struct cache_env *ce, MDB_txn *txn, const struct cache_counts *c)
{
    const uint64_t *add;
    const char *name;
    int rc;

    if (c == NULL)
        return 0;
    add = &c->lookups;
    /* struct cache_counts holds the counters in the order of CACHE_META_COUNTERS. */
    for (name = CACHE_META_COUNTERS; *name != '\0'; name += strlen(name) + 1, add++) {
        if (*add == 0)
            continue;
        rc = cache_env_meta_set(ce, txn, name, cache_env_meta_get(ce, txn, name) + *add);
        if (rc != 0)
            return rc;
    }
    return 0;
}

void cache_counts_bad(struct cache_counts *c, enum cache_verdict v)
{
    if (v == CACHE_EXPIRED)
        c->expired++;
    else if (v == CACHE_INCOMPATIBLE)
        c->incompatible++;
    else
        c->malformed++;
}
