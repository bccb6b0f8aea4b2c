/* SPDX-License-Identifier: BSD-2-Clause */
/* maps.c - plain POSIX has no way to list a process's mappings: port_map_detach answers
 * ENOSYS and port_guard runs its function unguarded (the cache's size checks remain).
 * port/linux/maps.c replaces this file. */
#include <errno.h>

#include "maps.h"

int maps_file_of(int fd, struct maps_file *f)
{
    (void)fd;
    (void)f;
    errno = ENOSYS;
    return -1;
}

int maps_walk(const struct maps_file *f, unsigned n, int (*each)(uintptr_t, uintptr_t, void *),
              void *arg)
{
    (void)f;
    (void)n;
    (void)each;
    (void)arg;
    errno = ENOSYS;
    return -1;
}
