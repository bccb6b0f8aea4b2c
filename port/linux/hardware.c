/* SPDX-License-Identifier: BSD-2-Clause */
/* hardware.c - Linux default hardware hooks: no RNG of its own (use hwrng:/dev/hwrng for a
 * kernel-driven one); machine-id and the MAC addresses of the interfaces as device-unique data. */
#define _GNU_SOURCE
#include <dirent.h>
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

long port_hardware_unique(void *buf, size_t cap)
{
    unsigned char *out = buf;
    size_t used = read_into("/etc/machine-id", out, cap);
    DIR *d = opendir("/sys/class/net");
    struct dirent *de;

    if (d == NULL)
        return (long)used;
    while ((de = readdir(d)) != NULL && used < cap) {
        char path[300];

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/sys/class/net/%s/address", de->d_name);
        used += read_into(path, out + used, cap - used);
    }
    closedir(d);
    return (long)used;
}
