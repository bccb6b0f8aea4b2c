/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * egd.h - the EGD service: serves the EGD protocol (egd_proto.h) on tls_random_egd_socket to
 * a bounded number of clients, from the daemon's generator. Compiled out when
 * TLSMGR_EGD_SERVER is 0.
 */
#ifndef TLSMGR_EGD_H
#define TLSMGR_EGD_H

#include <stdint.h>

#include "daemon.h"

/* uint64_t counters only, logged in this order. */
struct egd_stats {
    uint64_t clients;          /* connected now: set when the statistics are logged */
    uint64_t accepted;         /* connections taken */
    uint64_t requests;         /* requests answered (all opcodes) */
    uint64_t bytes;            /* generator bytes sent */
    uint64_t mixed;            /* bytes of 03 writes mixed in */
    uint64_t bad_requests;     /* connections closed for an unknown opcode */
    uint64_t request_timeouts; /* connections closed for a request over the bound */
    uint64_t full;             /* times every client slot was taken */
    uint64_t evicted;          /* clients dropped for a new one (a slot or a silent entry) */
    uint64_t turned_away;      /* new clients closed, after their answers, for want of a slot */
};

#if TLSMGR_EGD_SERVER
extern const struct service egd_service;
/* Clients connected now, and the counters since start-up. */
unsigned egd_clients(void);
const struct egd_stats *egd_stats_get(void);
#endif

#endif
