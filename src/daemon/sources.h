/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sources.h - the external entropy sources of tls_random_source: getrandom, dev:/path,
 * hwrng:/path, egd:/path (client of an external EGD daemon), a plain file and the hardware RNG hook
 * of the port. A reseed reads tls_random_bytes from each and mixes them into the pool. A source
 * that fails is logged once when it starts failing and once when it works again, and is simply
 * retried at the next reseed.
 */
#ifndef TLSMGR_SOURCES_H
#define TLSMGR_SOURCES_H

#include <stdint.h>

#include "conf.h"
#include "health.h"

/* The small members first: a read reaches them with short offsets. */
struct source {
    int failing;     /* the last read failed (logged once) */
    int unhealthy;   /* the health tests failed on the last read (logged once) */
    int fd;          /* dev and hwrng: kept open across reseeds, else -1 */
    uint64_t offset; /* plain file: where the next read starts */
    struct health health;
    struct conf_source conf;
    char name[TLSMGR_PATH_MAX + 8]; /* as written in tls_random_source */
};

struct sources {
    struct source src[TLSMGR_MAX_SOURCES];
    unsigned n;
};

/* Takes the list of conf and opens its devices (dev:, hwrng:), which stay open: called while
 * still privileged at start-up. A device that cannot be opened is retried (and logged) at
 * each read. */
void sources_init(struct sources *s, const struct tlsmgr_conf *conf);
void sources_close(struct sources *s);
/* Reads want bytes (tls_random_bytes: 1 to 1024; EGD: at most 255) from every source and mixes them
 * into the generator's pool. Returns the number of strong sources: full reads that passed the
 * health tests. */
unsigned sources_read_all(struct sources *s, unsigned want);
/* Logs one line per source with its state (start-up and statistics). */
void sources_log(const struct sources *s);

#endif
