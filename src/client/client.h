/* SPDX-License-Identifier: BSD-2-Clause */
/* client.h - libtlsmgr's private handle, shared by the library's files. */
#ifndef TLSMGR_CLIENT_H
#define TLSMGR_CLIENT_H

#include "conf.h"
#include "tlsmgr.h"

struct cache_client;
struct cache_env;
struct ticket_client;

struct tlsmgr {
    struct tlsmgr_conf conf;
    char tag[TLSMGR_MAX_TAG_LEN];
    size_t taglen;
    long pid;                   /* process that opened the handle: a fork is noticed by comparing */
    struct cache_client *cache; /* session cache state (cache_client.c), NULL until used */
    struct ticket_client *tickets; /* ticket key state (ticket_client.c), NULL until used */
};

/* Frees the session cache state of t (tlsmgr_close). */
void cache_client_free(struct tlsmgr *t);

/* The process's one LMDB env for conf, opened if need be (after a failed open, not again
 * before TLSMGR_CACHE_CLIENT_RETRY_MS); with check_replaced, an env the daemon replaced is
 * reopened first. NULL when there is none. The caller holds port_mutex_lock. */
struct cache_env *cache_client_env(const struct tlsmgr_conf *conf, int check_replaced);
/* An LMDB error on the env: closed, and reopened later. The caller holds the lock. */
void cache_client_env_failed(void);

/* Installs the shared-ticket callbacks on conf (tlsmgr_ssl_conf), and frees their state. */
struct mbedtls_ssl_config;
void ticket_client_install(struct tlsmgr *t, struct mbedtls_ssl_config *conf);
void ticket_client_free(struct tlsmgr *t);

#endif
