/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ticket_format.c - the ticket key record: known bytes (big-endian whatever the host),
 * round trip, and every malformed record refused with nothing left in the output.
 */
#include <stdint.h>
#include <string.h>

#include "t.h"
#include "ticket_format.h"

static void sample(struct ticket_key *k)
{
    unsigned i;

    memset(k, 0, sizeof(*k));
    for (i = 0; i < TICKET_NAME_LEN; i++)
        k->name[i] = (uint8_t)(1 + i);
    for (i = 0; i < TICKET_KEY_LEN; i++)
        k->key[i] = (uint8_t)(0x20 + i);
    k->created = 0x11223344;
    k->active = 0x11223444;
    k->lifetime = 43200;
}

static void known_bytes(void)
{
    static const uint8_t times[20] = {0, 0, 0,    0,    0x11, 0x22, 0x33, 0x44, 0,    0,
                                      0, 0, 0x11, 0x22, 0x34, 0x44, 0,    0,    0xa8, 0xc0};
    uint8_t rec[TICKET_RECORD_LEN];
    struct ticket_key k;
    unsigned i;

    sample(&k);
    T_EQ_INT(ticket_record_encode(rec, &k), TICKET_RECORD_LEN);
    T_EQ_INT(rec[0], 1);
    T_EQ_INT(rec[1], 1);
    T_EQ_INT(rec[2], 0);
    T_EQ_INT(rec[3], 0);
    for (i = 0; i < TICKET_NAME_LEN; i++)
        T_EQ_INT(rec[4 + i], 1 + i);
    for (i = 0; i < TICKET_KEY_LEN; i++)
        T_EQ_INT(rec[20 + i], 0x20 + i);
    T_ASSERT(memcmp(rec + 52, times, sizeof(times)) == 0);
    T_EQ_INT(ticket_key_expires(&k), 0x11223444 + 43200);
}

static void round_trip(void)
{
    uint8_t rec[TICKET_RECORD_LEN];
    struct ticket_key k, back;

    sample(&k);
    T_EQ_INT(ticket_record_encode(rec, &k), TICKET_RECORD_LEN);
    T_EQ_INT(ticket_record_decode(rec, sizeof(rec), &back), 0);
    T_ASSERT(memcmp(&k, &back, sizeof(k)) == 0);
}

/* Decoding rec with byte off xor-ed must fail and leave *k zeroed. */
static int refused_with(size_t off, uint8_t x)
{
    static const uint8_t zero[sizeof(struct ticket_key)];
    uint8_t rec[TICKET_RECORD_LEN];
    struct ticket_key k;

    sample(&k);
    ticket_record_encode(rec, &k);
    rec[off] ^= x;
    memset(&k, 0x55, sizeof(k));
    return ticket_record_decode(rec, sizeof(rec), &k) == -1 && memcmp(&k, zero, sizeof(k)) == 0;
}

static void malformed_refused(void)
{
    uint8_t rec[TICKET_RECORD_LEN + 1];
    struct ticket_key k;

    T_ASSERT(refused_with(0, 0x02));  /* version */
    T_ASSERT(refused_with(1, 0x02));  /* cipher */
    T_ASSERT(refused_with(2, 0x01));  /* reserved */
    T_ASSERT(refused_with(3, 0x80));  /* reserved */
    T_ASSERT(refused_with(52, 0x80)); /* created beyond INT64_MAX */
    T_ASSERT(refused_with(60, 0x80)); /* active beyond INT64_MAX */
    T_ASSERT(refused_with(57, 0x01)); /* created > active */
    T_ASSERT(refused_with(65, 0x02)); /* active < created */
    T_ASSERT(refused_with(68, 0x01)); /* lifetime over 7 days */
    sample(&k);
    ticket_record_encode(rec, &k);
    T_EQ_INT(ticket_record_decode(rec, TICKET_RECORD_LEN - 1, &k), -1);
    rec[TICKET_RECORD_LEN] = 0;
    T_EQ_INT(ticket_record_decode(rec, TICKET_RECORD_LEN + 1, &k), -1);
    T_EQ_INT(ticket_record_decode(NULL, 0, &k), -1);
    /* A wire name of zeros could not be told from no name. */
    sample(&k);
    memset(k.name, 0, TICKET_WIRE_NAME_LEN);
    T_EQ_INT(ticket_record_encode(rec, &k), 0);
    sample(&k);
    ticket_record_encode(rec, &k);
    memset(rec + 4, 0, TICKET_WIRE_NAME_LEN);
    T_EQ_INT(ticket_record_decode(rec, TICKET_RECORD_LEN, &k), -1);
}

static void invalid_keys_not_encoded(void)
{
    uint8_t rec[TICKET_RECORD_LEN];
    struct ticket_key k;

    sample(&k);
    k.lifetime = 0;
    T_EQ_INT(ticket_record_encode(rec, &k), 0);
    sample(&k);
    k.lifetime = TICKET_LIFETIME_MAX + 1;
    T_EQ_INT(ticket_record_encode(rec, &k), 0);
    sample(&k);
    k.created = k.active + 1;
    T_EQ_INT(ticket_record_encode(rec, &k), 0);
    sample(&k);
    k.created = -1;
    T_EQ_INT(ticket_record_encode(rec, &k), 0);
    sample(&k);
    k.active = INT64_MAX;
    T_EQ_INT(ticket_record_encode(rec, &k), 0);
    sample(&k);
    k.lifetime = TICKET_LIFETIME_MAX;
    T_EQ_INT(ticket_record_encode(rec, &k), TICKET_RECORD_LEN);
}

T_MAIN(T_CASE(known_bytes), T_CASE(round_trip), T_CASE(malformed_refused),
       T_CASE(invalid_keys_not_encoded))
