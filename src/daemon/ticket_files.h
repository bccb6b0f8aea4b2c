/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ticket_files.h - the bytes of the key files that tls_ticket_key_export writes and
 * tls_ticket_key_source reads (docs/FORMATS.md, "Key files for other servers"). Pure
 * functions of the ticket slots and the time: two daemons holding the same slots write the
 * same bytes, so servers on several hosts behind one address accept each other's tickets.
 *
 *   tlsmgr    the slot records themselves, what tls_ticket_key_source reads
 *   lighttpd  ssl.stek-file: one key, 23 native-endian ints, chosen so that lighttpd (which
 *             looks at the file when the Unix second is a multiple of 64) switches no later
 *             than the other servers
 *   nginx     ssl_session_ticket_key: three 80-byte files, current.key (encrypts),
 *             previous.key and next.key
 *   haproxy   tls-ticket-keys: base64 lines previous, current, next (the second to last
 *             encrypts), the same keys one at a time over the runtime socket
 *
 * nginx and HAProxy use OpenSSL's ticket format (AES-256-CBC and HMAC-SHA256, 16-byte name):
 * their two keys are derived from the slot's key and name with SHA-512, the same for both,
 * so that they also accept each other's tickets. lighttpd's mbedTLS takes the slot's AES-256-GCM
 * key as it is, and the first 4 bytes of the name as its key name, as libtlsmgr does.
 */
#ifndef TLSMGR_TICKET_FILES_H
#define TLSMGR_TICKET_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ticket_slots.h"

/* Largest file: three HAProxy lines of 108 base64 characters and a newline. */
#define TICKET_FILE_MAX 330
/* One HAProxy key line: base64 of 80 bytes (108 characters) and a newline. */
#define TICKET_B64_LEN 109

/* tlsmgr key file: magic, version, slot mask, reserved, then one record per present slot. */
#define TICKET_FILE_MAGIC   "TMGK"
#define TICKET_FILE_VERSION "\001" /* one byte, after the magic */
#define TICKET_FILE_HEADER  8

/* lighttpd reads its stek-file when the Unix second is a multiple of 64, and takes a key whose
 * activation minus 63 has come; a new key is written this many seconds before the multiple
 * of 64 at which lighttpd should take it. */
#define TICKET_LIGHTTPD_LEAD 4

/* Files that one target of kind writes: 3 for nginx, 1 for the others. */
unsigned ticket_file_parts(unsigned kind);
/* The name of nginx's file part (0..2) inside its directory ("current.key"...). */
const char *ticket_file_part_name(unsigned part);

/* Writes file part (below ticket_file_parts) of a target of kind for slots s at now into out
 * (TICKET_FILE_MAX bytes; HAProxy's, three lines of TICKET_B64_LEN, fill TICKET_SLOTS *
 * TICKET_B64_LEN exactly).
 * Returns its length, or 0 when s has no current key (nothing is written then). */
size_t ticket_file_encode(unsigned kind, unsigned part, const struct ticket_slots *s, int64_t now,
                          uint8_t *out);

/* The first time after now at which ticket_file_encode for kind gives other bytes although
 * the slots stay the same (lighttpd's next key enters its file); 0 when none. */
int64_t ticket_file_next_change(unsigned kind, const struct ticket_slots *s, int64_t now);

/* Reads a tlsmgr key file of len bytes into *s, taken as hostile. Returns NULL, or why it is
 * refused ("malformed ...", "stale": its newest key has expired at now); *s is then wiped. */
const char *ticket_file_decode(const uint8_t *buf, size_t len, int64_t now, struct ticket_slots *s);

#endif
