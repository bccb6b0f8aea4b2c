/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pool.h - the 1024-byte entropy pool (DESIGN 3.3): sixteen 64-byte blocks that every input
 * reaches through SHA-512, and an extraction that re-mixes the pool so that its output never
 * reveals an earlier state. The pool never leaves the process.
 */
#ifndef TLSMGR_POOL_H
#define TLSMGR_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "tlsmgr_config.h"

#define POOL_BLOCK  64
#define POOL_BLOCKS (TLSMGR_POOL_SIZE / POOL_BLOCK)

struct pool {
    unsigned char block[POOL_BLOCKS][POOL_BLOCK];
    uint64_t counter; /* inputs and extractions so far: makes every digest unique */
};

/* All-zero pool, counter 0 (a known start for the known-answer test). */
void pool_init(struct pool *p);
/* d = SHA-512(tag-length, tag, len, data, counter); then each block
 * P[i] = SHA-512(domain, i, d, P[i-1], P[i]), P[-1] being the last block. Lengths and the
 * counter are big-endian so the result is the same on every host. tag is a string (its first
 * 255 bytes count); data may be NULL when len is 0. */
void pool_mix(struct pool *p, const char *tag, const void *data, size_t len);
/* len bytes (any length) of SHA-512(output domain, counter, pool) blocks; the pool is
 * re-mixed after each 64-byte block. Returns 0 (the signature fits an mbedTLS callback). */
int pool_extract(struct pool *p, unsigned char *out, size_t len);
/* Clears the pool (before exit). */
void pool_wipe(struct pool *p);

#endif
