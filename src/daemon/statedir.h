/* SPDX-License-Identifier: BSD-2-Clause */
/* statedir.h - creates or checks a directory the daemon keeps state in. */
#ifndef TLSMGR_STATEDIR_H
#define TLSMGR_STATEDIR_H

/* Makes sure path is a real directory (not a symbolic link) owned by uid with exactly mode.
 * A missing directory is created (its parent must exist) and, as root, given to uid:gid.
 * An existing one owned by anyone else (root included) is refused, and so is one writable by
 * others. Returns 0, or -1 after logging why. */
int statedir_prepare(const char *path, unsigned mode, unsigned uid, unsigned gid, int as_root);

#endif
