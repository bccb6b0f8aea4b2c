/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * entropy.h - the daemon's generator as the rest of the daemon sees it: output for the
 * exchange file, the persistent seed and EGD clients, and a way to mix in data that is never
 * credited (EGD 0x03 writes, cache sweep digests).
 */
#ifndef TLSMGR_ENTROPY_H
#define TLSMGR_ENTROPY_H

#include <stddef.h>

/* Fills out with len bytes of generator output (any length; requests are split as the DRBG
 * needs). Returns 0, or -1 if the generator is not seeded (logged). */
int entropy_random(unsigned char *out, size_t len);

/* Mixes data into the pool under a domain tag; never counted as entropy. */
void entropy_mix(const char *tag, const void *data, size_t len);

#endif
