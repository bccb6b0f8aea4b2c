/* SPDX-License-Identifier: BSD-2-Clause */
/* maps.h - the port's own view of this process's file mappings, shared by detach.c and
 * fault.c: which address ranges map a given file. maps.c answers where the platform can list
 * them (port/linux/maps.c: /proc/self/maps); port/posix/maps.c cannot. */
#ifndef TLSMGR_PORT_MAPS_H
#define TLSMGR_PORT_MAPS_H

#include <stdint.h>

/* A file as the list of mappings names it. */
struct maps_file {
    uint64_t major, minor, ino;
};

/* Fills f for the file open on fd. Returns 0, or -1 (ENOSYS: mappings cannot be listed). */
int maps_file_of(int fd, struct maps_file *f);

/* Calls each(start, end, arg) for every mapping [start, end) of one of the n files, until
 * each returns non-zero. Returns that value, 0 after the last mapping, or -1 when the list
 * cannot be read. Async-signal-safe (open, read and close only; no allocation), so that the
 * fault handler can ask where a fault lies. */
int maps_walk(const struct maps_file *f, unsigned n, int (*each)(uintptr_t, uintptr_t, void *),
              void *arg);

#endif
