/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * egd.c - the EGD service on a Unix stream socket. Every client has fixed input and output
 * buffers (no allocation); a client that does not read its answers is not read from until it
 * has drained them, so it can cost no more than its buffers. One loop timer, armed at the
 * earliest idle deadline, drops clients that go quiet. Answers are fresh generator output.
 */
#include <errno.h>
#include <string.h>

#include "egd.h"
#include "egd_proto.h"
#include "entropy.h"
#include "log.h"
#include "port.h"

#if TLSMGR_EGD_SERVER

#define IDLE_MS ((uint64_t)TLSMGR_EGD_IDLE_TIMEOUT * 1000)
/* Connections the kernel holds while every client slot is taken. */
#define BACKLOG (TLSMGR_EGD_MAX_CLIENTS * 2 + 16)
/* After accept fails for lack of descriptors, the listener rests this long. */
#define ACCEPT_PAUSE_MS 1000

struct egd_client {
    int fd; /* -1: free slot */
    int eof;
    uint64_t last_ms; /* last time the client moved bytes either way */
    size_t in_len;
    size_t out_pos, out_len;
    unsigned char in[TLSMGR_EGD_CLIENT_BUFFER];
    unsigned char out[TLSMGR_EGD_CLIENT_BUFFER];
};

/* Zero-initialised (bss, not 17 KB of flash in .data); egd_setup resets it. */
static struct {
    int set_up; /* egd_setup ran: egd_stop has something to undo */
    struct loop *loop;
    int listen_fd;
    int listening;         /* the listener is polled */
    uint64_t paused_until; /* accept failed: wait before polling the listener again */
    int timer;
    char path[TLSMGR_PATH_MAX];
    unsigned nclients;
    struct egd_client clients[TLSMGR_EGD_MAX_CLIENTS];
    struct egd_stats stats;
} egd;

static int gen_random(void *arg, unsigned char *out, size_t len)
{
    (void)arg;
    return entropy_random(out, len);
}

static void gen_mix(void *arg, const unsigned char *data, size_t len)
{
    (void)arg;
    entropy_mix("egd write", data, len);
}

unsigned egd_clients(void)
{
    return egd.nclients;
}

const struct egd_stats *egd_stats_get(void)
{
    return &egd.stats;
}

/* The client that has been silent the longest, or NULL. */
static struct egd_client *client_quietest(void)
{
    struct egd_client *q = NULL;
    unsigned i;

    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++) {
        struct egd_client *c = &egd.clients[i];
        if (c->fd >= 0 && (q == NULL || c->last_ms < q->last_ms))
            q = c;
    }
    return q;
}

/* A slot is free, or held by a client silent for TLSMGR_EGD_BUSY_IDLE_MS that a waiting
 * client may take it from. */
static int slot_available(uint64_t now)
{
    const struct egd_client *q;

    if (egd.nclients < TLSMGR_EGD_MAX_CLIENTS)
        return 1;
    q = client_quietest();
    return q != NULL && q->last_ms + TLSMGR_EGD_BUSY_IDLE_MS <= now;
}

static void listener_update(void)
{
    int want = egd.listen_fd >= 0 && egd.paused_until == 0 && slot_available(port_now_ms());

    if (egd.listen_fd < 0 || want == egd.listening)
        return;
    /* Not polled while full: the kernel's backlog keeps the next clients waiting. */
    loop_fd_events(egd.loop, egd.listen_fd, want ? PORT_POLLIN : 0);
    egd.listening = want;
}

/* The one timer: the earliest idle deadline, the moment a full server may give a silent
 * client's slot away, or the end of an accept pause. */
static void timer_update(void)
{
    uint64_t due = 0;
    unsigned i;

    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++) {
        const struct egd_client *c = &egd.clients[i];
        if (c->fd >= 0 && (due == 0 || c->last_ms + IDLE_MS < due))
            due = c->last_ms + IDLE_MS;
    }
    if (!egd.listening && egd.paused_until == 0 && egd.nclients == TLSMGR_EGD_MAX_CLIENTS) {
        const struct egd_client *q = client_quietest();
        if (q != NULL && q->last_ms + TLSMGR_EGD_BUSY_IDLE_MS < due)
            due = q->last_ms + TLSMGR_EGD_BUSY_IDLE_MS;
    }
    if (egd.paused_until != 0 && (due == 0 || egd.paused_until < due))
        due = egd.paused_until;
    if (due == 0)
        loop_timer_stop(egd.loop, egd.timer);
    else
        loop_timer_at(egd.loop, egd.timer, due);
}

static void client_close(struct egd_client *c)
{
    loop_fd_del(egd.loop, c->fd);
    port_close(c->fd);
    c->fd = -1;
    egd.nclients--;
    listener_update();
}

/* Answers complete requests while their answers fit; sets *blocked when a request waits for
 * room in the output buffer. An unknown opcode, or a blocking read the generator cannot
 * serve, ends the input there: the client goes once it has the answers made before. */
static void client_serve(struct egd_client *c, int *blocked)
{
    struct egd_env env;
    size_t pos = 0;

    env.random = gen_random;
    env.mix = gen_mix;
    env.arg = NULL;
    env.available = TLSMGR_POOL_SIZE * 8; /* advisory: the pool's size in bits */
    env.pid = port_pid();
    *blocked = 0;
    for (;;) {
        struct egd_request req;
        enum egd_parse_result r = egd_parse(c->in + pos, c->in_len - pos, &req);
        size_t need;
        long n;

        if (r == EGD_INCOMPLETE)
            break;
        if (r == EGD_UNKNOWN) {
            /* Answers already made still go out; nothing after the bad byte is read. */
            c->eof = 1;
            c->in_len = pos;
            egd.stats.bad_requests++;
            log_debug("egd: unknown request 0x%02x, closing", c->in[pos]);
            break;
        }
        need = egd_answer_size(&req, &env);
        if (TLSMGR_EGD_CLIENT_BUFFER - c->out_len < need && c->out_pos > 0) {
            memmove(c->out, c->out + c->out_pos, c->out_len - c->out_pos);
            c->out_len -= c->out_pos;
            c->out_pos = 0;
        }
        if (TLSMGR_EGD_CLIENT_BUFFER - c->out_len < need) {
            *blocked = 1;
            break;
        }
        n = egd_answer(&req, &env, c->out + c->out_len, TLSMGR_EGD_CLIENT_BUFFER - c->out_len);
        if (n < 0) {
            log_warn("egd: generator unavailable, closing a blocking read");
            c->eof = 1;
            c->in_len = pos;
            break;
        }
        c->out_len += (size_t)n;
        pos += req.size;
        egd.stats.requests++;
        entropy_count_egd();
        if (req.cmd == EGD_CMD_WRITE)
            egd.stats.mixed += req.count;
        else if (req.cmd == EGD_CMD_READ || req.cmd == EGD_CMD_READ_BLOCK)
            egd.stats.bytes += req.count;
    }
    if (pos > 0) {
        memmove(c->in, c->in + pos, c->in_len - pos);
        c->in_len -= pos;
    }
}

/* Sends what is buffered. Returns -1 when the peer is gone. */
static int client_flush(struct egd_client *c)
{
    while (c->out_pos < c->out_len) {
        long n = port_send(c->fd, c->out + c->out_pos, c->out_len - c->out_pos);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        c->out_pos += (size_t)n;
        c->last_ms = port_now_ms();
    }
    c->out_pos = c->out_len = 0;
    return 0;
}

/* Serves and sends until nothing more moves, then polls for what the client can do next. */
static void client_progress(struct egd_client *c)
{
    int blocked;
    short events = 0;

    for (;;) {
        client_serve(c, &blocked);
        if (client_flush(c) < 0) {
            client_close(c);
            return;
        }
        if (!blocked || c->out_len != 0)
            break; /* drained room lets a blocked request go on */
    }
    if (c->eof && c->out_len == 0) {
        client_close(c); /* the client finished sending and has every answer */
        return;
    }
    if (!blocked && !c->eof && c->in_len < TLSMGR_EGD_CLIENT_BUFFER)
        events |= PORT_POLLIN;
    if (c->out_len != 0)
        events |= PORT_POLLOUT;
    loop_fd_events(egd.loop, c->fd, events);
}

static void on_client(void *arg, int fd, short revents)
{
    struct egd_client *c = arg;

    (void)fd;
    if (revents & PORT_POLLNVAL) {
        client_close(c);
        timer_update();
        return;
    }
    if (revents & (PORT_POLLIN | PORT_POLLHUP | PORT_POLLERR)) {
        if (!c->eof && c->in_len < TLSMGR_EGD_CLIENT_BUFFER) {
            long n = port_read(c->fd, c->in + c->in_len, TLSMGR_EGD_CLIENT_BUFFER - c->in_len);
            if (n > 0) {
                c->in_len += (size_t)n;
                c->last_ms = port_now_ms();
            } else if (n == 0) {
                c->eof = 1;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                client_close(c);
                timer_update();
                return;
            }
        } else if (!(revents & PORT_POLLOUT)) {
            /* Hang-up while we do not read: nobody will take the answers. */
            client_close(c);
            timer_update();
            return;
        }
    }
    client_progress(c);
    timer_update();
}

static void on_listen(void *arg, int fd, short revents)
{
    (void)arg;
    (void)revents;
    while (slot_available(port_now_ms())) {
        struct egd_client *c = NULL;
        int cfd = port_accept(fd);
        unsigned i;

        if (cfd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)
                break;
            /* Out of descriptors or memory: rest instead of spinning on a readable listener. */
            log_warn_errno("egd: accept");
            egd.paused_until = port_now_ms() + ACCEPT_PAUSE_MS;
            break;
        }
        if (egd.nclients == TLSMGR_EGD_MAX_CLIENTS) {
            egd.stats.evicted++;
            log_debug("egd: all %d slots taken, dropping the client silent the longest",
                      TLSMGR_EGD_MAX_CLIENTS);
            client_close(client_quietest());
        }
        for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS && c == NULL; i++)
            if (egd.clients[i].fd < 0)
                c = &egd.clients[i];
        if (c == NULL || loop_fd_add(egd.loop, cfd, PORT_POLLIN, on_client, c) < 0) {
            log_warn("egd: no room in the event loop for another client");
            port_close(cfd);
            egd.paused_until = port_now_ms() + ACCEPT_PAUSE_MS;
            break;
        }
        c->fd = cfd;
        c->eof = 0;
        c->in_len = c->out_pos = c->out_len = 0;
        c->last_ms = port_now_ms();
        egd.nclients++;
        egd.stats.accepted++;
        if (egd.nclients == TLSMGR_EGD_MAX_CLIENTS)
            egd.stats.full++;
    }
    listener_update();
    timer_update();
}

static void on_timer(void *arg)
{
    uint64_t now = port_now_ms();
    unsigned i;

    (void)arg;
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++) {
        struct egd_client *c = &egd.clients[i];
        if (c->fd >= 0 && c->last_ms + IDLE_MS <= now) {
            egd.stats.idle_timeouts++;
            client_close(c);
        }
    }
    if (egd.paused_until != 0 && egd.paused_until <= now)
        egd.paused_until = 0;
    listener_update();
    timer_update();
}

static int egd_setup(struct daemon *d)
{
    unsigned i;

    memset(&egd, 0, sizeof(egd));
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++)
        egd.clients[i].fd = -1;
    egd.timer = -1;
    egd.listen_fd = -1;
    egd.set_up = 1;
    if (d->conf.egd_socket[0] == '\0')
        return 0;
    egd.listen_fd = port_unix_listen(d->conf.egd_socket, 0660, BACKLOG);
    if (egd.listen_fd < 0) {
        /* The other services matter more than EGD: go on without it. */
        log_err_errno("egd: EGD service disabled, cannot listen on %s", d->conf.egd_socket);
        return 0;
    }
    if (d->was_root && port_chown(d->conf.egd_socket, d->uid, d->gid) < 0) {
        log_err_errno("egd: EGD service disabled, cannot give %s to tlsmgr_group",
                      d->conf.egd_socket);
        port_close(egd.listen_fd);
        port_unlink(d->conf.egd_socket);
        egd.listen_fd = -1;
        return 0;
    }
    memcpy(egd.path, d->conf.egd_socket, sizeof(egd.path));
    return 0;
}

static int egd_start(struct daemon *d)
{
    egd.loop = &d->loop;
    if (egd.listen_fd < 0)
        return 0;
    egd.timer = loop_timer_new(&d->loop, "egd idle", on_timer, NULL);
    if (egd.timer < 0 || loop_fd_add(&d->loop, egd.listen_fd, PORT_POLLIN, on_listen, NULL) < 0) {
        log_err("egd: no room in the event loop; EGD service disabled");
        port_close(egd.listen_fd);
        port_unlink(egd.path);
        egd.listen_fd = -1;
        return 0;
    }
    egd.listening = 1;
    log_info("egd: serving on %s", egd.path);
    return 0;
}

static void egd_reload(struct daemon *d, const struct tlsmgr_conf *old)
{
    (void)old;
    if (strcmp(d->conf.egd_socket, egd.path) != 0)
        log_warn("egd: tls_random_egd_socket changes only at a restart; still serving %s",
                 egd.path[0] ? egd.path : "nothing");
}

LOG_COUNTERS_CHECK(egd_stats, 8);

static void egd_log_stats(struct daemon *d)
{
    uint64_t v[9];

    (void)d;
    v[0] = egd.nclients;
    memcpy(v + 1, &egd.stats, sizeof(egd.stats));
    log_counters("egd",
                 "clients now\0accepted\0requests\0bytes served\0bytes mixed in\0unknown "
                 "requests\0idle timeouts\0times full\0dropped for a waiting client\0",
                 v);
}

static void egd_stop(struct daemon *d)
{
    unsigned i;

    (void)d;
    if (!egd.set_up)
        return;
    egd.set_up = 0;
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++)
        if (egd.clients[i].fd >= 0)
            client_close(&egd.clients[i]);
    if (egd.listen_fd >= 0) {
        if (egd.loop != NULL)
            loop_fd_del(egd.loop, egd.listen_fd);
        port_close(egd.listen_fd);
        port_unlink(egd.path);
        egd.listen_fd = -1;
    }
    if (egd.loop != NULL && egd.timer >= 0)
        loop_timer_stop(egd.loop, egd.timer);
}

const struct service egd_service = {"egd",      egd_setup,     egd_start,
                                    egd_reload, egd_log_stats, egd_stop};

#endif /* TLSMGR_EGD_SERVER */
