/* SPDX-License-Identifier: BSD-2-Clause */
/* ticket_format.c - encoder and hostile-input decoder of the ticket key record. */
#include <string.h>

#include "byteorder.h"
#include "ticket_format.h"
#include "wipe.h"

/* TLSMGR_TICKETS 0 leaves the shared ticket keys out of the build. */
#if TLSMGR_TICKETS

static int key_valid(const struct ticket_key *k)
{
    return k->created >= 0 && k->created <= k->active && k->lifetime >= 1 &&
           k->lifetime <= TICKET_LIFETIME_MAX && k->active <= INT64_MAX - (int64_t)k->lifetime &&
           !ticket_wire_name_zero(k->name);
}

size_t ticket_record_encode(uint8_t out[TICKET_RECORD_LEN], const struct ticket_key *k)
{
    if (!key_valid(k))
        return 0;
    out[0] = TICKET_RECORD_VERSION;
    out[1] = TICKET_CIPHER_AES_256_GCM;
    out[2] = 0;
    out[3] = 0;
    memcpy(out + 4, k->name, TICKET_NAME_LEN);
    memcpy(out + 20, k->key, TICKET_KEY_LEN);
    put_be64(out + 52, (uint64_t)k->created);
    put_be64(out + 60, (uint64_t)k->active);
    put_be32(out + 68, k->lifetime);
    return TICKET_RECORD_LEN;
}

int ticket_record_decode(const uint8_t *rec, size_t len, struct ticket_key *k)
{
    uint64_t created, active;

    memset(k, 0, sizeof(*k));
    if (rec == NULL || len != TICKET_RECORD_LEN || rec[0] != TICKET_RECORD_VERSION ||
        rec[1] != TICKET_CIPHER_AES_256_GCM || rec[2] != 0 || rec[3] != 0)
        return -1;
    created = get_be64(rec + 52);
    active = get_be64(rec + 60);
    if (created > (uint64_t)INT64_MAX || active > (uint64_t)INT64_MAX)
        return -1;
    memcpy(k->name, rec + 4, TICKET_NAME_LEN);
    memcpy(k->key, rec + 20, TICKET_KEY_LEN);
    k->created = (int64_t)created;
    k->active = (int64_t)active;
    k->lifetime = get_be32(rec + 68);
    if (!key_valid(k)) {
        wipe(k, sizeof(*k));
        return -1;
    }
    return 0;
}

int64_t ticket_key_expires(const struct ticket_key *k)
{
    return k->active + (int64_t)k->lifetime;
}

#endif /* TLSMGR_TICKETS */
