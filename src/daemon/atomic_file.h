/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * atomic_file.h - whole-file replacement that no reader and no crash ever sees half done, and
 * a reader that accepts only a regular file of an exact size. Shared by the exchange file,
 * the persistent seed and the cache side.
 */
#ifndef TLSMGR_ATOMIC_FILE_H
#define TLSMGR_ATOMIC_FILE_H

#include <stddef.h>

#include "port.h"

/* Writes path as a new file of exactly len bytes with mode: a stale "path.tmp" is removed,
 * "path.tmp" is created with O_CREAT|O_EXCL (never following a link), written whole, fsynced
 * unless the file system is tmpfs, renamed over path, and the directory is fsynced. what
 * names the file in log messages. Returns 0, or -1 (logged; path is left as it was and the
 * temp file removed where possible). The temp file gets group gid (fchown) before anything is
 * written into it; PORT_ID_KEEP leaves the writer's group (atomic_file_write). */
int atomic_file_write_gid(const char *path, const void *data, size_t len, unsigned mode,
                          unsigned gid, const char *what);
#define atomic_file_write(path, data, len, mode, what)                                             \
    atomic_file_write_gid(path, data, len, mode, PORT_ID_KEEP, what)

/* Removes path and fsyncs its directory. Returns 0, 1 when there was no such file, -1. */
int atomic_file_unlink(const char *path, const char *what);
/* fsyncs the directory that holds path. Returns 0 or -1 (logged). */
int atomic_dir_sync(const char *path, const char *what);

/* Reads exactly len bytes from path into buf if path is a regular file of exactly len bytes
 * (not a symbolic link, FIFO, directory or device; opened non-blocking so nothing can make
 * it wait). Returns 0 when read, 1 when there is no such file, -1 when the file is unusable
 * or unreadable (logged as ignored). */
int atomic_file_read(const char *path, void *buf, size_t len, const char *what);

/* Puts the directory part of path ("." when none) in out. Returns 0, -1 if too long. */
int atomic_dirname(const char *path, char *out, size_t cap);

#endif
