/* SPDX-License-Identifier: BSD-2-Clause */
/* test_loop.c - the event loop on the virtual clock: it wakes only for due work. */
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "port.h"
#include "t.h"

#define DAY_MS (86400ull * 1000)

struct counter {
    struct loop *l;
    int id;
    unsigned runs;
    uint64_t last;
    uint64_t period; /* 0: one-shot */
};

static void tick(void *arg)
{
    struct counter *c = arg;

    c->runs++;
    c->last = port_now_ms();
    if (c->period != 0)
        loop_timer_in(c->l, c->id, c->period);
}

static void idle_day_wakes_zero_times(void)
{
    struct loop l;
    uint64_t start = port_now_ms();

    loop_init(&l);
    T_EQ_INT(loop_run_until(&l, start + DAY_MS), 0);
    T_EQ_INT(l.wakeups, 0);
    T_EQ_INT(port_now_ms(), start + DAY_MS);
    /* One sleep for the whole day: the loop does not poll on a short timeout. */
    T_EQ_INT(port_test_polls, 1);
}

static void periodic_timer_wakes_exactly_when_due(void)
{
    struct loop l;
    struct counter c = {0};
    uint64_t start = port_now_ms();

    loop_init(&l);
    c.l = &l;
    c.period = 3600 * 1000;
    c.id = loop_timer_new(&l, "hourly", tick, &c);
    T_ASSERT(c.id >= 0);
    loop_timer_in(&l, c.id, c.period);
    T_EQ_INT(loop_run_until(&l, start + DAY_MS), 0);
    T_EQ_INT(c.runs, 24);
    T_EQ_INT(l.wakeups, 24);
    T_EQ_INT(l.timer_runs, 24);
    T_EQ_INT(c.last, start + DAY_MS);
}

static void earliest_deadline_first_and_stopped_timers_never_run(void)
{
    struct loop l;
    struct counter a = {0}, b = {0}, stopped = {0};
    uint64_t start = port_now_ms();

    loop_init(&l);
    a.l = b.l = stopped.l = &l;
    a.id = loop_timer_new(&l, "a", tick, &a);
    b.id = loop_timer_new(&l, "b", tick, &b);
    stopped.id = loop_timer_new(&l, "stopped", tick, &stopped);
    loop_timer_in(&l, a.id, 5000);
    loop_timer_in(&l, b.id, 2000);
    loop_timer_in(&l, stopped.id, 1000);
    loop_timer_stop(&l, stopped.id);
    T_ASSERT(!loop_timer_armed(&l, stopped.id));
    T_EQ_INT(loop_run_once(&l, 0), 0);
    T_EQ_INT(b.runs, 1);
    T_EQ_INT(a.runs, 0);
    T_EQ_INT(b.last, start + 2000);
    T_EQ_INT(loop_run_once(&l, 0), 0);
    T_EQ_INT(a.runs, 1);
    T_EQ_INT(a.last, start + 5000);
    T_EQ_INT(stopped.runs, 0);
    T_EQ_INT(l.wakeups, 2);
}

static void timer_table_is_bounded(void)
{
    struct loop l;
    struct counter c[TLSMGR_MAX_TIMERS + 1];
    int i, id = 0;

    memset(c, 0, sizeof(c));
    loop_init(&l);
    for (i = 0; i < TLSMGR_MAX_TIMERS; i++)
        id = loop_timer_new(&l, "t", tick, &c[i]);
    T_EQ_INT(id, TLSMGR_MAX_TIMERS - 1);
    T_EQ_INT(loop_timer_new(&l, "one too many", tick, &c[TLSMGR_MAX_TIMERS]), -1);
    T_ASSERT(port_test_log_has("no free timer for one too many"));
}

/* A service that sets up again after a failed start (daemon.c retries it) asks for its timer
 * again: it must get the same slot back, disarmed, however many times it retries. */
static void same_timer_asked_again_reuses_its_slot(void)
{
    struct loop l;
    struct counter a = {0}, b = {0};
    int i, ida, idb;

    loop_init(&l);
    ida = loop_timer_new(&l, "a", tick, &a);
    idb = loop_timer_new(&l, "b", tick, &b);
    loop_timer_in(&l, ida, 1000);
    for (i = 0; i < 10 * TLSMGR_MAX_TIMERS; i++)
        T_EQ_INT(loop_timer_new(&l, "a again", tick, &a), ida);
    T_ASSERT(!loop_timer_armed(&l, ida));
    T_EQ_INT(loop_timer_new(&l, "b again", tick, &b), idb);
    T_EQ_INT(l.ntimers, 2);
}

static int fd_events;

static void on_readable(void *arg, int fd, short revents)
{
    char buf[8];

    (void)arg;
    if (revents & PORT_POLLIN)
        fd_events++;
    if (read(fd, buf, sizeof(buf)) <= 0)
        fd_events += 100;
}

/* Two readable pipes; the first one's callback closes the second and opens a new pipe, whose
 * read end takes the freed number. The new descriptor must not be handed the events poll
 * reported for the old one (it has nothing to read): they are not its own. */
static int reuse_p[2], reuse_q[2], reuse_new[2], reuse_new_calls;

static void on_new(void *arg, int fd, short revents)
{
    (void)arg;
    (void)fd;
    (void)revents;
    reuse_new_calls++;
}

static void on_first(void *arg, int fd, short revents)
{
    struct loop *l = arg;
    char c;

    (void)revents;
    T_EQ_INT(read(fd, &c, 1), 1);
    loop_fd_del(l, reuse_q[0]);
    close(reuse_q[0]);
    T_EQ_INT(pipe(reuse_new), 0);
    T_EQ_INT(reuse_new[0], reuse_q[0]); /* the lowest free number: the one just closed */
    T_EQ_INT(loop_fd_add(l, reuse_new[0], PORT_POLLIN, on_new, l), 0);
}

static void reused_number_gets_no_stale_events(void)
{
    struct loop l;

    loop_init(&l);
    reuse_new_calls = 0;
    T_EQ_INT(pipe(reuse_p), 0);
    T_EQ_INT(pipe(reuse_q), 0);
    T_EQ_INT(write(reuse_p[1], "x", 1), 1);
    T_EQ_INT(write(reuse_q[1], "y", 1), 1);
    T_EQ_INT(loop_fd_add(&l, reuse_p[0], PORT_POLLIN, on_first, &l), 0);
    T_EQ_INT(loop_fd_add(&l, reuse_q[0], PORT_POLLIN, on_new, &l), 0);
    T_EQ_INT(loop_run_once(&l, port_now_ms() + 1000), 0);
    T_EQ_INT(reuse_new_calls, 0);
    /* The next dispatch treats it as any other descriptor. */
    T_EQ_INT(write(reuse_new[1], "z", 1), 1);
    T_EQ_INT(loop_run_once(&l, port_now_ms() + 1000), 0);
    T_EQ_INT(reuse_new_calls, 1);
    close(reuse_p[0]);
    close(reuse_p[1]);
    close(reuse_q[1]);
    close(reuse_new[0]);
    close(reuse_new[1]);
}

static void descriptor_wakes_the_loop_and_slots_are_bounded(void)
{
    struct loop l;
    int p[2], i;
    uint64_t start = port_now_ms();

    loop_init(&l);
    fd_events = 0;
    T_EQ_INT(pipe(p), 0);
    T_EQ_INT(loop_fd_add(&l, p[0], PORT_POLLIN, on_readable, NULL), 0);
    T_EQ_INT(write(p[1], "x", 1), 1);
    T_EQ_INT(loop_run_once(&l, start + 1000), 0);
    T_EQ_INT(fd_events, 1);
    T_EQ_INT(l.wakeups, 1);
    /* Nothing readable: the horizon passes without a wake-up. */
    T_EQ_INT(loop_run_once(&l, start + 1000), 0);
    T_EQ_INT(fd_events, 1);
    T_EQ_INT(l.wakeups, 1);
    for (i = 1; i < TLSMGR_MAX_FDS; i++)
        T_EQ_INT(loop_fd_add(&l, p[1], PORT_POLLOUT, on_readable, NULL), 0);
    T_EQ_INT(loop_fd_free(&l), 0);
    T_EQ_INT(loop_fd_add(&l, p[1], PORT_POLLOUT, on_readable, NULL), -1);
    loop_fd_del(&l, p[1]);
    T_EQ_INT(loop_fd_free(&l), TLSMGR_MAX_FDS - 1);
    close(p[0]);
    close(p[1]);
}

static unsigned hook_runs;

static void count_wakeup(void *arg)
{
    (void)arg;
    hook_runs++;
}

static void on_wakeup_hook_runs_once_per_wakeup(void)
{
    struct loop l;
    struct counter c = {0};
    uint64_t start = port_now_ms();

    loop_init(&l);
    hook_runs = 0;
    l.on_wakeup = count_wakeup;
    c.l = &l;
    c.period = 1000;
    c.id = loop_timer_new(&l, "second", tick, &c);
    loop_timer_in(&l, c.id, 1000);
    T_EQ_INT(loop_run_until(&l, start + 10000), 0);
    T_EQ_INT(c.runs, 10);
    T_EQ_INT(hook_runs, 10);
}

T_MAIN(T_CASE(idle_day_wakes_zero_times), T_CASE(periodic_timer_wakes_exactly_when_due),
       T_CASE(earliest_deadline_first_and_stopped_timers_never_run), T_CASE(timer_table_is_bounded),
       T_CASE(same_timer_asked_again_reuses_its_slot),
       T_CASE(descriptor_wakes_the_loop_and_slots_are_bounded),
       T_CASE(reused_number_gets_no_stale_events), T_CASE(on_wakeup_hook_runs_once_per_wakeup))
