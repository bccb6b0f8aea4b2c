/* SPDX-License-Identifier: BSD-2-Clause */
/* privs.c - resolve tlsmgr_user/tlsmgr_group and drop root for good after start-up. */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "port.h"
#include "privs.h"

/* A failed lookup of the parameter's name: not found, or the lookup itself failed (errno).
 * Returns -1. */
static int unknown(const char *param, const char *name, const char *what)
{
    /* Not found: no errno text, which would read as a missing file. One call either way. */
    log_msg(errno == ENOENT ? LOG_P_ERR "%s %s: unknown %s" : LOG_P_ERR_ERRNO "%s %s: unknown %s",
            param, name, what);
    return -1;
}

int privs_resolve(const struct tlsmgr_conf *c, unsigned *uid, unsigned *gid)
{
    unsigned user_gid;

    if (!port_is_root()) {
        *uid = port_uid();
        *gid = port_gid();
        return 0;
    }
    if (port_user_lookup(c->user, uid, &user_gid) < 0)
        return unknown("tlsmgr_user", c->user, "user");
    if (port_group_lookup(c->group, gid) < 0)
        return unknown("tlsmgr_group", c->group, "group");
    if (*uid == 0) {
        log_err("tlsmgr_user %s: is root", c->user);
        return -1;
    }
    return 0;
}

unsigned privs_export_gid(const struct tlsmgr_conf *c)
{
    unsigned gid = PORT_ID_KEEP;

#if TLSMGR_TICKET_EXPORT
    /* The export files' group, when it is another: the daemon stays a member of it, or it
     * could not give its files that group after the drop. Unknown: the export says so. */
    if (port_is_root() && c->nexports > 0 && c->export_group[0] != '\0' &&
        port_group_lookup(c->export_group, &gid) < 0)
        gid = PORT_ID_KEEP;
#else
    (void)c;
#endif
    return gid;
}

int privs_drop(unsigned uid, unsigned gid, unsigned extra_gid)
{
    if (!port_is_root())
        return 0;
    if (port_drop_privileges(uid, gid, extra_gid) < 0) {
        log_err_errno("cannot drop privileges to uid %u gid %u", uid, gid);
        return -1;
    }
    log_info("running as uid %u gid %u", uid, gid);
    return 0;
}
