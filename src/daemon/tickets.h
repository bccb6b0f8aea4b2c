/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tickets.h - the daemon's ticket key rotation: keeps the previous, current and next keys in
 * the cache env's ticket DB (ticket_slots.h), a new `next` every tls_ticket_key_lifetime / 2,
 * all three slots written in one transaction. Driven by the cache service on its env, with
 * one timer that wakes the loop only when a key becomes active (and the oldest expires).
 *
 * The keys are read from the env at each rotation and wiped once written: between rotations
 * the daemon holds none in memory. Keys already in the env when the daemon starts are kept
 * while valid, so a restart of the daemon does not invalidate tickets; a reboot (the env on
 * tmpfs is gone) does. An env that is not on tmpfs gets no keys at all (one log line), so no
 * key ever reaches persistent storage.
 */
#ifndef TLSMGR_TICKETS_H
#define TLSMGR_TICKETS_H

#include <stdint.h>

#include "cache_env.h"
#include "conf.h"
#include "loop.h"
#include "ticket_export.h"
#include "ticket_import.h"

struct tickets {
    struct cache_env *ce;
    struct loop *loop;
    int timer;
    uint32_t lifetime;   /* tls_ticket_key_lifetime */
    int enabled;         /* keys are made: the env is on tmpfs */
    int failing;         /* the last update failed (logged once until one works again) */
    int64_t next_change; /* wall clock of the next rotation (0: unknown) */
    uint64_t rotations;  /* updates that wrote the slots */
    uint64_t failures;
    int64_t last_write;             /* wall clock of the last write */
    const struct tlsmgr_conf *conf; /* lifetime, exports and source (NULL: none) */
#if TLSMGR_TICKET_EXPORT
    int64_t export_at; /* the next time the exports want an update (0: none) */
    struct ticket_import imp;
    struct ticket_export exp; /* last: its buffers put the fields after it out of short reach */
#endif
};

/* Prepares rotation on an open env and updates the slots at once (keys valid in the env are
 * kept). With loop NULL nothing is scheduled (tests call tickets_update). Returns 0, or -1
 * when no timer slot is left (logged). A refused env (not on tmpfs) is not an error. */
int tickets_init(struct tickets *t, struct cache_env *ce, struct loop *loop, unsigned lifetime);
/* The same, with the configuration's lifetime, key file exports and key source: *conf is
 * kept by pointer (the daemon's, changed in place by a reload). */
int tickets_init_conf(struct tickets *t, struct cache_env *ce, struct loop *loop,
                      const struct tlsmgr_conf *conf);
/* A reload: a new lifetime (tickets_set_lifetime), export targets and key source. */
void tickets_reload(struct tickets *t);
/* Reads the slots, rotates what is due, writes them when anything changed, and arms the timer
 * for the next change. Returns 0 or -1 (logged once; retried later). */
int tickets_update(struct tickets *t);
/* A reload changed tls_ticket_key_lifetime: the `next` key is made again under the new
 * lifetime, so the new period starts at the next rotation. */
void tickets_set_lifetime(struct tickets *t, unsigned lifetime);
/* Logs the rotation statistics (never a key or a name). */
void tickets_log_stats(const struct tickets *t);
void tickets_free(struct tickets *t);

/* tlsmgr -s: describes the slots of an env opened read-only into text (no key material).
 * cap > 0; a line cut short ends the text. Returns the length of the whole lines. */
size_t tickets_describe(struct cache_env *ce, char *text, size_t cap);

#endif
