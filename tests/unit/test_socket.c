/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_socket.c - the port's listening Unix socket is created with its final mode and group
 * and never changed by name afterwards. bind() is interposed here so that a test can swap the
 * new socket for a symbolic link at the worst instant, right after bind, as a daemon user that
 * owns the directory could.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "port.h"
#include "t.h"

static const char *swap_target; /* after bind, the socket becomes a link to this file */

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    const struct sockaddr_un *sun = (const struct sockaddr_un *)addr;
    int r = (int)syscall(SYS_bind, fd, addr, len);

    if (r == 0 && swap_target != NULL && addr->sa_family == AF_UNIX) {
        if (rename(sun->sun_path, "moved.sock") < 0 || symlink(swap_target, sun->sun_path) < 0)
            t_fail(__FILE__, __LINE__, "swap: %s", strerror(errno));
    }
    return r;
}

/* With a link swapped in after bind, nothing reaches the file it points to. */
static void link_swapped_after_bind_is_not_followed(void)
{
    struct stat st;
    int fd;

    T_EQ_INT(t_write_file("secret", "key", 3), 0);
    T_EQ_INT(chmod("secret", 0600), 0);
    swap_target = "secret";
    fd = port_unix_listen("egd.sock", 0660, getegid(), 4);
    swap_target = NULL;
    if (fd >= 0)
        port_close(fd);
    T_EQ_INT(stat("secret", &st), 0);
    T_EQ_INT(st.st_mode & 07777, 0600);
    T_EQ_INT(st.st_gid, getegid());
    T_EQ_INT(lstat("moved.sock", &st), 0);
    T_ASSERT(S_ISSOCK(st.st_mode));
    T_EQ_INT(st.st_mode & 0777, 0660); /* the socket itself was born with its mode */
}

/* The mode does not depend on the caller's umask; the umask is the caller's again after. */
static void socket_born_with_its_mode(void)
{
    struct stat st;
    mode_t old = umask(0077);
    int fd = port_unix_listen("a.sock", 0660, PORT_ID_KEEP, 4);

    T_ASSERT(fd >= 0);
    T_EQ_INT(lstat("a.sock", &st), 0);
    T_ASSERT(S_ISSOCK(st.st_mode));
    T_EQ_INT(st.st_mode & 0777, 0660);
    T_EQ_INT(umask(old), 0077);
    port_close(fd);
    old = umask(0);
    fd = port_unix_listen("a.sock", 0600, PORT_ID_KEEP, 4); /* a stale socket is replaced */
    T_ASSERT(fd >= 0);
    T_EQ_INT(lstat("a.sock", &st), 0);
    T_EQ_INT(st.st_mode & 0777, 0600);
    umask(old);
    port_close(fd);
}

/* The group is the one asked for (any gid as root, make check's case; the caller's own
 * otherwise), and the caller's identity is back afterwards. */
static void socket_born_with_its_group(void)
{
    struct stat st;
    gid_t before = getegid(), want = geteuid() == 0 ? 4242 : getegid();
    int fd;

    fd = port_unix_listen("g.sock", 0660, want, 4);
    T_ASSERT(fd >= 0);
    T_EQ_INT(lstat("g.sock", &st), 0);
    T_EQ_INT(st.st_gid, want);
    T_EQ_INT(st.st_uid, geteuid());
    T_EQ_INT(st.st_mode & 0777, 0660);
    T_EQ_INT(getegid(), before);
    if (fd >= 0)
        port_close(fd);
}

/* Any other file at the path is refused, not replaced. */
static void planted_file_refused(void)
{
    char buf[8];

    T_EQ_INT(t_write_file("p.sock", "x", 1), 0);
    T_EQ_INT(port_unix_listen("p.sock", 0660, PORT_ID_KEEP, 4), -1);
    T_EQ_INT(errno, EEXIST);
    T_EQ_INT(symlink("p.sock", "l.sock"), 0);
    T_EQ_INT(port_unix_listen("l.sock", 0660, PORT_ID_KEEP, 4), -1);
    T_EQ_INT(t_read_file("p.sock", buf, sizeof(buf)), 1);
}

T_MAIN(T_CASE(link_swapped_after_bind_is_not_followed), T_CASE(socket_born_with_its_mode),
       T_CASE(socket_born_with_its_group), T_CASE(planted_file_refused))
