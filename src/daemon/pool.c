/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pool.c - mixing and extraction of the entropy pool with SHA-512. Every length and counter is
 * encoded big-endian, so the known-answer test holds on every host and mbedTLS version.
 */
#include <string.h>

#include "byteorder.h"
#include "mbedtls_compat.h"
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

void pool_mix(struct pool *p, const char *tag, const void *data, size_t len)
{
    mbedtls_sha512_context h;
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
    mbedtls_sha512_init(&h);
    tlsmgr_sha512_starts(&h);
    tlsmgr_sha512_update(&h, lead, 1 + tl + 8);
    tlsmgr_sha512_update(&h, data, len);
    put_be64(num, p->counter);
    tlsmgr_sha512_update(&h, num, 8);
    tlsmgr_sha512_finish(&h, d);
    p->counter++;
    memcpy(head, mix_domain, sizeof(mix_domain) - 1);

    /* Chained over the blocks so that every input bit reaches every block: each block is
     * hashed with the one before it, already new (the first with the last, still old). */
    for (i = 0; i < POOL_BLOCKS; i++) {
        put_be32(d - 4, i);
        tlsmgr_sha512_starts(&h);
        tlsmgr_sha512_update(&h, head, sizeof(head));
        tlsmgr_sha512_update(&h, prev, POOL_BLOCK);
        tlsmgr_sha512_update(&h, p->block[i], POOL_BLOCK);
        tlsmgr_sha512_finish(&h, p->block[i]);
        prev = p->block[i];
    }
    mbedtls_sha512_free(&h);
    wipe(d, 64);
}

int pool_extract(struct pool *p, unsigned char *out, size_t len)
{
    mbedtls_sha512_context h;
    /* The output domain, then the counter (the rekey's input too). */
    unsigned char head[sizeof(out_domain) - 1 + 8], *num = head + sizeof(out_domain) - 1;
    unsigned char blk[64];

    memcpy(head, out_domain, sizeof(out_domain) - 1);
    while (len > 0) {
        size_t n = len < sizeof(blk) ? len : sizeof(blk);

        mbedtls_sha512_init(&h);
        tlsmgr_sha512_starts(&h);
        put_be64(num, p->counter);
        tlsmgr_sha512_update(&h, head, sizeof(head));
        tlsmgr_sha512_update(&h, &p->block[0][0], sizeof(p->block));
        tlsmgr_sha512_finish(&h, blk);
        mbedtls_sha512_free(&h);
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
