/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wipe.h - the one way tlsmgr clears secrets (pool, generator output, seeds, cached sessions,
 * keys): mbedtls_platform_zeroize, which the compiler may not drop as a dead store the way it
 * drops a memset of a buffer that is never read again.
 */
#ifndef TLSMGR_WIPE_H
#define TLSMGR_WIPE_H

#include <stddef.h>

#include <mbedtls/platform_util.h>

static inline void wipe(void *p, size_t n)
{
    mbedtls_platform_zeroize(p, n);
}

#endif
