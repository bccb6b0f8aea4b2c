/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_repair.c - creating the session cache's env and repairing it: a damaged env is moved
 * aside whole (never fixed in place: its pages cannot be trusted) and a new one takes its
 * name, so TLS servers that follow the name (cache_env_replaced) move to it by themselves.
 * Every read of the daemon's map runs under the fault guard, so that a file cut short under
 * it is a repair, not a SIGBUS.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cache_repair.h"
#include "log.h"
#include "port.h"
#include "statedir.h"
#include "sweep.h"

#define DIR_MODE 0750

/* ---- Moving a bad env aside --------------------------------------------------------- */

static void remove_env_dir(const char *dir)
{
    char p[TLSMGR_PATH_MAX + 16];
    int i;

    for (i = 0; i < 2; i++)
        if (cache_env_file(dir, i, p, sizeof(p)) == 0)
            (void)port_unlink(p);
    (void)port_rmdir(dir);
}

/* Renames PATH to PATH.bad, replacing an older one. Returns 1 if moved, 0 if there was
 * nothing left to move, -1 on failure. */
static int move_aside(const char *path)
{
    char bad[TLSMGR_PATH_MAX + 8];
    struct port_stat st;

    if (snprintf(bad, sizeof(bad), "%s.bad", path) >= (int)sizeof(bad))
        return -1;
    if (port_lstat(path, &st) < 0)
        return 0;
    /* A file or a symbolic link goes with the unlink, which refuses a directory: the files
     * of an old env are then removed from it. */
    if (port_unlink(bad) < 0)
        remove_env_dir(bad);
    return port_rename(path, bad) < 0 ? -1 : 1;
}

/* ---- Creating ----------------------------------------------------------------------- */

int cache_repair_mark_checked(struct cache_env *ce, MDB_txn *txn)
{
    uint8_t rec[CACHE_FORMAT_REC_LEN];
    MDB_val v;

    cache_format_record(rec, ce->mbedtls_hdr);
    v = cache_val(rec, sizeof(rec));
    return cache_env_meta(ce, txn, CACHE_META_FORMAT, &v, 1);
}

/* Opens the named databases, creating them, and checks the format record (cache_env_format);
 * a new env gets one (a populated env without one is not ours). Returns an MDB error code or
 * a CACHE_ENV_ code. */
static int create_dbs(struct cache_env *ce)
{
    MDB_stat st;
    MDB_txn *txn;
    int rc;

    if ((rc = cache_env_txn_begin(ce, 0, &txn)) != 0)
        return rc;
    if ((rc = cache_env_dbis(ce, txn, MDB_CREATE)) == 0 &&
        (rc = cache_env_format(ce, txn)) == CACHE_ENV_NOREC)
        rc = mdb_stat(txn, ce->session, &st) != 0 || st.ms_entries != 0
                 ? CACHE_ENV_NOREC
                 : cache_repair_mark_checked(ce, txn);
    return cache_env_txn_end(ce, txn, rc, NULL);
}

/* Makes sure a write can commit: a file that already fills its map (LMDB files never
 * shrink; a smaller map_size than the file's, or a full cache) evicts until one does, more
 * each time. The write is a real one, so that its commit proves there is room. */
static int can_write(struct cache_env *ce)
{
    unsigned max = 16;
    MDB_txn *txn;
    int rc;

    while (
        (rc = cache_env_txn_begin(ce, 0, &txn)) == 0 &&
        (rc = cache_env_txn_end(
             ce, txn, cache_env_meta_set(ce, txn, CACHE_META_STARTED, (uint64_t)port_wall_time()),
             NULL)) == MDB_MAP_FULL &&
        (rc = sweep_evict(ce, max)) == 0)
        if (max < TLSMGR_SWEEP_BATCH)
            max *= 4;
    return rc == MDB_MAP_FULL ? CACHE_ENV_NOROOM : rc;
}

/* What try_open does once the env is mapped: every read of its pages, under the guard. A map
 * too full for the named databases is not usable either. */
static int open_dbs(struct cache_env *ce, void *arg)
{
    int *why = arg, rc = create_dbs(ce);

    if (rc == 0)
        rc = can_write(ce);
    *why = rc;
    return rc == MDB_MAP_FULL ? CACHE_ENV_BAD : cache_env_bad(rc);
}

static int try_open(struct cache_env *ce, unsigned uid, unsigned gid, int *why)
{
    int rc = cache_env_map(ce, why), fd[2], i;

    if (rc < 0)
        log_err("cache %s: %s", ce->path, cache_env_strerror(*why));
    if (rc != 0)
        return rc;
    /* Mode and owner through descriptors that stay open as long as LMDB's: closing any other
     * descriptor of lock.mdb would drop LMDB's locks on it. */
    cache_env_fds(ce, fd);
    for (i = 0; i < 2; i++)
        if (fd[i] < 0 || port_fchmod(fd[i], CACHE_ENV_MODE) < 0 ||
            port_fchown(fd[i], uid, gid) < 0) {
            log_err_errno("cache %s/%s", ce->path, CACHE_ENV_FILE(i));
            return -1;
        }
    rc = cache_repair_guard(ce, open_dbs, why);
    if (rc == CACHE_ENV_FAULT || rc == CACHE_ENV_ASSERT) {
        *why = rc;
        return CACHE_ENV_BAD;
    }
    return rc;
}

/* ---- Faults ------------------------------------------------------------------------- */

/* Envs left mapped because closing them faulted too (cache_repair_abandon). */
static unsigned leaked;

struct guarded {
    int (*fn)(struct cache_env *ce, void *arg);
    struct cache_env *ce;
    void *arg;
    int rc;
};

static void run_guarded(void *p)
{
    struct guarded *g = p;

    g->rc = cache_env_trap(g->ce, g->fn, g->arg);
}

int cache_repair_guard(struct cache_env *ce, int (*fn)(struct cache_env *ce, void *arg), void *arg)
{
    struct guarded g;
    int fds[2];

    g.fn = fn;
    g.ce = ce;
    g.arg = arg;
    g.rc = 0;
    cache_env_fds(ce, fds);
    if (port_guard(fds, 2, run_guarded, &g) == 0)
        return g.rc;
    ce->broken = CACHE_ENV_FAULT;
    return CACHE_ENV_FAULT;
}

static int end_env(struct cache_env *ce, void *arg)
{
    (void)arg;
    cache_env_abandon(ce);
    return 0;
}

void cache_repair_abandon(struct cache_env *ce)
{
    if (ce->env == NULL || cache_repair_guard(ce, end_env, NULL) != CACHE_ENV_FAULT) {
        cache_env_close(ce);
        return;
    }
    /* Faulted again, half closed: nothing of it can be touched. */
    cache_env_forget(ce);
    leaked++;
    log_warn("cache %s: damaged env left mapped (%u of %u)", ce->path, leaked,
             (unsigned)TLSMGR_CACHE_LEAK_MAX);
}

/* ---- Reasons ------------------------------------------------------------------------ */

/* LMDB's text of the last assertion a trap caught. */
static char assert_text[160] = "LMDB pages inconsistent";

void cache_repair_note_assert(const char *msg)
{
    snprintf(assert_text, sizeof(assert_text), "LMDB pages inconsistent: %s", msg);
}

const char *cache_env_strerror(int rc)
{
    /* From CACHE_ENV_SHORT down, one text per code (CACHE_ENV_ASSERT's is assert_text). */
    static const char texts[] = "data.mdb or lock.mdb truncated\0"
                                "page gone when read (file truncated)\0"
                                "data.mdb or lock.mdb removed or replaced\0"
                                "lock.mdb overwritten\0"
                                "\0"
                                "named databases missing\0"
                                "format record missing\0"
                                "wrong format record\0"
                                "full, nothing to evict\0"
                                "cannot open lock.mdb\0";
    const char *t = texts;
    int i;

    if (rc == CACHE_ENV_ASSERT)
        return assert_text;
    if (rc > CACHE_ENV_SHORT || rc <= CACHE_ENV_SHORT - CACHE_ENV_CODES)
        return mdb_strerror(rc);
    for (i = CACHE_ENV_SHORT; i > rc; i--)
        t += strlen(t) + 1;
    return t;
}

/* ---- Opening, and moving aside -------------------------------------------------------- */

/* Opens the env, or moves it aside first when bad (a code of cache_env_damaged) says why it is
 * damaged. */
static int open_env(struct cache_env *ce, const struct tlsmgr_conf *conf, unsigned uid,
                    unsigned gid, int bad)
{
    const char *no = NULL;
    int why = bad, rc, attempt, moved;

    cache_env_assert_hook = cache_repair_note_assert;
    /* After cache_repair_abandon or at start-up: ce holds no env. cache_env_init clears it
     * first, also for the return without a database: the caller closes it. */
    rc = cache_env_init(ce, conf, CACHE_ROLE_DAEMON);
    if (conf->cache_database[0] == '\0')
        return -1;
    if (rc < 0)
        no = "mbedtls_ssl_session_save failed";
    else if (leaked >= TLSMGR_CACHE_LEAK_MAX)
        no = "TLSMGR_CACHE_LEAK_MAX envs left mapped: none until restart";
    else if (port_fs_type(ce->path) == PORT_FS_JFFS2)
        no = "tls_session_cache_database on JFFS2";
    if (no != NULL) {
        log_err("cache %s: %s", conf->cache_database, no);
        return -1;
    }
    for (attempt = 0; attempt < 2; attempt++) {
        if (bad == 0 || attempt > 0) {
            /* Opened after the privilege drop: the directory is the daemon's or is refused. */
            if (statedir_prepare(ce->path, DIR_MODE, uid, gid, 0) < 0)
                return -1;
            ce->scan_needed = 1; /* start-up: check every entry once */
            rc = try_open(ce, uid, gid, &why);
            if (rc == 0)
                return 0;
            cache_repair_abandon(ce);
            if (rc != CACHE_ENV_BAD || attempt > 0)
                break;
        }
        if ((moved = move_aside(ce->path)) < 0) {
            log_err_errno("cache %s: %s; cannot move aside", ce->path, cache_env_strerror(why));
            return -1;
        }
        log_warn("cache %s: %s; %srecreated", ce->path, cache_env_strerror(why),
                 moved ? "moved aside to .bad, " : "");
        ce->recreated = 1;
    }
    if (rc == CACHE_ENV_BAD)
        log_err("cache %s: recreated, still %s", ce->path, cache_env_strerror(why));
    return -1;
}

int cache_repair_replace(struct cache_env *ce, const struct tlsmgr_conf *conf, unsigned uid,
                         unsigned gid, int rc)
{
    cache_repair_abandon(ce);
    return open_env(ce, conf, uid, gid, rc);
}

int cache_repair_open(struct cache_env *ce, const struct tlsmgr_conf *conf, unsigned uid,
                      unsigned gid)
{
    return open_env(ce, conf, uid, gid, 0);
}
