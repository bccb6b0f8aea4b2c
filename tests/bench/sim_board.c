/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sim_board.c - what a board pays in wake-ups and flash writes: the daemon's services (entropy
 * with its exchange file and seed, EGD where the board has it, the session cache's sweeps and
 * ticket keys), started as main.c starts them with the compile-time defaults of the board this
 * program was built for (make UNIT_BOARD=name: the unit tests' port/test with that board's
 * board.h), run for a simulated month on the test port's virtual clock. Paths go to a private
 * directory on tmpfs; whether a file would be written to flash is judged from the board's
 * default paths (under /var/run, /run, /tmp or /dev/shm: tmpfs, as on OpenWrt and Buildroot),
 * and the test port answers that file system for them (fsyncs, ticket keys on tmpfs only).
 *
 * Prints the wake-ups per day (after the first, which holds the start-up) with the timers
 * that woke the daemon, the flash writes of the month (the seed file, and the exchange file
 * when the state directory is on flash), and a line for the summary table per figure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "entropy.h"
#include "log.h"
#include "port.h"
#include "port_test.h"
#include "statedir.h"
#include "status.h"

#define DAYS   30
#define DAY_MS 86400000ull

/* 1 when path would be on tmpfs at the board's defaults. */
static int on_tmpfs(const char *path)
{
    static const char *const tmpfs[] = {"/var/run/", "/run/", "/tmp/", "/dev/shm/"};
    size_t i;

    for (i = 0; i < sizeof(tmpfs) / sizeof(tmpfs[0]); i++)
        if (strncmp(path, tmpfs[i], strlen(tmpfs[i])) == 0)
            return 1;
    return 0;
}

static struct daemon d;
/* Runs of each timer of d.loop, by slot. */
static uint64_t runs[TLSMGR_MAX_TIMERS];

/* Runs the loop until end_ms, counting which timers ran: every armed timer whose due time the
 * virtual clock reached during a wake-up. */
static int run_until(uint64_t end_ms)
{
    while (port_test_now < end_ms) {
        uint64_t due[TLSMGR_MAX_TIMERS];
        int armed[TLSMGR_MAX_TIMERS];
        unsigned i;

        for (i = 0; i < d.loop.ntimers; i++) {
            armed[i] = d.loop.timers[i].armed;
            due[i] = d.loop.timers[i].due;
        }
        if (loop_run_once(&d.loop, end_ms) < 0)
            return -1;
        for (i = 0; i < d.loop.ntimers; i++)
            runs[i] += armed[i] && due[i] <= port_test_now;
    }
    return 0;
}

int main(void)
{
    char dir[] = "/dev/shm/sim_board.XXXXXX", cmd[64], text[200];
    struct conf_error err;
    const int state_flash = !on_tmpfs(TLSMGR_DEFAULT_STATE_DIRECTORY);
    const int seed_flash = !on_tmpfs(TLSMGR_DEFAULT_SEED_FILE);
    uint64_t w1 = 0, seed0 = 0, exch0 = 0, flash;
    unsigned i;
    int rc;

    if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
        fprintf(stderr, "sim_board: no temporary directory on /dev/shm\n");
        return 1;
    }
    port_test_reset();
    memset(&d, 0, sizeof(d));
    /* Every file in the private directory (names relative to the state directory follow
     * it); every period, size and switch as the board's. */
    snprintf(text, sizeof(text),
             "state_directory = %s/state\ntls_random_seed_file = %s/seed/seed\n", dir, dir);
    if (conf_parse(&d.conf, "sim_board", text, strlen(text), &err) < 0) {
        fprintf(stderr, "sim_board: %s\n", err.msg);
        return 1;
    }
    /* The file systems of the board's default paths: what is fsynced, where the ticket keys
     * may live. */
    snprintf(text, sizeof(text), "%s/state", dir);
    port_test_fs_under(text, state_flash ? PORT_FS_OTHER : PORT_FS_TMPFS);
    snprintf(text, sizeof(text), "%s/seed", dir);
    port_test_fs_under(text, seed_flash ? PORT_FS_OTHER : PORT_FS_TMPFS);
    d.uid = port_uid();
    d.gid = port_gid();
    loop_init(&d.loop);
    d.loop.after_dispatch = status_refresh;
    d.loop.after_arg = &d;
    entropy_reset();
    rc = statedir_prepare(d.conf.state_directory, 0750, d.uid, d.gid, 0) < 0 ||
         services_start(&d) < 0;
    if (rc == 0) {
        status_write(&d);
        seed0 = entropy_stats()->seed_writes;
        exch0 = entropy_stats()->exchange_writes;
        rc = run_until(port_test_now + DAY_MS);
        w1 = d.loop.wakeups;
        memset(runs, 0, sizeof(runs));
        if (rc == 0)
            rc = run_until(port_test_now + (DAYS - 1) * DAY_MS);
    }
    if (rc == 0 && !services_all_up())
        rc = -1; /* figures of a daemon with a service down would be wrong */
    if (rc != 0) {
        fprintf(stderr, "sim_board: the services did not all run; their log:\n%.3000s",
                port_test_log());
        rc = -1;
    } else {
        uint64_t seeds = entropy_stats()->seed_writes, exch = entropy_stats()->exchange_writes;

        printf("board %s: reseed within %us, exchange file within %us, seed every %us, cache "
               "sweep every %us, ticket keys every %us, EGD %s\n",
               TLSMGR_BOARD_NAME, d.conf.reseed_period, d.conf.prng_update_period,
               d.conf.seed_save_period,
               d.conf.cache_sweep_period ? d.conf.cache_sweep_period : d.conf.cache_timeout,
               d.conf.ticket_key_lifetime / 2, TLSMGR_EGD_SERVER ? "on" : "off");
        printf("  wake-ups per day: %.0f (", (double)(d.loop.wakeups - w1) / (DAYS - 1));
        for (i = 0; i < d.loop.ntimers; i++)
            printf("%s%s %.1f", i ? ", " : "", d.loop.timers[i].name, (double)runs[i] / (DAYS - 1));
        printf(")\n");
        flash = (seed_flash ? seeds : 0) + (state_flash ? exch : 0);
        printf("  writes in %d days: seed file %llu (%s), exchange file %llu (%s), of which "
               "%llu at start-up; flash writes %llu\n",
               DAYS, (unsigned long long)seeds, seed_flash ? "flash" : "tmpfs",
               (unsigned long long)exch, state_flash ? "flash" : "tmpfs",
               (unsigned long long)((seed_flash ? seed0 : 0) + (state_flash ? exch0 : 0)),
               (unsigned long long)flash);
        printf("bench wakeups_per_day_%s: ours %.0f, peer n/a, ratio n/a\n", TLSMGR_BOARD_NAME,
               (double)(d.loop.wakeups - w1) / (DAYS - 1));
        printf("bench flash_writes_per_month_%s: ours %llu, peer n/a, ratio n/a\n",
               TLSMGR_BOARD_NAME, (unsigned long long)flash);
    }
    services_stop(&d);
    if (chdir("/") != 0)
        return 1;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "sim_board: cannot remove %s\n", dir);
    return rc != 0;
}
