/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * atomic_file.c - temp file, write all, fsync, rename, directory fsync; and the strict reader.
 * The order is what makes a power cut harmless: the new name appears only after the data is
 * on disk, and the rename itself is on disk before the caller relies on it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "readfile.h"
#include "log.h"
#include "port.h"
#include "tlsmgr_config.h"
#include "wipe.h"

#define TMP_SUFFIX ".tmp"

int atomic_dirname(const char *path, char *out, size_t cap)
{
    const char *slash = NULL, *p;
    size_t n;

    for (p = path; *p != '\0'; p++) /* the last '/': a loop, not one more import (strrchr) */
        if (*p == '/')
            slash = p;

    if (slash == NULL) {
        if (cap < 2)
            return -1;
        out[0] = '.';
        out[1] = '\0';
        return 0;
    }
    n = slash == path ? 1 : (size_t)(slash - path);
    if (n + 1 > cap)
        return -1;
    memcpy(out, path, n);
    out[n] = '\0';
    return 0;
}

/* The one message of a failed file operation: "seed: cannot fsync /var/lib/tlsmgr: ...". */
static TLSMGR_NOINLINE void failed(const char *what, const char *step, const char *path)
{
    log_err_errno("%s: cannot %s %s", what, step, path);
}

static void too_long(const char *what, const char *path)
{
    log_err("%s: %s: name too long", what, path);
}

int atomic_dir_sync(const char *path, const char *what)
{
    char dir[TLSMGR_PATH_MAX];
    int fd, rc;

    if (atomic_dirname(path, dir, sizeof(dir)) != 0) {
        too_long(what, path);
        return -1;
    }
    if (port_fs_type(dir) == PORT_FS_TMPFS)
        return 0;
    fd = port_open(dir, PORT_O_RDONLY | PORT_O_DIRECTORY, 0);
    if (fd < 0) {
        failed(what, "open", dir);
        return -1;
    }
    rc = port_fsync(fd);
    if (rc != 0)
        failed(what, "fsync", dir);
    port_close(fd);
    return rc == 0 ? 0 : -1;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        long n = port_write(fd, p, len);

        if (n < 0)
            return -1;
        if (n == 0) {
            errno = EIO; /* a zero-length write would loop for ever */
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int atomic_file_write_gid(const char *path, const void *data, size_t len, unsigned mode,
                          unsigned gid, const char *what)
{
    char tmp[TLSMGR_PATH_MAX + sizeof(TMP_SUFFIX)];
    const char *step = "remove stale";
    int fd = -1, made = 0, persistent, rc;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s" TMP_SUFFIX, path) >= sizeof(tmp) - 1) {
        too_long(what, path);
        return -1;
    }
    /* A temp file left by a crash would make O_EXCL fail for ever. */
    if (port_unlink(tmp) != 0 && errno != ENOENT)
        goto fail;
    step = "create";
    fd = port_open(tmp, PORT_O_WRONLY | PORT_O_CREAT | PORT_O_EXCL, mode);
    if (fd < 0)
        goto fail;
    made = 1;
    persistent = port_fs_type(tmp) != PORT_FS_TMPFS;
    step = "chown";
    if (gid != PORT_ID_KEEP && port_fchown(fd, PORT_ID_KEEP, gid) != 0)
        goto fail;
    step = "chmod";
    if (port_fchmod(fd, mode) != 0) /* the umask must not change a public or secret mode */
        goto fail;
    step = "write";
    if (write_all(fd, data, len) != 0)
        goto fail;
    step = "fsync";
    if (persistent && port_fsync(fd) != 0)
        goto fail;
    step = "close";
    rc = port_close(fd);
    fd = -1; /* closed even when close() fails */
    if (rc != 0)
        goto fail;
    step = "rename";
    if (port_rename(tmp, path) != 0) {
        /* An empty directory planted under the name is removed once; anything else stays. */
        if (errno != EISDIR || port_rmdir(path) != 0 || port_rename(tmp, path) != 0)
            goto fail;
        log_warn("%s: replaced the directory %s", what, path);
    }
    return persistent ? atomic_dir_sync(path, what) : 0;

fail:
    failed(what, step, tmp);
    if (fd >= 0)
        port_close(fd);
    if (made)
        port_unlink(tmp);
    return -1;
}

int atomic_file_unlink(const char *path, const char *what)
{
    if (port_unlink(path) != 0) {
        if (errno == ENOENT)
            return 1;
        failed(what, "remove", path);
        return -1;
    }
    return atomic_dir_sync(path, what);
}

static const char *type_name(enum port_ftype t)
{
    switch (t) {
    case PORT_FT_DIR:
        return "a directory";
    case PORT_FT_LNK:
        return "a symbolic link";
    case PORT_FT_FIFO:
        return "a FIFO";
    case PORT_FT_CHR:
        return "a device";
    case PORT_FT_SOCK:
        return "a socket";
    default:
        return "not a regular file";
    }
}

int atomic_file_read(const char *path, void *buf, size_t len, const char *what)
{
    struct port_stat st;
    struct readfile rf;
    int r = readfile(path, buf, len, &rf);

    if (r < 0 && rf.len == 0 && errno == ENOENT)
        return 1;
    if (r < 0 && (errno == ELOOP || (port_lstat(path, &st) == 0 && st.type == PORT_FT_LNK))) {
        r = 1; /* O_NOFOLLOW's ELOOP: said as the link it is */
        rf.type = PORT_FT_LNK;
    }
    if (r < 0)
        log_warn_errno("%s: %s ignored, cannot %s it", what, path, rf.step);
    else if (r > 0)
        log_warn("%s: %s is %s: ignored", what, path, type_name(rf.type));
    else if (rf.size != (uint64_t)len)
        log_warn("%s: %s has %llu bytes, not %lu: ignored", what, path, (unsigned long long)rf.size,
                 (unsigned long)len);
    else if (rf.len != len || rf.more) /* the size changed since the open */
        log_warn("%s: %s changed while read: ignored", what, path);
    else
        return 0;
    wipe(buf, len); /* part of a seed may have been read */
    return -1;
}
