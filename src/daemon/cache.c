/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache.c - the session cache service: opens (creates, repairs) the LMDB env, runs the
 * sweeper on the loop, logs statistics on SIGUSR1, and prints them for tlsmgr -s.
 *
 * The env is opened in start, after the privilege drop, not in setup as root: the state
 * directory already belongs to tlsmgr_user, so files created then get the right owner and
 * group by themselves (fchown is still called, and is then a no-op), no root-owned file can
 * be left behind for an unprivileged daemon to trip over, and a repair at run time (a damaged
 * env reopened by the sweeper) works the same way as at start-up.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "cache_repair.h"
#include "log.h"
#include "port.h"
#include "sweep.h"
#include "tickets.h"

static struct cache_env env;
static struct sweep sweeper;
#if TLSMGR_TICKETS
static struct tickets keys;
#endif
static int active;

/* Said when tlsmgr -s or the service finds no cache to open. */
static const char no_cache[] = "no session cache: tls_session_cache_database empty";
const char cache_stat_names[] = CACHE_STAT_HEAD CACHE_META_COUNTERS CACHE_META_SWEEP_STATS
    "map_size\0used_bytes\0readers\0max_readers\0";
LOG_COUNTERS_CHECK(cache_stats, 18);

int cache_read_stats(struct cache_env *ce, struct cache_stats *st)
{
    uint64_t *v = &st->c.lookups;
    const char *name = CACHE_STAT_META;
    MDB_envinfo info;
    MDB_stat ms;
    MDB_txn *txn;
    int rc;

    memset(st, 0, sizeof(*st));
    if ((rc = cache_env_txn_begin(ce, MDB_RDONLY, &txn)) != 0)
        return rc;
    if (mdb_stat(txn, ce->session, &ms) == 0)
        st->entries = ms.ms_entries;
    if (mdb_stat(txn, ce->expiry, &ms) == 0)
        st->expiry_entries = ms.ms_entries;
    for (; v < &st->map_size; name += strlen(name) + 1)
        *v++ = cache_env_meta_get(ce, txn, name);
    mdb_txn_abort(txn);
    if (mdb_env_info(ce->env, &info) == 0) {
        st->map_size = info.me_mapsize;
        st->used_bytes = ((uint64_t)info.me_last_pgno + 1) * ce->psize;
        st->readers = info.me_numreaders;
        st->max_readers = info.me_maxreaders;
    }
    return 0;
}

static int read_stats(struct cache_env *ce, void *st)
{
    return cache_read_stats(ce, st);
}

/* Every path that finds the env damaged (a sweep, the statistics) comes here: it is moved
 * aside and recreated, with one log line. Repairs that fail leave env.env NULL; the sweep
 * timer keeps running and tries again at each period. A full map (the sweeper could not even
 * delete) is not damage: the env is reopened, which evicts until a write fits. */
static void repair(struct daemon *d, int rc)
{
    int damaged = cache_env_damaged(rc);

    if (!damaged)
        log_warn("cache %s: %s; reopening", env.path, cache_env_strerror(rc));
    rc = cache_repair_replace(&env, &d->conf, d->uid, d->gid, damaged ? rc : 0);
    if (rc < 0)
        log_err("cache %s: unusable; retry in %us", env.path, d->conf.cache_sweep_period);
    sweep_reset(&sweeper);
#if TLSMGR_TICKETS
    /* A recreated env has an empty ticket DB: new keys at once. */
    if (rc == 0)
        (void)tickets_update(&keys);
#endif
}

static void on_broken(void *arg, int rc)
{
    repair(arg, rc);
}

static int cache_start(struct daemon *d)
{
    if (d->conf.cache_database[0] == '\0') {
        log_info("%s", no_cache);
        return 0;
    }
    if (cache_repair_open(&env, &d->conf, d->uid, d->gid) < 0)
        return -1;
    if (sweep_init(&sweeper, &env, &d->loop, d->conf.cache_sweep_period, on_broken, d) < 0) {
        cache_env_close(&env);
        return -1;
    }
#if TLSMGR_TICKETS
    if (tickets_init_conf(&keys, &env, &d->loop, &d->conf) < 0) {
        sweep_free(&sweeper);
        cache_env_close(&env);
        return -1;
    }
#endif
    active = 1;
    /* The start-up scan runs at once, in steps, while the loop serves everything else. */
    sweep_schedule(&sweeper);
    log_info("cache %s: map %llu, max %u entries, sweep %us", env.path,
             (unsigned long long)d->conf.cache_map_size, d->conf.cache_max_entries,
             d->conf.cache_sweep_period);
    return 0;
}

static void cache_reload(struct daemon *d, const struct tlsmgr_conf *old)
{
    if (strcmp(d->conf.cache_database, old->cache_database) != 0 ||
        d->conf.cache_map_size != old->cache_map_size || d->conf.cache_sync != old->cache_sync)
        log_warn("reload: tls_session_cache_database, _map_size, _sync: restart needed");
    if (!active)
        return;
    env.max_entries = d->conf.cache_max_entries;
    if (d->conf.cache_sweep_period != old->cache_sweep_period)
        sweep_set_period(&sweeper, d->conf.cache_sweep_period);
#if TLSMGR_TICKETS
    tickets_reload(&keys);
#endif
}

static void cache_stats(struct daemon *d)
{
    struct cache_stats st;
    int rc;

    if (!active)
        return;
    rc = env.env == NULL ? CACHE_ENV_GONE : cache_repair_guard(&env, read_stats, &st);
    if (rc == 0)
        log_counters("cache", cache_stat_names, (const uint64_t *)&st);
    else if (cache_env_damaged(rc))
        repair(d, rc);
    sweep_log_stats(&sweeper);
#if TLSMGR_TICKETS
    tickets_log_stats(&keys);
#endif
}

static void cache_stop(struct daemon *d)
{
    (void)d;
    if (!active)
        return;
    sweep_free(&sweeper);
#if TLSMGR_TICKETS
    tickets_free(&keys);
#endif
    cache_env_close(&env);
    active = 0;
}

const struct service cache_service = {
    "cache", NULL, cache_start, cache_reload, cache_stats, cache_stop,
};

/* What tlsmgr -s reads, in one guarded call. */
struct status_read {
    struct cache_stats st;
    char tickets[256];
};

static int read_status(struct cache_env *ce, void *arg)
{
    struct status_read *sr = arg;
    int rc = cache_read_stats(ce, &sr->st);

    sr->tickets[0] = '\0';
#if TLSMGR_TICKETS
    if (rc == 0)
        (void)tickets_describe(ce, sr->tickets, sizeof(sr->tickets));
#endif
    return rc;
}

int cache_print_status(const struct tlsmgr_conf *c)
{
    struct cache_env ro;
    struct status_read sr;
    const uint64_t *v = (const uint64_t *)&sr.st;
    const char *name;
    char text[TLSMGR_PATH_MAX + 16];
    int rc, why;

    if (c->cache_database[0] == '\0') {
        log_err("%s", no_cache);
        return 1;
    }
    cache_env_assert_hook = cache_repair_note_assert;
    rc = cache_env_open_why(&ro, c, CACHE_ROLE_READONLY, &why);
    if (rc == 0 && (rc = cache_repair_guard(&ro, read_status, &sr)) != 0) {
        why = rc;
        /* After a fault or an assertion LMDB's state is unknown: the env is left as it is
         * (this process exits now). */
        if (rc == CACHE_ENV_FAULT || rc == CACHE_ENV_ASSERT)
            cache_env_forget(&ro);
        rc = cache_env_bad(rc);
    }
    cache_env_close(&ro);
    if (rc != 0) {
        log_err("cache %s %s: %s", c->cache_database,
                rc == CACHE_ENV_BAD ? "is damaged" : "unreadable", cache_env_strerror(why));
        return 1;
    }
    snprintf(text, sizeof(text), "cache: %s\n", c->cache_database);
    port_print(text);
    for (name = cache_stat_names; *name != '\0'; name += strlen(name) + 1, v++) {
        snprintf(text, sizeof(text), "%s: %llu\n", name, (unsigned long long)*v);
        port_print(text);
    }
    port_print(sr.tickets);
    return 0;
}
