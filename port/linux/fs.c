/* SPDX-License-Identifier: BSD-2-Clause */
/* fs.c - which file system holds a path: tmpfs needs no fsync, JFFS2 cannot map an LMDB env. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/vfs.h>

#include "port.h"

#define FS_TMPFS_MAGIC 0x01021994
#define FS_RAMFS_MAGIC 0x858458f6
#define FS_JFFS2_MAGIC 0x72b6
#define FS_NFS_MAGIC   0x6969

enum port_fs port_fs_type(const char *path)
{
    char buf[4096];
    struct statfs sf;
    size_t n = strlen(path);

    if (n >= sizeof(buf))
        return PORT_FS_OTHER;
    memcpy(buf, path, n + 1);
    /* Walk up to the nearest existing parent, the file may not exist yet: "a/b" is looked
     * for as "a", then ".", "/a/b" as "/a", then "/". */
    while (statfs(buf[0] != '\0' ? buf : ".", &sf) != 0) {
        char *slash = NULL, *p;

        for (p = buf; *p != '\0'; p++) /* the last '/', without strrchr (one import less) */
            if (*p == '/')
                slash = p;

        if ((errno != ENOENT && errno != ENOTDIR) || buf[0] == '\0' ||
            (slash == buf && buf[1] == '\0'))
            return PORT_FS_OTHER;
        if (slash == NULL)
            buf[0] = '\0';
        else
            slash[slash == buf] = '\0';
    }
    switch ((unsigned long)sf.f_type) {
    case FS_TMPFS_MAGIC:
    case FS_RAMFS_MAGIC:
        return PORT_FS_TMPFS;
    case FS_JFFS2_MAGIC:
        return PORT_FS_JFFS2;
    case FS_NFS_MAGIC:
        return PORT_FS_NFS;
    default:
        return PORT_FS_OTHER;
    }
}
