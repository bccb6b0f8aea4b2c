/* SPDX-License-Identifier: BSD-2-Clause */
/* detach.c - port_map_detach: a file's mappings replaced in place by private zero pages
 * (MAP_FIXED over the same range), so that nothing in this process reads the file through
 * them again and no access faults however short the file became. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <sys/mman.h>

#include "maps.h"
#include "port.h"
#include "syscalls.h"

/* Mappings of one file that one call replaces: LMDB maps each of its files once. */
#define DETACH_MAX 8

struct ranges {
    uintptr_t start[DETACH_MAX], end[DETACH_MAX];
    unsigned n;
};

static int collect(uintptr_t start, uintptr_t end, void *arg)
{
    struct ranges *r = arg;

    if (r->n == DETACH_MAX)
        return 1;
    r->start[r->n] = start;
    r->end[r->n] = end;
    r->n++;
    return 0;
}

int port_map_detach(int fd)
{
    struct maps_file f = {0};
    struct ranges r;
    unsigned i;

    r.n = 0;
    /* Listed first, replaced after: the list must not change while it is read. */
    if (maps_file_of(fd, &f) < 0 || maps_walk(&f, 1, collect, &r) < 0)
        return -1;
    for (i = 0; i < r.n; i++)
        if (sys_mmap((void *)r.start[i], r.end[i] - r.start[i], PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
            return -1;
    return (int)r.n;
}
