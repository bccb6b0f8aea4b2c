/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_seedfile.c - the persistent seed: seedrng's order, crediting rules, a fault or a power
 * cut at every step (the seed on disk is old or new and whole, and no seed is ever credited
 * twice), and the flash budget over a simulated month of the whole service.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "entropy.h"
#include "entropy_service.h"
#include "port.h"
#include "seedfile.h"
#include "t.h"

#define SIZE     TLSMGR_SEED_SIZE
#define PATH     "seed/seed"
#define NOCREDIT "seed/seed.nocredit"
#define UID      ((unsigned)getuid())

static long file_size(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return -1;
    return S_ISREG(st.st_mode) ? (long)st.st_size : -2;
}

/* A fresh process: nothing in memory survives a reboot. */
static void reboot(void)
{
    seedfile_close();
    entropy_reset();
}

static void first_boot_then_credit_once(void)
{
    struct stat st;

    T_EQ_INT(mkdir("seed", 0700), 0);
    reboot();
    T_EQ_INT(seedfile_load(PATH, 1, UID), 0);
    T_ASSERT(port_test_log_has("none found"));
    T_EQ_INT(seedfile_save(PATH, 1), 0);
    T_EQ_INT(stat(PATH, &st), 0);
    T_EQ_INT(st.st_size, SIZE);
    T_EQ_INT(st.st_mode & 07777, 0600);
    T_ASSERT(port_test_log_has(PATH ": wrote 1024 bytes, mode 0600"));

    reboot();
    port_test_rng_ready = 0; /* early boot: crediting is what helps */
    T_EQ_INT(seedfile_load(PATH, 1, UID), 1);
    T_EQ_INT(port_test_credits, 1);
    T_EQ_INT(port_test_credited_bits, 256);
    T_EQ_INT(entropy_stats()->credited_bits, 256);
    T_EQ_INT(file_size(PATH), -1); /* gone before it was used */
    reboot();
    T_EQ_INT(seedfile_load(PATH, 1, UID), 0);
    T_EQ_INT(port_test_credits, 1);
}

static void credit_rules(void)
{
    T_EQ_INT(mkdir("seed", 0700), 0);
    port_test_rng_ready = 0;
    /* a seed written before the kernel RNG was ready is mixed, never credited */
    reboot();
    T_EQ_INT(seedfile_save(PATH, 0), 0);
    T_EQ_INT(file_size(NOCREDIT), SIZE);
    T_EQ_INT(file_size(PATH), -1);
    reboot();
    T_EQ_INT(seedfile_load(PATH, 1, UID), 1);
    T_EQ_INT(port_test_credits, 0);
    T_EQ_INT(file_size(NOCREDIT), -1);
    /* tls_random_seed_credit = no */
    T_EQ_INT(seedfile_save(PATH, 1), 0);
    reboot();
    T_EQ_INT(seedfile_load(PATH, 0, UID), 1);
    T_EQ_INT(port_test_credits, 0);
    /* the kernel RNG already ready: crediting would do nothing */
    T_EQ_INT(seedfile_save(PATH, 1), 0);
    reboot();
    port_test_rng_ready = 1;
    T_EQ_INT(seedfile_load(PATH, 1, UID), 1);
    T_EQ_INT(port_test_credits, 0);
    /* a creditable seed replaces a non-creditable one */
    T_EQ_INT(seedfile_save(PATH, 0), 0);
    T_EQ_INT(seedfile_save(PATH, 1), 0);
    T_EQ_INT(file_size(PATH), SIZE);
    T_EQ_INT(file_size(NOCREDIT), -1);
}

static void credit_refused_logged_once(void)
{
    T_EQ_INT(mkdir("seed", 0700), 0);
    port_test_rng_ready = 0;
    port_test_fail("kernel_credit", 0, EPERM);
    reboot();
    T_EQ_INT(seedfile_save(PATH, 1), 0);
    reboot();
    T_EQ_INT(seedfile_load(PATH, 1, UID), 1);
    T_EQ_INT(seedfile_save(PATH, 1), 0);
    T_EQ_INT(seedfile_save(PATH, 1), 0);
    T_EQ_INT(seedfile_load(PATH, 1, UID), 1); /* a second load in the same process */
    T_EQ_INT(port_test_calls("kernel_credit"), 1);
    T_ASSERT(port_test_log_has("seed: credit refused, not retried"));
    T_EQ_INT(entropy_stats()->credited_bits, 0);
}

static void bad_seed_files_ignored(void)
{
    static unsigned char buf[2 * SIZE];

    T_EQ_INT(mkdir("seed", 0700), 0);
    port_test_rng_ready = 0;
    T_EQ_INT(t_write_file(PATH, buf, SIZE - 1), 0);
    reboot();
    T_EQ_INT(seedfile_load(PATH, 1, UID), 0);
    T_ASSERT(port_test_log_has("has 1023 bytes"));
    T_EQ_INT(file_size(PATH), -1); /* removed so that it is replaced cleanly */
    T_EQ_INT(t_write_file("elsewhere", buf, SIZE), 0);
    T_EQ_INT(symlink("../elsewhere", PATH), 0);
    reboot();
    T_EQ_INT(seedfile_load(PATH, 1, UID), 0);
    T_ASSERT(port_test_log_has("is a symbolic link"));
    T_EQ_INT(port_test_credits, 0);
    T_EQ_INT(file_size("elsewhere"), SIZE);
    T_EQ_INT(mkfifo(PATH, 0600), 0);
    reboot();
    T_EQ_INT(seedfile_load(PATH, 1, UID), 0);
    T_ASSERT(port_test_log_has("is a FIFO"));
}

/* A seed this daemon did not write (other owner, readable by others: e.g. shipped in a
 * firmware image) is mixed but never credited. */
static void foreign_seed_not_credited(void)
{
    unsigned char buf[SIZE];

    memset(buf, 7, sizeof(buf));
    T_EQ_INT(mkdir("seed", 0700), 0);
    port_test_rng_ready = 0;
    T_EQ_INT(t_write_file(PATH, buf, SIZE), 0);
    T_EQ_INT(chmod(PATH, 0644), 0);
    reboot();
    T_EQ_INT(seedfile_load(PATH, 1, UID), 1);
    T_EQ_INT(port_test_credits, 0);
    T_ASSERT(port_test_log_has("foreign owner or mode"));
    T_EQ_INT(t_write_file(PATH, buf, SIZE), 0);
    T_EQ_INT(chmod(PATH, 0600), 0);
    reboot();
    T_EQ_INT(seedfile_load(PATH, 1, UID + 1), 1);
    T_EQ_INT(port_test_credits, 0);
    /* the same file, ours */
    T_EQ_INT(t_write_file(PATH, buf, SIZE), 0);
    T_EQ_INT(chmod(PATH, 0600), 0);
    reboot();
    T_EQ_INT(seedfile_load(PATH, 1, UID), 1);
    T_EQ_INT(port_test_credits, 1);
}

static void directory_locked_by_another_instance(void)
{
    int fd;

    T_EQ_INT(mkdir("seed", 0700), 0);
    reboot();
    T_EQ_INT(seedfile_save(PATH, 1), 0);
    reboot();
    fd = port_open("seed", PORT_O_RDONLY | PORT_O_DIRECTORY, 0);
    T_ASSERT(fd >= 0);
    T_EQ_INT(port_lock(fd), 0);
    T_EQ_INT(seedfile_load(PATH, 1, UID), 0);
    T_ASSERT(port_test_log_has("locked, left alone"));
    T_EQ_INT(file_size(PATH), SIZE); /* left alone */
    port_close(fd);
}

/* One boot: load (crediting) then write the next seed. Returns credits made. */
static unsigned boot(void)
{
    unsigned before = port_test_credits;

    reboot();
    seedfile_load(PATH, 1, UID);
    seedfile_save(PATH, 1);
    return port_test_credits - before;
}

/* The seed on disk, if any, must be whole: a torn file would fail this exact-size read. */
static int on_disk(unsigned char *buf)
{
    struct stat st;
    FILE *f;
    size_t n;

    if (lstat(PATH, &st) != 0)
        return 0;
    if (!S_ISREG(st.st_mode) || st.st_size != SIZE || (f = fopen(PATH, "rb")) == NULL)
        return -1;
    n = fread(buf, 1, SIZE, f);
    fclose(f);
    return n == SIZE ? 1 : -1;
}

/* A power cut after each number of changing calls of a boot, for a seed on each file system.
 * The changing calls of a boot that finds a seed: the load removes it (unlink, [directory
 * fsync]) before crediting it; the save writes the next one (unlink of a stale temp, open,
 * fchmod, write, [fsync], rename, [directory fsync]) and removes a non-creditable seed (unlink,
 * none there). The bracketed fsyncs are made on a persistent file system only. */
static void crash_at_every_step(int fs)
{
    const unsigned steps = fs == PORT_FS_TMPFS ? 7 : 10;
    unsigned char old[SIZE], now[SIZE];
    unsigned n, i, c1 = 0, c2;
    int r = 0;

    for (i = 0; i < SIZE; i++)
        old[i] = (unsigned char)(i * 13 + 5);
    for (n = 0; n <= steps; n++) {
        system("rm -rf seed");
        T_EQ_INT(mkdir("seed", 0700), 0);
        T_EQ_INT(t_write_file(PATH, old, SIZE), 0);
        T_EQ_INT(chmod(PATH, 0600), 0);
        port_test_reset();
        port_test_fs = fs;
        port_test_rng_ready = 0;
        port_test_crash_after(n);
        c1 = boot();
        if (n == steps) /* no cut landed: the whole boot made exactly these calls */
            T_EQ_INT(port_test_calls("change"), steps);
        port_test_reset(); /* power back: the disk holds what reached it */
        port_test_fs = fs;
        port_test_rng_ready = 0;
        r = on_disk(now);
        if (r < 0) {
            t_fail(__FILE__, __LINE__, "crash after %u: torn seed file", n);
            break;
        }
        if (r == 1 && memcmp(now, old, SIZE) == 0 && c1 > 0) {
            t_fail(__FILE__, __LINE__, "crash after %u: credited seed still on disk", n);
            break;
        }
        /* the next boot credits what is on disk: never the old seed a second time */
        c2 = boot();
        if (r == 1 && memcmp(now, old, SIZE) == 0)
            T_ASSERT(c1 + c2 <= 1);
        T_ASSERT(c1 <= 1 && c2 <= 1);
        T_EQ_INT(on_disk(now), 1); /* and leaves a whole seed */
    }
    /* past the last step the boot completed: credited once, the new seed on disk */
    T_EQ_INT(c1, 1);
    T_ASSERT(r == 1 && memcmp(now, old, SIZE) != 0);
    printf("# power cut tested after each of the %u changing calls of a boot (%s)\n", steps,
           fs == PORT_FS_TMPFS ? "tmpfs" : "persistent file system");
}

static void crash_at_every_step_on_disk(void)
{
    crash_at_every_step(PORT_FS_OTHER);
}

static void crash_at_every_step_on_tmpfs(void)
{
    crash_at_every_step(PORT_FS_TMPFS);
}

static void faults_at_every_step(void)
{
    static const struct {
        const char *call;
        int err;
    } faults[] = {{"write", EIO},   {"write", ENOSPC}, {"fsync", EIO}, {"rename", EIO},
                  {"open", EACCES}, {"fchmod", EPERM}, {"unlink", EIO}};
    unsigned char prev[SIZE], now[SIZE];
    unsigned i;

    T_EQ_INT(mkdir("seed", 0700), 0);
    reboot();
    T_EQ_INT(seedfile_save(PATH, 1), 0);
    for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        T_EQ_INT(on_disk(prev), 1);
        port_test_fail(faults[i].call, 1, faults[i].err);
        if (seedfile_save(PATH, 1) != 0) {
            T_EQ_INT(on_disk(now), 1);
            T_ASSERT(memcmp(prev, now, SIZE) == 0);
        }
        T_EQ_INT(on_disk(now), 1);
    }
    port_test_short("write", 1, 10);
    T_EQ_INT(seedfile_save(PATH, 1), 0);
    T_EQ_INT(on_disk(now), 1);
    /* a fault while invalidating: the seed is mixed but not credited */
    reboot();
    port_test_rng_ready = 0;
    port_test_fail("unlink", 1, EIO);
    T_EQ_INT(seedfile_load(PATH, 1, UID), 1);
    T_EQ_INT(port_test_credits, 0);
}

/* ---- The whole service on the virtual clock ---- */

static struct daemon d;

static void service_boot(void)
{
    memset(&d, 0, sizeof(d));
    conf_defaults(&d.conf);
    strcpy(d.conf.state_directory, "state");
    strcpy(d.conf.seed_file, "seed/seed");
    /* a router's exchange file is on tmpfs, its seed on flash */
    snprintf(d.conf.exchange_name, sizeof(d.conf.exchange_name), "%s/prng_exch", t_ram_dir());
    port_test_fs_under(t_ram_dir(), PORT_FS_TMPFS);
    d.conf.egd_socket[0] = '\0';
    d.uid = (unsigned)getuid();
    d.gid = (unsigned)getgid();
    loop_init(&d.loop);
    reboot();
    T_EQ_INT(entropy_service.setup(&d), 0);
    T_EQ_INT(entropy_service.start(&d), 0);
}

static void service_shutdown(void)
{
    entropy_service.stop(&d);
    unlink(d.conf.exchange_name);
}

static void month_of_writes_within_budget(void)
{
    uint64_t writes = 0, day = 86400000ull;
    unsigned char buf[255];
    int i, boots = 3;

    T_EQ_INT(mkdir("state", 0750), 0);
    for (i = 0; i < boots; i++) {
        service_boot();
        T_EQ_INT(entropy_stats()->seed_writes, 1);
        if (i == 0) {
            int k;
            /* client traffic writes nothing */
            for (k = 0; k < 10000; k++)
                entropy_random(buf, sizeof(buf));
            T_EQ_INT(entropy_stats()->seed_writes, 1);
        }
        T_EQ_INT(loop_run_until(&d.loop, port_test_now + 10 * day), 0);
        service_shutdown();
        writes += entropy_stats()->seed_writes;
    }
    printf("# seed writes in 30 simulated days, %d boots and shutdowns: %llu\n", boots,
           (unsigned long long)writes);
    T_ASSERT(writes <= 30 + (uint64_t)boots + (uint64_t)boots);
    T_ASSERT(writes >= 30);
}

/* One boot that runs the whole month: start, 30 daily saves, shutdown. */
static void month_in_one_boot(void)
{
    T_EQ_INT(mkdir("state", 0750), 0);
    service_boot();
    T_EQ_INT(loop_run_until(&d.loop, port_test_now + 30 * 86400000ull), 0);
    service_shutdown();
    printf("# seed writes in 30 simulated days, 1 boot and shutdown: %llu\n",
           (unsigned long long)entropy_stats()->seed_writes);
    T_ASSERT(entropy_stats()->seed_writes <= 30 + 1 + 1);
}

static void early_boot_waits_for_kernel_rng(void)
{
    int p[2];

    signal(SIGPIPE, SIG_IGN);
    T_EQ_INT(pipe(p), 0);
    port_test_rng_ready = 0;
    port_test_rng_fd = p[0];
    service_boot();
    T_EQ_INT(entropy_stats()->seed_writes, 0);
    T_ASSERT(port_test_log_has("kernel RNG not ready: seed deferred"));
    T_ASSERT(port_test_log_has("exchange file")); /* served from the pool meanwhile */
    T_EQ_INT(loop_run_until(&d.loop, port_test_now + 60000), 0);
    T_EQ_INT(entropy_stats()->seed_writes, 0);
    /* /dev/random becomes readable */
    port_test_rng_ready = 1;
    T_EQ_INT(write(p[1], "x", 1), 1);
    T_EQ_INT(loop_run_until(&d.loop, port_test_now + 1000), 0);
    T_EQ_INT(entropy_stats()->seed_writes, 1);
    T_EQ_INT(file_size("seed/seed"), SIZE);
    T_ASSERT(port_test_log_has("kernel RNG ready"));
    /* the descriptor is out of the loop and closed */
    T_ASSERT(write(p[1], "x", 1) < 0);
    close(p[1]);
    service_shutdown();
    T_EQ_INT(entropy_stats()->seed_writes, 2);
}

T_MAIN(T_CASE(first_boot_then_credit_once), T_CASE(credit_rules),
       T_CASE(credit_refused_logged_once), T_CASE(bad_seed_files_ignored),
       T_CASE(foreign_seed_not_credited), T_CASE(directory_locked_by_another_instance),
       T_CASE(crash_at_every_step_on_disk), T_CASE(crash_at_every_step_on_tmpfs),
       T_CASE(faults_at_every_step), T_CASE(month_of_writes_within_budget),
       T_CASE(month_in_one_boot), T_CASE(early_boot_waits_for_kernel_rng))
