/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * egd.c - the EGD service on a Unix stream socket. A client holds a slot (fixed input and
 * output buffers, no allocation) only once it has sent something; a connection that has sent
 * nothing yet waits in the silent list (a descriptor and a time, no buffer). A client that does
 * not read its answers is not read from until it has drained them, so it can cost no more than
 * its buffers.
 *
 * Time bounds what a client does, never how long it stays: a client with no request in
 * progress may stay connected for hours (real EGD clients keep one connection for their whole
 * life), while a request must be complete and answered within TLSMGR_EGD_REQUEST_TIMEOUT_MS of
 * its first byte. Each wake-up accepts up to TLSMGR_EGD_ACCEPT_BATCH connections and reads each
 * at once into the spare slot, where its complete requests are answered before any question of
 * slots: a client that connects, asks and reads (the usual EGD client) waits for nobody,
 * whatever holds the slots. A client that needs a slot afterwards (it stays connected, or its
 * request is incomplete) takes a free one, the slot of a client that yields (client_victim), or
 * is closed once answered. A connection with nothing to read joins the silent list, whose
 * oldest member goes when it is full, once it has had TLSMGR_EGD_CONTENDED_MS to speak (the
 * listener rests until then: silent_rest_until). Each wake-up answers at most
 * TLSMGR_EGD_SERVE_QUANTUM bytes per client, so clients are served in turns. One loop timer,
 * armed at the earliest request deadline or the end of a rest, serves every client.
 */
#include <errno.h>
#include <string.h>

#include "egd.h"
#include "egd_proto.h"
#include "entropy.h"
#include "log.h"
#include "noinline.h"
#include "port.h"
#include "status.h"

#if TLSMGR_EGD_SERVER

#define REQUEST_MS   ((uint64_t)TLSMGR_EGD_REQUEST_TIMEOUT_MS)
#define CONTENDED_MS ((uint64_t)TLSMGR_EGD_CONTENDED_MS)
/* The slots, and the spare one where a new client is read and answered before it has one. */
#define SLOTS (TLSMGR_EGD_MAX_CLIENTS + 1)
/* Connections the kernel holds between two wake-ups, and while the listener rests. */
#define BACKLOG (TLSMGR_EGD_MAX_CLIENTS * 2 + 16)
/* After accept fails for lack of descriptors, the listener rests this long. */
#define ACCEPT_PAUSE_MS 1000
/* A bound that the configuration gives as a plain number, in a log text: written into the
 * text, not passed to the call. */
#define TEXT(n)    #n
#define TEXT_OF(n) TEXT(n)

struct egd_client {
    int fd;              /* -1: free slot */
    int eof;             /* the client sent its last byte */
    int busy;            /* a request is in progress */
    uint64_t busy_since; /* its first byte */
    uint64_t idle_since; /* when the client last became idle (client_victim's order) */
    uint64_t read_ms;    /* the last read that brought bytes */
    size_t in_len;
    size_t out_pos, out_len;
    unsigned char in[TLSMGR_EGD_CLIENT_BUFFER];
    unsigned char out[TLSMGR_EGD_CLIENT_BUFFER];
};

/* A connection that has sent nothing yet. */
struct egd_silent {
    int fd;         /* -1: free entry */
    uint64_t since; /* accepted */
};

/* Zero-initialised (bss, not 17 KB of flash in .data); egd_setup resets it. */
static struct {
    int set_up;    /* egd_setup ran: egd_stop has something to undo */
    int listen_fd; /* listen_fd and timer side by side: egd_setup sets both in one store */
    int timer;
    int listening; /* the listener is polled */
    struct loop *loop;
    uint64_t paused_until; /* accept failed: wait before polling the listener again */
    char path[TLSMGR_PATH_MAX];
    unsigned nclients; /* slots held (the spare one never counts) */
    unsigned nsilent;
    struct egd_client clients[SLOTS];
    struct egd_silent silent[TLSMGR_EGD_MAX_SILENT];
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
    entropy_mix("egd", data, len);
}

unsigned egd_clients(void)
{
    return egd.nclients + egd.nsilent;
}

const struct egd_stats *egd_stats_get(void)
{
    return &egd.stats;
}

/* Waiting for the rest of a request: nothing to send, and what came is not a whole request. */
static int client_stalled(const struct egd_client *c)
{
    struct egd_request req;

    return c->busy && c->out_len == 0 && egd_parse(c->in, c->in_len, &req) == EGD_INCOMPLETE;
}

/* The client that gives up its slot to a new one that needs it (self: in the spare slot), or
 * NULL while none should. First the client whose incomplete request is the oldest, once it has
 * had TLSMGR_EGD_CONTENDED_MS (a legitimate client writes a request at once; only when slots
 * are short is its time cut so). Else, unless an incomplete request is still within that time
 * (it will soon be complete or yield) or the new client's own request is incomplete (it has
 * shown nothing yet), the idle client served last: a client that keeps one connection for hours
 * between requests (Postfix's tlsmgr) is the last to go, and clients that keep asking take
 * turns. A client whose answer is on its way keeps its slot. */
static struct egd_client *client_victim(const struct egd_client *self, uint64_t now)
{
    struct egd_client *stalled = NULL, *recent = NULL;
    int keep_idle = client_stalled(self);
    unsigned i;

    for (i = 0; i < SLOTS; i++) {
        struct egd_client *c = &egd.clients[i];
        if (c->fd < 0 || c == self)
            continue;
        if (!c->busy) {
            if (recent == NULL || c->idle_since >= recent->idle_since)
                recent = c;
        } else if (client_stalled(c)) {
            if (c->busy_since + CONTENDED_MS > now)
                keep_idle = 1;
            else if (stalled == NULL || c->busy_since < stalled->busy_since)
                stalled = c;
        }
    }
    if (stalled != NULL)
        return stalled;
    return keep_idle ? NULL : recent;
}

/* The silent entry a new silent connection takes: a free one, else the oldest. */
static struct egd_silent *silent_entry(void)
{
    struct egd_silent *s = &egd.silent[0];
    unsigned i;

    for (i = 1; i < TLSMGR_EGD_MAX_SILENT && s->fd >= 0; i++)
        if (egd.silent[i].fd < 0 || egd.silent[i].since < s->since)
            s = &egd.silent[i];
    return s;
}

/* While every silent entry holds a connection younger than TLSMGR_EGD_CONTENDED_MS, nothing is
 * accepted: another silent connection would close one that has not had that long to speak
 * (a client may lose the CPU between its connect and its write), and the kernel's backlog
 * holds the next connections for nothing meanwhile, their requests with them. Returns when
 * that rest ends, or 0 when there is none. */
TLSMGR_NOINLINE static uint64_t silent_rest_until(uint64_t now)
{
    const struct egd_silent *s = silent_entry();

    return s->fd >= 0 && s->since + CONTENDED_MS > now ? s->since + CONTENDED_MS : 0;
}

static void client_close(struct egd_client *c);

/* After every event: closes the clients whose request is over its bound and ends an accept
 * pause that is over, then sets whether the listener is polled, and the one timer at the
 * earliest request deadline, the end of a rest or of an accept pause. Idle and silent clients
 * have no deadline: they cost no wake-up. */
static void schedule(void)
{
    uint64_t now = port_now_ms(), rest, due;
    int want;
    unsigned i;

    if (egd.paused_until <= now)
        egd.paused_until = 0;
    due = egd.paused_until != 0 ? egd.paused_until : UINT64_MAX;
    for (i = 0; i < SLOTS; i++) {
        struct egd_client *c = &egd.clients[i];
        if (c->fd < 0 || !c->busy)
            continue;
        if (c->busy_since + REQUEST_MS <= now) {
            egd.stats.request_timeouts++;
            log_debug("egd: request over " TEXT_OF(TLSMGR_EGD_REQUEST_TIMEOUT_MS) " ms, closed");
            client_close(c);
        } else if (c->busy_since + REQUEST_MS < due) {
            due = c->busy_since + REQUEST_MS;
        }
    }
    rest = silent_rest_until(now);
    want = egd.paused_until == 0 && rest == 0;
    if (want != egd.listening) { /* the listener is open: schedule runs only while served */
        loop_fd_events(egd.loop, egd.listen_fd, want ? PORT_POLLIN : 0);
        egd.listening = want;
    }
    if (rest != 0 && rest < due)
        due = rest;
    if (due == UINT64_MAX)
        loop_timer_stop(egd.loop, egd.timer);
    else
        loop_timer_at(egd.loop, egd.timer, due);
}

/* Closes the descriptor of a slot or a silent entry, which frees it. Alone: the spare slot's
 * client, which the loop does not watch. */
static void fd_drop(int *fd)
{
    port_close(*fd);
    *fd = -1;
    status_touch();
}

static void client_close(struct egd_client *c)
{
    loop_fd_del(egd.loop, c->fd);
    egd.nclients--;
    fd_drop(&c->fd);
}

static void silent_close(struct egd_silent *s)
{
    loop_fd_del(egd.loop, s->fd);
    egd.nsilent--;
    fd_drop(&s->fd);
}

/* Closes the listener and removes its socket. */
static void listener_close(void)
{
    port_close(egd.listen_fd);
    port_unlink(egd.path);
    egd.listen_fd = -1;
}

/* Rest the listener: the loop or the process has no room for another descriptor. */
static void accept_pause(uint64_t now)
{
    egd.paused_until = now + ACCEPT_PAUSE_MS;
}

static void on_silent(void *arg, int fd, short revents);
static void on_client(void *arg, int fd, short revents);
static void client_admit(int fd, struct egd_silent *from);

/* Files a connection that has sent nothing yet; when the list is full, the connection silent
 * the longest goes (on_listen accepts nothing while it is younger than the contended bound). */
static void silent_add(int fd, uint64_t now)
{
    struct egd_silent *s = silent_entry();

    if (s->fd >= 0)
        client_admit(s->fd, s); /* its request may have come since the last poll */
    if (s->fd >= 0) {
        egd.stats.evicted++;
        log_debug("egd: %d silent, oldest closed", TLSMGR_EGD_MAX_SILENT);
        silent_close(s);
    }
    if (loop_fd_add(egd.loop, fd, PORT_POLLIN, on_silent, s) < 0) {
        log_warn("egd: event loop full");
        port_close(fd);
        accept_pause(now);
        return;
    }
    s->fd = fd;
    s->since = now;
    egd.nsilent++;
    status_touch();
}

/* What a request costs a client's turn: its answer, or the input it mixes in. */
static size_t request_cost(const struct egd_request *req, size_t answer)
{
    return answer > req->size ? answer : req->size;
}

/* Moves buf[from, len) to the start of buf; returns the length left. A plain loop: the
 * buffers are small, and memmove would be an import for these two calls alone. */
TLSMGR_NOINLINE static size_t shift_down(unsigned char *buf, size_t from, size_t len)
{
    size_t i;

    for (i = from; i < len; i++)
        buf[i - from] = buf[i];
    return len - from;
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
    if (c->out_pos > 0) { /* what is left of a partial send: room for the answers after it */
        c->out_len = shift_down(c->out, c->out_pos, c->out_len);
        c->out_pos = 0;
    }
    for (;;) {
        struct egd_request req;
        enum egd_parse_result r = egd_parse(c->in + pos, c->in_len - pos, &req);
        size_t cap = TLSMGR_EGD_CLIENT_BUFFER - c->out_len;
        size_t left = spent < TLSMGR_EGD_SERVE_QUANTUM ? TLSMGR_EGD_SERVE_QUANTUM - spent : 0;
        long n = EGD_NO_ROOM;

        if (r == EGD_INCOMPLETE)
            break;
        if (r == EGD_UNKNOWN) {
            egd.stats.bad_requests++;
            log_debug("egd: bad request 0x%02x, closing", c->in[pos]);
            goto last;
        }
        /* After the first request of the turn, its input and its answer must fit in what is
         * left of the quantum; the answer also in the output buffer. */
        if (spent > 0 && left < cap)
            cap = left;
        if (spent == 0 || req.size <= left)
            n = egd_answer(&req, &env, c->out + c->out_len, cap);
        if (n == EGD_NO_ROOM) {
            *more = 1; /* when the client has read, or the next turn */
            break;
        }
        if (n < 0) {
            log_warn("egd: 02: no generator, closed");
            goto last;
        }
        c->out_len += (size_t)n;
        pos += req.size;
        spent += request_cost(&req, (size_t)n);
        answered++;
        egd.stats.requests++;
        entropy_count_egd();
        if (req.cmd == EGD_CMD_WRITE)
            egd.stats.mixed += req.count;
        else /* a read's N; 00 and 04 have a count of 0 */
            egd.stats.bytes += req.count;
    }
    c->in_len = shift_down(c->in, pos, c->in_len);
    return answered;
last:
    /* Answers already made still go out; nothing from the request that ends the input on is
     * read. */
    c->eof = 1;
    c->in_len = 0;
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
    if (c->out_len == 0 && c->in_len == 0) {
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

/* One turn: sends what waits, answers up to the quantum (*more: a complete request is left
 * for the next turn), sends. Returns -1 when the client is gone, or has sent its last byte
 * and has every answer. */
static int client_turn(struct egd_client *c, uint64_t now, int *more)
{
    unsigned answered;

    if (client_flush(c) < 0) /* *more is read only after a turn that returns 0 */
        return -1;
    answered = client_serve(c, more);
    if (client_flush(c) < 0 || (c->eof && c->out_len == 0 && !*more))
        return -1;
    client_account(c, answered, now);
    return 0;
}

/* Polls for what the client can do next. */
static void client_watch(const struct egd_client *c, int more)
{
    short events = 0;

    if (!c->eof && c->in_len < TLSMGR_EGD_CLIENT_BUFFER)
        events |= PORT_POLLIN;
    /* Writable at once when only the turn ended: the next wake-up goes on, after the others. */
    if (c->out_len != 0 || more)
        events |= PORT_POLLOUT;
    loop_fd_events(egd.loop, c->fd, events);
}

/* A connection with input, new or silent until now (from: its silent entry): read into the
 * spare slot, where its complete requests are answered at once; then it keeps that slot if one
 * is free, takes the slot of a client that yields, or is closed with its answers. A new
 * connection with nothing to read yet joins the silent list. */
static void client_admit(int fd, struct egd_silent *from)
{
    struct egd_client *c = NULL;
    uint64_t now = port_now_ms();
    unsigned i;
    long n;
    int more;

    for (i = 0; i < SLOTS && c == NULL; i++)
        if (egd.clients[i].fd < 0)
            c = &egd.clients[i]; /* one is free: at most TLSMGR_EGD_MAX_CLIENTS are held */
    n = port_read(fd, c->in, TLSMGR_EGD_CLIENT_BUFFER);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (from == NULL)
            silent_add(fd, now);
        return;
    }
    if (from != NULL) {
        loop_fd_del(egd.loop, fd);
        from->fd = -1;
        egd.nsilent--;
    }
    c->fd = fd;
    if (n <= 0) {
        fd_drop(&c->fd); /* gone without a word */
        return;
    }
    c->eof = 0;
    c->in_len = (size_t)n;
    c->out_pos = c->out_len = 0;
    c->busy = 1;
    c->busy_since = c->read_ms = now;
    if (client_turn(c, now, &more) < 0) {
        fd_drop(&c->fd);
        return;
    }
    if (egd.nclients == TLSMGR_EGD_MAX_CLIENTS) {
        struct egd_client *v = client_victim(c, now);
        if (v == NULL) {
            egd.stats.turned_away++;
            log_debug("egd: " TEXT_OF(TLSMGR_EGD_MAX_CLIENTS) " slots busy, new client closed");
            fd_drop(&c->fd);
            return;
        }
        egd.stats.evicted++;
        log_debug("egd: " TEXT_OF(TLSMGR_EGD_MAX_CLIENTS) " slots taken, one yields");
        client_close(v);
    }
    if (loop_fd_add(egd.loop, fd, 0, on_client, c) < 0) {
        log_warn("egd: event loop full");
        fd_drop(&c->fd);
        accept_pause(now);
        return;
    }
    if (++egd.nclients == TLSMGR_EGD_MAX_CLIENTS)
        egd.stats.full++;
    status_touch();
    client_watch(c, more);
}

static void on_client(void *arg, int fd, short revents)
{
    struct egd_client *c = arg;
    int more;

    /* No POLLNVAL: the loop never reports a descriptor deleted from it, and every close here
     * deletes first; were one reported, the send would fail and the client go. */
    (void)fd;
    if (revents & (PORT_POLLIN | PORT_POLLHUP | PORT_POLLERR)) {
        if (!c->eof && c->in_len < TLSMGR_EGD_CLIENT_BUFFER) {
            long n = port_read(c->fd, c->in + c->in_len, TLSMGR_EGD_CLIENT_BUFFER - c->in_len);
            if (n > 0) {
                c->in_len += (size_t)n;
                c->read_ms = port_now_ms();
            } else if (n == 0) {
                c->eof = 1;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                goto gone;
            }
        } else if (!(revents & PORT_POLLOUT)) {
            goto gone; /* hang-up while we do not read: nobody will take the answers */
        }
    }
    if (client_turn(c, port_now_ms(), &more) == 0) {
        client_watch(c, more);
        schedule();
        return;
    }
gone:
    client_close(c);
    schedule();
}

static void on_silent(void *arg, int fd, short revents)
{
    /* A read that fails for any reason but EAGAIN closes the connection (client_admit). */
    (void)revents;
    client_admit(fd, arg);
    schedule();
}

/* Takes what the backlog holds, a batch per wake-up so that the clients already connected get
 * their turn in between. */
static void on_listen(void *arg, int fd, short revents)
{
    unsigned k;

    (void)arg;
    (void)revents;
    for (k = 0; k < TLSMGR_EGD_ACCEPT_BATCH && egd.paused_until == 0; k++) {
        int cfd;

        if (silent_rest_until(port_now_ms()) != 0)
            break;
        cfd = port_accept(fd);
        if (cfd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)
                break;
            /* Out of descriptors or memory: rest instead of spinning on a readable listener. */
            log_warn_errno("egd: accept");
            accept_pause(port_now_ms());
            break;
        }
        egd.stats.accepted++;
        status_touch();
        client_admit(cfd, NULL);
    }
    schedule();
}

/* schedule does the timer's work. */
static void on_timer(void *arg)
{
    (void)arg;
    schedule();
}

static int egd_setup(struct daemon *d)
{
    unsigned i;

    memset(&egd, 0, sizeof(egd));
    for (i = 0; i < SLOTS || i < TLSMGR_EGD_MAX_SILENT; i++) {
        if (i < SLOTS)
            egd.clients[i].fd = -1;
        if (i < TLSMGR_EGD_MAX_SILENT)
            egd.silent[i].fd = -1;
    }
    egd.set_up = 1;
    egd.listen_fd = -1;
    egd.timer = -1; /* egd_start makes it; none to stop while no socket is served */
    if (d->conf.egd_socket[0] == '\0')
        return 0;
    /* Created with its final mode and, as root, the TLS servers' group: nothing is changed by
     * name afterwards, where the name could have been swapped for a link. */
    egd.listen_fd =
        port_unix_listen(d->conf.egd_socket, 0660, port_is_root() ? d->gid : PORT_ID_KEEP, BACKLOG);
    if (egd.listen_fd < 0) {
        log_err_errno("egd: listen %s", d->conf.egd_socket);
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
    /* A retry gets the same slot back (loop_timer_new reuses it for the same fn and arg). */
    egd.timer = loop_timer_new(&d->loop, "egd", on_timer, NULL);
    if (egd.timer < 0 || loop_fd_add(&d->loop, egd.listen_fd, PORT_POLLIN, on_listen, NULL) < 0) {
        log_warn("egd: event loop full");
        listener_close();
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
        log_warn("egd: tls_random_egd_socket: restart needed, serving '%s'", egd.path);
}

LOG_COUNTERS_CHECK(egd_stats, 10);

static void egd_log_stats(struct daemon *d)
{
    (void)d;
    egd.stats.clients = egd_clients();
    log_counters("egd",
                 "clients now\0accepted\0requests\0bytes out\0bytes in\0bad requests\0"
                 "timeouts\0times full\0yielded\0turned away\0",
                 &egd.stats.clients);
}

static void egd_stop(struct daemon *d)
{
    unsigned i;

    (void)d;
    if (!egd.set_up)
        return;
    egd.set_up = 0;
    for (i = 0; i < SLOTS || i < TLSMGR_EGD_MAX_SILENT; i++) {
        if (i < SLOTS && egd.clients[i].fd >= 0)
            client_close(&egd.clients[i]);
        if (i < TLSMGR_EGD_MAX_SILENT && egd.silent[i].fd >= 0)
            silent_close(&egd.silent[i]);
    }
    if (egd.listen_fd >= 0) {
        if (egd.loop != NULL)
            loop_fd_del(egd.loop, egd.listen_fd);
        listener_close();
    }
    loop_timer_stop(egd.loop, egd.timer); /* none made (-1): a no-op that reads no loop */
}

const struct service egd_service = {"egd",      egd_setup,     egd_start,
                                    egd_reload, egd_log_stats, egd_stop};

#endif /* TLSMGR_EGD_SERVER */
