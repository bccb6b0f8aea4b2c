/* SPDX-License-Identifier: BSD-2-Clause */
/* cache_client.h - the session cache state a handle holds once tlsmgr_ssl_conf installed it. */
#ifndef TLSMGR_CACHE_CLIENT_H
#define TLSMGR_CACHE_CLIENT_H

#include "client.h"

/* Frees the session cache state of t (tlsmgr_close). */
void cache_client_free(struct tlsmgr *t);

struct cache_env;
/* The process's one LMDB env for conf (shared with the ticket callbacks), opened if need be
 * (after a failed open, not again before TLSMGR_CACHE_CLIENT_RETRY_MS); with check_replaced,
 * an env the daemon replaced is reopened first. NULL when there is none. The caller holds
 * port_mutex_lock. */
struct cache_env *cache_client_env(const struct tlsmgr_conf *conf, int check_replaced);
/* An LMDB error on the env: closed and reopened later, or, when its files are cut short or
 * overwritten, kept unread until the daemon replaces it. The caller holds the lock. */
void cache_client_env_failed(void);
/* Runs fn on the env under LMDB's assertion trap (cache_env_trap): an env on which LMDB's own
 * checks fail is given up (-1) instead of aborting the process. The caller holds the lock. */
int cache_client_trap(int (*fn)(struct cache_env *ce, void *arg), void *arg);

#endif
