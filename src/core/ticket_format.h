/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ticket_format.h - the bytes of the shared session ticket keys: the key record the daemon
 * writes into the cache env's ticket DB (one per slot), and the layout of a ticket that
 * libtlsmgr sends to clients. docs/FORMATS.md describes both byte for byte. The decoder takes
 * its input as hostile and length-checks everything. Pure functions, no state.
 */
#ifndef TLSMGR_TICKET_FORMAT_H
#define TLSMGR_TICKET_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlsmgr_config.h"

/* Slots of the ticket DB; the LMDB key is the slot number as one byte. */
#define TICKET_SLOT_PREVIOUS 0
#define TICKET_SLOT_CURRENT  1
#define TICKET_SLOT_NEXT     2
#define TICKET_SLOTS         3

#define TICKET_NAME_LEN 16 /* the name of a key (lighttpd, nginx and HAProxy key files use 16) */
#define TICKET_KEY_LEN  32 /* AES-256-GCM */

/* A key lives at most this long: TLS 1.3 forbids ticket lifetimes of 7 days or more
 * (RFC 8446 section 4.6.1) and mbedTLS 3.6 refuses to send one. */
#define TICKET_LIFETIME_MAX (7u * 86400u - 1u)

/*
 * Key record, TICKET_RECORD_LEN bytes, big-endian:
 *   0  u8    record version (TICKET_RECORD_VERSION)
 *   1  u8    cipher: 1 = AES-256-GCM, 12-byte IV, 16-byte tag (the only one)
 *   2  u16   0 (reserved)
 *   4  16 B  name; the first 4 bytes are the ticket's key name on the wire (never all zero,
 *            and different from the other slots' first 4 bytes)
 *  20  32 B  key
 *  52  u64   created: wall-clock seconds when the daemon generated the key
 *  60  u64   active: from then on servers encrypt new tickets under this key, until a key with
 *            a later active time takes over (created <= active)
 *  68  u32   lifetime, seconds (1..TICKET_LIFETIME_MAX): no ticket under the key is accepted
 *            from active + lifetime on
 */
#define TICKET_RECORD_LEN         72
#define TICKET_RECORD_VERSION     1
#define TICKET_CIPHER_AES_256_GCM 1

struct ticket_key {
    uint8_t name[TICKET_NAME_LEN];
    uint8_t key[TICKET_KEY_LEN];
    int64_t created;
    int64_t active;
    uint32_t lifetime;
};

/* 1 when the 4 bytes of a wire name are all zero (never a key's). */
static inline int ticket_wire_name_zero(const uint8_t *name)
{
    uint32_t w;

    memcpy(&w, name, sizeof(w));
    return w == 0;
}

/* Writes k as a record. Returns TICKET_RECORD_LEN, or 0 if k is not valid (see decode). */
size_t ticket_record_encode(uint8_t out[TICKET_RECORD_LEN], const struct ticket_key *k);
/* Reads a record of len bytes into *k. Returns 0, or -1 if it is malformed: another length,
 * version, cipher or reserved value, a wire name of zeros, created > active, a lifetime out
 * of range, or times that overflow. *k is wiped on failure. */
int ticket_record_decode(const uint8_t *rec, size_t len, struct ticket_key *k);
/* When tickets under k stop being accepted: active + lifetime. */
int64_t ticket_key_expires(const struct ticket_key *k);

/*
 * A ticket, as mbedTLS's own ssl_ticket.c lays it out:
 *   0  4 B   key name (first 4 bytes of the key's name)
 *   4  12 B  GCM IV (random)
 *  16  u16   length N of the encrypted session
 *  18  N B   mbedtls_ssl_session_save() output, encrypted with AES-256-GCM
 *  18+N 16 B GCM tag; bytes 0..17 are the additional authenticated data
 */
#define TICKET_WIRE_NAME_LEN 4
#define TICKET_IV_LEN        12
#define TICKET_AAD_LEN       (TICKET_WIRE_NAME_LEN + TICKET_IV_LEN + 2)
#define TICKET_TAG_LEN       16
#define TICKET_OVERHEAD      (TICKET_AAD_LEN + TICKET_TAG_LEN)

#endif
