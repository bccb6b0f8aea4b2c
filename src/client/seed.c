/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seed.c - fresh seed bytes for a TLS process: the daemon's output (EGD socket, else the
 * exchange file) hashed together with the kernel RNG, the pid and the clocks on every call.
 * Nothing is kept between calls, so threads share no state and a forked child can never
 * repeat its parent: its pid, clocks and kernel bytes differ even when the daemon's do not.
 */
#include <errno.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "mbedtls_compat.h"
#include <mbedtls/entropy.h>

#include "client.h"
#include "port.h"

/* Daemon bytes asked per call: a SHA-512 key holds no more. */
#define DAEMON_BYTES 64
#define KERNEL_BYTES 64

static const char domain[] = "tlsmgr seed v1";

/* Waits until fd is ready for ev or the deadline passes. Returns 0 when ready. */
static int wait_fd(int fd, short ev, uint64_t deadline)
{
    for (;;) {
        struct port_pollfd p;
        uint64_t now = port_now_ms();
        int r;

        if (now >= deadline)
            return -1;
        p.fd = fd;
        p.events = ev;
        p.revents = 0;
        r = port_poll(&p, 1, (int)(deadline - now));
        if (r > 0)
            return (p.revents & ev) ? 0 : -1;
        if (r < 0 && errno != EINTR)
            return -1;
        /* 0: the deadline is checked again at the top (poll may return early) */
    }
}

/* Reads exactly len bytes before the deadline. Returns 0 or -1. */
static int read_all(int fd, unsigned char *buf, size_t len, uint64_t deadline)
{
    while (len > 0) {
        long n = port_read(fd, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ||
                   wait_fd(fd, PORT_POLLIN, deadline) < 0) {
            return -1;
        }
    }
    return 0;
}

/* One EGD 0x01 request with the client timeout. Returns the bytes received (0 on failure). */
static size_t egd_fetch(const char *path, unsigned char *out, size_t want)
{
    uint64_t deadline = port_now_ms() + TLSMGR_EGD_CLIENT_TIMEOUT_MS;
    unsigned char req[2], count;
    size_t sent = 0;
    int fd;

    if (path[0] == '\0')
        return 0;
    errno = 0;
    fd = port_unix_connect(path);
    if (fd < 0)
        return 0;
    /* EAGAIN on a Unix socket is a full backlog, not a connect in progress: give up. */
    if (errno == EAGAIN || (errno == EINPROGRESS && (wait_fd(fd, PORT_POLLOUT, deadline) < 0 ||
                                                     port_socket_error(fd) != 0))) {
        port_close(fd);
        return 0;
    }
    req[0] = 0x01;
    req[1] = (unsigned char)want;
    while (sent < sizeof(req)) {
        long n = port_send(fd, req + sent, sizeof(req) - sent);
        if (n > 0)
            sent += (size_t)n;
        else if ((n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ||
                 wait_fd(fd, PORT_POLLOUT, deadline) < 0) {
            port_close(fd);
            return 0;
        }
    }
    if (read_all(fd, &count, 1, deadline) < 0 || count > want ||
        read_all(fd, out, count, deadline) < 0)
        count = 0;
    port_close(fd);
    return count;
}

/* The exchange file, only when it is a regular file of exactly the agreed size. */
static size_t exchange_fetch(const char *path, unsigned char *out)
{
    struct port_stat st;
    size_t got = 0;
    int fd;

    if (path[0] == '\0')
        return 0;
    fd = port_open(path, PORT_O_RDONLY | PORT_O_NONBLOCK, 0);
    if (fd < 0)
        return 0;
    if (port_fstat(fd, &st) == 0 && st.type == PORT_FT_REG && st.size == TLSMGR_EXCHANGE_SIZE) {
        while (got < TLSMGR_EXCHANGE_SIZE) {
            long n = port_read(fd, out + got, TLSMGR_EXCHANGE_SIZE - got);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
    }
    port_close(fd);
    return got == TLSMGR_EXCHANGE_SIZE ? got : 0;
}

static void put_u64(mbedtls_sha512_context *h, uint64_t v)
{
    unsigned char b[8];
    int i;

    for (i = 7; i >= 0; i--, v >>= 8)
        b[i] = (unsigned char)v;
    tlsmgr_sha512_update(h, b, sizeof(b));
}

/* Hashes a labelled, length-prefixed input: inputs cannot be shifted into one another. */
static void put_item(mbedtls_sha512_context *h, const void *data, size_t len)
{
    put_u64(h, len);
    if (len > 0)
        tlsmgr_sha512_update(h, data, len);
}

int tlsmgr_seed(struct tlsmgr *t, unsigned char *out, size_t len)
{
    unsigned char daemon[TLSMGR_EXCHANGE_SIZE], kernel[KERNEL_BYTES], key[64], block[64];
    size_t ndaemon, nkernel, done;
    uint64_t clocks[8], i;
    long n;
    int nclocks;
    mbedtls_sha512_context h;

    if (t == NULL || (out == NULL && len > 0))
        return TLSMGR_ERR_ARG;
    ndaemon = egd_fetch(t->conf.egd_socket, daemon, DAEMON_BYTES);
    if (ndaemon < DAEMON_BYTES)
        ndaemon = exchange_fetch(t->conf.exchange_name, daemon);
    n = port_getrandom(kernel, sizeof(kernel));
    nkernel = n > 0 ? (size_t)n : 0;
    nclocks = port_clock_sample(clocks, 8);
    if (nclocks < 0)
        nclocks = 0;

    mbedtls_sha512_init(&h);
    tlsmgr_sha512_starts(&h);
    put_item(&h, domain, sizeof(domain) - 1);
    put_item(&h, daemon, ndaemon);
    put_item(&h, kernel, nkernel);
    put_u64(&h, (uint64_t)port_pid());
    put_item(&h, clocks, (size_t)nclocks * sizeof(clocks[0]));
    /* Threads of one process calling at the same instant still differ by their stacks. */
    put_u64(&h, (uint64_t)(size_t)&h);
    put_item(&h, t->tag, t->taglen);
    put_u64(&h, len);
    tlsmgr_sha512_finish(&h, key);

    for (done = 0, i = 0; done < len; i++) {
        size_t take = len - done < sizeof(block) ? len - done : sizeof(block);
        tlsmgr_sha512_starts(&h);
        put_item(&h, domain, sizeof(domain) - 1);
        tlsmgr_sha512_update(&h, key, sizeof(key));
        put_u64(&h, i);
        tlsmgr_sha512_finish(&h, block);
        memcpy(out + done, block, take);
        done += take;
    }
    mbedtls_sha512_free(&h);
    mbedtls_platform_zeroize(daemon, sizeof(daemon));
    mbedtls_platform_zeroize(kernel, sizeof(kernel));
    memset(key, 0, sizeof(key));
    memset(block, 0, sizeof(block));
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
