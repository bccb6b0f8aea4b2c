/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_env.c - opening, creating and repairing the session cache's LMDB env, and the
 * transaction helpers shared by libtlsmgr (lookup, bounded store) and the daemon's sweeper.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cache_env.h"
#include "log.h"
#include "port.h"

#define ENV_MODE 0660
#define DIR_MODE 0750
/* Named databases: session, expiry, meta, ticket. */
#define ENV_MAXDBS 4
const unsigned cache_full_evictions[CACHE_FULL_RETRIES] = {16, 256, 4096};

static int join(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);

    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* ---- Moving a bad env aside --------------------------------------------------------- */

static void remove_env_dir(const char *dir)
{
    static const char *const files[] = {"data.mdb", "lock.mdb"};
    char p[TLSMGR_PATH_MAX + 16];
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (join(p, sizeof(p), dir, files[i]) == 0)
            (void)port_unlink(p);
    (void)port_rmdir(dir);
}

/* Renames PATH to PATH.bad, replacing an older one. */
static int move_aside(const char *path)
{
    char bad[TLSMGR_PATH_MAX + 8];
    struct port_stat st;

    if (snprintf(bad, sizeof(bad), "%s.bad", path) >= (int)sizeof(bad))
        return -1;
    if (port_lstat(bad, &st) == 0) {
        if (st.type == PORT_FT_DIR)
            remove_env_dir(bad);
        else
            (void)port_unlink(bad);
    }
    return port_rename(path, bad);
}

/* ---- Opening ------------------------------------------------------------------------- */

/* Daemon: the directory exists, is a directory, 0750, ours. */
static int prepare_dir(const char *path, unsigned uid, unsigned gid)
{
    struct port_stat st;
    int fd;

    if (port_mkdir(path, DIR_MODE) < 0 && errno != EEXIST) {
        log_err("cache %s: cannot create the directory: %s", path, strerror(errno));
        return -1;
    }
    if (port_lstat(path, &st) < 0 || st.type != PORT_FT_DIR) {
        log_err("cache %s: not a directory (tls_session_cache_database names an LMDB "
                "environment directory)",
                path);
        return -1;
    }
    fd = port_open(path, PORT_O_RDONLY | PORT_O_DIRECTORY, 0);
    if (fd < 0 || port_fchmod(fd, DIR_MODE) < 0 || port_fchown(fd, uid, gid) < 0) {
        log_err("cache %s: cannot set mode or owner of the directory: %s", path, strerror(errno));
        if (fd >= 0)
            port_close(fd);
        return -1;
    }
    port_close(fd);
    return 0;
}

/* Sets mode and owner of a file by path. Used for lock.mdb BEFORE mdb_env_open: LMDB holds
 * fcntl locks on it, and closing any other descriptor of the file would drop them. */
static int own_path(const char *path, unsigned uid, unsigned gid, int create)
{
    int fd = port_open(path, PORT_O_RDWR | (create ? PORT_O_CREAT : 0), ENV_MODE);
    int rc = 0;

    if (fd < 0)
        return create || errno != ENOENT ? -1 : 0;
    if (port_fchmod(fd, ENV_MODE) < 0 || port_fchown(fd, uid, gid) < 0)
        rc = -1;
    port_close(fd);
    return rc;
}

static int file_exists(const char *dir, const char *name)
{
    char p[TLSMGR_PATH_MAX + 16];
    struct port_stat st;

    return join(p, sizeof(p), dir, name) == 0 && port_lstat(p, &st) == 0 && st.type == PORT_FT_REG;
}

/* Return codes of try_open besides 0 / -1: the env must be moved aside (reason set). */
#define OPEN_BAD 1

static int open_dbis(struct cache_env *ce, const char **why)
{
    unsigned create = ce->role == CACHE_ROLE_DAEMON ? MDB_CREATE : 0;
    MDB_txn *txn;
    MDB_val k, v;
    int rc;

    rc = cache_env_txn_begin(ce, ce->role == CACHE_ROLE_DAEMON ? 0 : MDB_RDONLY, &txn);
    if (rc != 0) {
        *why = mdb_strerror(rc);
        return rc == MDB_PANIC || rc == MDB_CORRUPTED || rc == MDB_INVALID ? OPEN_BAD : -1;
    }
    if ((rc = mdb_dbi_open(txn, CACHE_DB_SESSION, create, &ce->session)) != 0 ||
        (rc = mdb_dbi_open(txn, CACHE_DB_EXPIRY, create, &ce->expiry)) != 0 ||
        (rc = mdb_dbi_open(txn, CACHE_DB_META, create, &ce->meta)) != 0 ||
        (rc = mdb_dbi_open(txn, CACHE_DB_TICKET, create, &ce->ticket)) != 0) {
        mdb_txn_abort(txn);
        *why = rc == MDB_NOTFOUND ? "named databases missing" : mdb_strerror(rc);
        return ce->role == CACHE_ROLE_DAEMON ? OPEN_BAD : -1;
    }
    k = cache_val(CACHE_META_FORMAT, strlen(CACHE_META_FORMAT));
    rc = mdb_get(txn, ce->meta, &k, &v);
    if (rc == 0) {
        int cmp = cache_format_compare(v.mv_data, v.mv_size, ce->mbedtls_hdr);

        if (cmp < 0) {
            mdb_txn_abort(txn);
            *why = "wrong format record";
            return OPEN_BAD;
        }
        if (cmp > 0)
            ce->scan_needed = 1;
    } else if (rc == MDB_NOTFOUND && ce->role == CACHE_ROLE_DAEMON) {
        MDB_stat st;

        /* A new env gets the record; a populated env without one is not ours. */
        if (mdb_stat(txn, ce->session, &st) != 0 || st.ms_entries != 0) {
            mdb_txn_abort(txn);
            *why = "format record missing";
            return OPEN_BAD;
        }
        if ((rc = cache_env_format_write(ce, txn)) != 0) {
            mdb_txn_abort(txn);
            *why = mdb_strerror(rc);
            return rc == MDB_MAP_FULL ? OPEN_BAD : -1;
        }
    } else {
        mdb_txn_abort(txn);
        *why = rc == MDB_NOTFOUND ? "format record missing" : mdb_strerror(rc);
        return rc == MDB_NOTFOUND || rc == MDB_CORRUPTED ? OPEN_BAD : -1;
    }
    /* A read txn must commit too, so the handles stay valid. */
    rc = mdb_txn_commit(txn);
    if (rc != 0) {
        *why = mdb_strerror(rc);
        return rc == MDB_MAP_FULL || rc == MDB_CORRUPTED || rc == MDB_PANIC ? OPEN_BAD : -1;
    }
    return 0;
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

/* Makes sure a write can commit: a file that already fills its map (LMDB files never
 * shrink; a smaller map_size than the file's, or a full cache) evicts until one does. */
static int daemon_can_write(struct cache_env *ce)
{
    size_t i;
    int rc;

    for (i = 0; i <= CACHE_FULL_RETRIES; i++) {
        MDB_txn *txn;
        unsigned ev = 0;

        if ((rc = cache_env_txn_begin(ce, 0, &txn)) != 0)
            return rc;
        rc = 0;
        if (i > 0)
            rc = cache_env_evict(ce, txn, cache_full_evictions[i - 1], &ev);
        if (rc == 0) {
            struct cache_counts c;

            memset(&c, 0, sizeof(c));
            c.evicted = ev;
            rc = cache_env_counts_add(ce, txn, &c);
        }
        /* A real write, so that the commit proves there is room. */
        if (rc == 0)
            rc = cache_env_meta_set(ce, txn, CACHE_META_STARTED, (uint64_t)port_wall_time());
        rc = cache_env_txn_end(ce, txn, rc, NULL);
        if (rc != MDB_MAP_FULL)
            return rc;
    }
    return MDB_MAP_FULL;
}

static int try_open(struct cache_env *ce, const struct tlsmgr_conf *conf, unsigned uid,
                    unsigned gid, const char **why)
{
    unsigned flags = MDB_NOTLS;
    char lock[TLSMGR_PATH_MAX + 16];
    int rc, fd;

    if (ce->role == CACHE_ROLE_READONLY)
        flags |= MDB_RDONLY;
    if (!conf->cache_sync || port_fs_type(ce->path) == PORT_FS_TMPFS)
        flags |= MDB_NOSYNC;
    if (ce->role == CACHE_ROLE_DAEMON) {
        if (join(lock, sizeof(lock), ce->path, "lock.mdb") < 0 || own_path(lock, uid, gid, 1) < 0) {
            log_err("cache %s: cannot create lock.mdb mode 0660: %s", ce->path, strerror(errno));
            return -1;
        }
    } else if (!file_exists(ce->path, "data.mdb") || !file_exists(ce->path, "lock.mdb")) {
        return -1; /* clients never create */
    }
    if ((rc = mdb_env_create(&ce->env)) != 0) {
        ce->env = NULL;
        return -1;
    }
    (void)mdb_env_set_maxdbs(ce->env, ENV_MAXDBS);
    (void)mdb_env_set_mapsize(ce->env, (size_t)conf->cache_map_size);
    rc = mdb_env_open(ce->env, ce->path, flags, ENV_MODE);
    if (rc != 0) {
        *why = mdb_strerror(rc);
        if (ce->role == CACHE_ROLE_DAEMON && rc != ENOMEM && rc != EACCES && rc != EPERM &&
            rc != ENOSPC && rc != EROFS)
            return OPEN_BAD;
        if (ce->role == CACHE_ROLE_DAEMON)
            log_err("cache %s: cannot open the LMDB environment: %s", ce->path, *why);
        return -1;
    }
    if (!size_ok(ce)) {
        *why = "data.mdb is truncated";
        return ce->role == CACHE_ROLE_DAEMON ? OPEN_BAD : -1;
    }
    if (ce->role == CACHE_ROLE_DAEMON) {
        if (mdb_env_get_fd(ce->env, &fd) != 0 || port_fchmod(fd, ENV_MODE) < 0 ||
            port_fchown(fd, uid, gid) < 0) {
            log_err("cache %s: cannot set mode 0660 and owner of data.mdb: %s", ce->path,
                    strerror(errno));
            return -1;
        }
    }
    rc = open_dbis(ce, why);
    if (rc != 0)
        return rc;
    if (ce->role == CACHE_ROLE_DAEMON) {
        rc = daemon_can_write(ce);
        if (rc == MDB_MAP_FULL) {
            *why = "full and no entry can be evicted";
            return OPEN_BAD;
        }
        if (rc != 0) {
            *why = mdb_strerror(rc);
            return rc == MDB_CORRUPTED || rc == MDB_PANIC ? OPEN_BAD : -1;
        }
    }
    return 0;
}

int cache_env_open(struct cache_env *ce, const struct tlsmgr_conf *conf, enum cache_role role,
                   unsigned uid, unsigned gid)
{
    const char *why = "unknown";
    int rc, attempt;

    memset(ce, 0, sizeof(*ce));
    ce->role = role;
    ce->max_entries = conf->cache_max_entries;
    ce->map_size = conf->cache_map_size;
    if (conf->cache_database[0] == '\0' || strlen(conf->cache_database) >= sizeof(ce->path))
        return -1;
    memcpy(ce->path, conf->cache_database, strlen(conf->cache_database) + 1);
    if (cache_mbedtls_header(ce->mbedtls_hdr) < 0) {
        if (role == CACHE_ROLE_DAEMON)
            log_err("cache: the linked mbedTLS cannot serialize sessions "
                    "(mbedtls_ssl_session_save failed)");
        return -1;
    }
    if (port_fs_type(ce->path) == PORT_FS_JFFS2) {
        if (role == CACHE_ROLE_DAEMON)
            log_err("cache %s: the directory is on JFFS2, which cannot hold an LMDB "
                    "environment (no shared writable mmap); set tls_session_cache_database "
                    "to a directory on tmpfs (such as /tmp or /var/run) or UBIFS",
                    ce->path);
        return -1;
    }
    for (attempt = 0; attempt < 2; attempt++) {
        if (role == CACHE_ROLE_DAEMON && prepare_dir(ce->path, uid, gid) < 0)
            return -1;
        if (role == CACHE_ROLE_DAEMON)
            ce->scan_needed = 1; /* start-up: check every entry once */
        rc = try_open(ce, conf, uid, gid, &why);
        if (rc == 0)
            return 0;
        if (ce->env != NULL)
            mdb_env_close(ce->env);
        ce->env = NULL;
        if (rc != OPEN_BAD || role != CACHE_ROLE_DAEMON || attempt > 0)
            break;
        if (move_aside(ce->path) < 0) {
            log_err("cache %s: %s, and it cannot be moved aside: %s", ce->path, why,
                    strerror(errno));
            return -1;
        }
        log_warn("cache %s: %s; moved aside to %s.bad and recreated", ce->path, why, ce->path);
        ce->recreated = 1;
    }
    if (rc == OPEN_BAD && role == CACHE_ROLE_DAEMON)
        log_err("cache %s: recreated environment still unusable: %s", ce->path, why);
    return -1;
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

int cache_env_del(struct cache_env *ce, MDB_txn *txn, const uint8_t *skey, size_t skeylen,
                  uint64_t expires)
{
    uint8_t xkey[CACHE_XKEY_MAX];
    size_t xlen = cache_key_expiry(xkey, sizeof(xkey), expires, skey, skeylen);
    MDB_val k = cache_val(skey, skeylen), xk = cache_val(xkey, xlen);
    int rc;

    if (xlen == 0)
        return EINVAL;
    rc = mdb_del(txn, ce->session, &k, NULL);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    rc = mdb_del(txn, ce->expiry, &xk, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int cache_env_evict(struct cache_env *ce, MDB_txn *txn, unsigned n, unsigned *evicted)
{
    MDB_cursor *cur;
    MDB_val k, v;
    int rc;

    *evicted = 0;
    if ((rc = mdb_cursor_open(txn, ce->expiry, &cur)) != 0)
        return rc;
    while (*evicted < n && (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST)) == 0) {
        uint64_t exp;
        const uint8_t *skey;
        size_t skeylen;
        struct cache_entry_hdr h;
        MDB_val sk, sv;

        if (cache_key_expiry_split(k.mv_data, k.mv_size, &exp, &skey, &skeylen) == 0) {
            sk = cache_val(skey, skeylen);
            /* Only the entry this index key belongs to; a stale index key goes alone. */
            if (mdb_get(txn, ce->session, &sk, &sv) == 0 &&
                (cache_entry_decode(sv.mv_data, sv.mv_size, &h, NULL) != CACHE_OK ||
                 h.expires == exp)) {
                if ((rc = mdb_del(txn, ce->session, &sk, NULL)) != 0)
                    break;
                (*evicted)++;
            }
        }
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

uint64_t cache_env_meta_get(struct cache_env *ce, MDB_txn *txn, const char *name)
{
    MDB_val k = cache_val(name, strlen(name)), v;

    if (mdb_get(txn, ce->meta, &k, &v) != 0 || v.mv_size != 8)
        return 0;
    return cache_get_be64(v.mv_data);
}

int cache_env_meta_set(struct cache_env *ce, MDB_txn *txn, const char *name, uint64_t val)
{
    uint8_t b[8];
    MDB_val k = cache_val(name, strlen(name)), v = cache_val(b, sizeof(b));

    cache_put_be64(b, val);
    return mdb_put(txn, ce->meta, &k, &v, 0);
}

static int meta_add(struct cache_env *ce, MDB_txn *txn, const char *name, uint64_t d)
{
    if (d == 0)
        return 0;
    return cache_env_meta_set(ce, txn, name, cache_env_meta_get(ce, txn, name) + d);
}

int cache_env_counts_add(struct cache_env *ce, MDB_txn *txn, const struct cache_counts *c)
{
    int rc;

    if (c == NULL)
        return 0;
    if ((rc = meta_add(ce, txn, CACHE_META_LOOKUPS, c->lookups)) != 0 ||
        (rc = meta_add(ce, txn, CACHE_META_HITS, c->hits)) != 0 ||
        (rc = meta_add(ce, txn, CACHE_META_MISSES, c->misses)) != 0 ||
        (rc = meta_add(ce, txn, CACHE_META_STORES, c->stores)) != 0 ||
        (rc = meta_add(ce, txn, CACHE_META_EXPIRED, c->expired)) != 0 ||
        (rc = meta_add(ce, txn, CACHE_META_EVICTED, c->evicted)) != 0 ||
        (rc = meta_add(ce, txn, CACHE_META_INCOMPATIBLE, c->incompatible)) != 0 ||
        (rc = meta_add(ce, txn, CACHE_META_MALFORMED, c->malformed)) != 0)
        return rc;
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

int cache_env_format_write(struct cache_env *ce, MDB_txn *txn)
{
    uint8_t rec[CACHE_FORMAT_REC_LEN];
    MDB_val k = cache_val(CACHE_META_FORMAT, strlen(CACHE_META_FORMAT)),
            v = cache_val(rec, sizeof(rec));

    cache_format_record(rec, ce->mbedtls_hdr);
    return mdb_put(txn, ce->meta, &k, &v, 0);
}
