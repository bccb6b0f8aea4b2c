/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsmgr.h - libtlsmgr: lets any mbedTLS server share tlsmgr's session cache, seed and ticket
 * keys. Every call degrades to "miss" or "no keys" when the daemon or its files are missing;
 * nothing here aborts or logs secrets. Installed as <tlsmgr.h>.
 */
#ifndef TLSMGR_H
#define TLSMGR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tlsmgr;

/* Error codes (negative). */
#define TLSMGR_ERR_CONFIG (-1)   /* the configuration file is missing or bad */
#define TLSMGR_ERR_ARG (-2)      /* bad argument (NULL, tag too long) */
#define TLSMGR_ERR_NOMEM (-3)    /* out of memory */
#define TLSMGR_ERR_UNAVAIL (-4)  /* the service asked for is not available */

/* Reads conf_file (NULL: the default, as the daemon) and prepares a handle for one service;
 * service_tag (1 to 32 bytes) keeps its cache entries apart from other services'. Returns 0
 * and sets *t, or a TLSMGR_ERR_* code. */
int tlsmgr_open(struct tlsmgr **t, const char *conf_file, const char *service_tag);
void tlsmgr_close(struct tlsmgr *t);
/* The library's version string. */
const char *tlsmgr_version(void);

#ifdef __cplusplus
}
#endif

#endif
