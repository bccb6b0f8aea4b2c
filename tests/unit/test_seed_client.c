/* SPDX-License-Identifier: BSD-2-Clause */
/* test_seed_client.c - tlsmgr_seed and tlsmgr_entropy_source: the EGD path, the exchange-file
 * path, neither, timeouts, and a forked child against its parent. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mbedtls_compat.h"
#include <mbedtls/entropy.h>

#include "t.h"
#include "tlsmgr_config.h"
#include "tlsmgr.h"

static struct tlsmgr *open_handle(void)
{
    struct tlsmgr *t = NULL;
    char text[512];

    snprintf(text, sizeof(text),
             "state_directory = %s\ntls_random_egd_socket = egd.sock\n"
             "tls_random_exchange_name = prng_exch\n",
             t_dir());
    T_EQ_INT(t_write_file("tlsmgr.conf", text, strlen(text)), 0);
    T_EQ_INT(tlsmgr_open(&t, "tlsmgr.conf", "test"), 0);
    return t;
}

static void write_exchange(unsigned char fill, size_t len)
{
    unsigned char buf[TLSMGR_EXCHANGE_SIZE + 1];

    memset(buf, fill, sizeof(buf));
    T_EQ_INT(t_write_file("prng_exch", buf, len), 0);
}

static int listen_socket(void)
{
    struct sockaddr_un sun;
    int fd = t_unix_socket(&sun, "egd.sock");

    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 4) < 0)
        t_fail(__FILE__, __LINE__, "listen: %s", strerror(errno));
    return fd;
}

/* A one-shot EGD peer in a child: answers the first request with `count` then count bytes of
 * 0xA5, and reports the request it saw on report_fd. */
static pid_t fake_egd(int lfd, unsigned count, int report_fd)
{
    pid_t pid = fork();

    if (pid == 0) {
        unsigned char req[2] = {0, 0}, ans[256];
        int c = accept(lfd, NULL, NULL);
        size_t got = 0;
        while (c >= 0 && got < 2) {
            ssize_t r = read(c, req + got, 2 - got);
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        if (report_fd >= 0 && write(report_fd, req, 2) != 2)
            _exit(1);
        ans[0] = (unsigned char)count;
        memset(ans + 1, 0xa5, 255);
        if (c >= 0 && write(c, ans, 1 + count) != (ssize_t)(1 + count))
            _exit(1);
        _exit(0);
    }
    return pid;
}

static void egd_answer_is_used(void)
{
    struct tlsmgr *t = open_handle();
    unsigned char out[100], zero[100] = {0}, req[2] = {0, 0};
    unsigned opens;
    int lfd = listen_socket(), p[2];
    pid_t pid;

    T_EQ_INT(pipe(p), 0);
    pid = fake_egd(lfd, 64, p[1]);
    port_test_horizon = port_test_now; /* a poll waits for the peer, not the virtual clock */
    opens = port_test_calls("open");
    T_EQ_INT(tlsmgr_seed(t, out, sizeof(out)), 0);
    T_EQ_INT(read(p[0], req, 2), 2);
    T_ASSERT(req[0] == 0x01 && req[1] == 64); /* one non-blocking read of 64 bytes */
    T_EQ_INT(port_test_calls("open"), opens); /* the exchange file was not needed */
    T_ASSERT(memcmp(out, zero, sizeof(out)) != 0);
    waitpid(pid, NULL, 0);
    close(lfd);
    close(p[0]);
    close(p[1]);
    tlsmgr_close(t);
}

static void short_egd_answer_falls_back_to_exchange(void)
{
    struct tlsmgr *t = open_handle();
    unsigned char out[32];
    unsigned opens;
    int lfd = listen_socket();
    pid_t pid;

    write_exchange(7, TLSMGR_EXCHANGE_SIZE);
    pid = fake_egd(lfd, 0, -1); /* "nothing available" */
    port_test_horizon = port_test_now;
    opens = port_test_calls("open");
    T_EQ_INT(tlsmgr_seed(t, out, sizeof(out)), 0);
    T_EQ_INT(port_test_calls("open"), opens + 1);
    waitpid(pid, NULL, 0);
    close(lfd);
    tlsmgr_close(t);
}

/* An EGD peer that never answers costs the client timeout, then the exchange file is read. */
static void silent_egd_times_out(void)
{
    struct tlsmgr *t = open_handle();
    unsigned char out[32];
    int lfd = listen_socket(); /* never accepted: the connection waits in the backlog */
    uint64_t t0 = port_test_now;
    unsigned opens = port_test_calls("open");

    write_exchange(7, TLSMGR_EXCHANGE_SIZE);
    T_EQ_INT(tlsmgr_seed(t, out, sizeof(out)), 0);
    T_ASSERT(port_test_now - t0 >= TLSMGR_EGD_CLIENT_TIMEOUT_MS);
    T_ASSERT(port_test_now - t0 < 2 * TLSMGR_EGD_CLIENT_TIMEOUT_MS);
    T_EQ_INT(port_test_calls("open"), opens + 1);
    close(lfd);
    tlsmgr_close(t);
}

/* With the kernel RNG scripted and the clock still, only the exchange file changes the
 * output: a good file is used, a wrong-sized one is ignored. */
static void exchange_file_is_used_only_when_exact(void)
{
    static const unsigned char script[] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct tlsmgr *t = open_handle();
    unsigned char none[64], a[64], b[64], bad[64];

    port_test_entropy(script, sizeof(script));
    T_EQ_INT(tlsmgr_seed(t, none, sizeof(none)), 0);
    write_exchange(0x11, TLSMGR_EXCHANGE_SIZE);
    port_test_entropy(script, sizeof(script));
    T_EQ_INT(tlsmgr_seed(t, a, sizeof(a)), 0);
    write_exchange(0x22, TLSMGR_EXCHANGE_SIZE);
    port_test_entropy(script, sizeof(script));
    T_EQ_INT(tlsmgr_seed(t, b, sizeof(b)), 0);
    write_exchange(0x22, TLSMGR_EXCHANGE_SIZE - 1);
    port_test_entropy(script, sizeof(script));
    T_EQ_INT(tlsmgr_seed(t, bad, sizeof(bad)), 0);
    T_ASSERT(memcmp(none, a, sizeof(a)) != 0);
    T_ASSERT(memcmp(a, b, sizeof(a)) != 0);
    T_ASSERT(memcmp(none, bad, sizeof(a)) == 0); /* a short file is not read at all */
    tlsmgr_close(t);
}

static void nothing_but_the_kernel(void)
{
    struct tlsmgr *t = open_handle();
    unsigned char out[200], zero[64] = {0};
    size_t olen = 99;

    T_EQ_INT(tlsmgr_seed(t, out, sizeof(out)), 0);
    T_ASSERT(memcmp(out, zero, 64) != 0);
    T_ASSERT(memcmp(out + 128, zero, 64) != 0);
    T_ASSERT(memcmp(out, out + 64, 64) != 0); /* counter mode: blocks differ */
    T_EQ_INT(tlsmgr_entropy_source(t, out, 48, &olen), 0);
    T_EQ_INT(olen, 48);
    /* Not even the kernel RNG: still bytes, but the caller is told not to rely on them. */
    port_test_rng_ready = 0;
    T_EQ_INT(tlsmgr_seed(t, out, 32), TLSMGR_ERR_UNAVAIL);
    T_EQ_INT(tlsmgr_entropy_source(t, out, 32, &olen), MBEDTLS_ERR_ENTROPY_SOURCE_FAILED);
    T_EQ_INT(olen, 0);
    T_EQ_INT(tlsmgr_seed(NULL, out, 32), TLSMGR_ERR_ARG);
    T_EQ_INT(tlsmgr_seed(t, out, 0), TLSMGR_ERR_UNAVAIL);
    tlsmgr_close(t);
}

/* The same handle, the same scripted kernel bytes, the same exchange file: only the pid
 * differs between a parent and its forked child, and so do their seeds. */
static void fork_child_differs_from_parent(void)
{
    static const unsigned char script[] = {9, 9, 9, 9};
    struct tlsmgr *t = open_handle();
    unsigned char mine[64], theirs[64];
    int p[2];
    pid_t pid;

    write_exchange(0x33, TLSMGR_EXCHANGE_SIZE);
    port_test_entropy(script, sizeof(script));
    T_EQ_INT(pipe(p), 0);
    pid = fork();
    if (pid == 0) {
        unsigned char out[64];
        if (tlsmgr_seed(t, out, sizeof(out)) != 0 || write(p[1], out, sizeof(out)) != 64)
            _exit(1);
        _exit(0);
    }
    T_EQ_INT(tlsmgr_seed(t, mine, sizeof(mine)), 0);
    T_EQ_INT(read(p[0], theirs, sizeof(theirs)), 64);
    waitpid(pid, NULL, 0);
    T_ASSERT(memcmp(mine, theirs, sizeof(mine)) != 0);
    close(p[0]);
    close(p[1]);
    tlsmgr_close(t);
}

/* A host that keeps the default SIGPIPE action survives a daemon that hangs up. */
static void peer_hang_up_does_not_kill_the_host(void)
{
    struct tlsmgr *t = open_handle();
    unsigned char out[32];
    int lfd = listen_socket(), i;

    signal(SIGPIPE, SIG_DFL);
    for (i = 0; i < 5; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            int c = accept(lfd, NULL, NULL);
            close(c);
            _exit(0);
        }
        port_test_horizon = port_test_now;
        T_EQ_INT(tlsmgr_seed(t, out, sizeof(out)), 0);
        waitpid(pid, NULL, 0);
    }
    close(lfd);
    tlsmgr_close(t);
}

static void works_as_an_mbedtls_entropy_source(void)
{
    struct tlsmgr *t = open_handle();
    mbedtls_entropy_context ctx;
    unsigned char out[MBEDTLS_ENTROPY_BLOCK_SIZE], zero[MBEDTLS_ENTROPY_BLOCK_SIZE] = {0};

    mbedtls_entropy_init(&ctx);
    T_EQ_INT(mbedtls_entropy_add_source(&ctx, tlsmgr_entropy_source, t, 32,
                                        MBEDTLS_ENTROPY_SOURCE_STRONG),
             0);
    T_EQ_INT(mbedtls_entropy_func(&ctx, out, sizeof(out)), 0);
    T_ASSERT(memcmp(out, zero, sizeof(out)) != 0);
    mbedtls_entropy_free(&ctx);
    tlsmgr_close(t);
}

T_MAIN(T_CASE(egd_answer_is_used), T_CASE(short_egd_answer_falls_back_to_exchange),
       T_CASE(silent_egd_times_out), T_CASE(exchange_file_is_used_only_when_exact),
       T_CASE(nothing_but_the_kernel), T_CASE(fork_child_differs_from_parent),
       T_CASE(peer_hang_up_does_not_kill_the_host), T_CASE(works_as_an_mbedtls_entropy_source))
