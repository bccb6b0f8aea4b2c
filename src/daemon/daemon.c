/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon.c - the daemon's services (daemon.h), in start-up order, and their supervision. A service
 * other than entropy (which every other one serves from) that cannot set up or start does not
 * take the others down: it is logged as down, shown in the statistics, and tried again on a
 * timer whose delay doubles from TLSMGR_SERVICE_RETRY_MIN to TLSMGR_SERVICE_RETRY_MAX seconds.
 * A retry runs after the privilege drop, as tlsmgr_user.
 */
#include <stddef.h>

#include "cache.h"
#include "daemon.h"
#include "div64.h"
#include "egd.h"
#include "entropy_service.h"
#include "log.h"
#include "port.h"
#include "privs.h"
#include "status.h"

const struct service *const services[] = {
    &entropy_service,
#if TLSMGR_EGD_SERVER
    &egd_service, /* after the entropy service: it serves the seeded generator */
#endif
    &cache_service,
    NULL,
};

#define NSERVICES (sizeof(services) / sizeof(services[0]) - 1)

static struct service_state {
    int down;
    unsigned failures;  /* failed tries since it went down */
    unsigned backoff_s; /* delay before the next try */
    uint64_t since_ms;  /* when it went down */
    uint64_t retry_ms;  /* the next try */
} state[NSERVICES];

static int retry_timer = -1;

/* Every other service serves the entropy service's output: without it there is nothing to run. */
static int is_required(const struct service *s)
{
    return s == &entropy_service;
}

static unsigned index_of(const struct service *const *s)
{
    return (unsigned)(s - services);
}

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

/* The service failed (its hook logged why): it is down until a retry succeeds. */
static void mark_down(struct daemon *d, const struct service *const *s)
{
    struct service_state *st = &state[index_of(s)];
    uint64_t now = port_now_ms();

    if ((*s)->stop != NULL)
        (*s)->stop(d); /* releases whatever the failed try left behind */
    if (!st->down) {
        st->down = 1;
        st->failures = 0;
        st->backoff_s = TLSMGR_SERVICE_RETRY_MIN;
        st->since_ms = now;
    } else {
        st->backoff_s = st->backoff_s > TLSMGR_SERVICE_RETRY_MAX / 2 ? TLSMGR_SERVICE_RETRY_MAX
                                                                     : st->backoff_s * 2;
    }
    st->failures++;
    st->retry_ms = now + (uint64_t)st->backoff_s * 1000;
    log_err("%s service is DOWN (%u failures), retry in %us", (*s)->name, st->failures,
            st->backoff_s);
    status_touch();
}

static int try_setup(struct daemon *d, const struct service *const *s)
{
    return (*s)->setup != NULL ? (*s)->setup(d) : 0;
}

static int try_start(struct daemon *d, const struct service *const *s)
{
    return (*s)->start != NULL ? (*s)->start(d) : 0;
}

static void on_retry(void *arg)
{
    struct daemon *d = arg;
    const struct service *const *s;
    uint64_t now = port_now_ms();

    for (s = services; *s != NULL; s++) {
        unsigned i = index_of(s);
        if (!state[i].down || state[i].retry_ms > now)
            continue;
        if (try_setup(d, s) < 0 || try_start(d, s) < 0) {
            mark_down(d, s);
            continue;
        }
        state[i].down = 0;
        log_warn("%s service is up again (down %llus, %u failures)", (*s)->name,
                 (unsigned long long)div64(now - state[i].since_ms, 1000), state[i].failures);
        status_touch();
    }
    arm_retry(d);
}

static void stop_until(struct daemon *d, const struct service *const *last)
{
    while (last > services) {
        last--;
        if ((*last)->stop != NULL)
            (*last)->stop(d);
    }
}

int services_start(struct daemon *d)
{
    const struct service *const *s;
    unsigned i;

    retry_timer = -1;
    for (i = 0; i < NSERVICES; i++)
        state[i].down = 0;
    /* As root: what needs privilege. */
    for (s = services; *s != NULL; s++) {
        if (try_setup(d, s) == 0)
            continue;
        if (is_required(*s)) {
            stop_until(d, s + 1);
            return -1;
        }
        mark_down(d, s);
    }
    if (privs_drop(d->uid, d->gid, privs_export_gid(&d->conf)) < 0) {
        stop_until(d, s);
        return -1;
    }
    for (s = services; *s != NULL; s++) {
        if (state[index_of(s)].down || try_start(d, s) == 0)
            continue;
        if (is_required(*s)) {
            services_stop(d);
            return -1;
        }
        mark_down(d, s);
    }
    arm_retry(d);
    return 0;
}

void services_stop(struct daemon *d)
{
    const struct service *const *end = services;

    while (*end != NULL)
        end++;
    stop_until(d, end);
}

int services_up(const struct service *s)
{
    const struct service *const *p;

    for (p = services; *p != NULL; p++)
        if (*p == s)
            return !state[index_of(p)].down;
    return 0;
}

void services_reload(struct daemon *d, const struct tlsmgr_conf *old)
{
    const struct service *const *s;

    /* A service that is down takes the new configuration at its next try. */
    for (s = services; *s != NULL; s++)
        if (!state[index_of(s)].down && (*s)->reload != NULL)
            (*s)->reload(d, old);
}

void services_log_stats(struct daemon *d)
{
    const struct service *const *s;
    uint64_t now = port_now_ms();

    for (s = services; *s != NULL; s++) {
        unsigned i = index_of(s);
        uint64_t v[3];

        if (!state[i].down) {
            if ((*s)->stats != NULL)
                (*s)->stats(d);
            continue;
        }
        v[0] = div64(now - state[i].since_ms, 1000);
        v[1] = state[i].failures;
        /* at most TLSMGR_SERVICE_RETRY_MAX seconds away: 32 bits */
        v[2] = state[i].retry_ms > now ? (uint32_t)(state[i].retry_ms - now + 999) / 1000u : 0;
        log_counters((*s)->name, "DOWN for (s)\0failures\0retry in (s)\0", v);
    }
}
