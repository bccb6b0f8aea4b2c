/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon.c - the daemon's services (daemon.h), in start-up order, and their supervision. A service
 * other than entropy (which every other one serves from) that cannot set up or start does not
 * take the others down: it is logged as down, shown in the statistics, and tried again on a
 * timer whose delay doubles from TLSMGR_SERVICE_RETRY_MIN to TLSMGR_SERVICE_RETRY_MAX seconds.
 * A retry runs after the privilege drop, as tlsmgr_user.
 */
#include <stddef.h>
#include <string.h>

#include "cache.h"
#include "daemon.h"
#include "div64.h"
#include "egd.h"
#include "entropy_service.h"
#include "log.h"
#include "port.h"
#include "privs.h"
#include "status.h"

/* In start-up order; stopped in reverse order. */
static const struct service *const services[] = {
    &entropy_service,
#if TLSMGR_EGD_SERVER
    &egd_service, /* after the entropy service: it serves the seeded generator */
#endif
    &cache_service,
};

#define NSERVICES (sizeof(services) / sizeof(services[0]))

/* State of services[i], at the same index. */
static struct service_state {
    int down;
    unsigned failures;  /* failed tries since it went down */
    unsigned backoff_s; /* delay before the next try */
    uint64_t since_ms;  /* when it went down */
    uint64_t retry_ms;  /* the next try */
} state[NSERVICES];

static int retry_timer = -1;

static void on_retry(void *arg);

static void arm_retry(struct daemon *d)
{
    uint64_t due = 0;
    unsigned i;

    for (i = 0; i < NSERVICES; i++)
        if (state[i].down && (due == 0 || state[i].retry_ms < due))
            due = state[i].retry_ms;
    if (due == 0) {
        loop_timer_stop(&d->loop, retry_timer); /* no-op while none was made */
        return;
    }
    /* Made the first time a service goes down; later calls get the same slot back. A table
     * that is full leaves the service down until a restart (logged). */
    retry_timer = loop_timer_new(&d->loop, "service retry", on_retry, d);
    loop_timer_at(&d->loop, retry_timer, due);
}

/* Service i failed (its hook logged why): it is down until a retry succeeds. */
static void mark_down(struct daemon *d, unsigned i)
{
    const struct service *s = services[i];
    struct service_state *st = &state[i];
    uint64_t now = port_now_ms();
    unsigned backoff;

    if (s->stop != NULL)
        s->stop(d);              /* releases whatever the failed try left behind */
    backoff = st->backoff_s * 2; /* doubles up to TLSMGR_SERVICE_RETRY_MAX */
    if (!st->down) {
        st->down = 1;
        st->failures = 0;
        st->since_ms = now;
        backoff = TLSMGR_SERVICE_RETRY_MIN;
    } else if (backoff > TLSMGR_SERVICE_RETRY_MAX) {
        backoff = TLSMGR_SERVICE_RETRY_MAX;
    }
    st->backoff_s = backoff;
    st->failures++;
    st->retry_ms = now + (uint64_t)backoff * 1000;
    log_err("%s service is DOWN (%u failures), retry in %us", s->name, st->failures, backoff);
    status_touch();
}

/* Runs hook k of service i: 0 setup, 1 start (a service without it has nothing to do). */
static int try_hook(struct daemon *d, unsigned i, int k)
{
    int (*fn)(struct daemon *) = k ? services[i]->start : services[i]->setup;

    return fn != NULL ? fn(d) : 0;
}

static void on_retry(void *arg)
{
    struct daemon *d = arg;
    uint64_t now = port_now_ms();
    unsigned i;

    for (i = 0; i < NSERVICES; i++) {
        if (!state[i].down || state[i].retry_ms > now)
            continue;
        if (try_hook(d, i, 0) < 0 || try_hook(d, i, 1) < 0) {
            mark_down(d, i);
            continue;
        }
        state[i].down = 0;
        log_warn("%s service is up again (down %llus, %u failures)", services[i]->name,
                 (unsigned long long)div64(now - state[i].since_ms, 1000), state[i].failures);
        status_touch();
    }
    arm_retry(d);
}

/* Stops the first n services, in reverse order. */
static void stop_first(struct daemon *d, unsigned n)
{
    while (n > 0) {
        n--;
        if (services[n]->stop != NULL)
            services[n]->stop(d);
    }
}

/* Runs hook k (0 setup, 1 start) of every service that is not down. The required one, the
 * first (entropy: every other one serves its output), that fails stops what was set up and
 * returns -1; any other is marked down. */
static int run_phase(struct daemon *d, int k)
{
    unsigned i;

    for (i = 0; i < NSERVICES; i++) {
        if (state[i].down || try_hook(d, i, k) == 0)
            continue;
        if (i == 0) {
            stop_first(d, k ? NSERVICES : i + 1); /* at setup, those after i never were */
            return -1;
        }
        mark_down(d, i);
    }
    return 0;
}

int services_start(struct daemon *d)
{
    retry_timer = -1;
    memset(state, 0, sizeof(state));
    /* As root: what needs privilege. */
    if (run_phase(d, 0) < 0)
        return -1;
    if (privs_drop(d->uid, d->gid, privs_export_gid(&d->conf)) < 0) {
        stop_first(d, NSERVICES);
        return -1;
    }
    if (run_phase(d, 1) < 0)
        return -1;
    arm_retry(d);
    return 0;
}

void services_stop(struct daemon *d)
{
    stop_first(d, NSERVICES);
}

int services_up(const struct service *s)
{
    unsigned i;

    for (i = 0; i < NSERVICES; i++)
        if (services[i] == s)
            return !state[i].down;
    return 0;
}

int services_all_up(void)
{
    unsigned i;

    for (i = 0; i < NSERVICES; i++)
        if (state[i].down)
            return 0;
    return 1;
}

void services_reload(struct daemon *d, const struct tlsmgr_conf *old)
{
    unsigned i;

    /* A service that is down takes the new configuration at its next try. */
    for (i = 0; i < NSERVICES; i++)
        if (!state[i].down && services[i]->reload != NULL)
            services[i]->reload(d, old);
}

void services_log_stats(struct daemon *d)
{
    uint64_t now = port_now_ms();
    unsigned i;

    for (i = 0; i < NSERVICES; i++) {
        const struct service *s = services[i];
        uint64_t v[3];

        if (!state[i].down) {
            if (s->stats != NULL)
                s->stats(d);
            continue;
        }
        v[0] = div64(now - state[i].since_ms, 1000);
        v[1] = state[i].failures;
        /* at most TLSMGR_SERVICE_RETRY_MAX seconds away: 32 bits */
        v[2] = state[i].retry_ms > now ? (uint32_t)(state[i].retry_ms - now + 999) / 1000u : 0;
        log_counters(s->name, "DOWN for (s)\0failures\0retry in (s)\0", v);
    }
}
