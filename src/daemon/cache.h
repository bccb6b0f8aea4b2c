/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cache.h - the daemon's session cache service (creates the LMDB env, runs the sweeper) and
 * the status report of tlsmgr -s.
 */
#ifndef TLSMGR_CACHE_H
#define TLSMGR_CACHE_H

#include "conf.h"
#include "daemon.h"

extern const struct service cache_service;

/* tlsmgr -s: opens the env named by c read-only and prints its statistics. Returns 0, or 1
 * after printing why when there is no cache to report on. */
int cache_print_status(const struct tlsmgr_conf *c);

#endif
