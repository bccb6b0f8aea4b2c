/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_cache_damage.c - the daemon's cache service meets an env damaged under it, as a member
 * of the TLS servers' group can damage it (the files are theirs to write): data.mdb cut short
 * (one page or most of it), lock.mdb cut short, either file unlinked, a record whose page
 * pointer leads past the end of the file. The daemon never dies of it: the next sweep (or
 * the statistics of SIGUSR1) finds it, moves the env aside and recreates it, with one log
 * line; tlsmgr -s reports it; a restart on such an env repairs it at once. Each case runs in
 * a child process, so that a crash is a failed case and not the end of the program.
 */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "cache_repair.h"
#include "cache_session.h"
#include "daemon.h"
#include "entropy.h"
#include "port.h"
#include "t.h"
#include "ticket_files.h"
#include "ticket_store.h"
#include "tickets.h"

#define PERIOD_S 60
/* Bigger than half a page: LMDB keeps such a value on overflow pages of its own, reached
 * through a page number in the record. */
#define BIG_BLOB 3000

static const uint8_t tag[] = "www";
static struct daemon d;

static void daemon_init(void)
{
    memset(&d, 0, sizeof(d));
    conf_defaults(&d.conf); /* cache in state/cache */
    d.conf.cache_sweep_period = PERIOD_S;
    d.conf.cache_max_entries = 100000;
    loop_init(&d.loop);
    entropy_reset();
    d.uid = port_uid();
    d.gid = port_gid();
    T_EQ_INT(mkdir("state", 0750), 0);
}

static void start(void)
{
    T_EQ_INT(cache_service.start(&d), 0);
    /* The start-up scan runs in the loop at once. */
    loop_run_until(&d.loop, port_test_now + 1);
}

/* Runs the loop for one sweep period (and a millisecond). */
static void one_period(void)
{
    loop_run_until(&d.loop, port_test_now + PERIOD_S * 1000 + 1);
}

static void id_for(uint8_t id[32], unsigned n)
{
    memset(id, 0xC3, 32);
    memcpy(id, &n, sizeof(n));
}

static size_t skey_for(uint8_t *skey, unsigned n)
{
    uint8_t id[32];

    id_for(id, n);
    return cache_key_session(skey, CACHE_SKEY_MAX, tag, 3, id, 32);
}

static int store(struct cache_env *ce, unsigned n, size_t len, uint64_t expires)
{
    uint8_t id[32], b[4096];
    size_t i;

    id_for(id, n);
    T_ASSERT(cache_mbedtls_header(b) == 0);
    for (i = CACHE_MBEDTLS_HDR_LEN; i < len; i++)
        b[i] = (uint8_t)(n * 7 + i);
    return cache_session_store(ce, tag, 3, id, 32, port_wall_time(), expires, b, len, NULL);
}

static int lookup(struct cache_env *ce, unsigned n)
{
    uint8_t id[32], out[4096];
    size_t len;

    id_for(id, n);
    return cache_session_lookup(ce, tag, 3, id, 32, port_wall_time(), out, sizeof(out), &len);
}

/* A TLS server stores count entries of len bytes in the daemon's env. */
static void fill(unsigned count, size_t len, uint64_t expires)
{
    struct cache_env cl;
    unsigned i;

    T_EQ_INT(cache_env_open(&cl, &d.conf, CACHE_ROLE_CLIENT), 0);
    for (i = 0; i < count; i++)
        T_EQ_INT(store(&cl, i, len, expires), 0);
    T_EQ_INT(lookup(&cl, 0), CACHE_LOOKUP_HIT);
    cache_env_close(&cl);
}

/* The daemon runs, and TLS servers stored count entries in its env. */
static void running(unsigned count, size_t len, uint64_t expires)
{
    daemon_init();
    start();
    fill(count, len, expires);
}

/* A size for data.mdb one page short of what its newest meta page claims now. */
static off_t one_page_short(void)
{
    struct cache_env cl;
    MDB_envinfo info;
    MDB_stat ms;
    off_t size = 0;

    T_EQ_INT(cache_env_open(&cl, &d.conf, CACHE_ROLE_CLIENT), 0);
    if (mdb_env_info(cl.env, &info) == 0 && mdb_env_stat(cl.env, &ms) == 0)
        size = (off_t)info.me_last_pgno * ms.ms_psize;
    cache_env_close(&cl);
    T_ASSERT(size > 0);
    return size;
}

/* After a repair: the env was moved aside once, and a TLS server opening it now stores and
 * finds an entry. */
static void expect_repaired(const char *why)
{
    struct cache_env cl;
    struct stat st;

    T_EQ_INT(t_log_count("moved aside"), 1);
    if (why != NULL && !port_test_log_has(why))
        t_fail(__FILE__, __LINE__, "the log does not say \"%s\"", why);
    T_EQ_INT(stat("state/cache.bad", &st), 0);
    T_EQ_INT(cache_env_open(&cl, &d.conf, CACHE_ROLE_CLIENT), 0);
    T_EQ_INT(store(&cl, 9999, 200, (uint64_t)port_wall_time() + 100), 0);
    T_EQ_INT(lookup(&cl, 9999), CACHE_LOOKUP_HIT);
    T_EQ_INT(lookup(&cl, 1), CACHE_LOOKUP_MISS);
    cache_env_close(&cl);
}

/* Points the record of entry n at an overflow page past the end of data.mdb, as a damaged
 * or hostile write would: every copy of its node (the B-tree keeps older ones in free pages)
 * gets page number 0x7ffffff0. LMDB's node: u16 lo, u16 hi, u16 flags (F_BIGDATA 1),
 * u16 key size, the key, then the page number (a size_t) of a big value. */
static int plant_far_page(const char *file, unsigned n)
{
    uint8_t skey[CACHE_SKEY_MAX], *buf;
    size_t klen = skey_for(skey, n), pgno = 0x7ffffff0, i;
    struct stat st;
    int fd = open(file, O_RDWR), planted = 0;

    if (fd < 0 || fstat(fd, &st) < 0 || (buf = malloc((size_t)st.st_size)) == NULL)
        return -1;
    if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
        free(buf);
        close(fd);
        return -1;
    }
    for (i = 8; i + klen + sizeof(pgno) <= (size_t)st.st_size; i++) {
        uint16_t flags, ksize;

        if (memcmp(buf + i, skey, klen) != 0)
            continue;
        memcpy(&flags, buf + i - 4, 2);
        memcpy(&ksize, buf + i - 2, 2);
        if (ksize != klen || !(flags & 1))
            continue;
        if (pwrite(fd, &pgno, sizeof(pgno), (off_t)(i + klen)) == (ssize_t)sizeof(pgno))
            planted++;
    }
    free(buf);
    close(fd);
    return planted;
}

/* ---- data.mdb cut short under the running daemon ------------------------------------- */

static void truncated_under_sweeper(void)
{
    running(300, 1000, (uint64_t)port_wall_time() + 3600);
    T_EQ_INT(truncate("state/cache/data.mdb", 8192), 0);
    one_period();
    expect_repaired("truncated");
    /* Repaired once: the sweeps that follow find nothing wrong. */
    one_period();
    one_period();
    T_EQ_INT(t_log_count("moved aside"), 1);
    cache_service.stop(&d);
}

static void truncated_data_recovered_by_next_sweep(void)
{
    t_child(truncated_under_sweeper);
}

static void truncated_then_statistics(void)
{
    running(300, 1000, (uint64_t)port_wall_time() + 3600);
    T_EQ_INT(truncate("state/cache/data.mdb", 8192), 0);
    /* SIGUSR1 first: it must neither crash nor show the damaged env's figures. */
    cache_service.stats(&d);
    T_ASSERT(!port_test_log_has("cache: entries 300"));
    one_period();
    expect_repaired(NULL);
    cache_service.stop(&d);
}

static void statistics_on_truncated_env(void)
{
    t_child(truncated_then_statistics);
}

static void status_of_env_cut_to(int one_page)
{
    running(300, 1000, (uint64_t)port_wall_time() + 3600);
    T_EQ_INT(truncate("state/cache/data.mdb", one_page ? one_page_short() : 8192), 0);
    /* tlsmgr -s: another process, reading the env as it is. */
    T_EQ_INT(cache_print_status(&d.conf), 1);
    T_ASSERT(strstr(port_test_printed(), "entries: 300") == NULL);
    T_ASSERT(port_test_log_has("damaged"));
    cache_service.stop(&d);
}

static void status_of_truncated_env(void)
{
    status_of_env_cut_to(0);
}

static void status_of_one_page_short_env(void)
{
    status_of_env_cut_to(1);
}

static void status_on_truncated_env(void)
{
    t_child(status_of_truncated_env);
}

static void status_on_one_page_short_env(void)
{
    t_child(status_of_one_page_short_env);
}

/* ---- lock.mdb cut short, files unlinked ----------------------------------------------- */

static void lock_truncated_under_sweeper(void)
{
    running(50, 500, (uint64_t)port_wall_time() + 3600);
    T_EQ_INT(truncate("state/cache/lock.mdb", 0), 0);
    one_period();
    expect_repaired(NULL);
    cache_service.stop(&d);
}

static void truncated_lock_recovered_by_next_sweep(void)
{
    t_child(lock_truncated_under_sweeper);
}

/* Zeros over lock.mdb's first bytes, its size unchanged: LMDB's magic and lock format are
 * gone, and so are the mutexes it would wait on. */
static void zero_lock_head(void)
{
    static const char zeros[64];
    int fd = open("state/cache/lock.mdb", O_WRONLY);

    T_ASSERT(fd >= 0 && pwrite(fd, zeros, sizeof(zeros), 0) == (ssize_t)sizeof(zeros));
    close(fd);
}

static void lock_overwritten_under_sweeper(void)
{
    running(50, 500, (uint64_t)port_wall_time() + 3600);
    zero_lock_head();
    one_period();
    expect_repaired("overwritten");
    cache_service.stop(&d);
}

static void overwritten_lock_recovered_by_next_sweep(void)
{
    t_child(lock_overwritten_under_sweeper);
}

/* Zeros over data.mdb's meta pages: LMDB's own checks fail where it would abort(). */
static void meta_zeroed_under_sweeper(void)
{
    static char zeros[2 * 65536];
    long psize = sysconf(_SC_PAGESIZE);
    int fd;

    running(50, 500, (uint64_t)port_wall_time() + 3600);
    fd = open("state/cache/data.mdb", O_WRONLY);
    T_ASSERT(fd >= 0 && pwrite(fd, zeros, 2 * (size_t)psize, 0) == 2 * psize);
    close(fd);
    one_period();
    expect_repaired("inconsistent");
    cache_service.stop(&d);
}

static void zeroed_meta_recovered_by_next_sweep(void)
{
    t_child(meta_zeroed_under_sweeper);
}

/* (The new file may get the old one's inode number: the daemon held the unlinked file open
 * until it let go of it. The log and a working env are what tell.) */
static void unlinked_under_sweeper(const char *file)
{
    running(50, 500, (uint64_t)port_wall_time() + 3600);
    T_EQ_INT(unlink(file), 0);
    one_period();
    expect_repaired("removed or replaced");
    cache_service.stop(&d);
}

static void data_unlinked(void)
{
    unlinked_under_sweeper("state/cache/data.mdb");
}

static void lock_unlinked(void)
{
    unlinked_under_sweeper("state/cache/lock.mdb");
}

static void unlinked_data_recreated_by_next_sweep(void)
{
    t_child(data_unlinked);
}

static void unlinked_lock_recreated_by_next_sweep(void)
{
    t_child(lock_unlinked);
}

/* ---- Cut short between the checks and LMDB's reads: the guard ---------------------------- */

static void cut_data(void)
{
    T_EQ_INT(truncate("state/cache/data.mdb", 8192), 0);
}

/* The sweep's checks (two fstats for the names, two for the sizes) pass, then the step's
 * transaction checks again (two more) and begins: data.mdb is cut right after, so that
 * LMDB's first read of a page past 8192 faults inside the guard. */
static void cut_inside_sweep_step(void)
{
    running(300, 1000, (uint64_t)port_wall_time() + 3600);
    port_test_after_fstat(6, cut_data);
    one_period();
    expect_repaired("gone when read");
    T_ASSERT(!port_test_log_has("left mapped"));
    one_period();
    T_EQ_INT(t_log_count("moved aside"), 1);
    cache_service.stop(&d);
}

static void fault_in_sweep_step_repaired(void)
{
    t_guarded_child(cut_inside_sweep_step);
}

/* SIGUSR1: the statistics' read transaction checks (two fstats), then reads the meta DB. */
static void cut_inside_statistics(void)
{
    running(300, 1000, (uint64_t)port_wall_time() + 3600);
    port_test_after_fstat(2, cut_data);
    cache_service.stats(&d);
    expect_repaired("gone when read");
    cache_service.stop(&d);
}

static void fault_in_statistics_repaired(void)
{
    t_guarded_child(cut_inside_statistics);
}

/* A fault inside a write transaction leaves it open, holding LMDB's writer lock: a TLS server
 * already waiting for that lock must get it once the daemon gives the env up, not wait for
 * ever. */
static int waiter_ready[2];

static int write_then_fault(struct cache_env *ce, void *arg)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    char c;

    (void)arg;
    T_EQ_INT(cache_env_txn_begin(ce, 0, &txn), 0);
    /* The server: past its checks, now in mdb_txn_begin behind our lock. */
    T_EQ_INT(read(waiter_ready[0], &c, 1), 1);
    usleep(200 * 1000);
    cut_data();
    T_EQ_INT(mdb_cursor_open(txn, ce->session, &cur), 0);
    while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0)
        ;
    return 0; /* not reached: the walk faults */
}

static void waiter(void)
{
    struct cache_env cl;
    MDB_txn *txn;

    if (cache_env_open(&cl, &d.conf, CACHE_ROLE_CLIENT) < 0 || cache_env_intact(&cl) != 0)
        _exit(2);
    if (write(waiter_ready[1], "w", 1) != 1)
        _exit(3);
    /* Blocks until the daemon lets go of the lock, then finds the file cut: no crash. */
    if (mdb_txn_begin(cl.env, NULL, 0, &txn) == 0)
        mdb_txn_abort(txn);
    _exit(0);
}

static void fault_in_write_txn(void)
{
    struct cache_env *ce = NULL;
    struct cache_env e;
    int status = -1, i;
    pid_t pid;

    running(300, 1000, (uint64_t)port_wall_time() + 3600);
    cache_service.stop(&d);
    T_EQ_INT(cache_repair_open(&e, &d.conf, d.uid, d.gid), 0);
    ce = &e;
    T_EQ_INT(pipe(waiter_ready), 0);
    pid = fork();
    if (pid == 0)
        waiter();
    T_EQ_INT(cache_repair_guard(ce, write_then_fault, NULL), CACHE_ENV_FAULT);
    T_ASSERT(ce->wtxn != NULL);
    T_EQ_INT(cache_repair_replace(ce, &d.conf, d.uid, d.gid, CACHE_ENV_FAULT), 0);
    T_ASSERT(!port_test_log_has("left mapped"));
    for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++)
        usleep(50 * 1000);
    if (i == 100) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        t_fail(__FILE__, __LINE__, "the TLS server still waits for LMDB's writer lock");
    }
    T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    expect_repaired("gone when read");
    cache_env_close(ce);
}

static void fault_in_write_txn_releases_writer_lock(void)
{
    t_guarded_child(fault_in_write_txn);
}

/* ---- The daemon's ticket rotation on a damaged env -------------------------------------- */

/* Its reads and writes of the ticket DB: an error, never a crash; the env abandoned mid-call
 * (a fault) stays unusable until it is closed. */
static void tickets_on_cut(void)
{
    struct cache_env ce;
    struct tickets tk;

    daemon_init();
    port_test_fs = PORT_FS_TMPFS; /* keys are made only on tmpfs */
    T_EQ_INT(cache_repair_open(&ce, &d.conf, d.uid, d.gid), 0);
    T_EQ_INT(tickets_init(&tk, &ce, NULL, 3600), 0);
    T_EQ_INT(tk.rotations, 1);
    /* Cut before the rotation's transaction: its checks see it. */
    cut_data();
    T_EQ_INT(tickets_update(&tk), -1);
    T_EQ_INT(tk.failures, 1);
    T_ASSERT(port_test_log_has("ticket keys: cannot read the slots: data.mdb or lock.mdb "
                               "truncated"));
    cache_env_abandon(&ce);
    tickets_free(&tk);
    /* Cut between the checks and LMDB's reads: the guard catches it. (LMDB takes a data.mdb
     * cut to nothing for a new one, and writes new meta pages.) */
    T_EQ_INT(truncate("state/cache/data.mdb", 0), 0);
    T_EQ_INT(cache_repair_open(&ce, &d.conf, d.uid, d.gid), 0);
    T_EQ_INT(tickets_init(&tk, &ce, NULL, 3600), 0);
    port_test_after_fstat(2, cut_data);
    tickets_set_lifetime(&tk, 7200);
    T_EQ_INT(ce.broken, CACHE_ENV_FAULT);
    T_EQ_INT(cache_env_txn_begin(&ce, MDB_RDONLY, &(MDB_txn *){NULL}), CACHE_ENV_FAULT);
    T_EQ_INT(cache_repair_replace(&ce, &d.conf, d.uid, d.gid, CACHE_ENV_FAULT), 0);
    T_EQ_INT(t_log_count("moved aside"), 1);
    tickets_free(&tk);
    cache_env_close(&ce);
}

static void ticket_rotation_on_damaged_env(void)
{
    t_guarded_child(tickets_on_cut);
}

#if TLSMGR_TICKET_EXPORT
/* The keys exported for servers that do not link libtlsmgr come from the same reads of the
 * ticket DB: on a damaged env a reload's update fails and the exported file keeps its keys
 * (never emptied nor torn); the repair's new keys reach the file at once. */
static void export_on_cut(void)
{
    struct tlsmgr_conf old;
    struct ticket_slots s;
    struct cache_env cl;
    struct group *g = getgrgid(getgid());
    uint8_t before[TICKET_FILE_MAX], after[TICKET_FILE_MAX], want[TICKET_FILE_MAX];
    long n, m;

    daemon_init();
    port_test_fs = PORT_FS_TMPFS; /* keys are made only on tmpfs */
    d.conf.exports[0].kind = EXPORT_TLSMGR;
    snprintf(d.conf.exports[0].path, sizeof(d.conf.exports[0].path), "%s/out/keys", t_dir());
    d.conf.nexports = 1;
    snprintf(d.conf.export_group, sizeof(d.conf.export_group), "%s",
             g != NULL ? g->gr_name : "root");
    T_EQ_INT(mkdir("out", 0755), 0);
    start();
    n = t_read_file("out/keys", before, sizeof(before));
    T_ASSERT(n > 0);
    cut_data();
    old = d.conf;
    cache_service.reload(&d, &old);
    T_ASSERT(port_test_log_has("ticket keys: cannot read the slots"));
    T_EQ_INT(t_read_file("out/keys", after, sizeof(after)), n);
    T_ASSERT(memcmp(before, after, (size_t)n) == 0);
    one_period();
    expect_repaired("truncated");
    T_EQ_INT(cache_env_open(&cl, &d.conf, CACHE_ROLE_CLIENT), 0);
    T_EQ_INT(ticket_store_read(&cl, &s, NULL), 0);
    cache_env_close(&cl);
    T_ASSERT(s.present != 0);
    m = ticket_file_encode(EXPORT_TLSMGR, 0, &s, port_wall_time(), want);
    T_EQ_INT(t_read_file("out/keys", after, sizeof(after)), m);
    T_ASSERT(memcmp(after, want, (size_t)m) == 0 && memcmp(after, before, (size_t)n) != 0);
    ticket_slots_wipe(&s);
    cache_service.stop(&d);
}
#endif

static void ticket_export_on_damaged_env(void)
{
#if TLSMGR_TICKET_EXPORT
    t_child(export_on_cut);
#else
    printf("# tickets export is not built (TLSMGR_TICKET_EXPORT 0)\n");
#endif
}

/* ---- A restart on a damaged env ------------------------------------------------------- */

static void restart_on_truncated(void)
{
    running(300, 1000, (uint64_t)port_wall_time() + 3600);
    cache_service.stop(&d);
    T_EQ_INT(truncate("state/cache/data.mdb", one_page_short()), 0);
    port_test_log_clear();
    start();
    expect_repaired("truncated");
    cache_service.stop(&d);
}

static void restart_on_truncated_env_repairs(void)
{
    t_child(restart_on_truncated);
}

/* ---- A record that points past the end of the file ------------------------------------ */

static void far_page_at_startup(void)
{
    running(40, BIG_BLOB, (uint64_t)port_wall_time() + 3600);
    cache_service.stop(&d);
    T_ASSERT(plant_far_page("state/cache/data.mdb", 17) > 0);
    port_test_log_clear();
    /* The start-up scan reads every record: it meets the bad one. */
    start();
    one_period();
    expect_repaired(NULL);
    one_period();
    T_EQ_INT(t_log_count("moved aside"), 1);
    T_EQ_INT(t_log_count("cache sweep: "), 0);
    cache_service.stop(&d);
}

static void far_page_pointer_repaired_at_startup(void)
{
    t_child(far_page_at_startup);
}

static void far_page_while_running(void)
{
    daemon_init();
    start();
    /* Expired by the next sweep, so that the expiry walk reads them. */
    fill(40, BIG_BLOB, (uint64_t)port_wall_time() + 10);
    T_ASSERT(plant_far_page("state/cache/data.mdb", 17) > 0);
    one_period();
    expect_repaired(NULL);
    one_period();
    T_EQ_INT(t_log_count("moved aside"), 1);
    cache_service.stop(&d);
}

static void far_page_pointer_repaired_by_next_sweep(void)
{
    t_child(far_page_while_running);
}

T_MAIN(T_CASE(truncated_data_recovered_by_next_sweep), T_CASE(statistics_on_truncated_env),
       T_CASE(status_on_truncated_env), T_CASE(status_on_one_page_short_env),
       T_CASE(truncated_lock_recovered_by_next_sweep),
       T_CASE(overwritten_lock_recovered_by_next_sweep),
       T_CASE(zeroed_meta_recovered_by_next_sweep), T_CASE(unlinked_data_recreated_by_next_sweep),
       T_CASE(unlinked_lock_recreated_by_next_sweep), T_CASE(fault_in_sweep_step_repaired),
       T_CASE(fault_in_statistics_repaired), T_CASE(fault_in_write_txn_releases_writer_lock),
       T_CASE(ticket_rotation_on_damaged_env), T_CASE(ticket_export_on_damaged_env),
       T_CASE(restart_on_truncated_env_repairs), T_CASE(far_page_pointer_repaired_at_startup),
       T_CASE(far_page_pointer_repaired_by_next_sweep))
