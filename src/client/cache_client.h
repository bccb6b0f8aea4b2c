/* SPDX-License-Identifier: BSD-2-Clause */
/* cache_client.h - the session cache state a handle holds once tlsmgr_ssl_conf installed it. */
#ifndef TLSMGR_CACHE_CLIENT_H
#define TLSMGR_CACHE_CLIENT_H

#include "client.h"

/* Frees the session cache state of t (tlsmgr_close). */
void cache_client_free(struct tlsmgr *t);

#endif
