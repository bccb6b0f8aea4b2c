/* SPDX-License-Identifier: BSD-2-Clause */
/* fs.c - portable file-system kind: unknown, so treated as persistent. */
#include "port.h"

enum port_fs port_fs_type(const char *path)
{
    (void)path;
    return PORT_FS_OTHER;
}
