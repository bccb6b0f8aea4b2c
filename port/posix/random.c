/* SPDX-License-Identifier: BSD-2-Clause */
/* random.c - portable kernel randomness: /dev/urandom, no crediting, no readiness signal. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "eintr.h"
#include "port.h"
#include "syscalls.h"

long port_getrandom(void *buf, size_t len)
{
    int fd = sys_open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
    ssize_t n;

    if (fd < 0)
        return -1;
    do {
        n = sys_read(fd, buf, len);
    } while (EINTR_AGAIN(n < 0));
    sys_close(fd);
    return (long)n;
}

int port_kernel_rng_ready(void)
{
    return -1;
}

int port_kernel_rng_wait_fd(void)
{
    return -1;
}

int port_kernel_credit(const void *buf, size_t len, unsigned bits)
{
    (void)buf;
    (void)len;
    (void)bits;
    errno = ENOSYS;
    return -1;
}
