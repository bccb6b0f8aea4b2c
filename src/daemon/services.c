/* SPDX-License-Identifier: BSD-2-Clause */
/* services.c - the daemon's services, in start-up order. */
#include <stddef.h>

#include "cache.h"
#include "daemon.h"

const struct service *const services[] = {
    &cache_service,
    NULL,
};
