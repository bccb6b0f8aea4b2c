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

static void max_clients_wait_in_backlog(void)
{
    int fds[TLSMGR_EGD_MAX_CLIENTS + 2];
    unsigned char ans[2];
    unsigned i;

    server_start();
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS + 2; i++) {
        fds[i] = client_connect();
        pump(1);
    }
    pump(5);
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);
    T_ASSERT(egd_stats_get()->full >= 1);
    send_all(fds[TLSMGR_EGD_MAX_CLIENTS], "\x01\x01", 2);
    pump(5);
    T_ASSERT(read(fds[TLSMGR_EGD_MAX_CLIENTS], ans, 2) < 0); /* still waiting */
    close(fds[0]);
    T_EQ_INT(recv_n(fds[TLSMGR_EGD_MAX_CLIENTS], ans, 2, NULL), 2);
    T_EQ_INT(ans[0], 1);
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);
    T_EQ_INT(egd_stats_get()->accepted, TLSMGR_EGD_MAX_CLIENTS + 1);
    for (i = 1; i < TLSMGR_EGD_MAX_CLIENTS + 2; i++)
        close(fds[i]);
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

/* A client that connected and never spoke yields before any client that has been served. */
static void silent_client_yields_first(void)
{
    int fds[TLSMGR_EGD_MAX_CLIENTS], waiting, eof;
    unsigned char ans[2];

    server_start();
    fill_slots(fds, 2);
    loop_run_until(&d.loop, port_test_now + TLSMGR_EGD_REQUEST_TIMEOUT_MS);
    waiting = client_connect();
    send_all(waiting, "\x01\x01", 2);
    T_EQ_INT(recv_n(waiting, ans, 2, NULL), 2);
    T_EQ_INT(recv_n(fds[2], ans, 1, &eof), 0);
    T_ASSERT(eof);
    T_EQ_INT(egd_stats_get()->request_timeouts, 0); /* silent is idle, not a slow request */
    close_all(fds, waiting);
}

/* A client with a request in progress, or one that has just connected (it has the request
 * bound to send its first request), keeps its slot; once the bound has passed, the one that
 * sent half a request is closed and the silent ones become idle, so the waiting client gets
 * in. */
static void busy_and_new_clients_keep_their_slots(void)
{
    int fds[TLSMGR_EGD_MAX_CLIENTS], waiting, eof;
    unsigned char ans[2];
    unsigned i;

    server_start();
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++) {
        fds[i] = client_connect();
        pump(1);
    }
    send_all(fds[1], "\x03\x00\x08\x10", 4); /* half a request */
    pump(2);
    waiting = client_connect();
    send_all(waiting, "\x01\x01", 2);
    pump(5);
    T_ASSERT(read(waiting, ans, 2) < 0); /* nobody may be dropped yet */
    T_EQ_INT(egd_stats_get()->evicted, 0);
    loop_run_until(&d.loop, port_test_now + TLSMGR_EGD_REQUEST_TIMEOUT_MS);
    T_EQ_INT(recv_n(waiting, ans, 2, NULL), 2);
    T_EQ_INT(egd_stats_get()->request_timeouts, 1);
    T_EQ_INT(recv_n(fds[1], ans, 1, &eof), 0);
    T_ASSERT(eof);
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);
    close_all(fds, waiting);
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

static void socket_mode_and_disabled_cases(void)
{
    struct stat st;

    server_start();
    T_ASSERT(lstat("egd.sock", &st) == 0 && S_ISSOCK(st.st_mode));
    T_EQ_INT(st.st_mode & 0777, 0660);
    server_stop();

    /* empty name: no service, no descriptor */
    memset(&d, 0, sizeof(d));
    conf_defaults(&d.conf);
    d.conf.egd_socket[0] = '\0';
    loop_init(&d.loop);
    T_EQ_INT(egd_service.setup(&d), 0);
    T_EQ_INT(egd_service.start(&d), 0);
    T_EQ_INT(d.loop.nfds, 0);
    egd_service.stop(&d);

    /* a planted file is not replaced: the service reports the failure (the daemon keeps the
     * other services and retries this one) */
    T_EQ_INT(t_write_file("egd.sock", "x", 1), 0);
    strcpy(d.conf.egd_socket, "egd.sock");
    loop_init(&d.loop);
    T_EQ_INT(egd_service.setup(&d), -1);
    T_EQ_INT(d.loop.nfds, 0);
    T_ASSERT(port_test_log_has("egd: cannot listen on egd.sock"));
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
       T_CASE(service_is_round_robin), T_CASE(max_clients_wait_in_backlog),
       T_CASE(waiting_client_takes_an_idle_slot), T_CASE(silent_client_yields_first),
       T_CASE(busy_and_new_clients_keep_their_slots), T_CASE(client_gone_before_answers),
       T_CASE(socket_mode_and_disabled_cases), T_CASE(shutdown_write_still_answered))
