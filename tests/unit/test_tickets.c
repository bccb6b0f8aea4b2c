/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tickets.c - the daemon's ticket key rotation on the virtual clock: keys made at
 * start-up, one wake-up and one write per rotation over a simulated week, keys kept across a
 * restart, none in an env off tmpfs (and old ones removed), a new lifetime at reload, an
 * emptied env refilled, failures logged once, and never a key or a name in a log line.
 */
#include <stdio.h>
#include <string.h>

#include "cache_env.h"
#include "cache_repair.h"
#include "entropy.h"
#include "loop.h"
#include "port.h"
#include "t.h"
#include "ticket_store.h"
#include "tickets.h"

#define L   3600u
#define P   (L / 2)
#define DAY 86400u

static void open_env(struct cache_env *ce)
{
    struct tlsmgr_conf c;

    conf_defaults(&c);
    strcpy(c.cache_database, "cache");
    T_EQ_INT(cache_repair_open(ce, &c, port_uid(), port_gid()), 0);
}

static void read_slots(struct cache_env *ce, struct ticket_slots *s)
{
    T_EQ_INT(ticket_store_read(ce, s, NULL), 0);
}

static void setup(struct cache_env *ce)
{
    entropy_reset();
    port_test_fs = PORT_FS_TMPFS;
    open_env(ce);
}

static void keys_made_at_start(void)
{
    struct cache_env ce;
    struct tickets t;
    struct ticket_slots s;
    struct loop l;
    int64_t now = port_wall_time();

    setup(&ce);
    loop_init(&l);
    T_EQ_INT(tickets_init(&t, &ce, &l, L), 0);
    read_slots(&ce, &s);
    T_EQ_INT(s.present, 0x6);
    T_EQ_INT(s.k[TICKET_SLOT_CURRENT].active, now);
    T_EQ_INT(s.k[TICKET_SLOT_NEXT].active, now + P);
    T_ASSERT(loop_timer_armed(&l, t.timer));
    T_EQ_INT(l.timers[t.timer].due, port_now_ms() + P * 1000ull);
    T_EQ_INT(t.rotations, 1);
    tickets_free(&t);
    T_ASSERT(!loop_timer_armed(&l, t.timer));
    cache_env_close(&ce);
}

/* A week on the loop: one wake-up per rotation, a complete set after each, and every key
 * handed out (as next) a full period before it encrypts. */
static void week_wakes_only_to_rotate(void)
{
    struct cache_env ce;
    struct tickets t;
    struct ticket_slots s, seen;
    struct loop l;
    uint64_t start = port_now_ms(), end = start + 7ull * DAY * 1000;
    unsigned rotations = 7 * DAY / P;

    setup(&ce);
    loop_init(&l);
    T_EQ_INT(tickets_init(&t, &ce, &l, L), 0);
    read_slots(&ce, &seen);
    while (port_now_ms() < end) {
        T_EQ_INT(loop_run_once(&l, end), 0);
        read_slots(&ce, &s);
        if (port_now_ms() >= end)
            break;
        T_EQ_INT(s.present, 0x7);
        /* What is current now was next at the previous rotation. */
        T_ASSERT(memcmp(&s.k[TICKET_SLOT_CURRENT], &seen.k[TICKET_SLOT_NEXT],
                        sizeof(struct ticket_key)) == 0);
        T_EQ_INT(s.k[TICKET_SLOT_CURRENT].active, port_wall_time());
        seen = s;
    }
    T_EQ_INT(l.wakeups, rotations);
    T_EQ_INT(t.rotations, 1 + rotations);
    T_EQ_INT(t.failures, 0);
    tickets_free(&t);
    ticket_slots_wipe(&s);
    ticket_slots_wipe(&seen);
    cache_env_close(&ce);
}

static void restart_keeps_valid_keys(void)
{
    struct cache_env ce;
    struct tickets t;
    struct ticket_slots a, b;

    setup(&ce);
    T_EQ_INT(tickets_init(&t, &ce, NULL, L), 0);
    read_slots(&ce, &a);
    tickets_free(&t);
    cache_env_close(&ce);
    port_test_advance((P - 10) * 1000ull);
    /* The daemon restarts: the same keys, nothing written. */
    open_env(&ce);
    T_EQ_INT(tickets_init(&t, &ce, NULL, L), 0);
    read_slots(&ce, &b);
    T_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
    T_EQ_INT(t.rotations, 0);
    /* Later than the next rotation: it happens at start-up, the old current stays previous. */
    tickets_free(&t);
    port_test_advance(20 * 1000ull);
    T_EQ_INT(tickets_init(&t, &ce, NULL, L), 0);
    read_slots(&ce, &b);
    T_ASSERT(memcmp(&b.k[TICKET_SLOT_PREVIOUS], &a.k[TICKET_SLOT_CURRENT],
                    sizeof(struct ticket_key)) == 0);
    T_ASSERT(memcmp(&b.k[TICKET_SLOT_CURRENT], &a.k[TICKET_SLOT_NEXT], sizeof(struct ticket_key)) ==
             0);
    T_EQ_INT(t.rotations, 1);
    tickets_free(&t);
    cache_env_close(&ce);
}

static void refused_off_tmpfs(void)
{
    struct cache_env ce;
    struct tickets t;
    struct ticket_slots s;
    struct loop l;

    setup(&ce);
    T_EQ_INT(tickets_init(&t, &ce, NULL, L), 0);
    tickets_free(&t);
    /* The same env, now on persistent storage: no keys, and the old ones are removed. */
    port_test_fs = PORT_FS_OTHER;
    loop_init(&l);
    T_EQ_INT(tickets_init(&t, &ce, &l, L), 0);
    read_slots(&ce, &s);
    T_EQ_INT(s.present, 0);
    T_EQ_INT(t_log_count("not on tmpfs"), 1);
    T_ASSERT(!t.enabled);
    T_EQ_INT(tickets_update(&t), 0);
    read_slots(&ce, &s);
    T_EQ_INT(s.present, 0);
    /* No timer: an idle daemon does not wake for keys it will not make. */
    T_EQ_INT(t.timer, -1);
    T_EQ_INT(l.ntimers, 0);
    tickets_free(&t);
    cache_env_close(&ce);
}

static void reload_starts_new_period(void)
{
    struct cache_env ce;
    struct tickets t;
    struct ticket_slots a, b;
    struct loop l;
    int64_t now = port_wall_time();

    setup(&ce);
    loop_init(&l);
    T_EQ_INT(tickets_init(&t, &ce, &l, L), 0);
    read_slots(&ce, &a);
    tickets_set_lifetime(&t, 600);
    read_slots(&ce, &b);
    T_ASSERT(memcmp(&a.k[TICKET_SLOT_CURRENT], &b.k[TICKET_SLOT_CURRENT],
                    sizeof(struct ticket_key)) == 0);
    T_ASSERT(memcmp(a.k[TICKET_SLOT_NEXT].name, b.k[TICKET_SLOT_NEXT].name, TICKET_NAME_LEN) != 0);
    T_EQ_INT(b.k[TICKET_SLOT_NEXT].active, now + 300);
    T_EQ_INT(b.k[TICKET_SLOT_NEXT].lifetime, 600);
    T_EQ_INT(l.timers[t.timer].due, port_now_ms() + 300 * 1000ull);
    tickets_free(&t);
    cache_env_close(&ce);
}

static void emptied_env_refilled(void)
{
    struct cache_env ce;
    struct tickets t;
    struct ticket_slots s, none;

    setup(&ce);
    T_EQ_INT(tickets_init(&t, &ce, NULL, L), 0);
    memset(&none, 0, sizeof(none));
    T_EQ_INT(ticket_store_write(&ce, &none), 0);
    T_EQ_INT(tickets_update(&t), 0);
    read_slots(&ce, &s);
    T_EQ_INT(s.present, 0x6);
    tickets_free(&t);
    cache_env_close(&ce);
}

static void failure_logged_once(void)
{
    struct cache_env ce;
    struct tickets t;
    MDB_env *saved;
    struct loop l;

    setup(&ce);
    loop_init(&l);
    T_EQ_INT(tickets_init(&t, &ce, &l, L), 0);
    saved = ce.env;
    ce.env = NULL; /* every transaction fails */
    T_EQ_INT(tickets_update(&t), -1);
    T_EQ_INT(tickets_update(&t), -1);
    T_EQ_INT(t_log_count("ticket keys: cannot read"), 1);
    T_EQ_INT(t.failures, 2);
    /* Retried within a minute, not at the next rotation. */
    T_EQ_INT(l.timers[t.timer].due, port_now_ms() + TLSMGR_TICKET_RETRY * 1000ull);
    ce.env = saved;
    T_EQ_INT(tickets_update(&t), 0);
    T_EQ_INT(t_log_count("rotation works again"), 1);
    tickets_free(&t);
    cache_env_close(&ce);
}

/* Hex of n bytes, as a log line would show key material. */
static void hex(char *out, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static void no_key_in_logs(void)
{
    struct cache_env ce;
    struct tickets t;
    struct ticket_slots s;
    char h[2 * TICKET_KEY_LEN + 1];
    unsigned i;

    setup(&ce);
    T_EQ_INT(tickets_init(&t, &ce, NULL, L), 0);
    port_test_advance(P * 1000ull);
    T_EQ_INT(tickets_update(&t), 0);
    tickets_log_stats(&t);
    T_ASSERT(port_test_log_has("ticket keys: lifetime (s) 3600, rotations 2, failures 0"));
    read_slots(&ce, &s);
    for (i = 0; i < TICKET_SLOTS; i++) {
        hex(h, s.k[i].key, 6);
        T_ASSERT(!port_test_log_has(h));
        hex(h, s.k[i].name, 4);
        T_ASSERT(!port_test_log_has(h));
    }
    tickets_free(&t);
    cache_env_close(&ce);
}

static void describe_shows_times_only(void)
{
    struct cache_env ce;
    struct tickets t;
    char text[256];

    setup(&ce);
    T_EQ_INT(tickets_init(&t, &ce, NULL, L), 0);
    T_ASSERT(tickets_describe(&ce, text, sizeof(text)) > 0);
    T_ASSERT(strstr(text, "ticket key previous: none\n") != NULL);
    T_ASSERT(strstr(text, "ticket key current: active +0s, expires +3600s\n") != NULL);
    T_ASSERT(strstr(text, "ticket key next: active +1800s, expires +5400s\n") != NULL);
    tickets_free(&t);
    cache_env_close(&ce);
}

T_MAIN(T_CASE(keys_made_at_start), T_CASE(week_wakes_only_to_rotate),
       T_CASE(restart_keeps_valid_keys), T_CASE(refused_off_tmpfs),
       T_CASE(reload_starts_new_period), T_CASE(emptied_env_refilled), T_CASE(failure_logged_once),
       T_CASE(no_key_in_logs), T_CASE(describe_shows_times_only))
