/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * div64.h - 64-bit quotients by small constants (milliseconds to seconds...) without libgcc's
 * 64-bit division, which costs a 32-bit target (MIPS32, ARMv7) about 2 KB of code for the few
 * figures the daemon logs.
 */
#ifndef TLSMGR_DIV64_H
#define TLSMGR_DIV64_H

#include <stdint.h>

/* n / d, for d from 1 to 2^24 - 1. */
uint64_t div64(uint64_t n, uint32_t d);

#endif
