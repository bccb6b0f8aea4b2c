/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ticket_client.h - libtlsmgr's session ticket state (ticket_client.c): installed by
 * tlsmgr_ssl_conf, freed by tlsmgr_close, and what it counted, for the unit tests. The
 * callbacks themselves are public (tlsmgr.h).
 */
#ifndef TLSMGR_TICKET_CLIENT_H
#define TLSMGR_TICKET_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "mbedtls_compat.h"
#include <mbedtls/ssl.h>

#include "client.h"
#include "ticket_slots.h"

struct tlsmgr;

/* What one process did, since it started (or forked). */
struct ticket_client_stats {
    uint64_t reads;         /* read transactions of the slots */
    uint64_t unknown_reads; /* of which asked by a ticket naming a key not held */
    uint64_t issued_shared; /* tickets encrypted under a shared key */
    uint64_t issued_own;    /* tickets encrypted under a key private to the process */
    uint64_t accepted;      /* tickets that resumed a session */
    uint64_t refused;       /* tickets refused: unknown or expired key, bad tag, bad blob */
};

/* Installs the shared-ticket callbacks on conf (tlsmgr_ssl_conf), and frees their state
 * (tlsmgr_close). */
void ticket_client_install(struct tlsmgr *t, struct mbedtls_ssl_config *conf);
void ticket_client_free(struct tlsmgr *t);

/* This process's counters. Returns 0, or -1 when t has no ticket callbacks installed. */
int ticket_client_stats(struct tlsmgr *t, struct ticket_client_stats *out);

#endif
