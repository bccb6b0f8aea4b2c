/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readfile.h - the one reader of a small file that another process (or an attacker) may have
 * replaced: the configuration, the exchange file, the persistent seed, the status file. Only
 * a regular file is read: never through a final symbolic link (port_open), never a FIFO or a
 * device, and opened non-blocking so that nothing can make the reader wait.
 */
#ifndef TLSMGR_READFILE_H
#define TLSMGR_READFILE_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"

struct readfile {
    enum port_ftype type; /* what path is (after the open) */
    uint64_t size;        /* its size when it was opened */
    unsigned mode;        /* its permission bits */
    size_t len;           /* bytes read into the buffer */
    int more;             /* the file held more than the buffer took */
    const char *step;     /* what failed: "open", "stat" or "read" */
};

/* Reads the regular file at path into buf, up to cap bytes, and says whether more followed.
 * Returns 0 when read, 1 when path is no regular file (rf->type says what it is), -1 when a
 * call failed (errno and rf->step say which). */
int readfile(const char *path, void *buf, size_t cap, struct readfile *rf);

#endif
