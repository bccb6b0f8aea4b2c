/* SPDX-License-Identifier: BSD-2-Clause */
/* ticket_slots.c - rotation of the previous/current/next ticket keys (ticket_slots.h). */
#include <stddef.h>
#include <string.h>

#include "ticket_slots.h"
#include "wipe.h"

/* TLSMGR_TICKETS 0 leaves the shared ticket keys out of the build. */
#if TLSMGR_TICKETS

#define BIT(i) (1u << (i))
/* A fresh key whose name's first 4 bytes collide with another slot's is drawn again; two
 * collisions in a row mean a broken generator. */
#define NAME_TRIES 3

void ticket_slots_drop(struct ticket_slots *s, unsigned i)
{
    wipe(&s->k[i], sizeof(s->k[i]));
    s->present &= ~BIT(i);
}

unsigned ticket_slots_count(const struct ticket_slots *s)
{
    return ticket_mask_count(s->present);
}

void ticket_slots_wipe(struct ticket_slots *s)
{
    wipe(s, sizeof(*s));
}

unsigned ticket_slots_expire(struct ticket_slots *s, int64_t now)
{
    unsigned i, gone = 0;

    for (i = 0; i < TICKET_SLOTS; i++)
        if ((s->present & BIT(i)) && ticket_key_expires(&s->k[i]) <= now) {
            ticket_slots_drop(s, i);
            gone |= BIT(i);
        }
    return gone;
}

int ticket_slots_name_taken(const struct ticket_slots *s, unsigned self, const uint8_t *name)
{
    unsigned i;

    if (ticket_wire_name_zero(name))
        return 1;
    for (i = 0; i < TICKET_SLOTS; i++)
        if (i != self && (s->present & BIT(i)) &&
            memcmp(s->k[i].name, name, TICKET_WIRE_NAME_LEN) == 0)
            return 1;
    return 0;
}

/* make_key draws a key's name and key bytes as one run. */
typedef char ticket_key_follows_name[offsetof(struct ticket_key, key) == TICKET_NAME_LEN ? 1 : -1];

/* Makes the empty slot i a new key active at `active` (every field of it is written). Returns
 * 0, or -1 when rng failed: the slot is then half made, for the caller to restore. */
static int make_key(struct ticket_slots *s, unsigned i, int64_t now, int64_t active,
                    uint32_t lifetime, ticket_rng_fn rng, void *arg)
{
    struct ticket_key *k = &s->k[i];
    int tries;

    for (tries = 0;; tries++) {
        if (tries == NAME_TRIES || rng(arg, k->name, TICKET_NAME_LEN + TICKET_KEY_LEN) != 0)
            return -1;
        if (!ticket_slots_name_taken(s, i, k->name))
            break;
    }
    k->created = now;
    k->active = active;
    k->lifetime = lifetime;
    s->present |= BIT(i);
    return 0;
}

/* previous <- current <- next; next is left empty. */
static void shift(struct ticket_slots *s)
{
    /* The copy overwrites every byte of the previous key, as a wipe would. */
    s->k[TICKET_SLOT_PREVIOUS] = s->k[TICKET_SLOT_CURRENT];
    s->k[TICKET_SLOT_CURRENT] = s->k[TICKET_SLOT_NEXT];
    s->present = (s->present >> 1) & (BIT(TICKET_SLOT_PREVIOUS) | BIT(TICKET_SLOT_CURRENT));
    ticket_slots_drop(s, TICKET_SLOT_NEXT);
}

int ticket_slots_advance(struct ticket_slots *s, int64_t now, uint32_t lifetime, ticket_rng_fn rng,
                         void *rng_arg)
{
    struct ticket_slots before;
    int64_t period = (int64_t)(lifetime / 2);
    unsigned changed;
    int step, ret = 0;

    if (lifetime < 2 || lifetime > TICKET_LIFETIME_MAX)
        return -1;
    changed = ticket_slots_expire(s, now);
    before = *s;
    /* Each step does one thing; a schedule far behind needs at most a shift, a new current
     * or next, and one more shift. */
    for (step = 0; step < 6; step++) {
        if ((s->present & BIT(TICKET_SLOT_NEXT)) && s->k[TICKET_SLOT_NEXT].active <= now) {
            shift(s);
            changed |= BIT(TICKET_SLOT_PREVIOUS) | BIT(TICKET_SLOT_CURRENT) | BIT(TICKET_SLOT_NEXT);
        } else {
            unsigned slot = TICKET_SLOT_NEXT;
            int64_t at = s->k[TICKET_SLOT_CURRENT].active;

            /* A missing current key is made active now; a next key P after the current one,
             * but a current key active for P already (or in the future: the clock went back)
             * gives way to a new key at once. */
            if (!(s->present & BIT(TICKET_SLOT_CURRENT))) {
                slot = TICKET_SLOT_CURRENT;
                at = now;
            } else if (s->present & BIT(TICKET_SLOT_NEXT)) {
                break;
            } else {
                at = at > now - period ? at + period : now;
            }
            if (make_key(s, slot, now, at, lifetime, rng, rng_arg) < 0) {
                ret = -1;
                break;
            }
            changed |= BIT(slot);
        }
    }
    if (ret < 0) {
        /* Nothing half-made: back to the state after the expired keys were dropped (the
         * copy overwrites every key byte of the half-made state). */
        *s = before;
    }
    wipe(&before, sizeof(before));
    return ret < 0 ? -1 : (int)changed;
}

const struct ticket_key *ticket_slots_current(const struct ticket_slots *s, int64_t now)
{
    const struct ticket_key *best = NULL;
    unsigned i;

    for (i = 0; i < TICKET_SLOTS; i++) {
        const struct ticket_key *k = &s->k[i];

        if ((s->present & BIT(i)) && k->active <= now && now < ticket_key_expires(k) &&
            (best == NULL || k->active > best->active))
            best = k;
    }
    return best;
}

const struct ticket_key *ticket_slots_find(const struct ticket_slots *s,
                                           const uint8_t name[TICKET_WIRE_NAME_LEN], int64_t now)
{
    unsigned i;

    for (i = 0; i < TICKET_SLOTS; i++)
        if ((s->present & BIT(i)) && now < ticket_key_expires(&s->k[i]) &&
            memcmp(s->k[i].name, name, TICKET_WIRE_NAME_LEN) == 0)
            return &s->k[i];
    return NULL;
}

int64_t ticket_sooner(int64_t a, int64_t b, int64_t now)
{
    if (a <= now)
        return b > now ? b : 0;
    return b > now && b < a ? b : a;
}

int64_t ticket_slots_next_change(const struct ticket_slots *s, int64_t now)
{
    int64_t next = 0;
    unsigned i;

    for (i = 0; i < TICKET_SLOTS; i++)
        if (s->present & BIT(i))
            next = ticket_sooner(ticket_sooner(next, s->k[i].active, now),
                                 ticket_key_expires(&s->k[i]), now);
    return next;
}

#endif /* TLSMGR_TICKETS */
