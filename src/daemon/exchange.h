/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exchange.h - the PRNG exchange file of tlsmgr(8) (DESIGN 3.4): TLSMGR_EXCHANGE_SIZE bytes of
 * generator output that local processes may read to seed themselves, replaced atomically.
 */
#ifndef TLSMGR_EXCHANGE_H
#define TLSMGR_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "tlsmgr_config.h"

/* Mixes an old exchange file into the pool if it is a regular file of exactly the right size
 * (anything else is logged and ignored; it is replaced by the next write). Returns 1 if mixed,
 * 0 if absent or ignored. */
int exchange_load(const char *path);
/* Writes fresh generator output to path with mode. Returns 0 or -1 (logged). */
int exchange_write(const char *path, unsigned mode);
/* The same for any file of len bytes (at most the larger of TLSMGR_EXCHANGE_SIZE and
 * TLSMGR_SEED_SIZE), whole or not at all: counted in *count and logged as "what path: wrote N
 * bytes, mode M". The persistent seed is written this way too. */
int exchange_write_output(const char *path, size_t len, unsigned mode, const char *what,
                          uint64_t *count);

#endif
