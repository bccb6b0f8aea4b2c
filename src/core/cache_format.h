/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache_format.h - the bytes of the shared session cache: keys of the named databases, the
 * entry header in front of each mbedtls_ssl_session_save() blob, and the meta format record.
 * docs/FORMATS.md describes the same layout byte for byte. Every decoder takes its input as
 * hostile (another process, or a damaged file, wrote it) and length-checks everything.
 * Pure functions, no state: safe from any thread.
 */
#ifndef TLSMGR_CACHE_FORMAT_H
#define TLSMGR_CACHE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "tlsmgr_config.h"

/* Names of the LMDB databases inside the env. */
#define CACHE_DB_SESSION "session"
#define CACHE_DB_EXPIRY  "expiry"
#define CACHE_DB_META    "meta"
#define CACHE_DB_TICKET  "ticket"

/* Entry format written by this build. An entry with another version is incompatible. */
#define CACHE_FORMAT_VERSION 1

/* Length of mbedTLS's serialization header (version major, minor, patch, 16-bit config). */
#define CACHE_MBEDTLS_HDR_LEN 5

/* Session key: len(tag) u8 | tag (0..TLSMGR_MAX_TAG_LEN bytes) | session id (1..32 bytes). */
#define CACHE_ID_MAX   32
#define CACHE_SKEY_MAX (1 + TLSMGR_MAX_TAG_LEN + CACHE_ID_MAX)
/* Expiry key: expires u64 big-endian | session key. */
#define CACHE_XKEY_MAX (8 + CACHE_SKEY_MAX)

/*
 * Entry header, CACHE_ENTRY_HDR_LEN bytes, big-endian:
 *   0  u8   format version (CACHE_FORMAT_VERSION)
 *   1  u8   flags (CACHE_FLAG_*; unknown bits make the entry malformed)
 *   2  5 B  the writer's mbedTLS serialization header (first 5 bytes of the blob it saved)
 *   7  u64  creation time, wall-clock seconds
 *  15  u64  expiry time, wall-clock seconds (> creation time)
 *  23  u32  blob length (1..CACHE_BLOB_MAX), equal to the value length minus the header
 *  27  blob
 */
#define CACHE_ENTRY_HDR_LEN 27
/* Largest blob accepted: a TLS 1.2 session with a client certificate chain fits. */
#define CACHE_BLOB_MAX  16384
#define CACHE_ENTRY_MAX (CACHE_ENTRY_HDR_LEN + CACHE_BLOB_MAX)

/* Flags: none defined yet; reserved for the tickets issue (e.g. a stateful-ticket entry). */
#define CACHE_FLAGS_KNOWN 0x00u

struct cache_entry_hdr {
    uint8_t version;
    uint8_t flags;
    uint8_t mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN];
    uint64_t created;
    uint64_t expires;
    uint32_t blob_len;
};

/* What the sweeper and the lookup helper make of an entry. */
enum cache_verdict {
    CACHE_OK = 0,       /* well-formed, compatible, not expired */
    CACHE_EXPIRED,      /* expires <= now */
    CACHE_INCOMPATIBLE, /* other format version or other mbedTLS header */
    CACHE_MALFORMED,    /* bad length, unknown flags, expires <= created, ... */
    CACHE_FUTURE        /* created more than TLSMGR_CLOCK_SKEW_TOLERANCE after now */
};

/* Builds the session key into out (cap bytes). taglen 0..TLSMGR_MAX_TAG_LEN, idlen
 * 1..CACHE_ID_MAX. Returns the key length, or 0 if an argument is out of range. */
size_t cache_key_session(uint8_t *out, size_t cap, const uint8_t *tag, size_t taglen,
                         const uint8_t *id, size_t idlen);
/* 1 if key/len is a well-formed session key, 0 if not. */
int cache_key_session_valid(const uint8_t *key, size_t len);

/* Builds the expiry key (expires ‖ session key). Returns its length, or 0. */
size_t cache_key_expiry(uint8_t *out, size_t cap, uint64_t expires, const uint8_t *skey,
                        size_t skeylen);
/* Splits an expiry key: sets *expires and points *skey and *skeylen into key. Returns 0, or -1
 * if the key is malformed (then nothing is set). */
int cache_key_expiry_split(const uint8_t *key, size_t len, uint64_t *expires, const uint8_t **skey,
                           size_t *skeylen);

/* Writes header + blob into out. h->blob_len is taken from bloblen. Returns the total length,
 * or 0 if the header is invalid, bloblen is 0 or > CACHE_BLOB_MAX, or cap is too small. */
size_t cache_entry_encode(uint8_t *out, size_t cap, const struct cache_entry_hdr *h,
                          const uint8_t *blob, size_t bloblen);

/* Parses the header of a value of len bytes. Returns CACHE_OK (and points *blob at the blob,
 * if blob is not NULL) or CACHE_MALFORMED; checks only the structure, not time or
 * compatibility. *h is filled as far as it could be read. */
enum cache_verdict cache_entry_decode(const uint8_t *val, size_t len, struct cache_entry_hdr *h,
                                      const uint8_t **blob);

/* Full verdict on a decoded header against the current mbedTLS header and the wall clock:
 * INCOMPATIBLE before FUTURE before EXPIRED. */
enum cache_verdict cache_entry_judge(const struct cache_entry_hdr *h,
                                     const uint8_t cur_mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN],
                                     int64_t now);

/* decode + judge in one call (what a reader needs). */
enum cache_verdict cache_entry_check(const uint8_t *val, size_t len,
                                     const uint8_t cur_mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN],
                                     int64_t now, struct cache_entry_hdr *h, const uint8_t **blob);

/* Name of a verdict for logs and tests ("ok", "expired", ...). */
const char *cache_verdict_name(enum cache_verdict v);

/*
 * The serialization header of the linked mbedTLS, learned at run time: the first 5 bytes of
 * mbedtls_ssl_session_save() of an empty session (so a library upgraded under a running
 * binary, or built with other options, is noticed). Returns 0, or -1 if the library cannot
 * serialize sessions. No state kept: callers store the result (cache_env does).
 */
int cache_mbedtls_header(uint8_t out[CACHE_MBEDTLS_HDR_LEN]);

/*
 * meta format record, key CACHE_META_FORMAT, CACHE_FORMAT_REC_LEN bytes:
 *   0  4 B  magic "TMGC"
 *   4  u8   format version (CACHE_FORMAT_VERSION)
 *   5  u8   sizeof(size_t) of the writer (LMDB files depend on the word size)
 *   6  u8   byte order of the writer: 1 little-endian, 2 big-endian
 *   7  u8   0 (reserved)
 *   8  5 B  mbedTLS serialization header of the daemon that last checked every entry
 *  13  3 B  0 (reserved)
 * Bytes 0..7 different from ours: the env is not ours (moved aside, recreated). Bytes 8..12
 * different: every entry must be checked (full scan), then the record is rewritten.
 */
#define CACHE_META_FORMAT    "format"
#define CACHE_FORMAT_REC_LEN 16
#define CACHE_FORMAT_ENV_LEN 8 /* the part that must match exactly */

void cache_format_record(uint8_t out[CACHE_FORMAT_REC_LEN],
                         const uint8_t mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN]);
/* Compares a stored record with ours. Returns 0 same, 1 only the mbedTLS header differs
 * (scan needed), -1 not ours (wrong length, magic, version, word size or byte order). */
int cache_format_compare(const uint8_t *rec, size_t len,
                         const uint8_t mbedtls_hdr[CACHE_MBEDTLS_HDR_LEN]);

/* Counters in meta: one key per counter (the names below), value u64 big-endian; a missing
 * or wrong-length value reads as 0. Writers add to them inside write transactions. */
#define CACHE_META_LOOKUPS      "lookups"
#define CACHE_META_HITS         "hits"
#define CACHE_META_MISSES       "misses"
#define CACHE_META_STORES       "stores"
#define CACHE_META_EXPIRED      "expired"
#define CACHE_META_EVICTED      "evicted"
#define CACHE_META_INCOMPATIBLE "incompatible"
#define CACHE_META_MALFORMED    "malformed"
/* The counters of struct cache_counts, in its order, NUL-separated (for loops over them). */
#define CACHE_META_COUNTERS                                                                        \
    CACHE_META_LOOKUPS "\0" CACHE_META_HITS "\0" CACHE_META_MISSES "\0" CACHE_META_STORES          \
                       "\0" CACHE_META_EXPIRED "\0" CACHE_META_EVICTED                             \
                       "\0" CACHE_META_INCOMPATIBLE "\0" CACHE_META_MALFORMED "\0"
#define CACHE_META_SWEEPS     "sweeps"
#define CACHE_META_SWEEP_MS   "last_sweep_ms"   /* duration of the last complete sweep */
#define CACHE_META_LONGEST_US "longest_txn_us"  /* longest sweep transaction ever */
#define CACHE_META_SWEEP_TIME "last_sweep_time" /* wall-clock seconds of its end */
#define CACHE_META_STARTED    "daemon_started"  /* wall clock of the last daemon start */
/* The sweeper's figures, in the order struct cache_stats shows them, NUL-separated. */
#define CACHE_META_SWEEP_STATS                                                                     \
    CACHE_META_SWEEPS "\0" CACHE_META_SWEEP_MS "\0" CACHE_META_LONGEST_US                          \
                      "\0" CACHE_META_SWEEP_TIME "\0"

#endif
