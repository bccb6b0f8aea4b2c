/* SPDX-License-Identifier: BSD-2-Clause */
/* loop.c - one poll() per wake-up, dispatch of due timers and ready descriptors. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "port.h"

void loop_init(struct loop *l)
{
    memset(l, 0, sizeof(*l));
}

int loop_timer_new(struct loop *l, const char *name, loop_timer_fn fn, void *arg)
{
    struct loop_timer_slot *t;
    unsigned i;

    /* A service set up again (a retry after a failed start) gets its old slot back: the table
     * has no delete, and a slot per retry would fill it. */
    for (i = 0; i < l->ntimers && (l->timers[i].fn != fn || l->timers[i].arg != arg); i++)
        ;
    if (i == l->ntimers) {
        if (i == TLSMGR_MAX_TIMERS) {
            log_err("no free timer for %s (TLSMGR_MAX_TIMERS %d)", name, TLSMGR_MAX_TIMERS);
            return -1;
        }
        l->ntimers++;
    }
    t = &l->timers[i];
    t->name = name;
    t->fn = fn;
    t->arg = arg;
    t->armed = 0;
    return (int)i;
}

TLSMGR_NOINLINE void loop_timer_at(struct loop *l, int id, uint64_t due_ms)
{
    if ((unsigned)id >= l->ntimers) /* -1 (no free slot) too */
        return;
    l->timers[id].due = due_ms;
    l->timers[id].armed = 1;
}

void loop_timer_in(struct loop *l, int id, uint64_t delay_ms)
{
    loop_timer_at(l, id, port_now_ms() + delay_ms);
}

TLSMGR_NOINLINE void loop_timer_stop(struct loop *l, int id)
{
    if (id >= 0 && (unsigned)id < l->ntimers) /* -1 reads no loop: l may be NULL then */
        l->timers[id].armed = 0;
}

int loop_timer_armed(const struct loop *l, int id)
{
    return (unsigned)id < l->ntimers && l->timers[id].armed;
}

int loop_fd_add(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg)
{
    unsigned i;

    /* A slot deleted during this dispatch is reused: a callback that closes one client and
     * accepts another must not find the table full until the next compaction. */
    for (i = 0; i < l->nfds && l->pfd[i].fd >= 0; i++)
        ;
    if (i == TLSMGR_MAX_FDS)
        return -1;
    if (i == l->nfds)
        l->nfds++;
    l->pfd[i].fd = fd;
    l->pfd[i].events = events;
    /* No events before its own first poll: a number closed and reused during a dispatch
     * must not get the old descriptor's events. */
    l->pfd[i].revents = 0;
    l->fds[i].fn = fn;
    l->fds[i].arg = arg;
    return 0;
}

void loop_fd_events(struct loop *l, int fd, short events)
{
    unsigned i;

    for (i = 0; i < l->nfds; i++)
        if (l->pfd[i].fd == fd)
            l->pfd[i].events = events;
}

void loop_fd_del(struct loop *l, int fd)
{
    unsigned i;

    for (i = 0; i < l->nfds; i++) {
        if (l->pfd[i].fd == fd) {
            /* Mark, compact before the next poll: callbacks may delete while we iterate. */
            l->pfd[i].fd = -1;
            l->fds[i].fn = NULL;
        }
    }
}

unsigned loop_fd_free(const struct loop *l)
{
    unsigned i, used = 0;

    for (i = 0; i < l->nfds; i++)
        used += l->pfd[i].fd >= 0;
    return TLSMGR_MAX_FDS - used;
}

static void compact_fds(struct loop *l)
{
    unsigned i, j = 0;

    for (i = 0; i < l->nfds; i++) {
        if (l->pfd[i].fd >= 0) {
            l->pfd[j] = l->pfd[i];
            l->fds[j++] = l->fds[i];
        }
    }
    l->nfds = j;
}

/* The due time of the earliest armed timer, UINT64_MAX when none is armed. */
static TLSMGR_NOINLINE uint64_t earliest_due(const struct loop *l)
{
    uint64_t due = UINT64_MAX;
    unsigned i;

    for (i = 0; i < l->ntimers; i++)
        if (l->timers[i].armed && l->timers[i].due < due)
            due = l->timers[i].due;
    return due;
}

/* Milliseconds until the earliest armed timer or the horizon; -1 when neither exists. */
static int next_timeout(const struct loop *l, uint64_t now, uint64_t horizon)
{
    uint64_t due = earliest_due(l);

    if (horizon != 0 && horizon < due)
        due = horizon;
    if (due == UINT64_MAX)
        return -1;
    if (due <= now)
        return 0;
    return due - now > (uint64_t)INT_MAX ? INT_MAX : (int)(due - now);
}

int loop_run_once(struct loop *l, uint64_t horizon_ms)
{
    unsigned i;
    int r;
    uint64_t now;

    compact_fds(l);
    r = port_poll(l->pfd, l->nfds, next_timeout(l, port_now_ms(), horizon_ms));
    if (r < 0) {
        if (errno == EINTR)
            return 0;
        log_err_errno("poll");
        return -1;
    }
    now = port_now_ms();
    if (r == 0 && earliest_due(l) > now)
        return 0; /* no timer due: the horizon, or an early return of poll, not a wake-up */
    l->wakeups++;
    if (l->on_wakeup != NULL)
        l->on_wakeup(l->wakeup_arg);
    for (i = 0; i < l->ntimers; i++) {
        struct loop_timer_slot *t = &l->timers[i];
        if (t->armed && t->due <= now) {
            t->armed = 0; /* a callback re-arms it if it wants to run again */
            l->timer_runs++;
            t->fn(t->arg);
        }
    }
    /* In place: a slot deleted by an earlier callback has no fn, one reused or added since
     * the poll no events yet. */
    for (i = 0; i < l->nfds; i++) {
        struct loop_fd_slot *s = &l->fds[i];
        if (l->pfd[i].revents != 0 && s->fn != NULL) {
            l->fd_runs++;
            s->fn(s->arg, l->pfd[i].fd, l->pfd[i].revents);
        }
    }
    if (l->after_dispatch != NULL)
        l->after_dispatch(l->after_arg);
    return 0;
}

int loop_run(struct loop *l)
{
    return loop_run_until(l, 0);
}

int loop_run_until(struct loop *l, uint64_t end_ms)
{
    l->stopping = 0;
    while (!l->stopping) {
        if (end_ms != 0 && port_now_ms() >= end_ms)
            break;
        if (loop_run_once(l, end_ms) < 0)
            return -1;
    }
    return 0;
}

void loop_stop(struct loop *l)
{
    l->stopping = 1;
}
