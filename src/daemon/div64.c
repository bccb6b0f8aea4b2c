/* SPDX-License-Identifier: BSD-2-Clause */
/* div64.c - long division of a 64-bit number, a byte at a time, in 32-bit arithmetic. */
#include "div64.h"

uint64_t div64(uint64_t n, uint32_t d)
{
#if UINTPTR_MAX > 0xffffffffu
    return n / d; /* the machine's own instruction */
#else
    uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, r = 0;
    uint64_t q = 0;
    int i;

    /* Byte by byte from the top, shifting by constants only (a variable 64-bit shift is a
     * libgcc call too). r < d < 2^24, so r and the next byte fit in 32 bits. */
    for (i = 0; i < 8; i++) {
        uint32_t cur = r << 8 | hi >> 24;

        hi = hi << 8 | lo >> 24;
        lo <<= 8;
        q = q << 8 | cur / d;
        r = cur % d;
    }
    return q;
#endif
}
