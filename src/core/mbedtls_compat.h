/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mbedtls_compat.h - the one place that knows mbedTLS 2.28 LTS from 3.6 LTS. Everything else
 * includes this header instead of branching on the version itself.
 */
#ifndef TLSMGR_MBEDTLS_COMPAT_H
#define TLSMGR_MBEDTLS_COMPAT_H

/* version.h pulls config.h on 2.x and build_info.h on 3.x: never include either directly. */
#include <mbedtls/version.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define TLSMGR_MBEDTLS_3 1
#else
#define TLSMGR_MBEDTLS_3 0
#endif

#if MBEDTLS_VERSION_NUMBER < 0x021C0000
#error "tlsmgr needs mbedTLS 2.28 LTS or 3.6 LTS"
#endif

#ifndef MBEDTLS_PRIVATE
#define MBEDTLS_PRIVATE(member) member
#endif

#endif
