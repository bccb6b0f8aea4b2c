/* SPDX-License-Identifier: BSD-2-Clause */
/* random.c - Linux kernel RNG: getrandom(GRND_NONBLOCK) so the loop never blocks, /dev/random
 * readability as the "CRNG ready" event, RNDADDENTROPY for crediting a seed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "../posix/eintr.h"
#include "port.h"
#include "posix/syscalls.h"

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif

long port_getrandom(void *buf, size_t len)
{
#ifdef SYS_getrandom
    long n;

    do {
        n = syscall(SYS_getrandom, buf, len, GRND_NONBLOCK);
    } while (EINTR_AGAIN(n < 0));
    return n;
#else
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
#endif
}

int port_kernel_rng_ready(void)
{
    unsigned char b;
    long n = port_getrandom(&b, 1);

    if (n == 1)
        return 1;
    return (n < 0 && errno == EAGAIN) ? 0 : -1;
}

int port_kernel_rng_wait_fd(void)
{
    return sys_open("/dev/random", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW, 0);
}

int port_kernel_credit(const void *buf, size_t len, unsigned bits)
{
    /* The request carries its bytes after the header; a seed longer than one request goes in
     * several, the first one carrying the credit (at most 8 bits a byte of it). */
    struct {
        int entropy_count;
        int buf_size;
        unsigned char buf[512];
    } req;
    const unsigned char *p = buf;
    int fd, r, e;

    if (bits > 256)
        bits = 256;
    fd = sys_open("/dev/urandom", O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);
    if (fd < 0)
        return -1;
    do {
        size_t n = len < sizeof(req.buf) ? len : sizeof(req.buf);

        req.entropy_count = (int)(bits < n * 8 ? bits : n * 8);
        bits -= (unsigned)req.entropy_count;
        req.buf_size = (int)n;
        memcpy(req.buf, p, n);
        /* syscall, already imported for getrandom, rather than one more import (ioctl) */
        r = (int)syscall(SYS_ioctl, fd, RNDADDENTROPY, &req);
        p += n;
        len -= n;
    } while (r == 0 && len > 0);
    e = errno;
    /* The copy of the seed goes; a plain memset before the end of scope could be dropped. */
    mbedtls_platform_zeroize(&req, sizeof(req));
    sys_close(fd);
    errno = e;
    return r < 0 ? -1 : 0;
}
