/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_generator.c - random bytes. What tlsmgr's generator costs (entropy_random: the DRBG
 * fed by the 1024-byte pool, which serves EGD clients, the exchange file and the seed) against
 * the peer it stands in for, the kernel's getrandom(), in the same run at request sizes 32 B
 * (a TLS client random) and 1024 B (an exchange file); the cost of one pool_mix of 32 bytes
 * (every reseed input and every EGD 0x03 write). Then what a client of the real daemon's EGD
 * socket gets: round trips per second (01 20 and its 33-byte answer, on one connection, as
 * EGD clients keep theirs) against reading 32 bytes from /dev/urandom, and a connection per
 * request (as OpenSSL's RAND_egd) against opening /dev/urandom per request. Median of RUNS
 * runs each; CPU time of the thread for the generator and getrandom (what the bytes cost,
 * whatever else the machine runs), elapsed time for the EGD round trips (the daemon's work is
 * in another process).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "entropy.h"
#include "log.h"
#include "pool.h"
#include "port.h"

#define RUNS  7
#define TOTAL (1024 * 1024)
#define EGD_S 0.1 /* each timed batch of EGD requests runs at least this long */

#include "bench.h"
#include "bench_proc.h"

static char egd_path[200];

/* CPU seconds to produce TOTAL bytes in requests of `chunk` bytes; -1 on a failure. */
static double time_source(int use_kernel, size_t chunk)
{
    static unsigned char buf[1024];
    double t0 = thread_cpu_s();
    size_t done;

    for (done = 0; done < TOTAL; done += chunk) {
        if (use_kernel) {
            if (port_getrandom(buf, chunk) != (long)chunk)
                return -1;
        } else if (entropy_random(buf, chunk) != 0) {
            return -1;
        }
    }
    return thread_cpu_s() - t0;
}

static int egd_connect(void)
{
    struct sockaddr_un sun;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (strlen(egd_path) < sizeof(sun.sun_path))
        memcpy(sun.sun_path, egd_path, strlen(egd_path));
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads exactly len bytes; 0, or -1. */
static int read_all(int fd, unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = read(fd, p, len);

        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * Seconds per request of 32 bytes: from the EGD socket (egd) or /dev/urandom, on one open
 * connection or descriptor (per_request 0) or one per request. -1 on a failure.
 */
static double time_requests(int egd, int per_request)
{
    unsigned char buf[33];
    double t0 = now_s(), t;
    unsigned ops = 0;
    int fd = -1;

    do {
        if (fd < 0 && (fd = egd ? egd_connect() : open("/dev/urandom", O_RDONLY)) < 0)
            return -1;
        if (egd) {
            if (write(fd, "\x01\x20", 2) != 2 || read_all(fd, buf, 33) < 0 || buf[0] != 32)
                break;
        } else if (read_all(fd, buf, 32) < 0) {
            break;
        }
        if (per_request) {
            close(fd);
            fd = -1;
        }
        ops++;
        t = now_s() - t0;
    } while (t < EGD_S);
    if (fd >= 0)
        close(fd);
    return ops > 0 && t >= EGD_S ? t / ops : -1;
}

/* The EGD figures, from the real daemon (argv0's build). Returns 0 or -1. */
static int bench_egd_socket(const char *argv0)
{
    double ours[2][RUNS], peer[2][RUNS];
    char bin[512], dir[128];
    pid_t pid;
    int r, k, rc = 0;

    bench_build_path(argv0, "tlsmgr", bin, sizeof(bin));
    if (bench_tmpdir("bench_generator", dir, sizeof(dir)) < 0)
        return -1;
    snprintf(egd_path, sizeof(egd_path), "%s/state/egd", dir);
    pid = bench_daemon_start(bin, dir, "tls_session_cache_database =\n");
    if (pid < 0) {
        bench_rmrf(dir);
        return -1;
    }
    for (r = 0; r < RUNS && rc == 0; r++)
        for (k = 0; k < 2; k++) {
            ours[k][r] = time_requests(1, k);
            peer[k][r] = time_requests(0, k);
            if (ours[k][r] < 0 || peer[k][r] < 0)
                rc = -1;
        }
    if (bench_stop(pid) != 0 || rc != 0) {
        fprintf(stderr, "bench_generator: the EGD socket or the daemon failed (see %s)\n", dir);
        return -1;
    }
    bench_rmrf(dir);
    printf("  EGD 01 20 (32 bytes) of the real daemon, one connection kept: %.0f round trips/s; "
           "a connection per request: %.0f/s\n",
           1 / median(ours[0]), 1 / median(ours[1]));
    printf("  /dev/urandom, 32-byte reads: %.0f/s; opened per request: %.0f/s\n",
           1 / median(peer[0]), 1 / median(peer[1]));
    printf("bench egd_round_trips: ours %.0f /s, peer %.0f /s (32-byte reads of /dev/urandom), "
           "ratio %.3f\n",
           1 / median(ours[0]), 1 / median(peer[0]), median(peer[0]) / median(ours[0]));
    printf("bench egd_connection_per_request: ours %.0f /s, peer %.0f /s (/dev/urandom opened "
           "per request), ratio %.3f\n",
           1 / median(ours[1]), 1 / median(peer[1]), median(peer[1]) / median(ours[1]));
    return 0;
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {32, 1024};
    unsigned char in[32] = {0};
    double mix[RUNS];
    size_t s;
    int r, i;

    (void)argc;
    signal(SIGPIPE, SIG_IGN);

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
        printf("bench generator_%zuB: ours %.1f MiB/s, peer %.1f MiB/s (getrandom), ratio "
               "%.2f\n",
               sizes[s], 1.0 / o, 1.0 / k, k / o);
    }
    for (r = 0; r < RUNS; r++) {
        double t0 = thread_cpu_s();

        for (i = 0; i < 1000; i++)
            entropy_mix("bench", in, sizeof(in));
        mix[r] = (thread_cpu_s() - t0) / 1000;
    }
    printf("  pool_mix of 32 bytes: %.1f us (17 SHA-512 over the 1024-byte pool)\n",
           median(mix) * 1e6);
    return bench_egd_socket(argv[0]) == 0 ? 0 : 1;
}
