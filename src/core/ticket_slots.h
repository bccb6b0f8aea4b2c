/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ticket_slots.h - the three ticket key slots (previous, current, next) and their rotation,
 * shared by the daemon (which rotates the env's slots) and libtlsmgr (which reads them, and
 * rotates its own process-local slots the same way while no shared key exists).
 *
 * Rotation, with P = lifetime / 2: a key is made as `next`, P before it becomes active; it
 * is `current` (encrypts) for P, then `previous` (still decrypts) for P, then it expires and
 * goes. Readers do not need the daemon to switch: the key that encrypts is the one with the
 * latest active time that has come, so every process switches at the same second, and each
 * holds the new key P before it is used. Accepted for decryption: any unexpired slot.
 * Pure functions on a struct the caller owns; key bytes are wiped when dropped.
 */
#ifndef TLSMGR_TICKET_SLOTS_H
#define TLSMGR_TICKET_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "ticket_format.h"

struct ticket_slots {
    struct ticket_key k[TICKET_SLOTS];
    unsigned present; /* bit i set: k[i] holds a key */
};

/* The keys of a mask of slots (bits above the slots ignored): a lookup, not a loop. */
static inline unsigned ticket_mask_count(unsigned mask)
{
    return (unsigned char)"\0\1\1\2\1\2\2\3"[mask & 7];
}

/* Fills out with len random bytes; returns 0, or non-zero on failure. */
typedef int (*ticket_rng_fn)(void *arg, unsigned char *out, size_t len);

/*
 * Brings the slots up to date at now (wall-clock seconds): drops expired keys, shifts when
 * `next` has become active, makes the missing `current` (active now) and `next` (active P
 * after `current`) from rng, with the given lifetime (2..TICKET_LIFETIME_MAX). When the
 * schedule is behind (the keys were not rotated for a while), it catches up in one call:
 * a `current` active for more than P is replaced at once. Returns a bitmask of the slots it
 * changed (0: nothing to write), or -1 when rng failed (the slots are then unchanged but
 * for expired keys dropped).
 */
int ticket_slots_advance(struct ticket_slots *s, int64_t now, uint32_t lifetime, ticket_rng_fn rng,
                         void *rng_arg);

/* The key that encrypts at now: among present keys with active <= now < expiry, the one
 * with the latest active time. NULL when there is none. */
const struct ticket_key *ticket_slots_current(const struct ticket_slots *s, int64_t now);

/* The unexpired key (at now) whose name starts with the 4 bytes of a ticket; NULL if none.
 * Names of keys in one slot set never share their first 4 bytes (ticket_slots_advance). */
const struct ticket_key *ticket_slots_find(const struct ticket_slots *s,
                                           const uint8_t name[TICKET_WIRE_NAME_LEN], int64_t now);

/* The first time after now at which ticket_slots_current or the set of unexpired keys
 * changes (a key becomes active or expires); 0 when nothing will. */
int64_t ticket_slots_next_change(const struct ticket_slots *s, int64_t now);

/* 1 when name cannot name a key of slot self: its first 4 bytes are zero, or those of
 * another present slot's key. */
int ticket_slots_name_taken(const struct ticket_slots *s, unsigned self, const uint8_t *name);

/* The earlier of the times a and b that are after now; 0 when neither is. */
int64_t ticket_sooner(int64_t a, int64_t b, int64_t now);

/* Number of keys present. */
unsigned ticket_slots_count(const struct ticket_slots *s);
/* Removes the keys expired at now; returns the bitmask of the slots it emptied. */
unsigned ticket_slots_expire(struct ticket_slots *s, int64_t now);
/* Removes slot i (wiping the key). */
void ticket_slots_drop(struct ticket_slots *s, unsigned i);
/* Removes every key (wiping them). */
void ticket_slots_wipe(struct ticket_slots *s);

#endif
