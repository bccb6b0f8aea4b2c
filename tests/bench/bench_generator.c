/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_generator.c - what a TLS process pays for random bytes from tlsmgr's generator
 * (entropy_random: the DRBG fed by the 1024-byte pool, which serves EGD clients, the
 * exchange file and the seed) against the peer it stands in for, the kernel's getrandom(),
 * measured in the same run at request sizes 32 B (a TLS client random) and 1024 B (an
 * exchange file). Also the cost of one pool_mix of 32 bytes (every reseed input and every
 * EGD 0x03 write). Median of 7 runs of 1 MiB each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "entropy.h"
#include "log.h"
#include "pool.h"
#include "port.h"

#define RUNS  7
#define TOTAL (1024 * 1024)

#include "bench.h"

/* Seconds to produce TOTAL bytes in requests of `chunk` bytes; -1 on a failure. */
static double time_source(int use_kernel, size_t chunk)
{
    static unsigned char buf[1024];
    double t0 = now_s();
    size_t done;

    for (done = 0; done < TOTAL; done += chunk) {
        if (use_kernel) {
            if (port_getrandom(buf, chunk) != (long)chunk)
                return -1;
        } else if (entropy_random(buf, chunk) != 0) {
            return -1;
        }
    }
    return now_s() - t0;
}

int main(void)
{
    static const size_t sizes[] = {32, 1024};
    unsigned char in[32] = {0};
    double mix[RUNS];
    size_t s;
    int r, i;

    log_enable(0);
    if (entropy_random(in, sizeof(in)) != 0) {
        fprintf(stderr, "bench_generator: the generator did not start\n");
        return 1;
    }
    printf("bench_generator: 1 MiB per run, median of %d runs\n", RUNS);
    for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        double ours[RUNS], kernel[RUNS], o, k;

        for (r = 0; r < RUNS; r++) {
            ours[r] = time_source(0, sizes[s]);
            kernel[r] = time_source(1, sizes[s]);
            if (ours[r] < 0 || kernel[r] < 0) {
                fprintf(stderr, "bench_generator: a source failed\n");
                return 1;
            }
        }
        o = median(ours);
        k = median(kernel);
        printf("  %4zu-byte requests: generator (tlsmgr) %7.1f MiB/s  getrandom (peer) %7.1f "
               "MiB/s  speed ratio %.2fx\n",
               sizes[s], 1.0 / o, 1.0 / k, k / o);
    }
    for (r = 0; r < RUNS; r++) {
        double t0 = now_s();

        for (i = 0; i < 1000; i++)
            entropy_mix("bench", in, sizeof(in));
        mix[r] = (now_s() - t0) / 1000;
    }
    printf("  pool_mix of 32 bytes: %.1f us (17 SHA-512 over the 1024-byte pool)\n",
           median(mix) * 1e6);
    return 0;
}
