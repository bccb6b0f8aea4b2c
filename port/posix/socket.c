/* SPDX-License-Identifier: BSD-2-Clause */
/* socket.c - non-blocking Unix stream sockets for the EGD service and its clients. */
#define _GNU_SOURCE /* accept4 (POSIX.1-2024) in glibc before 2.41 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "eintr.h"
#include "port.h"
#include "syscalls.h"

static int fill_addr(struct sockaddr_un *sun, const char *path)
{
    size_t len = strlen(path);

    if (len >= sizeof(sun->sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path, path, len + 1);
    return 0;
}

/* Closes fd after a failed call, keeping that call's errno for the caller. Returns -1. */
static int close_failed(int fd)
{
    int e = errno;

    sys_close(fd);
    errno = e;
    return -1;
}

#if !defined(SOCK_NONBLOCK) || !defined(SOCK_CLOEXEC)
/* Every descriptor handed out is non-blocking and closed on exec. Returns fd, or -1 (closed). */
static int nonblocking(int fd)
{
    if (fd < 0)
        return -1;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
        return close_failed(fd);
    return fd;
}
#endif

/* bind() creates the socket file with the process's umask and effective group: both are set
 * for that one call, so the file never exists with another mode or group and is never
 * changed by name (a chmod or chown by name, as root, would follow a link swapped in its
 * place). The daemon is single-threaded: nothing else runs under the temporary identity. */
static int bind_as(int fd, const struct sockaddr_un *sun, unsigned mode, unsigned gid)
{
    mode_t old_mask = sys_umask((mode_t)(~mode & 0777));
    gid_t old_gid = sys_getegid();
    int r, e;

    if (gid != PORT_ID_KEEP && (gid_t)gid != old_gid && sys_setegid((gid_t)gid) < 0) {
        e = errno;
        sys_umask(old_mask);
        errno = e;
        return -1;
    }
    r = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
    e = errno;
    sys_umask(old_mask);
    if (sys_getegid() != old_gid && sys_setegid(old_gid) < 0) {
        if (r == 0)
            port_unlink(sun->sun_path);
        errno = EPERM;
        return -1;
    }
    errno = e;
    return r;
}

/* A new socket, non-blocking and closed on exec: in the call itself where the system can
 * (POSIX.1-2024, Linux, the BSDs; no fcntl import in libtlsmgr), else by nonblocking(). */
static int new_socket(void)
{
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
    return sys_socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#else
    return nonblocking(socket(AF_UNIX, SOCK_STREAM, 0));
#endif
}

int port_unix_listen(const char *path, unsigned mode, unsigned gid, int backlog)
{
    struct sockaddr_un sun;
    struct port_stat st;
    int fd;

    if (fill_addr(&sun, path) < 0)
        return -1;
    /* Only a leftover socket may be replaced: never unlink a file someone planted there. */
    if (port_lstat(path, &st) == 0) {
        if (st.type != PORT_FT_SOCK) {
            errno = EEXIST;
            return -1;
        }
        if (port_unlink(path) < 0)
            return -1;
    }
    fd = new_socket();
    if (fd < 0)
        return -1;
    if (bind_as(fd, &sun, mode, gid) < 0 || sys_listen(fd, backlog) < 0)
        return close_failed(fd);
    return fd;
}

int port_unix_connect(const char *path)
{
    struct sockaddr_un sun;
    int fd;

    if (fill_addr(&sun, path) < 0)
        return -1;
    fd = new_socket();
    if (fd < 0)
        return -1;
    if (sys_connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 && errno != EINPROGRESS &&
        errno != EAGAIN)
        return close_failed(fd);
    return fd;
}

int port_accept(int listen_fd)
{
    int fd;

    do {
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
        fd = sys_accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
        fd = nonblocking(accept(listen_fd, NULL, NULL));
#endif
    } while (EINTR_AGAIN(fd < 0));
    return fd;
}

long port_send(int fd, const void *buf, size_t len)
{
    ssize_t n;

    do {
        n = sys_send(fd, buf, len, MSG_NOSIGNAL);
    } while (EINTR_AGAIN(n < 0));
    return (long)n;
}
