/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_fill.c - fills the session cache of a running daemon as TLS servers would, for the
 * footprint benchmark (tests/bench/footprint.sh): N entries through the library's own store
 * (cache_session_store on the env opened as a client opens it), of which EXPIRED are already
 * expired, so that the daemon's next full scan has work to finish and to count. Not a
 * benchmark by itself: tests/bench/run does not run it.
 *
 *   bench_fill CONF N EXPIRED
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache_env.h"
#include "cache_session.h"
#include "port.h"

#define BLOB_LEN 115 /* a TLS 1.2 session without peer certificate */

int main(int argc, char **argv)
{
    struct tlsmgr_conf c;
    struct conf_error err;
    struct cache_env ce;
    uint8_t blob[BLOB_LEN];
    int64_t now = port_wall_time();
    unsigned long n, expired, i;

    if (argc != 4 || conf_load(&c, argv[1], &err) < 0) {
        fprintf(stderr, "usage: bench_fill CONF N EXPIRED (a configuration the daemon runs on)\n");
        return 2;
    }
    n = strtoul(argv[2], NULL, 10);
    expired = strtoul(argv[3], NULL, 10);
    if (cache_env_open(&ce, &c, CACHE_ROLE_CLIENT) < 0) {
        fprintf(stderr, "bench_fill: no cache env at %s\n", c.cache_database);
        return 1;
    }
    memset(blob, 0x5a, sizeof(blob));
    memcpy(blob, ce.mbedtls_hdr, CACHE_MBEDTLS_HDR_LEN);
    for (i = 0; i < n; i++) {
        uint32_t x = (uint32_t)i * 2654435761u + 7;
        uint8_t id[32];
        size_t k;

        for (k = 0; k < sizeof(id); k++) {
            x = x * 1103515245u + 12345u;
            id[k] = (uint8_t)(x >> 16);
        }
        /* An expired entry was stored an hour ago and expired a second ago. */
        if (cache_session_store(
                &ce, (const uint8_t *)"www", 3, id, sizeof(id), i < expired ? now - 3600 : now,
                (uint64_t)(i < expired ? now - 1 : now + 3600), blob, sizeof(blob), NULL) != 0) {
            fprintf(stderr, "bench_fill: store %lu failed\n", i);
            cache_env_close(&ce);
            return 1;
        }
    }
    cache_env_close(&ce);
    return 0;
}
