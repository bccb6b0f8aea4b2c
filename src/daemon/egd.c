/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * egd.c - the EGD service on a Unix stream socket. Every client has fixed input and output
 * buffers (no allocation); a client that does not read its answers is not read from until it
 * has drained them, so it can cost no more than its buffers.
 *
 * Time bounds what a client does, never how long it stays: a client with no request in
 * progress may stay connected for hours (real EGD clients keep one connection for their whole
 * life), while a request must be complete and answered within TLSMGR_EGD_REQUEST_TIMEOUT_MS of
 * its first byte. When every slot is taken, the listener is polled only while some client is
 * idle, and a waiting client takes the slot of an idle one (client_victim). Each wake-up answers
 * at most TLSMGR_EGD_SERVE_QUANTUM bytes per client, so clients are served in turns. One loop
 * timer, armed at the earliest request deadline, serves every client.
 */
#include <errno.h>
#include <string.h>

#include "egd.h"
#include "egd_proto.h"
#include "entropy.h"
#include "log.h"
#include "port.h"
#include "status.h"

#if TLSMGR_EGD_SERVER

#define REQUEST_MS ((uint64_t)TLSMGR_EGD_REQUEST_TIMEOUT_MS)
/* Connections the kernel holds while every client slot is taken. */
#define BACKLOG (TLSMGR_EGD_MAX_CLIENTS * 2 + 16)
/* After accept fails for lack of descriptors, the listener rests this long. */
#define ACCEPT_PAUSE_MS 1000

struct egd_client {
    int fd;              /* -1: free slot */
    int eof;             /* the client sent its last byte */
    int spoke;           /* a byte came from the client since it connected */
    int busy;            /* a request is in progress (or the first one is awaited) */
    uint64_t busy_since; /* its first byte (the connection itself for the first request) */
    uint64_t idle_since; /* when the client last became idle (client_victim's order) */
    uint64_t read_ms;    /* the last read that brought bytes */
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

/* The client that gives up its slot to a waiting one, or NULL while none should. First a
 * client that connected and never sent a byte within its first-request time (the one silent
 * the longest); else, unless a new client is still within that time (it will soon be one or
 * the other), the idle client served last: a client that keeps one connection for hours
 * between requests (Postfix's tlsmgr) is the last to go, and clients that keep asking take
 * turns. */
static struct egd_client *client_victim(void)
{
    struct egd_client *silent = NULL, *recent = NULL;
    int fresh = 0;
    unsigned i;

    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++) {
        struct egd_client *c = &egd.clients[i];
        if (c->fd < 0)
            continue;
        if (c->busy)
            fresh |= !c->spoke;
        else if (!c->spoke && (silent == NULL || c->idle_since < silent->idle_since))
            silent = c;
        else if (c->spoke && (recent == NULL || c->idle_since >= recent->idle_since))
            recent = c;
    }
    if (silent != NULL)
        return silent;
    return fresh ? NULL : recent;
}

/* A slot is free, or held by a client that a waiting client may take it from. */
static int slot_available(void)
{
    return egd.nclients < TLSMGR_EGD_MAX_CLIENTS || client_victim() != NULL;
}

static void listener_update(void)
{
    int want = egd.listen_fd >= 0 && egd.paused_until == 0 && slot_available();

    if (egd.listen_fd < 0 || want == egd.listening)
        return;
    /* Not polled while every slot is busy: the kernel's backlog keeps the next clients
     * waiting, and a readable listener with nothing to do would spin the loop. */
    loop_fd_events(egd.loop, egd.listen_fd, want ? PORT_POLLIN : 0);
    egd.listening = want;
}

/* The one timer: the earliest request deadline, or the end of an accept pause. Idle clients
 * have none: they cost no wake-up. */
static void timer_update(void)
{
    uint64_t due = 0;
    unsigned i;

    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++) {
        const struct egd_client *c = &egd.clients[i];
        if (c->fd >= 0 && c->busy && (due == 0 || c->busy_since + REQUEST_MS < due))
            due = c->busy_since + REQUEST_MS;
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
    status_touch();
    listener_update();
}

/* What a request costs a client's turn: its answer, or the input it mixes in. */
static size_t request_cost(const struct egd_request *req, size_t answer)
{
    return answer > req->size ? answer : req->size;
}

/* Answers complete requests while their answers fit and the client's turn lasts; sets *more
 * when a complete request is left for later (no room in the output buffer, or the turn is
 * over). Returns the number answered. An unknown opcode, or a blocking read the generator
 * cannot serve, ends the input there: the client goes once it has the answers made before. */
static unsigned client_serve(struct egd_client *c, int *more)
{
    struct egd_env env;
    size_t pos = 0, spent = 0;
    unsigned answered = 0;

    env.random = gen_random;
    env.mix = gen_mix;
    env.arg = NULL;
    env.available = TLSMGR_POOL_SIZE * 8; /* advisory: the pool's size in bits */
    env.pid = port_pid();
    *more = 0;
    for (;;) {
        struct egd_request req;
        enum egd_parse_result r = egd_parse(c->in + pos, c->in_len - pos, &req);
        size_t need, cost;
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
        cost = request_cost(&req, need);
        if (spent > 0 && spent + cost > TLSMGR_EGD_SERVE_QUANTUM) {
            *more = 1; /* the next turn */
            break;
        }
        if (TLSMGR_EGD_CLIENT_BUFFER - c->out_len < need && c->out_pos > 0) {
            memmove(c->out, c->out + c->out_pos, c->out_len - c->out_pos);
            c->out_len -= c->out_pos;
            c->out_pos = 0;
        }
        if (TLSMGR_EGD_CLIENT_BUFFER - c->out_len < need) {
            *more = 1; /* when the client has read */
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
        spent += cost;
        answered++;
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
    return answered;
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
    }
    c->out_pos = c->out_len = 0;
    return 0;
}

/* A request is done when its answer is with the kernel. With nothing left, the client is
 * idle; with more input left, the next request's clock runs from the read that brought it
 * (no later than the last one). */
static void client_account(struct egd_client *c, unsigned answered, uint64_t now)
{
    if (c->out_len == 0 && c->in_len == 0 && c->spoke) {
        if (c->busy) {
            c->busy = 0;
            c->idle_since = now;
        }
    } else if (!c->busy) {
        c->busy = 1;
        c->busy_since = now;
    } else if (c->out_len == 0 && answered > 0 && c->read_ms > c->busy_since) {
        c->busy_since = c->read_ms;
    }
}

/* One turn: sends what waits, answers up to the quantum, sends, then polls for what the
 * client can do next. */
static void client_progress(struct egd_client *c)
{
    unsigned answered;
    short events = 0;
    int more;

    if (client_flush(c) < 0) {
        client_close(c);
        return;
    }
    answered = client_serve(c, &more);
    if (client_flush(c) < 0) {
        client_close(c);
        return;
    }
    if (c->eof && c->out_len == 0 && !more) {
        client_close(c); /* the client finished sending and has every answer */
        return;
    }
    client_account(c, answered, port_now_ms());
    if (!c->eof && c->in_len < TLSMGR_EGD_CLIENT_BUFFER)
        events |= PORT_POLLIN;
    /* Writable at once when only the turn ended: the next wake-up goes on, after the others. */
    if (c->out_len != 0 || more)
        events |= PORT_POLLOUT;
    loop_fd_events(egd.loop, c->fd, events);
    listener_update();
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
                c->read_ms = port_now_ms();
                c->spoke = 1;
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
    while (slot_available()) {
        struct egd_client *c = NULL;
        int cfd = port_accept(fd);
        uint64_t now = port_now_ms();
        unsigned i;

        if (cfd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)
                break;
            /* Out of descriptors or memory: rest instead of spinning on a readable listener. */
            log_warn_errno("egd: accept");
            egd.paused_until = now + ACCEPT_PAUSE_MS;
            break;
        }
        if (egd.nclients == TLSMGR_EGD_MAX_CLIENTS) {
            egd.stats.evicted++;
            log_debug("egd: all %d slots taken, an idle client yields its slot",
                      TLSMGR_EGD_MAX_CLIENTS);
            client_close(client_victim());
        }
        for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS && c == NULL; i++)
            if (egd.clients[i].fd < 0)
                c = &egd.clients[i];
        if (c == NULL || loop_fd_add(egd.loop, cfd, PORT_POLLIN, on_client, c) < 0) {
            log_warn("egd: no room in the event loop for another client");
            port_close(cfd);
            egd.paused_until = now + ACCEPT_PAUSE_MS;
            break;
        }
        c->fd = cfd;
        c->eof = 0;
        c->spoke = 0;
        c->in_len = c->out_pos = c->out_len = 0;
        /* The first request is awaited: the new client cannot be made to yield before it had
         * the time of one request to send it. */
        c->busy = 1;
        c->busy_since = c->idle_since = c->read_ms = now;
        egd.nclients++;
        egd.stats.accepted++;
        status_touch();
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
        if (c->fd < 0 || !c->busy || c->busy_since + REQUEST_MS > now)
            continue;
        if (!c->spoke) {
            c->busy = 0; /* connected and silent: idle since it came, not a slow request */
            c->idle_since = c->busy_since;
            continue;
        }
        egd.stats.request_timeouts++;
        log_debug("egd: a request took more than %d ms, closing that client",
                  TLSMGR_EGD_REQUEST_TIMEOUT_MS);
        client_close(c);
    }
    if (egd.paused_until != 0 && egd.paused_until <= now)
        egd.paused_until = 0;
    listener_update();
    timer_update();
}

static int egd_setup(struct daemon *d)
{
    int timer = egd.timer; /* made once: a retry starts the service again with it */
    unsigned i;

    memset(&egd, 0, sizeof(egd));
    egd.timer = timer;
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++)
        egd.clients[i].fd = -1;
    egd.listen_fd = -1;
    egd.set_up = 1;
    if (d->conf.egd_socket[0] == '\0')
        return 0;
    /* Created with its final mode and, as root, the TLS servers' group: nothing is changed by
     * name afterwards, where the name could have been swapped for a link. */
    egd.listen_fd =
        port_unix_listen(d->conf.egd_socket, 0660, port_is_root() ? d->gid : PORT_ID_KEEP, BACKLOG);
    if (egd.listen_fd < 0) {
        log_err_errno("egd: cannot listen on %s", d->conf.egd_socket);
        return -1;
    }
    memcpy(egd.path, d->conf.egd_socket, sizeof(egd.path));
    return 0;
}

static int egd_start(struct daemon *d)
{
    egd.loop = &d->loop;
    if (egd.listen_fd < 0)
        return 0;
    /* One timer for the daemon's life, also when a retry starts the service again. */
    if (egd.timer < 0 || (unsigned)egd.timer >= d->loop.ntimers ||
        d->loop.timers[egd.timer].fn != on_timer)
        egd.timer = loop_timer_new(&d->loop, "egd requests", on_timer, NULL);
    if (egd.timer < 0 || loop_fd_add(&d->loop, egd.listen_fd, PORT_POLLIN, on_listen, NULL) < 0) {
        log_err("egd: no room in the event loop");
        port_close(egd.listen_fd);
        port_unlink(egd.path);
        egd.listen_fd = -1;
        return -1;
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
                 "requests\0requests timed out\0times full\0idle clients dropped for a waiting "
                 "one\0",
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
