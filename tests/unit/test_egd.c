/* SPDX-License-Identifier: BSD-2-Clause */
/* test_egd.c - the EGD service on the test port: a real Unix socket in the case's temporary
 * directory, the loop driven one wake-up at a time on the virtual clock. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "egd.h"
#include "entropy.h"
#include "port.h"
#include "t.h"

static struct daemon d;

static void server_start(void)
{
    signal(SIGPIPE, SIG_IGN); /* a test writing to a client the server closed must see EPIPE */
    memset(&d, 0, sizeof(d));
    conf_defaults(&d.conf);
    strcpy(d.conf.egd_socket, "egd.sock");
    loop_init(&d.loop);
    entropy_reset();
    T_EQ_INT(egd_service.setup(&d), 0);
    T_EQ_INT(egd_service.start(&d), 0);
}

static void server_stop(void)
{
    egd_service.stop(&d);
}

/* One wake-up of the loop; an idle poll moves the virtual clock by 1 ms at most. */
static void pump(unsigned rounds)
{
    while (rounds-- > 0)
        loop_run_once(&d.loop, port_test_now + 1);
}

static int client_connect(void)
{
    struct sockaddr_un sun;
    int fd = t_unix_socket(&sun, "egd.sock");

    if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        t_fail(__FILE__, __LINE__, "connect: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void send_all(int fd, const void *buf, size_t len)
{
    if (write(fd, buf, len) != (ssize_t)len)
        t_fail(__FILE__, __LINE__, "short write of %zu bytes", len);
}

/* Reads up to n bytes, pumping the loop while none are there. Returns the count; sets *eof
 * when the server closed. */
static size_t recv_n(int fd, void *buf, size_t n, int *eof)
{
    size_t got = 0;
    unsigned idle = 0;

    if (eof != NULL)
        *eof = 0;
    while (got < n && idle < 200) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r > 0) {
            got += (size_t)r;
            idle = 0;
        } else if (r == 0) {
            if (eof != NULL)
                *eof = 1;
            break;
        } else {
            pump(1);
            idle++;
        }
    }
    return got;
}

static void every_command_pipelined(void)
{
    static const unsigned char req[] = {0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0xff, 0x02, 0x00, 0x02,
                                        0x01, 0x02, 0xff, 0x03, 0x00, 0x08, 0x02, 'h',  'i',  0x04};
    unsigned char ans[4 + 1 + 2 + 256 + 0 + 1 + 255 + 32];
    size_t want = 4 + 1 + 2 + 256 + 1 + 255, got;
    char pid[24];
    int fd, n;

    server_start();
    fd = client_connect();
    send_all(fd, req, sizeof(req));
    n = snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    got = recv_n(fd, ans, want + 1 + (size_t)n, NULL);
    T_EQ_INT(got, want + 1 + (size_t)n);
    T_ASSERT(ans[0] == 0 && ans[1] == 0 && ans[2] == 0x20 && ans[3] == 0); /* 8192 bits */
    T_EQ_INT(ans[4], 0);                                                   /* 01 00 */
    T_EQ_INT(ans[5], 1);                                                   /* 01 01 */
    T_EQ_INT(ans[7], 255);                                                 /* 01 ff */
    T_EQ_INT(ans[want], n);
    T_ASSERT(memcmp(ans + want + 1, pid, (size_t)n) == 0);
    T_EQ_INT(egd_stats_get()->requests, 9);
    T_EQ_INT(egd_stats_get()->mixed, 2);
    T_EQ_INT(egd_stats_get()->bytes, 0 + 1 + 255 + 0 + 1 + 255);
    T_EQ_INT(entropy_stats()->egd_requests, 9);
    close(fd);
    server_stop();
    T_ASSERT(access("egd.sock", F_OK) != 0); /* stop removes the socket */
}

static void byte_at_a_time_and_distinct_bytes(void)
{
    static const unsigned char req[] = {0x01, 0xff, 0x02, 0xff};
    unsigned char a[511], b[511];
    int fa, fb;
    size_t i;

    server_start();
    fa = client_connect();
    fb = client_connect();
    for (i = 0; i < sizeof(req); i++) {
        send_all(fa, req + i, 1);
        pump(2);
    }
    send_all(fb, req, sizeof(req));
    T_EQ_INT(recv_n(fa, a, sizeof(a), NULL), sizeof(a));
    T_EQ_INT(recv_n(fb, b, sizeof(b), NULL), sizeof(b));
    T_EQ_INT(a[0], 255);
    T_ASSERT(memcmp(a + 1, b + 1, 255) != 0);   /* clients never share bytes */
    T_ASSERT(memcmp(a + 1, a + 256, 255) != 0); /* nor do two answers */
    T_ASSERT(memcmp(a + 256, b + 256, 255) != 0);
    close(fa);
    close(fb);
    server_stop();
}

static void unknown_opcode_closes(void)
{
    static const unsigned char req[] = {0x04, 0x09, 0x00, 0x00};
    unsigned char buf[64];
    int fd, eof;
    size_t got;

    server_start();
    fd = client_connect();
    send_all(fd, req, sizeof(req));
    got = recv_n(fd, buf, sizeof(buf), &eof);
    T_ASSERT(eof);
    T_ASSERT(got >= 2 && got == (size_t)buf[0] + 1); /* the 04 before it was answered */
    T_EQ_INT(egd_stats_get()->bad_requests, 1);
    T_EQ_INT(egd_clients(), 0);
    close(fd);
    server_stop();
}

/* A client that asks a lot and reads nothing holds its requests in progress: it is served no
 * more than its buffers and the socket hold, others are served meanwhile, and it is closed
 * once its oldest unanswered request is older than the request bound. */
static void slow_reader_is_bounded(void)
{
    static unsigned char reqs[8000];
    unsigned char ans[256], sink[4096];
    uint64_t served;
    int slow, fast, eof = 0;
    size_t i;

    for (i = 0; i < sizeof(reqs); i += 2) {
        reqs[i] = 0x02;
        reqs[i + 1] = 0xff;
    }
    server_start();
    slow = client_connect();
    fast = client_connect();
    send_all(slow, reqs, sizeof(reqs)); /* 4000 requests: 1 MB of answers */
    pump(TLSMGR_EGD_REQUEST_TIMEOUT_MS / 2);
    served = egd_stats_get()->bytes;
    T_ASSERT(served < 4000u * 255);
    send_all(fast, "\x01\xff", 2);
    T_EQ_INT(recv_n(fast, ans, 256, NULL), 256);
    T_EQ_INT(ans[0], 255);
    loop_run_until(&d.loop, port_test_now + TLSMGR_EGD_REQUEST_TIMEOUT_MS);
    T_EQ_INT(egd_clients(), 1); /* the slow reader went, the fast one stays */
    T_EQ_INT(egd_stats_get()->request_timeouts, 1);
    while (recv_n(slow, sink, sizeof(sink), &eof) > 0 && !eof)
        ;
    T_ASSERT(eof);
    close(slow);
    close(fast);
    server_stop();
}

/* Postfix's tlsmgr, ekeyd and OpenSSL's RAND_egd users connect once and keep the connection
 * for hours between requests: a client with nothing in progress is never cut while slots are
 * free, and costs no wake-up. */
static void idle_client_stays_connected_for_hours(void)
{
    unsigned char ans[33];
    uint64_t wakeups;
    int fd, mute, eof;

    server_start();
    fd = client_connect();
    mute = client_connect(); /* connects and has said nothing yet */
    send_all(fd, "\x01\x20", 2);
    T_EQ_INT(recv_n(fd, ans, 33, NULL), 33);
    T_EQ_INT(ans[0], 32);
    pump(2);
    wakeups = d.loop.wakeups;
    loop_run_until(&d.loop, port_test_now + 6ull * 3600 * 1000);
    T_ASSERT(d.loop.wakeups - wakeups <= 1); /* at most the new client's first-request bound */
    T_EQ_INT(egd_clients(), 2);
    send_all(fd, "\x01\x20", 2);
    T_EQ_INT(recv_n(fd, ans, 33, &eof), 33);
    T_EQ_INT(ans[0], 32);
    T_ASSERT(!eof);
    send_all(mute, "\x00", 1);
    T_EQ_INT(recv_n(mute, ans, 4, &eof), 4);
    T_EQ_INT(egd_stats_get()->request_timeouts, 0);
    T_EQ_INT(d.loop.ntimers, 1); /* one timer for every client */
    close(fd);
    close(mute);
    server_stop();
}

/* Sends one byte, ignoring a peer that has gone. */
static void send_byte(int fd, unsigned char b)
{
    (void)send(fd, &b, 1, MSG_NOSIGNAL);
}

/* A request must be complete (and answered) within the bound counted from its first byte:
 * a client trickling one byte every 200 ms is closed, however often it sends. */
static void trickled_request_closed_at_bound(void)
{
    unsigned char b = 0;
    uint64_t t0;
    int fd, eof = 0;
    unsigned i;

    server_start();
    fd = client_connect();
    pump(2);
    send_all(fd, "\x03\x00\x08\xff", 4); /* a 03 that needs 255 more bytes */
    t0 = port_test_now;
    for (i = 0; i < 100 && egd_clients() == 1; i++) {
        send_byte(fd, 'x');
        loop_run_until(&d.loop, port_test_now + 200);
    }
    T_EQ_INT(egd_clients(), 0);
    T_ASSERT(port_test_now - t0 <= TLSMGR_EGD_REQUEST_TIMEOUT_MS + 200);
    T_EQ_INT(egd_stats_get()->request_timeouts, 1);
    T_EQ_INT(recv_n(fd, &b, 1, &eof), 0);
    T_ASSERT(eof);
    close(fd);

    /* A request split in two parts that arrive within the bound is answered. */
    fd = client_connect();
    pump(2);
    send_all(fd, "\x01", 1);
    loop_run_until(&d.loop, port_test_now + TLSMGR_EGD_REQUEST_TIMEOUT_MS / 2);
    send_all(fd, "\x10", 1);
    T_EQ_INT(recv_n(fd, &b, 1, &eof), 1);
    T_EQ_INT(b, 16);
    T_EQ_INT(egd_stats_get()->request_timeouts, 1);
    close(fd);
    server_stop();
}

/* One wake-up answers at most TLSMGR_EGD_SERVE_QUANTUM bytes per client: a client with a long
 * pipeline cannot delay another for more than a few wake-ups, and still gets all its answers. */
static void service_is_round_robin(void)
{
    static unsigned char reqs[2000], buf[1 << 16];
    unsigned char ans[33];
    uint64_t before, total = 0;
    unsigned rounds = 0;
    int greedy, polite;
    size_t i;

    for (i = 0; i < sizeof(reqs); i += 2) {
        reqs[i] = 0x02;
        reqs[i + 1] = 0xff;
    }
    server_start();
    greedy = client_connect();
    polite = client_connect();
    pump(2);
    send_all(greedy, reqs, sizeof(reqs)); /* 1000 requests */
    send_all(polite, "\x01\x20", 2);
    before = egd_stats_get()->bytes;
    loop_run_once(&d.loop, port_test_now + 1);
    T_ASSERT(egd_stats_get()->bytes - before <= 2 * TLSMGR_EGD_SERVE_QUANTUM);
    while (read(polite, ans, sizeof(ans)) != 33 && rounds < 10) {
        loop_run_once(&d.loop, port_test_now + 1);
        rounds++;
    }
    T_ASSERT(rounds < 3);
    T_ASSERT(egd_stats_get()->bytes - before < 8u * TLSMGR_EGD_SERVE_QUANTUM);
    for (;;) {
        size_t got = recv_n(greedy, buf, sizeof(buf), NULL);
        total += got;
        if (got == 0)
            break;
    }
    T_EQ_INT(total, 1000u * 255);
    close(greedy);
    close(polite);
    server_stop();
}

/* Each wake-up takes at most TLSMGR_EGD_ACCEPT_BATCH connections from the backlog and answers
 * their requests there and then, whatever holds the slots; a connected client gets its turn in
 * the same wake-up. */
static void connections_taken_in_batches(void)
{
    enum { N = TLSMGR_EGD_ACCEPT_BATCH + 2 };
    int held, fds[N];
    unsigned char ans[2];
    unsigned i, answered = 0;

    server_start();
    held = client_connect();
    send_all(held, "\x01\x01", 2);
    T_EQ_INT(recv_n(held, ans, 2, NULL), 2);
    for (i = 0; i < N; i++) {
        fds[i] = client_connect();
        send_all(fds[i], "\x01\x01", 2);
    }
    send_all(held, "\x01\x01", 2);
    loop_run_once(&d.loop, port_test_now + 1);
    T_EQ_INT(egd_stats_get()->accepted, 1 + TLSMGR_EGD_ACCEPT_BATCH);
    T_EQ_INT(read(held, ans, 2), 2); /* its turn in the same wake-up */
    for (i = 0; i < N; i++)
        answered += read(fds[i], ans, 2) == 2;
    T_EQ_INT(answered, TLSMGR_EGD_ACCEPT_BATCH);
    loop_run_once(&d.loop, port_test_now + 1);
    T_EQ_INT(egd_stats_get()->accepted, 1 + N);
    for (i = 0; i < N; i++)
        answered += read(fds[i], ans, 2) == 2;
    T_EQ_INT(answered, N);
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);
    T_EQ_INT(read(held, ans, 1) < 0 && errno == EAGAIN, 1); /* the first client kept its slot */
    for (i = 0; i < N; i++)
        close(fds[i]);
    close(held);
    pump(10);
    T_EQ_INT(egd_clients(), 0);
    server_stop();
}

/* Fills every slot; each client but `silent` (-1: none) asks 01 01 and is answered. */
static void fill_slots(int *fds, int silent)
{
    unsigned char ans[2];
    int i;

    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++) {
        fds[i] = client_connect();
        if (i == silent) {
            pump(1);
            continue;
        }
        send_all(fds[i], "\x01\x01", 2);
        T_EQ_INT(recv_n(fds[i], ans, 2, NULL), 2);
    }
}

/* Closes the filled slots' clients and the waiting one, and stops the server. */
static void close_all(int *fds, int waiting)
{
    int i;

    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++)
        close(fds[i]);
    close(waiting);
    server_stop();
}

/* A full server gives a waiting client the slot of an idle client at once (no idle threshold
 * to wait for), so clients that keep asking take turns: the one served last yields, and the
 * one that has kept its connection longest (Postfix's tlsmgr) stays. A full server with
 * nobody waiting sleeps. */
static void waiting_client_takes_an_idle_slot(void)
{
    int fds[TLSMGR_EGD_MAX_CLIENTS], waiting, eof;
    unsigned char ans[2];
    uint64_t wakeups;
    unsigned i, rounds = 0, last = TLSMGR_EGD_MAX_CLIENTS - 1;

    server_start();
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++) {
        fds[i] = client_connect();
        send_all(fds[i], "\x01\x01", 2);
        T_EQ_INT(recv_n(fds[i], ans, 2, NULL), 2);
        if (i == 0)
            loop_run_until(&d.loop, port_test_now + 3600 * 1000); /* the long-lived client */
    }
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);
    wakeups = d.loop.wakeups;
    loop_run_until(&d.loop, port_test_now + 3600 * 1000);
    T_EQ_INT(d.loop.wakeups - wakeups, 0);
    T_EQ_INT(egd_stats_get()->evicted, 0); /* nobody waited */
    waiting = client_connect();
    send_all(waiting, "\x01\x01", 2);
    while (read(waiting, ans, 2) != 2 && rounds < 200) {
        pump(1);
        rounds++;
    }
    T_ASSERT(rounds <= 4);
    T_EQ_INT(ans[0], 1);
    T_EQ_INT(egd_stats_get()->evicted, 1);
    T_EQ_INT(recv_n(fds[last], ans, 1, &eof), 0); /* served last: yields */
    T_ASSERT(eof);
    send_all(fds[0], "\x01\x01", 2); /* idle two hours, still served */
    T_EQ_INT(recv_n(fds[0], ans, 2, &eof), 2);
    T_ASSERT(!eof);
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);
    close_all(fds, waiting);
}

/* A connection that has sent nothing holds no slot: it waits apart, in one of
 * TLSMGR_EGD_MAX_SILENT entries. When more come, the one silent the longest is closed, once it
 * has had TLSMGR_EGD_CONTENDED_MS to speak (until then the newer ones wait in the backlog), and
 * unless its request has come meanwhile (it is read once more first). The clients holding slots
 * are not disturbed. */
static void silent_connections_hold_no_slot(void)
{
    int fds[TLSMGR_EGD_MAX_CLIENTS], silent[TLSMGR_EGD_MAX_SILENT], extra, other = -1, eof;
    unsigned char ans[2];
    unsigned i, rounds = 0;
    uint64_t t0;

    server_start();
    fill_slots(fds, -1);
    for (i = 0; i < TLSMGR_EGD_MAX_SILENT; i++)
        silent[i] = client_connect();
    while (egd_clients() < TLSMGR_EGD_MAX_CLIENTS + TLSMGR_EGD_MAX_SILENT && rounds++ < 100)
        loop_run_once(&d.loop, port_test_now + 1);
    t0 = port_test_now;
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS + TLSMGR_EGD_MAX_SILENT);
    T_EQ_INT(egd_stats_get()->accepted, TLSMGR_EGD_MAX_CLIENTS + TLSMGR_EGD_MAX_SILENT);

    /* One more: it waits until the oldest silent connection has had its time, then that one
     * goes, nobody else. */
    extra = client_connect();
    pump(2);
    T_EQ_INT(egd_stats_get()->accepted, TLSMGR_EGD_MAX_CLIENTS + TLSMGR_EGD_MAX_SILENT);
    T_EQ_INT(recv_n(silent[0], ans, 1, &eof), 0);
    T_ASSERT(eof);
    T_ASSERT(port_test_now >= t0 + TLSMGR_EGD_CONTENDED_MS);
    T_EQ_INT(egd_stats_get()->evicted, 1);
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS + TLSMGR_EGD_MAX_SILENT);
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++)
        T_ASSERT(read(fds[i], ans, 1) < 0 && errno == EAGAIN);

    /* The oldest one now has sent its request when another connection comes in the same
     * wake-up: it is answered, not closed. */
    if (TLSMGR_EGD_MAX_SILENT > 1) {
        loop_run_until(&d.loop, port_test_now + TLSMGR_EGD_CONTENDED_MS);
        send_all(silent[1], "\x01\x01", 2);
        other = client_connect();
        loop_run_once(&d.loop, port_test_now + 1);
        T_EQ_INT(read(silent[1], ans, 2), 2);
        T_EQ_INT(ans[0], 1);
        T_EQ_INT(egd_stats_get()->accepted, TLSMGR_EGD_MAX_CLIENTS + TLSMGR_EGD_MAX_SILENT + 2);
    }
    for (i = 0; i < TLSMGR_EGD_MAX_SILENT; i++)
        close(silent[i]);
    if (other >= 0)
        close(other);
    close_all(fds, extra);
}

/* The daemon's clock moves while it works (here in a callback that runs before a client's):
 * a rest of the listener that ends during another client's event still ends, and the client
 * that waited in the backlog is answered then, not left without a timer. */
static int clock_pipe[2];

static void clock_moves(void *arg, int fd, short revents)
{
    char b;

    (void)arg;
    (void)revents;
    if (read(fd, &b, 1) == 1)
        port_test_now += TLSMGR_EGD_CONTENDED_MS;
}

static void rest_ends_while_others_are_served(void)
{
    int chatty, late, silent[TLSMGR_EGD_MAX_SILENT];
    unsigned char ans[2];
    unsigned i, rounds = 0;
    uint64_t t0;

    server_start();
    T_EQ_INT(pipe(clock_pipe), 0);
    T_EQ_INT(loop_fd_add(&d.loop, clock_pipe[0], PORT_POLLIN, clock_moves, NULL), 0);
    chatty = client_connect(); /* watched after the clock's pipe */
    send_all(chatty, "\x01\x01", 2);
    T_EQ_INT(recv_n(chatty, ans, 2, NULL), 2);
    for (i = 0; i < TLSMGR_EGD_MAX_SILENT; i++)
        silent[i] = client_connect();
    while (egd_clients() < 1 + TLSMGR_EGD_MAX_SILENT && rounds++ < 100)
        loop_run_once(&d.loop, port_test_now + 1);
    late = client_connect();
    send_all(late, "\x01\x01", 2);
    pump(2);
    t0 = port_test_now;
    T_ASSERT(read(late, ans, 2) < 0); /* in the backlog: every silent one is younger */

    T_EQ_INT(write(clock_pipe[1], "t", 1), 1);
    send_all(chatty, "\x01\x01", 2);
    loop_run_once(&d.loop, port_test_now + 1);
    T_EQ_INT(read(chatty, ans, 2), 2);
    T_EQ_INT(recv_n(late, ans, 2, NULL), 2);
    T_ASSERT(port_test_now <= t0 + TLSMGR_EGD_CONTENDED_MS + 5);
    loop_fd_del(&d.loop, clock_pipe[0]);
    close(clock_pipe[0]);
    close(clock_pipe[1]);
    for (i = 0; i < TLSMGR_EGD_MAX_SILENT; i++)
        close(silent[i]);
    close(chatty);
    close(late);
    server_stop();
}

/* Every slot held by a client in the middle of a request: a new client's request is answered
 * at once without a slot (it is closed once answered) and every holder keeps its slot. Once a
 * partial request is TLSMGR_EGD_CONTENDED_MS old, its client yields to the next new client that
 * needs a slot, long before the request bound would close it; the others still have the whole
 * request bound. */
static void partial_requests_yield_when_contended(void)
{
    int fds[TLSMGR_EGD_MAX_CLIENTS], fresh, next, eof;
    unsigned char ans[2];
    uint64_t t0;
    unsigned i;

    server_start();
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++) {
        fds[i] = client_connect();
        send_all(fds[i], "\x03\x00\x08\x10", 4); /* a 03 waiting for its 16 bytes */
        pump(1);
    }
    t0 = port_test_now;
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);
    fresh = client_connect();
    send_all(fresh, "\x01\x01", 2);
    pump(1);
    T_EQ_INT(read(fresh, ans, 2), 2); /* answered in the wake-up that took it */
    T_EQ_INT(ans[0], 1);
    T_EQ_INT(recv_n(fresh, ans, 1, &eof), 0);
    T_ASSERT(eof);
    T_EQ_INT(egd_stats_get()->turned_away, 1);
    T_EQ_INT(egd_stats_get()->evicted, 0);
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);

    loop_run_until(&d.loop, t0 + TLSMGR_EGD_CONTENDED_MS);
    next = client_connect();
    send_all(next, "\x01\x01", 2);
    T_EQ_INT(recv_n(next, ans, 2, NULL), 2);
    T_EQ_INT(recv_n(fds[0], ans, 1, &eof), 0); /* the oldest partial request yielded */
    T_ASSERT(eof);
    T_ASSERT(port_test_now < t0 + TLSMGR_EGD_REQUEST_TIMEOUT_MS);
    T_EQ_INT(egd_stats_get()->evicted, 1);
    T_EQ_INT(egd_stats_get()->request_timeouts, 0);
    T_ASSERT(read(next, ans, 1) < 0 && errno == EAGAIN); /* it has the slot */

    loop_run_until(&d.loop, t0 + TLSMGR_EGD_REQUEST_TIMEOUT_MS + 1);
    T_EQ_INT(egd_stats_get()->request_timeouts, TLSMGR_EGD_MAX_CLIENTS - 1);
    T_EQ_INT(egd_clients(), 1);
    close(fresh);
    close_all(fds, next);
}

/* An idle client is never pushed out by a request that is not complete: a new client whose
 * request is incomplete takes no idle client's slot (it is closed), and while a client's
 * incomplete request is within TLSMGR_EGD_CONTENDED_MS, a new client that has its answers is
 * closed rather than take an idle client's slot (the incomplete one yields first, soon). */
static void incomplete_requests_never_push_idle_clients_out(void)
{
    int fds[TLSMGR_EGD_MAX_CLIENTS], fresh, eof;
    unsigned char ans[2];
    unsigned i;

    server_start();
    fill_slots(fds, -1);
    fresh = client_connect();
    send_all(fresh, "\x03\x00\x08\x10", 4); /* incomplete */
    T_EQ_INT(recv_n(fresh, ans, 1, &eof), 0);
    T_ASSERT(eof);
    close(fresh);
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++)
        T_ASSERT(read(fds[i], ans, 1) < 0 && errno == EAGAIN);
    T_EQ_INT(egd_stats_get()->evicted, 0);
    T_EQ_INT(egd_stats_get()->turned_away, 1);

    /* The first client's slot goes to one with an incomplete request. */
    close(fds[0]);
    pump(2);
    fds[0] = client_connect();
    send_all(fds[0], "\x03\x00\x08\x10", 4);
    pump(3);
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);
    fresh = client_connect();
    send_all(fresh, "\x01\x01", 2);
    T_EQ_INT(recv_n(fresh, ans, 2, NULL), 2);
    T_EQ_INT(recv_n(fresh, ans, 1, &eof), 0);
    T_ASSERT(eof);
    for (i = 1; i < TLSMGR_EGD_MAX_CLIENTS; i++)
        T_ASSERT(read(fds[i], ans, 1) < 0 && errno == EAGAIN);
    T_EQ_INT(egd_stats_get()->evicted, 0);
    T_EQ_INT(egd_stats_get()->turned_away, 2);
    close_all(fds, fresh);
}

static void client_gone_before_answers(void)
{
    static unsigned char reqs[400];
    size_t i;
    int fd;

    for (i = 0; i < sizeof(reqs); i += 2) {
        reqs[i] = 0x02;
        reqs[i + 1] = 0xff;
    }
    server_start();
    fd = client_connect();
    send_all(fd, reqs, sizeof(reqs));
    close(fd);
    pump(20);
    T_EQ_INT(egd_clients(), 0);
    server_stop();
}

static void other_timer(void *arg)
{
    (void)arg;
}

static void socket_mode_and_disabled_cases(void)
{
    struct stat st;
    int other;

    server_start();
    T_ASSERT(lstat("egd.sock", &st) == 0 && S_ISSOCK(st.st_mode));
    T_EQ_INT(st.st_mode & 0777, 0660);
    server_stop();

    /* empty name: no service, no descriptor, no timer; stopping it leaves another service's
     * timer armed */
    memset(&d, 0, sizeof(d));
    conf_defaults(&d.conf);
    d.conf.egd_socket[0] = '\0';
    loop_init(&d.loop);
    other = loop_timer_new(&d.loop, "other", other_timer, NULL);
    T_EQ_INT(other, 0);
    loop_timer_in(&d.loop, other, 1000);
    T_EQ_INT(egd_service.setup(&d), 0);
    T_EQ_INT(egd_service.start(&d), 0);
    T_EQ_INT(d.loop.nfds, 0);
    T_EQ_INT(d.loop.ntimers, 1);
    egd_service.stop(&d);
    T_ASSERT(loop_timer_armed(&d.loop, other));

    /* a planted file is not replaced: the service reports the failure (the daemon keeps the
     * other services and retries this one) */
    T_EQ_INT(t_write_file("egd.sock", "x", 1), 0);
    strcpy(d.conf.egd_socket, "egd.sock");
    loop_init(&d.loop);
    T_EQ_INT(egd_service.setup(&d), -1);
    T_EQ_INT(d.loop.nfds, 0);
    T_ASSERT(port_test_log_has("egd: listen egd.sock"));
    egd_service.stop(&d);
    T_EQ_INT(t_read_file("egd.sock", &st, sizeof(st)), 1);
}

static void shutdown_write_still_answered(void)
{
    unsigned char ans[300];
    int fd, eof;

    server_start();
    fd = client_connect();
    send_all(fd, "\x02\xff\x01\x10", 4);
    shutdown(fd, SHUT_WR);
    T_EQ_INT(recv_n(fd, ans, sizeof(ans), &eof), 255 + 17);
    T_EQ_INT(recv_n(fd, ans, 1, &eof), 0);
    T_ASSERT(eof);
    close(fd);
    server_stop();
}

T_MAIN(T_CASE(every_command_pipelined), T_CASE(byte_at_a_time_and_distinct_bytes),
       T_CASE(unknown_opcode_closes), T_CASE(slow_reader_is_bounded),
       T_CASE(idle_client_stays_connected_for_hours), T_CASE(trickled_request_closed_at_bound),
       T_CASE(service_is_round_robin), T_CASE(connections_taken_in_batches),
       T_CASE(waiting_client_takes_an_idle_slot), T_CASE(silent_connections_hold_no_slot),
       T_CASE(partial_requests_yield_when_contended), T_CASE(rest_ends_while_others_are_served),
       T_CASE(incomplete_requests_never_push_idle_clients_out), T_CASE(client_gone_before_answers),
       T_CASE(socket_mode_and_disabled_cases), T_CASE(shutdown_write_still_answered))
