/* SPDX-License-Identifier: BSD-2-Clause */
/* client.h - libtlsmgr's private handle (client.c opens and closes it), shared by the
 * library's files. */
#ifndef TLSMGR_CLIENT_H
#define TLSMGR_CLIENT_H

#include "conf.h"

/* The library is built with -fvisibility=hidden: only the functions of the public header are
 * exported, from the .so and (after the partial link) from the .a. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif
#include "tlsmgr.h"
#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

struct cache_client;  /* cache_client.h */
struct ticket_client; /* ticket_client.h */

struct tlsmgr {
    struct tlsmgr_conf conf;
    char tag[TLSMGR_MAX_TAG_LEN];
    size_t taglen;
    long pid;                   /* process that opened the handle: a fork is noticed by comparing */
    struct cache_client *cache; /* session cache state (cache_client.c), NULL until used */
    struct ticket_client *tickets; /* ticket key state (ticket_client.c), NULL until used */
};

#endif
