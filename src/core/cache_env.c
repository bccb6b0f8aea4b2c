/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_env.c - mapping the session cache's LMDB env and checking that it is ours and whole,
 * as every process does (libtlsmgr, tlsmgr -s, and the daemon before its own repairs); which
 * errors mean damage; the transaction, meta and counter helpers. Nothing here creates,
 * repairs or logs: that is the daemon's (src/daemon/cache_repair.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "cache_env.h"
#include "noinline.h"
#include "port.h"

/* Named databases: session, expiry, meta, ticket. */
#define ENV_MAXDBS 4

const char cache_env_files[] = "data.mdb\0lock.mdb";

int cache_env_file(const char *dir, int i, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", dir, CACHE_ENV_FILE(i));

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

void (*cache_env_assert_hook)(const char *msg);

/* Where an assertion of LMDB returns to, while cache_env_trap runs (NULL: none). One for the
 * process: only the env of the process's one caller at a time is ever trapped (the daemon is
 * single-threaded; libtlsmgr holds its process-wide lock around each trap), and on_assert is
 * installed on the envs of this module only. */
static jmp_buf *trap;

/* LMDB's assertion handler: back to the trap, if one is set; else LMDB calls abort() as it
 * always did. */
static void on_assert(MDB_env *env, const char *msg)
{
    jmp_buf *to = trap;

    (void)env;
    if (to == NULL)
        return;
    if (cache_env_assert_hook != NULL)
        cache_env_assert_hook(msg);
    trap = NULL;
    longjmp(*to, 1);
}

int cache_env_trap(struct cache_env *ce, int (*fn)(struct cache_env *ce, void *arg), void *arg)
{
    jmp_buf here;
    volatile int rc = CACHE_ENV_ASSERT;

    if (trap != NULL)
        return fn(ce, arg);
    if (setjmp(here) == 0) {
        trap = &here;
        rc = fn(ce, arg);
    } else {
        ce->broken = CACHE_ENV_ASSERT;
    }
    trap = NULL;
    return rc;
}

void cache_env_abandon(struct cache_env *ce)
{
    if (ce->env != NULL && ce->wtxn != NULL) {
        if (cache_env_lock_short(ce))
            (void)port_map_detach(ce->lock_fd);
        cache_env_abort(ce, ce->wtxn);
    }
    cache_env_close(ce);
}

/*
 * The one list of LMDB errors that mean a damaged env (lmdb.h, LMDB 0.9), and why:
 *   MDB_PAGE_NOTFOUND     a record or branch names a page past the last one: a bad pointer
 *   MDB_CORRUPTED         a page of another type than its parent says
 *   MDB_PANIC             a meta page could not be written: the env is unusable until reopened
 *   MDB_VERSION_MISMATCH  lock.mdb of another LMDB version (or overwritten)
 *   MDB_INVALID           not an LMDB file (or a lock.mdb without LMDB's magic)
 *   MDB_CURSOR_FULL       a B-tree deeper than LMDB can walk: branch pages in a loop
 *   MDB_PAGE_FULL         a page without room that LMDB thought had room: bad free-space bounds
 *   MDB_INCOMPATIBLE      a named database that is a plain record, or whose flags changed
 *   MDB_BAD_TXN           an earlier error in the transaction marked it failed (one of these)
 *   MDB_BAD_DBI           a named database dropped or recreated under us: only a foreign
 *                         writer does that, this code never drops one
 *   MDB_PROBLEM           (later LMDB) an inconsistency found inside a transaction
 * Not damage: MDB_NOTFOUND and MDB_KEYEXIST (answers); MDB_MAP_FULL, MDB_READERS_FULL,
 * MDB_TXN_FULL and MDB_DBS_FULL (limits: eviction, stale-reader clearing, the bounded
 * transactions and ENV_MAXDBS deal with them); MDB_MAP_RESIZED (adopted by
 * cache_env_txn_begin); MDB_BAD_VALSIZE and MDB_BAD_RSLOT (a caller's bad argument or use:
 * a bug to log, which recreating the env would hide; the sweeper, which passes back keys it
 * read, turns a refused one into MDB_CORRUPTED); MDB_TLS_FULL (Windows); errno values (resources,
 * permissions, I/O; at open, cache_env_map also counts an unexplained one as damage).
 */
int cache_env_damaged(int rc)
{
    /* Bit i: MDB_KEYEXIST + i (LMDB's codes run from -30799 up to MDB_PROBLEM, -30779). */
    const uint32_t bad =
        1u << (MDB_PAGE_NOTFOUND - MDB_KEYEXIST) | 1u << (MDB_CORRUPTED - MDB_KEYEXIST) |
        1u << (MDB_PANIC - MDB_KEYEXIST) | 1u << (MDB_VERSION_MISMATCH - MDB_KEYEXIST) |
        1u << (MDB_INVALID - MDB_KEYEXIST) | 1u << (MDB_CURSOR_FULL - MDB_KEYEXIST) |
        1u << (MDB_PAGE_FULL - MDB_KEYEXIST) | 1u << (MDB_INCOMPATIBLE - MDB_KEYEXIST) |
        1u << (MDB_BAD_TXN - MDB_KEYEXIST) | 1u << (MDB_BAD_DBI - MDB_KEYEXIST) |
        1u << (MDB_BAD_DBI + 1 - MDB_KEYEXIST);

    /* This module's codes, all but CACHE_ENV_NOLOCK (resources or permissions). */
    if (rc <= CACHE_ENV_SHORT && rc > CACHE_ENV_NOLOCK)
        return 1;
    return rc >= MDB_KEYEXIST && rc <= MDB_BAD_DBI + 1 && (bad >> (rc - MDB_KEYEXIST) & 1u);
}

int cache_env_bad(int rc)
{
    return rc == 0 ? 0 : cache_env_damaged(rc) ? CACHE_ENV_BAD : -1;
}

/* lock.mdb's size and first bytes (LMDB's magic and lock format), from our descriptor.
 * Returns 0, or -1 when they cannot be read (the file is shorter than its header). */
static int lock_state(const struct cache_env *ce, uint64_t *size, uint8_t *head)
{
    struct port_stat st;

    if (port_fstat(ce->lock_fd, &st) < 0 ||
        port_pread(ce->lock_fd, head, sizeof(ce->lock_head), 0) != (long)sizeof(ce->lock_head))
        return -1;
    *size = st.size;
    return 0;
}

/* CACHE_ENV_SHORT if lock.mdb is shorter than LMDB's map of it (or cannot be read),
 * CACHE_ENV_LOCK if its first bytes are not what they were at open, else 0. */
static int lock_check(const struct cache_env *ce)
{
    uint8_t head[sizeof(ce->lock_head)];
    uint64_t size;

    if (lock_state(ce, &size, head) < 0 || size < ce->lock_size)
        return CACHE_ENV_SHORT;
    return memcmp(head, ce->lock_head, sizeof(head)) != 0 ? CACHE_ENV_LOCK : 0;
}

/* lock.mdb first: mdb_env_info and every transaction read LMDB's lock map. Then the two
 * meta pages, before mdb_env_info reads the newest one, then every page that one claims. */
int cache_env_intact(struct cache_env *ce)
{
    MDB_envinfo info;
    struct port_stat st;
    int fd[2], rc;

    if (ce->env == NULL)
        return EINVAL;
    if (ce->broken != 0)
        return ce->broken;
    /* A mapped env has lock.mdb open (cache_env_map). */
    if ((rc = lock_check(ce)) != 0)
        return rc;
    cache_env_fds(ce, fd);
    if (port_fstat(fd[0], &st) < 0 || st.size < 2u * (uint64_t)ce->psize ||
        mdb_env_info(ce->env, &info) != 0 ||
        st.size < ((uint64_t)info.me_last_pgno + 1) * ce->psize)
        return CACHE_ENV_SHORT;
    return 0;
}

/* What intact compares with: the page size, and lock.mdb's size and header as LMDB just
 * mapped it, from a descriptor of our own (LMDB keeps its own to itself). */
static int note_sizes(struct cache_env *ce)
{
    char p[TLSMGR_PATH_MAX + 16];
    MDB_stat ms;

    if (mdb_env_stat(ce->env, &ms) != 0)
        return -1;
    ce->psize = ms.ms_psize;
    if (cache_env_file(ce->path, 1, p, sizeof(p)) < 0 ||
        (ce->lock_fd = port_open(p, PORT_O_RDONLY, 0)) < 0)
        return -1;
    ce->lock_open = 1;
    return lock_state(ce, &ce->lock_size, ce->lock_head);
}

int cache_env_map(struct cache_env *ce, int *why)
{
    unsigned flags = MDB_NOTLS;
    int rc;

    if (ce->role == CACHE_ROLE_READONLY)
        flags |= MDB_RDONLY;
    if (!ce->sync || port_fs_type(ce->path) == PORT_FS_TMPFS)
        flags |= MDB_NOSYNC;
    /* A failed create leaves ce->env as cache_env_init left it: NULL. */
    if ((rc = mdb_env_create(&ce->env)) == 0) {
        (void)mdb_env_set_maxdbs(ce->env, ENV_MAXDBS);
        (void)mdb_env_set_mapsize(ce->env, (size_t)ce->map_size);
        (void)mdb_env_set_assert(ce->env, on_assert);
        rc = mdb_env_open(ce->env, ce->path, flags, CACHE_ENV_MODE);
        if (rc == 0)
            rc = note_sizes(ce) < 0 ? CACHE_ENV_NOLOCK : cache_env_intact(ce);
    }
    *why = rc;
    if (rc == 0)
        return 0;
    cache_env_close(ce);
    /* Resources and permissions are not the files' fault: anything else is. */
    return rc == CACHE_ENV_NOLOCK || rc == ENOMEM || rc == EACCES || rc == EPERM || rc == ENOSPC ||
                   rc == EROFS
               ? -1
               : CACHE_ENV_BAD;
}

/* The four handles follow each other in struct cache_env, in the order of their names below. */
typedef char cache_env_dbis_in_a_row[offsetof(struct cache_env, ticket) -
                                                 offsetof(struct cache_env, session) ==
                                             3 * sizeof(MDB_dbi)
                                         ? 1
                                         : -1];

int cache_env_dbis(struct cache_env *ce, MDB_txn *txn, unsigned flags)
{
    const char *name =
        CACHE_DB_SESSION "\0" CACHE_DB_EXPIRY "\0" CACHE_DB_META "\0" CACHE_DB_TICKET;
    char *dbi = (char *)ce + offsetof(struct cache_env, session);
    int rc = 0, i;

    for (i = 0; i < ENV_MAXDBS && rc == 0; i++, name += strlen(name) + 1)
        rc = mdb_dbi_open(txn, name, flags, (MDB_dbi *)(void *)(dbi + i * sizeof(MDB_dbi)));
    return rc;
}

int cache_env_format(struct cache_env *ce, MDB_txn *txn)
{
    MDB_val v;
    int rc = cache_env_meta(ce, txn, CACHE_META_FORMAT, &v, 0), bad;

    if (rc == MDB_NOTFOUND)
        return CACHE_ENV_NOREC;
    if (rc == 0 && (bad = cache_format_compare(v.mv_data, v.mv_size, ce->mbedtls_hdr)) != 0) {
        if (bad < 0)
            return CACHE_ENV_FORMAT;
        ce->scan_needed = 1;
    }
    return rc;
}

int cache_env_check(struct cache_env *ce, int *why)
{
    MDB_txn *txn;
    int rc;

    if ((rc = cache_env_txn_begin(ce, MDB_RDONLY, &txn)) == 0) {
        if ((rc = cache_env_dbis(ce, txn, 0)) == MDB_NOTFOUND)
            rc = CACHE_ENV_NODBS;
        else if (rc == 0)
            rc = cache_env_format(ce, txn);
        /* A read txn commits too, so that the handles stay valid. */
        rc = cache_env_txn_end(ce, txn, rc, NULL);
    }
    *why = rc;
    return cache_env_bad(rc);
}

static int check(struct cache_env *ce, void *why)
{
    return cache_env_check(ce, why);
}

/* lstat of PATH/data.mdb (i 0) or PATH/lock.mdb (i 1). */
static int env_lstat(const struct cache_env *ce, int i, struct port_stat *st)
{
    char p[TLSMGR_PATH_MAX + 16];

    return cache_env_file(ce->path, i, p, sizeof(p)) < 0 || port_lstat(p, st) < 0 ? -1 : 0;
}

int cache_env_open_why(struct cache_env *ce, const struct tlsmgr_conf *conf, enum cache_role role,
                       int *why)
{
    struct port_stat st;
    int rc, i;

    *why = ENOENT;
    if (cache_env_init(ce, conf, role) < 0)
        return -1;
    /* Never create: only the daemon does (and a JFFS2 directory is refused there). An empty
     * data.mdb (cut to nothing) would be one: LMDB writes new meta pages into it. */
    for (i = 0; i < 2; i++)
        if (env_lstat(ce, i, &st) < 0 || st.type != PORT_FT_REG || (i == 0 && st.size == 0))
            return -1;
    if ((rc = cache_env_map(ce, why)) != 0)
        return rc;
    rc = cache_env_trap(ce, check, why);
    if (rc == CACHE_ENV_ASSERT) {
        *why = rc;
        rc = CACHE_ENV_BAD;
    }
    if (rc != 0)
        cache_env_abandon(ce);
    return rc;
}

int cache_env_open(struct cache_env *ce, const struct tlsmgr_conf *conf, enum cache_role role)
{
    int why;

    return cache_env_open_why(ce, conf, role, &why) == 0 ? 0 : -1;
}

int cache_env_lock_short(struct cache_env *ce)
{
    return ce->lock_open && lock_check(ce) == CACHE_ENV_SHORT;
}

void cache_env_close(struct cache_env *ce)
{
    /* A lock map that cannot be made safe to touch is left as it is (cache_env.h). */
    if (ce->env != NULL && (!cache_env_lock_short(ce) || port_map_detach(ce->lock_fd) >= 0))
        mdb_env_close(ce->env);
    ce->broken = 0;
    /* Only now: closing any descriptor of lock.mdb drops this process's locks on it. */
    cache_env_forget(ce);
}

void cache_env_forget(struct cache_env *ce)
{
    ce->env = NULL;
    ce->wtxn = NULL;
    /* A child holds no lock of its own on lock.mdb yet: closing its copy drops nothing. */
    if (ce->lock_open)
        port_close(ce->lock_fd);
    ce->lock_open = 0;
}

void cache_env_fds(const struct cache_env *ce, int fd[2])
{
    if (ce->env == NULL || mdb_env_get_fd(ce->env, &fd[0]) != 0)
        fd[0] = -1;
    fd[1] = ce->lock_open ? ce->lock_fd : -1;
}

int cache_env_replaced(struct cache_env *ce)
{
    struct port_stat now, open_;
    int fd[2], i;

    cache_env_fds(ce, fd);
    if (fd[0] < 0)
        return 1;
    for (i = 0; i < 2; i++)
        if (fd[i] >= 0 && (port_fstat(fd[i], &open_) < 0 || env_lstat(ce, i, &now) < 0 ||
                           now.dev != open_.dev || now.ino != open_.ino))
            return 1;
    return 0;
}

/* ---- Transaction helpers ------------------------------------------------------------- */

/*
 * LMDB does not write the pages that a transaction allocated and freed again ("loose" pages:
 * mdb_page_flush skips P_LOOSE ones), so data.mdb may end before the last page its meta page
 * claims, legitimately. Every writer therefore makes the file as long as its map before it
 * commits anything: the size grows by a hole (no block written on tmpfs or UBIFS), and from
 * then on a data.mdb shorter than its pages is damage, with no tolerance. Called holding
 * LMDB's writer lock: no other writer extends the file meanwhile, so this never shortens it.
 */
static void cover_map(struct cache_env *ce)
{
    MDB_envinfo info;
    struct port_stat st;
    int fd[2];

    cache_env_fds(ce, fd);
    if (mdb_env_info(ce->env, &info) != 0 || info.me_mapsize <= ce->covered ||
        port_fstat(fd[0], &st) < 0)
        return;
    if (st.size >= info.me_mapsize || port_ftruncate(fd[0], info.me_mapsize) == 0)
        ce->covered = info.me_mapsize;
}

int cache_env_txn_begin(struct cache_env *ce, unsigned flags, MDB_txn **txn)
{
    int rc;

    if (ce->env == NULL)
        return EINVAL;
    if ((rc = cache_env_intact(ce)) != 0)
        return rc;
    rc = mdb_txn_begin(ce->env, NULL, flags, txn);
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map: adopt its size (no txn of ours is open). */
        rc = mdb_env_set_mapsize(ce->env, 0);
        if (rc == 0)
            rc = mdb_txn_begin(ce->env, NULL, flags, txn);
    }
    if (rc == 0 && !(flags & MDB_RDONLY)) {
        ce->wtxn = *txn;
        cover_map(ce);
    }
    return rc;
}

int cache_env_commit(struct cache_env *ce, MDB_txn *txn)
{
    int rc = mdb_txn_commit(txn);

    if (ce->wtxn == txn)
        ce->wtxn = NULL;
    return rc;
}

void cache_env_abort(struct cache_env *ce, MDB_txn *txn)
{
    mdb_txn_abort(txn);
    if (ce->wtxn == txn)
        ce->wtxn = NULL;
}

int cache_env_txn_end(struct cache_env *ce, MDB_txn *txn, int rc, struct cache_counts *flush)
{
    if (rc == 0)
        rc = cache_env_counts_add(ce, txn, flush);
    if (rc == 0)
        rc = cache_env_commit(ce, txn);
    else
        cache_env_abort(ce, txn);
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

int cache_env_meta(struct cache_env *ce, MDB_txn *txn, const char *name, MDB_val *v, int put)
{
    MDB_val k = cache_val(name, strlen(name));

    return put ? mdb_put(txn, ce->meta, &k, v, 0) : mdb_get(txn, ce->meta, &k, v);
}

uint64_t cache_env_meta_get(struct cache_env *ce, MDB_txn *txn, const char *name)
{
    MDB_val v;

    if (cache_env_meta(ce, txn, name, &v, 0) != 0 || v.mv_size != 8)
        return 0;
    return get_be64(v.mv_data);
}

int cache_env_meta_set(struct cache_env *ce, MDB_txn *txn, const char *name, uint64_t val)
{
    uint8_t b[8];
    MDB_val v = cache_val(b, sizeof(b));

    put_be64(b, val);
    return cache_env_meta(ce, txn, name, &v, 1);
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

TLSMGR_NOINLINE void cache_counts_bad(struct cache_counts *c, enum cache_verdict v)
{
    if (v <= CACHE_EXPIRED)
        c->expired++;
    else if (v == CACHE_INCOMPATIBLE)
        c->incompatible++;
    else
        c->malformed++;
}
