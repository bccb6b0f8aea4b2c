/* SPDX-License-Identifier: BSD-2-Clause */
/* generator.h - the entropy service's access to the process's pool and DRBG. */
#ifndef TLSMGR_GENERATOR_H
#define TLSMGR_GENERATOR_H

#include "pool.h"

/* The process's pool (all zero with counter 0 until something is mixed in). */
struct pool *generator_pool(void);
/* Instantiates the DRBG from the pool: kind -1 is the build's default, else enum drbg_kind.
 * 0 if ready (also when it already was), -1 on failure (logged). */
int generator_open(int kind);
int generator_ready(void);
/* Reseeds the DRBG from the pool now (instantiating it if needed). 0 or -1. */
int generator_reseed(void);

/* Mixes every clock of the platform (never credited). */
void generator_mix_clocks(const char *tag);

#endif
