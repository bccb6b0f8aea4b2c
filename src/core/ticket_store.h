/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ticket_store.h - the ticket DB of the cache env: slot number (one byte) -> key record
 * (ticket_format.h). The daemon writes all three slots in one write transaction; libtlsmgr
 * reads them in one read transaction. Records are copied out of the map and the copies of
 * key bytes made here are wiped.
 */
#ifndef TLSMGR_TICKET_STORE_H
#define TLSMGR_TICKET_STORE_H

#include "cache_env.h"
#include "ticket_slots.h"

/* Reads the slots into *s (replacing what it held). A malformed record leaves its slot empty
 * and sets its bit in *bad (may be NULL). Returns 0, or an MDB error code (*s is then empty). */
int ticket_store_read(struct cache_env *ce, struct ticket_slots *s, unsigned *bad);

/* Makes the DB hold exactly the present slots of *s, in one write transaction. Returns an
 * MDB error code (0 = written). */
int ticket_store_write(struct cache_env *ce, const struct ticket_slots *s);

#endif
