/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_schedule.c - the random schedule of the entropy service on the virtual clock: delays
 * are uniform (Kolmogorov-Smirnov), drawn afresh each time, and a simulated day wakes the
 * daemon only for due work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "entropy.h"
#include "entropy_service.h"
#include "port.h"
#include "seedfile.h"
#include "t.h"

#define N_DRAWS 5000

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Largest distance between the empirical distribution of v[0..n) and uniform [0, max]. */
static double ks_uniform(uint64_t *v, size_t n, uint64_t max)
{
    double d = 0;
    size_t i;

    qsort(v, n, sizeof(v[0]), cmp_u64);
    for (i = 0; i < n; i++) {
        double f = (double)v[i] / (double)max;
        double lo = f - (double)i / (double)n, hi = (double)(i + 1) / (double)n - f;

        if (lo > d)
            d = lo;
        if (hi > d)
            d = hi;
    }
    return d;
}

/* Critical value at alpha = 0.001: 1.95 / sqrt(n), without libm. */
static double ks_limit(size_t n)
{
    double s = (double)n, r = s;
    int i;

    for (i = 0; i < 50; i++)
        r = 0.5 * (r + s / r);
    return 1.95 / r;
}

static void draws_are_uniform(void)
{
    static uint64_t v[N_DRAWS];
    size_t i, same = 0;
    double d;

    entropy_reset();
    port_test_entropy("ks", 2); /* reproducible: the test cannot fail by chance */
    for (i = 0; i < N_DRAWS; i++) {
        v[i] = entropy_draw_ms(3600);
        T_ASSERT(v[i] <= 3600000);
        same += i > 0 && v[i] == v[i - 1];
    }
    T_ASSERT(same < 3); /* fresh draws */
    d = ks_uniform(v, N_DRAWS, 3600000);
    printf("# KS distance of %d reseed delays: %.4f (limit %.4f)\n", N_DRAWS, d, ks_limit(N_DRAWS));
    T_ASSERT(d < ks_limit(N_DRAWS));
    /* the ends of the interval are reachable */
    for (i = 0; i < N_DRAWS; i++)
        v[i] = entropy_draw_ms(1);
    qsort(v, N_DRAWS, sizeof(v[0]), cmp_u64);
    T_ASSERT(v[0] < 5 && v[N_DRAWS - 1] > 995 && v[N_DRAWS - 1] <= 1000);
}

/* With a scripted kernel RNG the generator, hence the schedule, is reproducible. */
static void draws_are_reproducible(void)
{
    static const unsigned char script[] = "fixed";
    uint64_t a[4], b[4];
    int i;

    entropy_reset();
    port_test_entropy(script, 5);
    for (i = 0; i < 4; i++)
        a[i] = entropy_draw_ms(60);
    entropy_reset();
    port_test_entropy(script, 5);
    for (i = 0; i < 4; i++)
        b[i] = entropy_draw_ms(60);
    T_ASSERT(memcmp(a, b, sizeof(a)) == 0);
}

static struct daemon d;

static void service_boot(unsigned reseed, unsigned update)
{
    memset(&d, 0, sizeof(d));
    conf_defaults(&d.conf);
    strcpy(d.conf.state_directory, "state");
    strcpy(d.conf.seed_file, "seed/seed");
    /* the exchange file on tmpfs, as on a router */
    snprintf(d.conf.exchange_name, sizeof(d.conf.exchange_name), "%s/prng_exch", t_ram_dir());
    port_test_fs_under(t_ram_dir(), PORT_FS_TMPFS);
    d.conf.egd_socket[0] = '\0';
    d.conf.reseed_period = reseed;
    d.conf.prng_update_period = update;
    d.uid = (unsigned)getuid();
    d.gid = (unsigned)getgid();
    loop_init(&d.loop);
    seedfile_close();
    entropy_reset();
    port_test_entropy("schedule", 8);
    T_EQ_INT(entropy_service.setup(&d), 0);
    T_EQ_INT(entropy_service.start(&d), 0);
}

static void service_shutdown(void)
{
    entropy_service.stop(&d);
    unlink(d.conf.exchange_name);
}

/* The gaps between exchange rewrites on the virtual clock are the drawn delays. */
static void exchange_gaps_are_uniform(void)
{
    static uint64_t gap[N_DRAWS];
    uint64_t last = 0, writes;
    size_t n = 0;
    double dist;

    service_boot(3600, 60);
    writes = entropy_stats()->exchange_writes;
    while (n < N_DRAWS) {
        T_EQ_INT(loop_run_once(&d.loop, 0), 0);
        if (entropy_stats()->exchange_writes != writes) {
            writes = entropy_stats()->exchange_writes;
            if (last != 0)
                gap[n++] = port_test_now - last;
            last = port_test_now;
        }
    }
    dist = ks_uniform(gap, n, 60000);
    printf("# KS distance of %d exchange rewrite gaps: %.4f (limit %.4f)\n", N_DRAWS, dist,
           ks_limit(n));
    T_ASSERT(dist < ks_limit(n));
    service_shutdown();
}

/* Every wake-up of a simulated day ran due timers and nothing else woke the daemon. */
static void day_wakes_only_for_due_work(void)
{
    struct entropy_stats before;
    uint64_t work;

    service_boot(TLSMGR_DEFAULT_RESEED_PERIOD, TLSMGR_DEFAULT_PRNG_UPDATE_PERIOD);
    before = *entropy_stats();
    port_test_polls = 0;
    T_EQ_INT(loop_run_until(&d.loop, port_test_now + 86400000ull), 0);
    work = (entropy_stats()->reseeds - before.reseeds) +
           (entropy_stats()->exchange_writes - before.exchange_writes) +
           (entropy_stats()->seed_writes - before.seed_writes);
    printf("# one simulated day, defaults: %llu wake-ups, %llu timer runs (%llu reseeds, "
           "%llu exchange writes, %llu seed writes), %u polls\n",
           (unsigned long long)d.loop.wakeups, (unsigned long long)d.loop.timer_runs,
           (unsigned long long)(entropy_stats()->reseeds - before.reseeds),
           (unsigned long long)(entropy_stats()->exchange_writes - before.exchange_writes),
           (unsigned long long)(entropy_stats()->seed_writes - before.seed_writes),
           port_test_polls);
    T_EQ_INT(d.loop.timer_runs, work);
    T_ASSERT(d.loop.wakeups <= d.loop.timer_runs);
    T_ASSERT(port_test_polls <= d.loop.wakeups + 1);
    T_EQ_INT(entropy_stats()->seed_writes - before.seed_writes, 1);
    service_shutdown();

    /* long periods: a quiet day has a handful of wake-ups */
    service_boot(7 * 86400, 7 * 86400);
    T_EQ_INT(loop_run_until(&d.loop, port_test_now + 86400000ull), 0);
    T_ASSERT(d.loop.wakeups <= 3);
    T_ASSERT(d.loop.wakeups <= d.loop.timer_runs);
    service_shutdown();
}

/* SIGHUP with new periods and sources: fresh draws within the new periods, sources re-read;
 * SIGUSR1 logs every counter and each source's state. */
static void reload_and_statistics(void)
{
    struct tlsmgr_conf old;
    unsigned i, later = 0;

    service_boot(7 * 86400, 7 * 86400);
    old = d.conf;
    d.conf.reseed_period = 10;
    d.conf.prng_update_period = 10;
    d.conf.nsources = 2;
    d.conf.sources[1].kind = SOURCE_HARDWARE;
    entropy_service.reload(&d, &old);
    T_ASSERT(port_test_log_has("random source hardware: failing") ||
             port_test_log_has("random source hardware: ok"));
    for (i = 0; i < d.loop.ntimers; i++)
        if (d.loop.timers[i].armed && d.loop.timers[i].due > port_test_now + 10000)
            later++;
    T_EQ_INT(later, 1); /* the seed's, whose period did not change */
    T_EQ_INT(loop_run_until(&d.loop, port_test_now + 10001), 0);
    T_ASSERT(entropy_stats()->reseeds >= 2 && entropy_stats()->exchange_writes >= 2);
    entropy_service.stats(&d);
    T_ASSERT(port_test_log_has("entropy: reseeds "));
    T_ASSERT(port_test_log_has(", EGD requests 0"));
    service_shutdown();
}

T_MAIN(T_CASE(draws_are_uniform), T_CASE(draws_are_reproducible), T_CASE(exchange_gaps_are_uniform),
       T_CASE(day_wakes_only_for_due_work), T_CASE(reload_and_statistics))
