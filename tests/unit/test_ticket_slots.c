/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ticket_slots.c - rotation of the previous/current/next ticket keys on a clock the test
 * moves: a fresh set, rotation on schedule, a key leaving every slot, catching up after
 * downtime, generator failures and name collisions, the next change, and the slots' round
 * trip through the env's ticket DB (malformed records found, absent slots deleted).
 */
#include <stdint.h>
#include <string.h>

#include "cache_env.h"
#include "cache_repair.h"
#include "port.h"
#include "t.h"
#include "ticket_store.h"

#define L 3600
#define P (L / 2)
#define T 1780000000

/* A counter-based generator; fail_after 0 never fails. */
struct gen {
    uint8_t n;
    unsigned calls, fail_after;
    int constant; /* every draw the same bytes */
};

static int gen_rng(void *arg, unsigned char *out, size_t len)
{
    struct gen *g = arg;
    size_t i;

    g->calls++;
    if (g->fail_after != 0 && g->calls >= g->fail_after)
        return -1;
    for (i = 0; i < len; i++)
        out[i] = g->constant ? 0xA5 : (uint8_t)(++g->n * 37u + 11u);
    return 0;
}

static void fresh_set(struct ticket_slots *s, struct gen *g)
{
    memset(s, 0, sizeof(*s));
    memset(g, 0, sizeof(*g));
    T_EQ_INT(ticket_slots_advance(s, T, L, gen_rng, g), 0x2 | 0x4);
}

static void fresh_start(void)
{
    struct ticket_slots s;
    struct gen g;

    fresh_set(&s, &g);
    T_EQ_INT(s.present, 0x6);
    T_EQ_INT(s.k[TICKET_SLOT_CURRENT].active, T);
    T_EQ_INT(s.k[TICKET_SLOT_CURRENT].created, T);
    T_EQ_INT(ticket_key_expires(&s.k[TICKET_SLOT_CURRENT]), T + L);
    T_EQ_INT(s.k[TICKET_SLOT_NEXT].active, T + P);
    T_EQ_INT(s.k[TICKET_SLOT_NEXT].created, T);
    T_ASSERT(ticket_slots_current(&s, T) == &s.k[TICKET_SLOT_CURRENT]);
    T_ASSERT(memcmp(s.k[1].name, s.k[2].name, TICKET_WIRE_NAME_LEN) != 0);
    T_ASSERT(memcmp(s.k[1].key, s.k[2].key, TICKET_KEY_LEN) != 0);
    T_EQ_INT(ticket_slots_next_change(&s, T), T + P);
    T_EQ_INT(ticket_slots_count(&s), 2);
    /* Nothing to do until next becomes active. */
    T_EQ_INT(ticket_slots_advance(&s, T + P - 1, L, gen_rng, &g), 0);
}

static void rotates_on_schedule(void)
{
    struct ticket_slots s;
    struct ticket_key cur, next;
    struct gen g;

    fresh_set(&s, &g);
    cur = s.k[TICKET_SLOT_CURRENT];
    next = s.k[TICKET_SLOT_NEXT];
    /* The next key encrypts from its active time on, before the slots are shifted. */
    T_ASSERT(memcmp(ticket_slots_current(&s, T + P)->name, next.name, TICKET_NAME_LEN) == 0);
    T_EQ_INT(ticket_slots_advance(&s, T + P, L, gen_rng, &g), 0x7);
    T_EQ_INT(s.present, 0x7);
    T_ASSERT(memcmp(&s.k[TICKET_SLOT_PREVIOUS], &cur, sizeof(cur)) == 0);
    T_ASSERT(memcmp(&s.k[TICKET_SLOT_CURRENT], &next, sizeof(next)) == 0);
    T_EQ_INT(s.k[TICKET_SLOT_NEXT].active, T + 2 * P);
    T_EQ_INT(s.k[TICKET_SLOT_NEXT].created, T + P);
    T_ASSERT(ticket_slots_current(&s, T + P) == &s.k[TICKET_SLOT_CURRENT]);
    /* The previous key still decrypts until it expires, when it is rotated out. */
    T_ASSERT(ticket_slots_find(&s, cur.name, T + 2 * P - 1) == &s.k[TICKET_SLOT_PREVIOUS]);
    T_ASSERT(ticket_slots_find(&s, cur.name, T + 2 * P) == NULL);
    T_EQ_INT(ticket_slots_next_change(&s, T + P), T + 2 * P);
    T_EQ_INT(ticket_slots_advance(&s, T + 2 * P, L, gen_rng, &g), 0x7);
    T_ASSERT(memcmp(&s.k[TICKET_SLOT_PREVIOUS], &next, sizeof(next)) == 0);
    T_ASSERT(ticket_slots_find(&s, cur.name, T + 2 * P) == NULL);
    T_EQ_INT(ticket_slots_count(&s), 3);
}

static void key_leaves_every_slot(void)
{
    struct ticket_slots s;
    struct ticket_key first;
    struct gen g;
    int64_t t;

    fresh_set(&s, &g);
    first = s.k[TICKET_SLOT_CURRENT];
    for (t = T; t < T + 3 * L; t += 60) {
        T_ASSERT(ticket_slots_advance(&s, t, L, gen_rng, &g) >= 0);
        if (t < ticket_key_expires(&first))
            T_ASSERT(ticket_slots_find(&s, first.name, t) != NULL);
        else
            T_ASSERT(ticket_slots_find(&s, first.name, t) == NULL);
        /* Always a key to encrypt with, and it is never one about to expire. */
        T_ASSERT(ticket_slots_current(&s, t) != NULL);
        T_ASSERT(ticket_key_expires(ticket_slots_current(&s, t)) - t > P - 60);
    }
}

static void catches_up_after_downtime(void)
{
    struct ticket_slots s;
    struct ticket_key next;
    struct gen g;

    /* Everything expired: a fresh set at once. */
    fresh_set(&s, &g);
    T_ASSERT(ticket_slots_advance(&s, T + 5 * P, L, gen_rng, &g) > 0);
    T_EQ_INT(s.present, 0x6);
    T_EQ_INT(s.k[TICKET_SLOT_CURRENT].active, T + 5 * P);
    T_EQ_INT(s.k[TICKET_SLOT_NEXT].active, T + 6 * P);
    /* The next key went active long ago: it becomes previous, and a new key encrypts now. */
    fresh_set(&s, &g);
    next = s.k[TICKET_SLOT_NEXT];
    T_ASSERT(ticket_slots_advance(&s, T + 2 * P + P / 2, L, gen_rng, &g) > 0);
    T_EQ_INT(s.present, 0x7);
    T_ASSERT(memcmp(&s.k[TICKET_SLOT_PREVIOUS], &next, sizeof(next)) == 0);
    T_EQ_INT(s.k[TICKET_SLOT_CURRENT].active, T + 2 * P + P / 2);
    T_EQ_INT(s.k[TICKET_SLOT_NEXT].active, T + 3 * P + P / 2);
    /* A daemon restarted on schedule keeps everything. */
    fresh_set(&s, &g);
    T_EQ_INT(ticket_slots_advance(&s, T + 10, L, gen_rng, &g), 0);
}

static void generator_failure_changes_nothing(void)
{
    struct ticket_slots s, before;
    struct gen g;

    memset(&s, 0, sizeof(s));
    memset(&g, 0, sizeof(g));
    g.fail_after = 2; /* current made, next fails */
    T_EQ_INT(ticket_slots_advance(&s, T, L, gen_rng, &g), -1);
    T_EQ_INT(s.present, 0);
    fresh_set(&s, &g);
    before = s;
    g.fail_after = g.calls + 1;
    T_EQ_INT(ticket_slots_advance(&s, T + P, L, gen_rng, &g), -1);
    T_ASSERT(memcmp(&s, &before, sizeof(s)) == 0);
    T_EQ_INT(ticket_slots_advance(&s, T, 1, gen_rng, &g), -1);
    T_EQ_INT(ticket_slots_advance(&s, T, TICKET_LIFETIME_MAX + 1, gen_rng, &g), -1);
}

static void wire_names_never_collide(void)
{
    struct ticket_slots s;
    struct gen g;

    memset(&s, 0, sizeof(s));
    memset(&g, 0, sizeof(g));
    g.constant = 1; /* the same name every time: the second key cannot get one */
    T_EQ_INT(ticket_slots_advance(&s, T, L, gen_rng, &g), -1);
    T_EQ_INT(s.present, 0);
}

static void open_env(struct cache_env *ce)
{
    struct tlsmgr_conf c;

    conf_defaults(&c);
    strcpy(c.cache_database, "cache");
    T_EQ_INT(cache_repair_open(ce, &c, port_uid(), port_gid()), 0);
}

static void store_round_trip(void)
{
    struct cache_env ce;
    struct ticket_slots s, back;
    struct gen g;
    unsigned bad = 9;
    uint8_t slot = TICKET_SLOT_NEXT;
    MDB_txn *txn;
    MDB_val k = cache_val(&slot, 1), v = cache_val("short", 5);

    open_env(&ce);
    T_EQ_INT(ticket_store_read(&ce, &back, &bad), 0);
    T_EQ_INT(back.present, 0);
    T_EQ_INT(bad, 0);
    fresh_set(&s, &g);
    T_EQ_INT(ticket_slots_advance(&s, T + P, L, gen_rng, &g), 0x7);
    T_EQ_INT(ticket_store_write(&ce, &s), 0);
    T_EQ_INT(ticket_store_read(&ce, &back, &bad), 0);
    T_ASSERT(memcmp(&s, &back, sizeof(s)) == 0);
    /* A damaged record: its slot reads as empty and is reported. */
    T_EQ_INT(cache_env_txn_begin(&ce, 0, &txn), 0);
    T_EQ_INT(mdb_put(txn, ce.ticket, &k, &v, 0), 0);
    T_EQ_INT(mdb_txn_commit(txn), 0);
    T_EQ_INT(ticket_store_read(&ce, &back, &bad), 0);
    T_EQ_INT(back.present, 0x3);
    T_EQ_INT(bad, 0x4);
    /* Absent slots are deleted. */
    ticket_slots_drop(&s, TICKET_SLOT_PREVIOUS);
    ticket_slots_drop(&s, TICKET_SLOT_NEXT);
    T_EQ_INT(ticket_store_write(&ce, &s), 0);
    T_EQ_INT(ticket_store_read(&ce, &back, &bad), 0);
    T_EQ_INT(back.present, 0x2);
    T_EQ_INT(bad, 0);
    cache_env_close(&ce);
    /* A closed env is an error, and leaves nothing behind. */
    T_ASSERT(ticket_store_read(&ce, &back, NULL) != 0);
    T_EQ_INT(back.present, 0);
}

T_MAIN(T_CASE(fresh_start), T_CASE(rotates_on_schedule), T_CASE(key_leaves_every_slot),
       T_CASE(catches_up_after_downtime), T_CASE(generator_failure_changes_nothing),
       T_CASE(wire_names_never_collide), T_CASE(store_round_trip))
