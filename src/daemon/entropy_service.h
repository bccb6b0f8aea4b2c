/* SPDX-License-Identifier: BSD-2-Clause */
/* entropy_service.h - the entropy service for daemon.c, and its delay draw for the tests. */
#ifndef TLSMGR_ENTROPY_SERVICE_H
#define TLSMGR_ENTROPY_SERVICE_H

#include <stdint.h>

#include "daemon.h"

extern const struct service entropy_service;

/* A delay in milliseconds drawn uniformly in [0, period_s seconds] from the generator. */
uint64_t entropy_draw_ms(unsigned period_s);

#endif
