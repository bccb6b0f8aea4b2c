/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * egd_client.c - one EGD read request: non-blocking connect, send and reads, each wait in
 * port_poll against one deadline, so a peer that hangs costs the timeout and no more.
 */
#include <errno.h>

#include "egd_client.h"
#include "port.h"
#include "tlsmgr_config.h"

/* Waits until fd is ready for ev or the deadline passes. 1 ready, 0 timed out, -1 error. */
static int wait_for(int fd, short ev, uint64_t deadline)
{
    for (;;) {
        struct port_pollfd p;
        uint64_t now = port_now_ms();
        int r;

        if (now >= deadline)
            return 0;
        p.fd = fd;
        p.events = ev;
        p.revents = 0;
        r = port_poll(&p, 1, (int)(deadline - now));
        if (r > 0)
            return (p.revents & ev) ? 1 : -1;
        if (r < 0 && errno != EINTR) /* the one call the port does not retry */
            return -1;
        /* 0: poll may return early; the deadline is checked again at the top */
    }
}

static size_t fail(struct egd_client_error *e, enum egd_client_fail why, int err, size_t got)
{
    e->why = why;
    e->err = err;
    return got;
}

/* Connects and sends the request. Returns the descriptor, or -1 with e set. */
static int send_request(const char *path, size_t want, uint64_t deadline,
                        struct egd_client_error *e)
{
    unsigned char req[2];
    long n;
    int fd;

    errno = 0;
    fd = port_unix_connect(path);
    if (fd < 0) {
        fail(e, EGD_CLIENT_CONNECT, errno, 0);
        return -1;
    }
    req[0] = 0x01;
    req[1] = (unsigned char)want;
    /* EAGAIN on a Unix socket is a full backlog, not a connect in progress: give up. A
     * connect that failed while in progress fails the send with its error, so no SO_ERROR is
     * read. A connected socket with nothing sent yet takes the two bytes at once: a send that
     * does not is a failure. */
    if (errno == EAGAIN || (errno == EINPROGRESS && wait_for(fd, PORT_POLLOUT, deadline) <= 0))
        fail(e, EGD_CLIENT_CONNECT, errno == EINPROGRESS ? ETIMEDOUT : errno, 0);
    else if ((n = port_send(fd, req, sizeof(req))) == (long)sizeof(req))
        return fd;
    else
        fail(e, EGD_CLIENT_SEND, n < 0 ? errno : 0, 0);
    port_close(fd);
    return -1;
}

size_t egd_client_read(const char *path, unsigned char *out, size_t want,
                       struct egd_client_error *e)
{
    uint64_t deadline = port_now_ms() + TLSMGR_EGD_CLIENT_TIMEOUT_MS;
    unsigned char count = 0;
    size_t got = 0, need = 1; /* of the reply: its count byte, then the bytes it promised */
    int fd;

    e->why = EGD_CLIENT_OK;
    e->err = 0;
    fd = send_request(path, want, deadline, e);
    if (fd < 0)
        return 0;
    while (got < need) {
        long n = port_read(fd, got == 0 ? &count : out + got - 1, need - got);

        if (n > 0) {
            if (got == 0 && count > want) {
                fail(e, EGD_CLIENT_TOO_MANY, 0, 0);
                break;
            }
            got += (size_t)n;
            need = 1 + (size_t)count;
        } else if (n == 0) {
            fail(e, EGD_CLIENT_CLOSED, 0, 0);
            break;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            fail(e, EGD_CLIENT_READ, errno, 0);
            break;
        } else if (wait_for(fd, PORT_POLLIN, deadline) <= 0) {
            fail(e, EGD_CLIENT_TIMEOUT, 0, 0);
            break;
        }
    }
    port_close(fd);
    if (got < need)
        return 0; /* a reply cut short, or one that promised too much, gives nothing */
    if (count < want)
        fail(e, EGD_CLIENT_TOO_FEW, 0, 0);
    return count;
}
