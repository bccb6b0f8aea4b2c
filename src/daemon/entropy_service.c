/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * entropy_service.c - the entropy service: seeds the pool at start-up, reseeds it from the sources
 * and rewrites the exchange file after random delays, saves the persistent seed on a fixed period
 * and at shutdown, and waits for the kernel RNG at early boot without blocking the loop.
 */
#include <stddef.h>
#include <string.h>

#include "atomic_file.h"
#include "byteorder.h"
#include "daemon.h"
#include "entropy.h"
#include "entropy_service.h"
#include "exchange.h"
#include "log.h"
#include "noinline.h"
#include "port.h"
#include "seedfile.h"
#include "sources.h"
#include "statedir.h"

#define EXCHANGE_MODE 0644

static struct {
    struct daemon *d;
    struct sources sources;
    int timer[3]; /* enum job's */
    int rng_fd;   /* /dev/random while the kernel RNG is not ready (in the loop once
                   * entropy_start is done), else -1 from entropy_setup on */
    int started;
} svc;

uint64_t entropy_draw_ms(unsigned period_s)
{
    /* Periods are at most a week (conf.c), 604,800,001 values: 32 bits draw them, and a
     * 32-bit target needs no 64-bit division. */
    uint32_t range = period_s * 1000u + 1, limit, v;
    unsigned char b[4];

    /* Rejection sampling: no modulo bias, whatever the period. */
    limit = UINT32_MAX - UINT32_MAX % range;
    do {
        if (entropy_random(b, sizeof(b)) != 0)
            return (uint64_t)period_s * 500; /* logged; the middle keeps the schedule going */
        v = get_be32(b);
    } while (v >= limit);
    return v % range;
}

/* Time values at every wake-up: cheap, never credited, and they differ between routers. */
static void on_wakeup(void *arg)
{
    (void)arg;
    entropy_mix_clocks();
}

static int rng_ready(void)
{
    return port_kernel_rng_ready() == 1;
}

static void save_seed(void)
{
    seedfile_save(svc.d->conf.seed_file, rng_ready());
}

/* The periodic jobs, each on its own timer. */
enum job { RESEED, EXCHANGE, SEED };

static int reseed(void)
{
    unsigned strong = sources_read_all(&svc.sources, svc.d->conf.random_bytes);

    on_wakeup(NULL);
    log_debug("reseed: %u of %u strong", strong, svc.sources.n);
    (void)strong; /* when debug logging is compiled out */
    if (entropy_reseed() != 0)
        return -1;
    entropy_stats()->reseeds++;
    return 0;
}

/* The next run of a job: the seed at its fixed period, the others at a random draw. */
/* Each job's period in the configuration (seconds). */
static const unsigned short period_at[] = {offsetof(struct tlsmgr_conf, reseed_period),
                                           offsetof(struct tlsmgr_conf, prng_update_period),
                                           offsetof(struct tlsmgr_conf, seed_save_period)};

static unsigned period(const struct tlsmgr_conf *c, enum job j)
{
    return *(const unsigned *)(const void *)((const char *)c + period_at[j]);
}

static void arm(enum job j)
{
    unsigned p = period(&svc.d->conf, j);

    loop_timer_in(&svc.d->loop, svc.timer[j], j == SEED ? (uint64_t)p * 1000 : entropy_draw_ms(p));
}

static void on_job(void *arg)
{
    enum job j = (enum job)(uintptr_t)arg;

    if (j == RESEED)
        (void)reseed();
    else if (j == EXCHANGE)
        exchange_write(svc.d->conf.exchange_name, EXCHANGE_MODE);
    else
        save_seed();
    arm(j);
}

TLSMGR_NOINLINE static void stop_waiting(void)
{
    if (svc.rng_fd >= 0) {
        loop_fd_del(&svc.d->loop, svc.rng_fd);
        port_close(svc.rng_fd);
        svc.rng_fd = -1;
    }
}

/* /dev/random became readable: the kernel RNG is ready, so the first creditable seed can be
 * written and getrandom now feeds the pool. */
static void on_rng_ready(void *arg, int fd, short revents)
{
    (void)arg;
    (void)fd;
    (void)revents;
    stop_waiting();
    log_info("kernel RNG ready");
    (void)reseed();
    on_job((void *)SEED);
}

static int entropy_setup(struct daemon *d)
{
    char dir[TLSMGR_PATH_MAX];

    svc.d = d;
    svc.rng_fd = -1;
    sources_init(&svc.sources, &d->conf);
    if (d->conf.seed_file[0] == '\0')
        return 0;
    (void)atomic_dirname(d->conf.seed_file, dir, sizeof(dir)); /* shorter than dir: conf.c */
    if (statedir_prepare(dir, 0700, d->uid, d->gid, d->was_root) < 0) {
        log_err("seed %s: bad directory, not kept", d->conf.seed_file);
        return 0;
    }
    /* Crediting needs CAP_SYS_ADMIN, so it is tried only here, before the drop. */
    seedfile_load(d->conf.seed_file, d->conf.seed_credit && d->was_root, d->uid);
    return 0;
}

static int entropy_start(struct daemon *d)
{
    enum job j;

    /* svc.d and svc.rng_fd: entropy_setup's, which always runs first */
    exchange_load(d->conf.exchange_name);
    /* The first reseed instantiates the generator, with the device's unique data. */
    if (reseed() != 0)
        return -1;
    sources_log(&svc.sources);

    for (j = RESEED; j <= SEED; j++)
        if ((svc.timer[j] = loop_timer_new(&d->loop, "entropy", on_job, (void *)(uintptr_t)j)) < 0)
            return -1;             /* loop_timer_new said why */
    d->loop.on_wakeup = on_wakeup; /* its argument: loop_init's NULL */

    exchange_write(d->conf.exchange_name, EXCHANGE_MODE);
    if (d->conf.seed_file[0] != '\0') {
        /* stop_waiting closes rng_fd when open; its loop_fd_del finds nothing when the add
         * failed. */
        if (port_kernel_rng_ready() == 0 && (svc.rng_fd = port_kernel_rng_wait_fd()) >= 0 &&
            loop_fd_add(&d->loop, svc.rng_fd, PORT_POLLIN, on_rng_ready, NULL) == 0) {
            log_info("kernel RNG not ready: seed deferred");
        } else {
            stop_waiting();
            on_job((void *)SEED);
        }
    }
    arm(RESEED);
    arm(EXCHANGE);
    svc.started = 1;
    return 0;
}

static void entropy_reload(struct daemon *d, const struct tlsmgr_conf *old)
{
    enum job j;

    /* Started: the daemon reloads only services that are up, and it runs only while this one
     * is. */
    if (old->nsources != d->conf.nsources ||
        memcmp(old->sources, d->conf.sources, sizeof(old->sources)) != 0) {
        /* Unprivileged now: a device only root may open will fail (logged). */
        sources_close(&svc.sources);
        sources_init(&svc.sources, &d->conf);
        sources_log(&svc.sources);
    }
    /* New periods take effect with a fresh draw; the seed's timer runs only once the kernel
     * RNG is ready, and with a seed file. */
    for (j = RESEED; j <= SEED; j++)
        if (period(old, j) != period(&d->conf, j) &&
            (j != SEED || (svc.rng_fd < 0 && d->conf.seed_file[0] != '\0')))
            arm(j);
}

LOG_COUNTERS_CHECK(entropy_stats, 7);

static void entropy_stats_log(struct daemon *d)
{
    (void)d;
    log_counters("entropy",
                 "reseeds\0source failures\0health test failures\0exchange writes\0seed "
                 "writes\0credited bits\0EGD requests\0",
                 (const uint64_t *)entropy_stats());
    sources_log(&svc.sources);
}

static void entropy_stop(struct daemon *d)
{
    if (svc.started) {
        enum job j;

        if (d->conf.seed_file[0] != '\0')
            save_seed();
        for (j = RESEED; j <= SEED; j++)
            loop_timer_stop(&d->loop, svc.timer[j]);
        d->loop.on_wakeup = NULL; /* the only one there is */
    }
    stop_waiting();
    sources_close(&svc.sources);
    seedfile_close();
    svc.started = 0;
}

const struct service entropy_service = {
    "entropy", entropy_setup, entropy_start, entropy_reload, entropy_stats_log, entropy_stop,
};
