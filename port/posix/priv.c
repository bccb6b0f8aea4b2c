/* SPDX-License-Identifier: BSD-2-Clause */
/* priv.c - identities and the one-way drop of root privileges (the daemon only). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "port.h"
#include "syscalls.h"

int port_is_root(void)
{
    return sys_geteuid() == 0;
}

unsigned port_uid(void)
{
    return (unsigned)sys_geteuid();
}

unsigned port_gid(void)
{
    return (unsigned)sys_getegid();
}

int port_user_lookup(const char *name, unsigned *uid, unsigned *gid)
{
    struct passwd *pw;

    errno = 0;
    pw = getpwnam(name);
    if (pw == NULL) {
        if (errno == 0)
            errno = ENOENT;
        return -1;
    }
    *uid = (unsigned)pw->pw_uid;
    *gid = (unsigned)pw->pw_gid;
    return 0;
}

int port_group_lookup(const char *name, unsigned *gid)
{
    struct group *gr;

    errno = 0;
    gr = getgrnam(name);
    if (gr == NULL) {
        if (errno == 0)
            errno = ENOENT;
        return -1;
    }
    *gid = (unsigned)gr->gr_gid;
    return 0;
}

int port_drop_privileges(unsigned uid, unsigned gid, unsigned extra_gid)
{
    gid_t g = (gid_t)gid, groups[2] = {(gid_t)gid, (gid_t)extra_gid};

    if (sys_setgroups(extra_gid == PORT_ID_KEEP || extra_gid == gid ? 1 : 2, groups) < 0 ||
        sys_setgid(g) < 0 || sys_setuid((uid_t)uid) < 0)
        return -1;
    /* A drop that can be undone is no drop: regaining root, or root's group, must fail now.
     * POSIX lets an unprivileged setuid(0) succeed when 0 is the real or the saved uid, and
     * setgid(0) when 0 is the real or the saved gid: a probe of each shows that no real or saved
     * id is root's (no getuid and getgid imports), and the effective ids are checked. */
    if ((uid != 0 && sys_setuid(0) == 0) || (g != 0 && sys_setgid(0) == 0) ||
        sys_geteuid() != (uid_t)uid || sys_getegid() != g) {
        errno = EPERM;
        return -1;
    }
    return 0;
}
