/* SPDX-License-Identifier: BSD-2-Clause */
/* ticket_files.c - encoders of the exported key files and the decoder of tlsmgr's own. */
#include <stddef.h>
#include <string.h>

#include "byteorder.h"
#include "mbedtls_compat.h"
#include "ticket_files.h"
#include "wipe.h"

/* TLSMGR_TICKET_EXPORT 0 leaves the key files out of the build. */
#if TLSMGR_TICKET_EXPORT

#define BIT(i)          (1u << (i))
#define OPENSSL_KEY_LEN 80 /* name[16], then two 32-byte keys */

/* nginx's files in order of its directives: the first encrypts. Characters, not pointers: no
 * relocation each in a position-independent binary. */
static const char nginx_names[3][13] = {"current.key", "previous.key", "next.key"};
static const unsigned char nginx_slot[3] = {TICKET_SLOT_CURRENT, TICKET_SLOT_PREVIOUS,
                                            TICKET_SLOT_NEXT};

/* The 8 bytes at p as a word: headers compare without a call. */
static uint64_t word64(const uint8_t *p)
{
    uint64_t w;

    memcpy(&w, p, sizeof(w));
    return w;
}

/* tlsmgr's key file header for the slots of mask. */
static void file_header(uint8_t out[TICKET_FILE_HEADER], unsigned mask)
{
    memcpy(out, TICKET_FILE_MAGIC TICKET_FILE_VERSION "\0\0\0", TICKET_FILE_HEADER);
    out[5] = (uint8_t)mask;
}

unsigned ticket_file_parts(unsigned kind)
{
    return kind == EXPORT_NGINX ? 3 : 1;
}

const char *ticket_file_part_name(unsigned part)
{
    return nginx_names[part];
}

/* openssl_key hashes a key's name and key bytes as one run. */
typedef char ticket_key_follows_name[offsetof(struct ticket_key, key) == TICKET_NAME_LEN ? 1 : -1];

/* OpenSSL's ticket key: name, then HMAC-SHA256 and AES-256 keys from SHA-512(label, name,
 * key): nginx takes them in that order (swap 0), HAProxy as name, AES, HMAC (swap 32). */
static void openssl_key(const struct ticket_key *k, unsigned swap, uint8_t out[OPENSSL_KEY_LEN])
{
    static const char label[] = "tlsmgr openssl ticket key";
    mbedtls_sha512_context c;
    uint8_t d[64];

    mbedtls_sha512_init(&c);
    tlsmgr_sha512_starts(&c);
    tlsmgr_sha512_update(&c, (const unsigned char *)label, sizeof(label)); /* with its NUL */
    tlsmgr_sha512_update(&c, k->name, TICKET_NAME_LEN + TICKET_KEY_LEN);
    tlsmgr_sha512_finish(&c, d);
    mbedtls_sha512_free(&c);
    memcpy(out, k->name, TICKET_NAME_LEN);
    memcpy(out + TICKET_NAME_LEN, d + swap, 32);
    memcpy(out + TICKET_NAME_LEN + 32, d + (32 - swap), 32);
    wipe(d, sizeof(d));
}

/* lighttpd takes a key at the multiple of 64 seconds at or before its activation (it takes
 * a key whose activation minus 63 has come); the key is in the file from LEAD seconds before
 * that multiple on. */
static int64_t lighttpd_write_time(const struct ticket_key *k)
{
    return (k->active & ~(int64_t)63) - TICKET_LIGHTTPD_LEAD;
}

/* The key lighttpd's file holds at now: the newest whose write time has come. */
static const struct ticket_key *lighttpd_key(const struct ticket_slots *s, int64_t now)
{
    const struct ticket_key *best = NULL;
    unsigned i;

    for (i = 0; i < TICKET_SLOTS; i++)
        if ((s->present & BIT(i)) && lighttpd_write_time(&s->k[i]) <= now &&
            (best == NULL || s->k[i].active > best->active))
            best = &s->k[i];
    return best;
}

static const struct ticket_key *slot_or_current(const struct ticket_slots *s, unsigned slot)
{
    return &s->k[s->present & BIT(slot) ? slot : TICKET_SLOT_CURRENT];
}

/* v >= 0: a key's times are never negative (ticket_record_decode). */
static int32_t clamp32(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

/* 23 native-endian ints: version 0, activation, expiry, then name, 32 unused bytes, key. The
 * activation written is at most 63 s after the file is written, so that a lighttpd started
 * after the write takes the key at once (its tickets must match the other servers' at once). */
static size_t lighttpd_encode(const struct ticket_key *k, uint8_t *out)
{
    int64_t active = k->active, latest = lighttpd_write_time(k) + 63;
    int32_t v[3];

    v[0] = 0;
    v[1] = clamp32(active < latest ? active : latest);
    v[2] = clamp32(ticket_key_expires(k));
    memcpy(out, v, sizeof(v));
    memcpy(out + 12, k->name, TICKET_NAME_LEN);
    memset(out + 28, 0, 32);
    memcpy(out + 60, k->key, TICKET_KEY_LEN);
    return 92;
}

size_t ticket_file_encode(unsigned kind, unsigned part, const struct ticket_slots *s, int64_t now,
                          uint8_t *out)
{
    uint8_t raw[OPENSSL_KEY_LEN + 4]; /* zeros after the key: the last digits' word */
    const struct ticket_key *k;
    size_t len = 0;
    unsigned i, j, x;

    if (!(s->present & BIT(TICKET_SLOT_CURRENT)))
        return 0;
    switch (kind) {
    case EXPORT_LIGHTTPD:
        k = lighttpd_key(s, now);
        return k != NULL ? lighttpd_encode(k, out) : 0;
    case EXPORT_TLSMGR:
        file_header(out, s->present);
        len = TICKET_FILE_HEADER;
        for (i = 0; i < TICKET_SLOTS; i++)
            if (s->present & BIT(i)) {
                if (ticket_record_encode(out + len, &s->k[i]) == 0)
                    return 0;
                len += TICKET_RECORD_LEN;
            }
        return len;
    }
    /* nginx and HAProxy want three keys: the current one stands in for a missing slot. */
    if (kind == EXPORT_NGINX) {
        openssl_key(slot_or_current(s, nginx_slot[part]), 0, out);
        return OPENSSL_KEY_LEN;
    }
    for (i = 0; i < TICKET_SLOTS; i++) {
        openssl_key(slot_or_current(s, i), 32, raw);
        /* Base64 here rather than mbedTLS's: one import less. 108 digits of 6 bits, the last
         * the pad of 80 bytes; the digit by compares without a branch or a lookup on key bits
         * ('A'.., 'a'.., '0'.., '+', '/'). */
        memset(raw + OPENSSL_KEY_LEN, 0, 4);
        for (j = 0; j < OPENSSL_KEY_LEN * 8 + 8; j += 6) {
            x = get_be32(raw + j / 8) >> (26 - j % 8) & 63;
            out[len++] =
                (uint8_t)(x - 16 - (x < 63) * 3 + (x < 62) * 15 + (x < 52) * 75 - (x < 26) * 6);
        }
        out[len - 1] = '=';
        out[len++] = '\n';
    }
    wipe(raw, sizeof(raw));
    return len;
}

int64_t ticket_file_next_change(unsigned kind, const struct ticket_slots *s, int64_t now)
{
    int64_t next = 0;
    unsigned i;

    if (kind != EXPORT_LIGHTTPD)
        return 0;
    for (i = 0; i < TICKET_SLOTS; i++)
        if (s->present & BIT(i))
            next = ticket_sooner(next, lighttpd_write_time(&s->k[i]), now);
    return next;
}

const char *ticket_file_decode(const uint8_t *buf, size_t len, int64_t now, struct ticket_slots *s)
{
    const char *why = "malformed";
    unsigned i, mask = len > 5 ? buf[5] : 0, fresh = 0;
    size_t off = TICKET_FILE_HEADER;
    int64_t newest = -1; /* a key's activation is never negative (ticket_record_decode) */
    uint8_t want[TICKET_FILE_HEADER];

    ticket_slots_wipe(s);
    file_header(want, mask);
    /* A record per slot of the mask, which has the current slot and no bit above the slots:
     * with the other two set, it is 7. */
    if (len != TICKET_FILE_HEADER + ticket_mask_count(mask) * (size_t)TICKET_RECORD_LEN ||
        word64(buf) != word64(want) ||
        (mask | BIT(TICKET_SLOT_PREVIOUS) | BIT(TICKET_SLOT_NEXT)) != 7)
        return why;
    /* Slots in the order of their activation, names that tell the keys apart. */
    for (i = 0; i < TICKET_SLOTS; i++) {
        if (!(mask & BIT(i)))
            continue;
        if (ticket_record_decode(buf + off, TICKET_RECORD_LEN, &s->k[i]) != 0 ||
            s->k[i].active <= newest || ticket_slots_name_taken(s, i, s->k[i].name))
            goto bad;
        newest = s->k[i].active;
        fresh |= ticket_key_expires(&s->k[i]) > now;
        s->present |= BIT(i);
        off += TICKET_RECORD_LEN;
    }
    if (fresh)
        return NULL;
    why = "stale";
bad:
    ticket_slots_wipe(s);
    return why;
}

#endif /* TLSMGR_TICKET_EXPORT */
