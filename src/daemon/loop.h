/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loop.h - the daemon's single event loop: a fixed table of timers on the monotonic clock and
 * a bounded set of descriptors. It sleeps in port_poll until the earliest deadline or an
 * event; with nothing due it sleeps without a timeout.
 */
#ifndef TLSMGR_LOOP_H
#define TLSMGR_LOOP_H

#include <stdint.h>

#include "port.h"
#include "tlsmgr_config.h"

typedef void (*loop_timer_fn)(void *arg);
typedef void (*loop_fd_fn)(void *arg, int fd, short revents);

struct loop_timer_slot {
    const char *name;
    loop_timer_fn fn;
    void *arg;
    uint64_t due; /* port_now_ms() value */
    int armed;
};

/* A watched descriptor: its fd and events are in the loop's poll table, at the same index. */
struct loop_fd_slot {
    loop_fd_fn fn; /* NULL once deleted */
    void *arg;
};

struct loop {
    struct loop_timer_slot timers[TLSMGR_MAX_TIMERS];
    unsigned ntimers;
    /* The table port_poll takes as it is (fd -1: deleted, dropped before the next poll). */
    struct port_pollfd pfd[TLSMGR_MAX_FDS];
    struct loop_fd_slot fds[TLSMGR_MAX_FDS];
    unsigned nfds;
    int stopping;
    /* Called after every wake-up, before dispatch (the pool mixes time values there). */
    void (*on_wakeup)(void *arg);
    void *wakeup_arg;
    /* Called after the dispatch of every wake-up: work that rides on wake-ups that happen
     * anyway, never a reason to wake (the status snapshot). */
    void (*after_dispatch)(void *arg);
    void *after_arg;
    /* Statistics: returns from poll that had work, timer callbacks run, fd callbacks run. */
    uint64_t wakeups;
    uint64_t timer_runs;
    uint64_t fd_runs;
};

void loop_init(struct loop *l);
/* Registers a timer (not armed). Returns its id, or -1 when the table is full. The same fn and
 * arg asked for again (a service set up anew after a failed start) get the same slot, disarmed. */
int loop_timer_new(struct loop *l, const char *name, loop_timer_fn fn, void *arg);
void loop_timer_in(struct loop *l, int id, uint64_t delay_ms);
void loop_timer_at(struct loop *l, int id, uint64_t due_ms);
/* Disarms timer id; an id of -1 (no timer made) is a no-op that does not read l, which may be
 * NULL then (a service stopped before its setup made a timer). */
void loop_timer_stop(struct loop *l, int id);
int loop_timer_armed(const struct loop *l, int id);
/* Watches fd. Returns 0, or -1 when the table is full (the caller closes the fd). */
int loop_fd_add(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg);
void loop_fd_events(struct loop *l, int fd, short events);
void loop_fd_del(struct loop *l, int fd);
/* Free descriptor slots. */
unsigned loop_fd_free(const struct loop *l);

/* Sleeps once and runs what became due. horizon_ms (0 = none) bounds the sleep without
 * counting as a wake-up: the tests use it to end a simulated period. -1 on a poll error. */
int loop_run_once(struct loop *l, uint64_t horizon_ms);
/* Runs until loop_stop. */
int loop_run(struct loop *l);
/* Runs until loop_stop or until port_now_ms() reaches end_ms. */
int loop_run_until(struct loop *l, uint64_t end_ms);
void loop_stop(struct loop *l);

#endif
