/* SPDX-License-Identifier: BSD-2-Clause */
/* ticket_store.c - reading and writing the ticket key slots of the cache env. */
#include <string.h>

#include "ticket_store.h"
#include "wipe.h"

/* TLSMGR_TICKETS 0 leaves the shared ticket keys out of the build. */
#if TLSMGR_TICKETS

int ticket_store_read(struct cache_env *ce, struct ticket_slots *s, unsigned *bad)
{
    MDB_txn *txn;
    unsigned i;
    int rc;

    ticket_slots_wipe(s);
    if (bad != NULL)
        *bad = 0;
    if ((rc = cache_env_txn_begin(ce, MDB_RDONLY, &txn)) != 0)
        return rc;
    for (i = 0; i < TICKET_SLOTS; i++) {
        uint8_t slot = (uint8_t)i;
        MDB_val k = cache_val(&slot, 1), v;

        rc = mdb_get(txn, ce->ticket, &k, &v);
        if (rc == MDB_NOTFOUND)
            continue;
        if (rc != 0)
            break;
        if (ticket_record_decode(v.mv_data, v.mv_size, &s->k[i]) == 0)
            s->present |= 1u << i;
        else if (bad != NULL)
            *bad |= 1u << i;
    }
    mdb_txn_abort(txn);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    if (rc != 0)
        ticket_slots_wipe(s);
    return rc;
}

int ticket_store_write(struct cache_env *ce, const struct ticket_slots *s)
{
    uint8_t rec[TICKET_RECORD_LEN];
    MDB_txn *txn;
    unsigned i;
    int rc;

    if ((rc = cache_env_txn_begin(ce, 0, &txn)) != 0)
        return rc;
    for (i = 0; i < TICKET_SLOTS && rc == 0; i++) {
        uint8_t slot = (uint8_t)i;
        MDB_val k = cache_val(&slot, 1), v;

        if (!(s->present & (1u << i))) {
            rc = mdb_del(txn, ce->ticket, &k, NULL);
            if (rc == MDB_NOTFOUND)
                rc = 0;
        } else if (ticket_record_encode(rec, &s->k[i]) != TICKET_RECORD_LEN) {
            rc = MDB_BAD_VALSIZE;
        } else {
            v = cache_val(rec, sizeof(rec));
            rc = mdb_put(txn, ce->ticket, &k, &v, 0);
        }
    }
    wipe(rec, sizeof(rec));
    return cache_env_txn_end(ce, txn, rc, NULL);
}

#endif /* TLSMGR_TICKETS */
