/* SPDX-License-Identifier: BSD-2-Clause */
/* statedir.c - state and seed directories: created with the right owner and mode, and never
 * trusted when someone else could have planted them. */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "port.h"
#include "statedir.h"

int statedir_prepare(const char *path, unsigned mode, unsigned uid, unsigned gid, int as_root)
{
    struct port_stat st;
    int fd, created = 0;

    if (port_lstat(path, &st) < 0) {
        if (errno != ENOENT || port_mkdir(path, mode) < 0) {
            log_err_errno("%s: cannot create directory", path);
            return -1;
        }
        created = 1;
    }
    fd = port_open(path, PORT_O_RDONLY | PORT_O_DIRECTORY, 0);
    /* Linux says ENOTDIR for a symbolic link opened as a directory without following it. */
    if (fd < 0 && errno != ELOOP && errno != ENOTDIR) {
        log_err_errno("%s", path);
        return -1;
    }
    if (fd < 0 || port_fstat(fd, &st) < 0 || st.type != PORT_FT_DIR) {
        log_err("%s: is a symbolic link or not a directory", path);
        goto fail;
    }
    /* An existing directory is never taken over, not even one of root's: a mistaken path
     * (the seed file's directory being /etc, say) must fail, not give the directory away.
     * tlsmgr(8) says what to do about it. */
    if (!created && st.uid != uid) {
        log_err("%s: owned by uid %u, not %u: refused", path, st.uid, uid);
        goto fail;
    }
    if (!created && (st.mode & 0002)) {
        log_err("%s: writable by others: refused", path);
        goto fail;
    }
    if (as_root && (st.uid != uid || st.gid != gid) && port_fchown(fd, uid, gid) < 0) {
        log_err_errno("%s: cannot chown to %u:%u", path, uid, gid);
        goto fail;
    }
    /* mkdir is subject to the umask, and an old directory may have a looser mode. */
    if ((created || st.mode != mode) && port_fchmod(fd, mode) < 0) {
        log_err_errno("%s: cannot chmod %04o", path, mode);
        goto fail;
    }
    port_close(fd);
    if (created)
        log_info("created %s (mode %04o)", path, mode);
    return 0;

fail:
    if (fd >= 0)
        port_close(fd);
    return -1;
}
