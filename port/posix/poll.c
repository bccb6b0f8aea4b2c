/* SPDX-License-Identifier: BSD-2-Clause */
/* poll.c - the one place the daemon sleeps. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stddef.h>
#include <poll.h>

#include "port.h"
#include "syscalls.h"

/* Where struct pollfd and the POLL* bits are port.h's own (Linux, the BSDs, macOS), the
 * table goes to poll() as it is; elsewhere it is translated through a copy. */
#define POLL_SAME                                                                                  \
    (POLLIN == PORT_POLLIN && POLLOUT == PORT_POLLOUT && POLLERR == PORT_POLLERR &&                \
     POLLHUP == PORT_POLLHUP && POLLNVAL == PORT_POLLNVAL)

#if POLL_SAME
typedef char
    same_layout[sizeof(struct pollfd) == sizeof(struct port_pollfd) &&
                        offsetof(struct pollfd, events) == offsetof(struct port_pollfd, events) &&
                        offsetof(struct pollfd, revents) == offsetof(struct port_pollfd, revents)
                    ? 1
                    : -1];
#endif

int port_poll(struct port_pollfd *fds, unsigned nfds, int timeout_ms)
{
#if POLL_SAME
    if (nfds > PORT_POLL_MAX) {
        errno = EINVAL;
        return -1;
    }
    return sys_poll((struct pollfd *)(void *)fds, nfds, timeout_ms);
#else
    /* As many as port.h promises (TLSMGR_MAX_FDS is checked against it): the loop's table
     * once held 64 at most, and a board with 64 EGD clients failed every poll with EINVAL. */
    struct pollfd pfd[PORT_POLL_MAX];
    unsigned i;
    int r;

    if (nfds > sizeof(pfd) / sizeof(pfd[0])) {
        errno = EINVAL;
        return -1;
    }
    for (i = 0; i < nfds; i++) {
        pfd[i].fd = fds[i].fd;
        pfd[i].events = (short)(((fds[i].events & PORT_POLLIN) ? POLLIN : 0) |
                                ((fds[i].events & PORT_POLLOUT) ? POLLOUT : 0));
        pfd[i].revents = 0;
    }
    r = sys_poll(pfd, nfds, timeout_ms);
    for (i = 0; i < nfds; i++) {
        short re = pfd[i].revents;
        fds[i].revents =
            (short)(((re & POLLIN) ? PORT_POLLIN : 0) | ((re & POLLOUT) ? PORT_POLLOUT : 0) |
                    ((re & POLLERR) ? PORT_POLLERR : 0) | ((re & POLLHUP) ? PORT_POLLHUP : 0) |
                    ((re & POLLNVAL) ? PORT_POLLNVAL : 0));
    }
    return r;
#endif
}
