/* SPDX-License-Identifier: BSD-2-Clause */
/* hardware.c - Linux default hardware hooks: no RNG of its own (use hwrng:/dev/hwrng for a
 * kernel-driven one); machine-id and the MAC addresses of the interfaces as device-unique data. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "port.h"

long port_hardware_entropy(void *buf, size_t len)
{
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

static size_t read_into(const char *path, unsigned char *out, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = read(fd, out, cap);
    close(fd);
    return n > 0 ? (size_t)n : 0;
}

/* The interfaces are the names before ':' in /proc/net/dev (its two header lines have none),
 * one line each: a file read where a directory walk would cost three more imports. */
long port_hardware_unique(void *buf, size_t cap)
{
    unsigned char *out = buf;
    size_t used = read_into("/etc/machine-id", out, cap);
    char list[4096], *p, *nl, *colon;

    list[read_into("/proc/net/dev", (unsigned char *)list, sizeof(list) - 1)] = '\0';
    for (p = list; used < cap && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        char path[64];

        *nl = '\0';
        colon = strchr(p, ':');
        while (*p == ' ')
            p++;
        if (colon != NULL && snprintf(path, sizeof(path), "/sys/class/net/%.*s/address",
                                      (int)(colon - p), p) < (int)sizeof(path))
            used += read_into(path, out + used, cap - used);
    }
    return (long)used;
}
