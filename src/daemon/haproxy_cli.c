/* SPDX-License-Identifier: BSD-2-Clause */
/* haproxy_cli.c - a non-blocking conversation with a HAProxy runtime socket. */
#include <errno.h>
#include <string.h>

#include "haproxy_cli.h"
#include "port.h"
#include "wipe.h"

/* TLSMGR_TICKET_EXPORT 0 leaves the HAProxy socket client out of the build. */
#if TLSMGR_TICKET_EXPORT

void haproxy_cli_init(struct haproxy_cli *c, struct loop *loop)
{
    memset(c, 0, sizeof(*c));
    c->loop = loop;
    c->timer = -1;
    c->fd = -1;
}

int haproxy_cli_busy(const struct haproxy_cli *c)
{
    return c->fd >= 0;
}

/* Closes the connection and disarms the timer; the buffer is left to the caller. */
static void hangup(struct haproxy_cli *c)
{
    if (c->fd >= 0) {
        loop_fd_del(c->loop, c->fd);
        port_close(c->fd);
        c->fd = -1;
    }
    loop_timer_stop(c->loop, c->timer); /* no-op while it is -1 */
}

void haproxy_cli_stop(struct haproxy_cli *c)
{
    hangup(c);
    wipe(c->buf, sizeof(c->buf));
}

static void finish(struct haproxy_cli *c, int err)
{
    haproxy_cli_done_fn done = c->done;

    hangup(c);
    c->buf[c->len] = '\0';
    done(c->arg, err, c->buf, c->len);
    /* done may have started the next conversation, which owns the buffer now. */
    if (c->fd < 0)
        wipe(c->buf, sizeof(c->buf));
}

static void on_timeout(void *arg)
{
    finish(arg, ETIMEDOUT);
}

static void on_io(void *arg, int fd, short revents)
{
    struct haproxy_cli *c = arg;
    long n;

    (void)revents;
    if (c->sent != (size_t)-1) { /* sending; a connection that failed fails the send */
        n = port_send(fd, c->buf + c->sent, c->len - c->sent);
        if (n > 0 && (c->sent += (size_t)n) == c->len) {
            c->len = 0; /* the answer replaces the request */
            c->sent = (size_t)-1;
            loop_fd_events(c->loop, fd, PORT_POLLIN);
            return;
        }
    } else {
        n = port_read(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
        if (n == 0 || (n > 0 && (c->len += (size_t)n) == sizeof(c->buf) - 1)) {
            finish(c, n == 0 ? 0 : EMSGSIZE);
            return;
        }
    }
    if (n < 0 && errno != EAGAIN) /* the port retried EINTR */
        finish(c, errno);
}

int haproxy_cli_start(struct haproxy_cli *c, const char *path, size_t len, haproxy_cli_done_fn done,
                      void *arg)
{
    if (c->timer < 0 && (c->timer = loop_timer_new(c->loop, "haproxy socket", on_timeout, c)) < 0) {
        errno = ENOSPC;
        return -1;
    }
    if ((c->fd = port_unix_connect(path)) < 0)
        return -1;
    if (loop_fd_add(c->loop, c->fd, PORT_POLLOUT, on_io, c) < 0) {
        port_close(c->fd);
        c->fd = -1;
        errno = ENOSPC;
        return -1;
    }
    c->len = len;
    c->sent = 0;
    c->done = done;
    c->arg = arg;
    loop_timer_in(c->loop, c->timer, TLSMGR_HAPROXY_TIMEOUT_MS);
    return 0;
}

#endif /* TLSMGR_TICKET_EXPORT */
