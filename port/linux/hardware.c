/* SPDX-License-Identifier: BSD-2-Clause */
/* hardware.c - Linux default hardware hooks: no RNG of its own (use hwrng:/dev/hwrng for a
 * kernel-driven one); machine-id and the MAC addresses of the interfaces as device-unique data. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "port.h"
#include "posix/syscalls.h"

long port_hardware_entropy(void *buf, size_t len)
{
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

static size_t read_into(const char *path, unsigned char *out, size_t cap)
{
    int fd = sys_open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = sys_read(fd, out, cap);
    sys_close(fd);
    return n > 0 ? (size_t)n : 0;
}

#define NET_DIR "/sys/class/net/"

/* The interfaces are the names before ':' in /proc/net/dev (its two header lines have none),
 * one line each: a file read where a directory walk would cost three more imports, parsed a
 * character at a time into the path of the address (no strchr or snprintf). */
long port_hardware_unique(void *buf, size_t cap)
{
    unsigned char *out = buf;
    size_t used = read_into("/etc/machine-id", out, cap), len, i, n = 0;
    char list[4096], path[64];
    int in_name = 1; /* still before the line's ':' */

    memcpy(path, NET_DIR, sizeof(NET_DIR) - 1);
    len = read_into("/proc/net/dev", (unsigned char *)list, sizeof(list));
    for (i = 0; i < len && used < cap; i++) {
        char c = list[i];

        if (c == '\n') {
            n = 0;
            in_name = 1;
        } else if (!in_name || (c == ' ' && n == 0)) {
            continue;
        } else if (c == ':') {
            memcpy(path + sizeof(NET_DIR) - 1 + n, "/address", sizeof("/address"));
            used += read_into(path, out + used, cap - used);
            in_name = 0;
        } else if (sizeof(NET_DIR) + n + sizeof("/address") <= sizeof(path)) {
            path[sizeof(NET_DIR) - 1 + n++] = c;
        } else {
            in_name = 0; /* too long for a name: not an interface */
        }
    }
    return (long)used;
}
