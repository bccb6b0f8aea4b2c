/* SPDX-License-Identifier: BSD-2-Clause */
/* daemon.c - the daemon's services (daemon.h), in start-up order. */
#include <stddef.h>

#include "cache.h"
#include "daemon.h"
#include "entropy_service.h"
#include "egd.h"

const struct service *const services[] = {
    &entropy_service,
#if TLSMGR_EGD_SERVER
    &egd_service, /* after the entropy service: it serves the seeded generator */
#endif
    &cache_service,
    NULL,
};
