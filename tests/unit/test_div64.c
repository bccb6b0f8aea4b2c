/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_div64.c - div64 gives the quotient of the machine's own division, at the edges of the
 * 64-bit range and of the divisor's (run under qemu for MIPS32, where the byte-wise long
 * division replaces libgcc's).
 */
#include <stdint.h>

#include "div64.h"
#include "t.h"

static void quotients_match_the_machines(void)
{
    static const uint64_t n[] = {0,
                                 1,
                                 999,
                                 1000,
                                 0xffffffffu,
                                 0x100000000ull,
                                 1234567890123456789ull,
                                 UINT64_MAX - 1,
                                 UINT64_MAX};
    static const uint32_t d[] = {1, 3, 10, 1000, 65536, 1000000, 0xffffffu};
    uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned i, j;

    for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
        for (j = 0; j < sizeof(d) / sizeof(d[0]); j++)
            T_ASSERT(div64(n[i], d[j]) == n[i] / d[j]);
    /* and a spread of values in between (a fixed sequence: the test cannot fail by chance) */
    for (i = 0; i < 10000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        T_ASSERT(div64(x, 1000) == x / 1000);
        T_ASSERT(div64(x >> (i % 64), 1000000) == (x >> (i % 64)) / 1000000);
    }
}

T_MAIN(T_CASE(quotients_match_the_machines))
