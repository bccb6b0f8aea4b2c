/* SPDX-License-Identifier: BSD-2-Clause */
/* test_egd.c - the EGD service on the test port: a real Unix socket in the case's temporary
 * directory, the loop driven one wake-up at a time on the virtual clock. */
#include <errno.h>
#include <fcntl.h>
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

/* A client that asks a lot and reads nothing is served no more than the socket and its
 * buffers hold; others are served meanwhile; it resumes when it reads. */
static void slow_reader_is_bounded(void)
{
    static unsigned char reqs[8000], buf[1 << 16];
    uint64_t served, total = 0;
    unsigned char ans[256];
    int slow, fast;
    size_t i;

    for (i = 0; i < sizeof(reqs); i += 2) {
        reqs[i] = 0x02;
        reqs[i + 1] = 0xff;
    }
    server_start();
    slow = client_connect();
    fast = client_connect();
    send_all(slow, reqs, sizeof(reqs)); /* 4000 requests: 1 MB of answers */
    pump(3000);
    served = egd_stats_get()->bytes;
    T_ASSERT(served < 4000u * 255);
    pump(100);
    T_EQ_INT(egd_stats_get()->bytes, served); /* stopped, not spinning */
    send_all(fast, "\x01\xff", 2);
    T_EQ_INT(recv_n(fast, ans, 256, NULL), 256);
    T_EQ_INT(ans[0], 255);
    /* The slow client now reads everything: all 4000 answers arrive. */
    for (;;) {
        size_t got = recv_n(slow, buf, sizeof(buf), NULL);
        total += got;
        if (got == 0)
            break;
    }
    T_EQ_INT(total, 4000u * 255);
    close(slow);
    close(fast);
    server_stop();
}

static void idle_clients_time_out_on_one_timer(void)
{
    unsigned char buf[8];
    unsigned ntimers;
    int a, b, eof;
    uint64_t t0;

    server_start();
    ntimers = d.loop.ntimers;
    T_EQ_INT(ntimers, 1);
    a = client_connect();
    b = client_connect();
    pump(2);
    T_EQ_INT(egd_clients(), 2);
    t0 = port_test_now;
    /* b stays active at +20 s; a says nothing */
    loop_run_once(&d.loop, t0 + 20000);
    send_all(b, "\x00", 1);
    T_EQ_INT(recv_n(b, buf, 4, NULL), 4);
    loop_run_until(&d.loop, t0 + TLSMGR_EGD_IDLE_TIMEOUT * 1000 + 10);
    T_EQ_INT(egd_clients(), 1);
    T_EQ_INT(recv_n(a, buf, 1, &eof), 0);
    T_ASSERT(eof);
    T_EQ_INT(egd_stats_get()->idle_timeouts, 1);
    T_EQ_INT(d.loop.ntimers, ntimers); /* one timer for every client */
    loop_run_until(&d.loop, t0 + 20000 + TLSMGR_EGD_IDLE_TIMEOUT * 1000 + 10);
    T_EQ_INT(egd_clients(), 0);
    T_EQ_INT(egd_stats_get()->idle_timeouts, 2);
    T_ASSERT(!loop_timer_armed(&d.loop, 0)); /* nobody left: no wake-ups */
    close(a);
    close(b);
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

/* Slots held by silent clients are given to waiting ones after TLSMGR_EGD_BUSY_IDLE_MS, the
 * quietest first; a full server with nobody waiting wakes once, not every few ms. */
static void silent_clients_yield_slots_when_others_wait(void)
{
    int fds[TLSMGR_EGD_MAX_CLIENTS], waiting, eof;
    unsigned char ans[2];
    uint64_t wakeups;
    unsigned i;

    server_start();
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++) {
        fds[i] = client_connect();
        pump(1);
    }
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);
    wakeups = d.loop.wakeups;
    loop_run_until(&d.loop, port_test_now + 10 * TLSMGR_EGD_BUSY_IDLE_MS);
    T_ASSERT(d.loop.wakeups - wakeups <= 1);
    T_EQ_INT(egd_stats_get()->evicted, 0); /* nobody waited */
    waiting = client_connect();
    send_all(waiting, "\x01\x01", 2);
    T_EQ_INT(recv_n(waiting, ans, 2, NULL), 2);
    T_EQ_INT(ans[0], 1);
    T_EQ_INT(egd_stats_get()->evicted, 1);
    T_EQ_INT(recv_n(fds[0], ans, 1, &eof), 0); /* the first, quietest one went */
    T_ASSERT(eof);
    T_EQ_INT(egd_clients(), TLSMGR_EGD_MAX_CLIENTS);
    for (i = 0; i < TLSMGR_EGD_MAX_CLIENTS; i++)
        close(fds[i]);
    close(waiting);
    server_stop();
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

    /* a planted file is neither replaced nor fatal */
    T_EQ_INT(t_write_file("egd.sock", "x", 1), 0);
    strcpy(d.conf.egd_socket, "egd.sock");
    loop_init(&d.loop);
    T_EQ_INT(egd_service.setup(&d), 0);
    T_EQ_INT(egd_service.start(&d), 0);
    T_EQ_INT(d.loop.nfds, 0);
    T_ASSERT(port_test_log_has("EGD service disabled"));
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
       T_CASE(idle_clients_time_out_on_one_timer), T_CASE(max_clients_wait_in_backlog),
       T_CASE(silent_clients_yield_slots_when_others_wait), T_CASE(client_gone_before_answers),
       T_CASE(socket_mode_and_disabled_cases), T_CASE(shutdown_write_still_answered))
