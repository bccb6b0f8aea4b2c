/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seed.c - fresh seed bytes for a TLS process: the daemon's output (EGD socket, else the
 * exchange file) hashed together with the kernel RNG, the pid and the clocks on every call.
 * Nothing is kept between calls, so threads share no state and a forked child can never
 * repeat its parent: its pid, clocks and kernel bytes differ even when the daemon's do not.
 */
#include <string.h>

#include "mbedtls_compat.h"
#include <mbedtls/entropy.h>

#include "byteorder.h"
#include "client.h"
#include "egd_client.h"
#include "port.h"
#include "readfile.h"
#include "wipe.h"

/* Daemon bytes asked per call: a SHA-512 key holds no more. */
#define DAEMON_BYTES 64
#define KERNEL_BYTES 64

static const char domain[] = "tlsmgr seed v1";

/* The exchange file, only when it is a regular file of exactly the agreed size. */
static size_t exchange_fetch(const char *path, unsigned char *out)
{
    struct readfile rf;

    if (path[0] == '\0' || readfile(path, out, TLSMGR_EXCHANGE_SIZE, &rf) != 0 ||
        rf.len != TLSMGR_EXCHANGE_SIZE || rf.more)
        return 0;
    return TLSMGR_EXCHANGE_SIZE;
}

static void hash_u64(mbedtls_sha512_context *h, uint64_t v)
{
    unsigned char b[8];

    put_be64(b, v);
    tlsmgr_sha512_update(h, b, sizeof(b));
}

/* Hashes a labelled, length-prefixed input: inputs cannot be shifted into one another. */
static void hash_item(mbedtls_sha512_context *h, const void *data, size_t len)
{
    hash_u64(h, len);
    if (len > 0)
        tlsmgr_sha512_update(h, data, len);
}

int tlsmgr_seed(struct tlsmgr *t, unsigned char *out, size_t len)
{
    /* Every secret of the call in one place: one wipe at the end. */
    struct {
        unsigned char daemon[TLSMGR_EXCHANGE_SIZE], kernel[KERNEL_BYTES], key[64], block[64];
    } s;
    size_t ndaemon, nkernel, done;
    uint64_t clocks[8], i;
    struct egd_client_error e;
    long n;
    int nclocks;
    mbedtls_sha512_context h;

    if (t == NULL || (out == NULL && len > 0))
        return TLSMGR_ERR_ARG;
    ndaemon = 0;
    if (t->conf.egd_socket[0] != '\0')
        ndaemon = egd_client_read(t->conf.egd_socket, s.daemon, DAEMON_BYTES, &e);
    if (ndaemon < DAEMON_BYTES)
        ndaemon = exchange_fetch(t->conf.exchange_name, s.daemon);
    n = port_getrandom(s.kernel, sizeof(s.kernel));
    nkernel = n > 0 ? (size_t)n : 0;
    nclocks = port_clock_sample(clocks, 8);
    if (nclocks < 0)
        nclocks = 0;

    mbedtls_sha512_init(&h);
    tlsmgr_sha512_starts(&h);
    hash_item(&h, domain, sizeof(domain) - 1);
    hash_item(&h, s.daemon, ndaemon);
    hash_item(&h, s.kernel, nkernel);
    hash_u64(&h, (uint64_t)port_pid());
    hash_item(&h, clocks, (size_t)nclocks * sizeof(clocks[0]));
    /* Threads of one process calling at the same instant still differ by their stacks. */
    hash_u64(&h, (uint64_t)(size_t)&h);
    hash_item(&h, t->tag, t->taglen);
    hash_u64(&h, len);
    tlsmgr_sha512_finish(&h, s.key);

    for (done = 0, i = 0; done < len; i++) {
        size_t take = len - done < sizeof(s.block) ? len - done : sizeof(s.block);
        tlsmgr_sha512_starts(&h);
        hash_item(&h, domain, sizeof(domain) - 1);
        tlsmgr_sha512_update(&h, s.key, sizeof(s.key));
        hash_u64(&h, i);
        tlsmgr_sha512_finish(&h, s.block);
        memcpy(out + done, s.block, take);
        done += take;
    }
    mbedtls_sha512_free(&h);
    wipe(&s, sizeof(s));
    return ndaemon > 0 || nkernel > 0 ? 0 : TLSMGR_ERR_UNAVAIL;
}

int tlsmgr_entropy_source(void *t, unsigned char *out, size_t len, size_t *olen)
{
    if (olen == NULL)
        return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    *olen = 0;
    if (tlsmgr_seed(t, out, len) != 0)
        return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    *olen = len;
    return 0;
}
