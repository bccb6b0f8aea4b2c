/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pool.c - mixing and extraction of the entropy pool with SHA-512. Every length and counter is
 * encoded big-endian, so the known-answer test holds on every host and mbedTLS version.
 */
#include <string.h>

#include "byteorder.h"
#include "mbedtls_compat.h"
#include "noinline.h"
#include "pool.h"
#include "wipe.h"

static const char mix_domain[] = "tlsmgr pool mix v1";
static const char out_domain[] = "tlsmgr pool out v1";
static const char rekey_tag[] = "tlsmgr pool rekey v1";

void pool_init(struct pool *p)
{
    memset(p, 0, sizeof(*p));
}

void pool_wipe(struct pool *p)
{
    wipe(p, sizeof(*p));
}

/* out = SHA-512(a || b || c); one context per digest, wiped by its free. */
TLSMGR_NOINLINE static void sha512_3(unsigned char out[64], const void *a, size_t alen,
                                     const void *b, size_t blen, const void *c, size_t clen)
{
    mbedtls_sha512_context h;

    mbedtls_sha512_init(&h);
    tlsmgr_sha512_starts(&h);
    tlsmgr_sha512_update(&h, a, alen);
    tlsmgr_sha512_update(&h, b, blen);
    tlsmgr_sha512_update(&h, c, clen);
    tlsmgr_sha512_finish(&h, out);
    mbedtls_sha512_free(&h);
}

void pool_mix(struct pool *p, const char *tag, const void *data, size_t len)
{
    /* What every block's digest starts with: the domain, the block's index, d. */
    unsigned char head[sizeof(mix_domain) - 1 + 4 + 64], *d = head + sizeof(mix_domain) - 1 + 4;
    /* d's first input: the tag's length, the tag (at most 255 bytes), the data's length */
    unsigned char lead[1 + 255 + 8], num[8];
    const unsigned char *prev = p->block[POOL_BLOCKS - 1];
    size_t tl = strlen(tag);
    unsigned i;

    if (tl > 255)
        tl = 255;
    lead[0] = (unsigned char)tl;
    memcpy(lead + 1, tag, tl);
    put_be64(lead + 1 + tl, (uint64_t)len);
    put_be64(num, p->counter);
    sha512_3(d, lead, 1 + tl + 8, data, len, num, 8);
    p->counter++;
    memcpy(head, mix_domain, sizeof(mix_domain) - 1);

    /* Chained over the blocks so that every input bit reaches every block: each block is
     * hashed with the one before it, already new (the first with the last, still old). */
    for (i = 0; i < POOL_BLOCKS; i++) {
        put_be32(d - 4, i);
        sha512_3(p->block[i], head, sizeof(head), prev, POOL_BLOCK, p->block[i], POOL_BLOCK);
        prev = p->block[i];
    }
    wipe(d, 64);
}

int pool_extract(struct pool *p, unsigned char *out, size_t len)
{
    /* The output domain, then the counter (the rekey's input too). */
    unsigned char head[sizeof(out_domain) - 1 + 8], *num = head + sizeof(out_domain) - 1;
    unsigned char blk[64];

    memcpy(head, out_domain, sizeof(out_domain) - 1);
    while (len > 0) {
        size_t n = len < sizeof(blk) ? len : sizeof(blk);

        put_be64(num, p->counter);
        sha512_3(blk, head, sizeof(head), &p->block[0][0], sizeof(p->block), NULL, 0);
        memcpy(out, blk, n);
        out += n;
        len -= n;
        /* One-way step: the new pool is a hash of the old one, so a later compromise of the
         * pool tells nothing about what was extracted before. */
        pool_mix(p, rekey_tag, num, 8);
    }
    wipe(blk, sizeof(blk));
    return 0;
}
