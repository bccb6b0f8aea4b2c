/* SPDX-License-Identifier: BSD-2-Clause */
/* hardware.c - default hardware hooks: no hardware RNG; machine-id as device-unique data. A
 * port for a device with its own RNG replaces this file (see port/template). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "port.h"
#include "syscalls.h"

long port_hardware_entropy(void *buf, size_t len)
{
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
}

long port_hardware_unique(void *buf, size_t cap)
{
    static const char *const files[] = {"/etc/machine-id", "/var/lib/dbus/machine-id"};
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        int fd = sys_open(files[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0);
        ssize_t n;

        if (fd < 0)
            continue;
        n = sys_read(fd, buf, cap);
        sys_close(fd);
        if (n > 0)
            return (long)n;
    }
    return 0;
}
