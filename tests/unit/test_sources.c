/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sources.c - each kind of source and each way it fails: logged once per change of
 * state, retried at the next reseed, never fatal. EGD peers are forked helper processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "entropy.h"
#include "port.h"
#include "sources.h"
#include "t.h"

static void one_source(struct sources *s, enum conf_source_kind kind, const char *path)
{
    struct tlsmgr_conf c;

    conf_defaults(&c);
    c.nsources = 1;
    c.sources[0].kind = kind;
    strcpy(c.sources[0].path, path);
    sources_init(s, &c);
    entropy_reset();
}

static void getrandom_not_ready_logged_once(void)
{
    struct sources s;

    one_source(&s, SOURCE_GETRANDOM, "");
    port_test_rng_ready = 0;
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_EQ_INT(t_log_count("getrandom: not initialised"), 1);
    T_EQ_INT(entropy_stats()->source_failures, 3);
    port_test_rng_ready = 1;
    T_EQ_INT(sources_read_all(&s, 32), 1);
    T_EQ_INT(sources_read_all(&s, 32), 1);
    T_EQ_INT(t_log_count("getrandom: working again"), 1);
    /* failing again is a new change of state */
    port_test_fail("getrandom", 1, EAGAIN);
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_EQ_INT(t_log_count("getrandom: not initialised"), 2);
}

static void missing_device(void)
{
    struct sources s;

    one_source(&s, SOURCE_DEV, "./no-such-device");
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_EQ_INT(t_log_count(": open: No such file"), 1);
    one_source(&s, SOURCE_HWRNG, "./no-such-hwrng");
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_ASSERT(port_test_log_has("random source hwrng:./no-such-hwrng: open"));
}

static void device_short_read(void)
{
    struct sources s;

    one_source(&s, SOURCE_DEV, "/dev/urandom");
    T_EQ_INT(sources_read_all(&s, 32), 1);
    T_EQ_INT(entropy_stats()->source_failures, 0);
    /* a device that returns short (non-blocking, then EAGAIN) */
    port_test_short("read", 1, 5);
    port_test_fail("read", 2, EAGAIN);
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_ASSERT(port_test_log_has("dev:/dev/urandom: no data"));
    T_EQ_INT(sources_read_all(&s, 32), 1);
    T_EQ_INT(t_log_count("dev:/dev/urandom: working again"), 1);
    port_test_fail("read", 1, EIO);
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_ASSERT(port_test_log_has(": read: Input/output error"));
}

/* A device opened while privileged keeps serving after the drop; after a read error it is
 * reopened at the next reseed (and logged when that fails). */
static void device_kept_open_across_the_drop(void)
{
    struct sources s;

    one_source(&s, SOURCE_HWRNG, "/dev/urandom"); /* opened there, as while privileged */
    port_test_fail("open", 0, EACCES); /* what an unprivileged open of /dev/hwrng meets */
    T_EQ_INT(sources_read_all(&s, 32), 1);
    T_EQ_INT(sources_read_all(&s, 32), 1);
    port_test_fail("read", 1, EIO);
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_ASSERT(port_test_log_has("hwrng:/dev/urandom: read"));
    T_EQ_INT(t_log_count("hwrng:/dev/urandom:"), 1); /* the reopen failure is the same state */
    port_test_reset();
    T_EQ_INT(sources_read_all(&s, 32), 1);
    sources_close(&s);
}

static void device_must_be_a_device(void)
{
    struct sources s;

    T_EQ_INT(t_write_file("plain", "0123456789abcdef0123456789abcdef", 32), 0);
    one_source(&s, SOURCE_DEV, "plain");
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_ASSERT(port_test_log_has("not a char device"));
    T_EQ_INT(mkfifo("fifo", 0600), 0);
    one_source(&s, SOURCE_FILE, "fifo");
    T_EQ_INT(sources_read_all(&s, 32), 0); /* never blocks on a FIFO */
    T_ASSERT(port_test_log_has("fifo: not a regular file"));
}

static void plain_file_read_on_and_wrapped(void)
{
    unsigned char data[100];
    struct sources s;
    unsigned i;

    for (i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 73 + 11);
    T_EQ_INT(t_write_file("noise", data, sizeof(data)), 0);
    one_source(&s, SOURCE_FILE, "noise");
    for (i = 0; i < 10; i++)
        T_EQ_INT(sources_read_all(&s, 32), 1);
    T_EQ_INT(entropy_stats()->source_failures, 0);
    /* shorter than one read: short, still mixed, retried */
    T_EQ_INT(t_write_file("tiny", data, 10), 0);
    one_source(&s, SOURCE_FILE, "tiny");
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_ASSERT(port_test_log_has("random source tiny: end of file"));
}

static void stuck_file_fails_health_tests(void)
{
    unsigned char zeros[4096];
    struct sources s;

    memset(zeros, 0, sizeof(zeros));
    T_EQ_INT(t_write_file("stuck", zeros, sizeof(zeros)), 0);
    one_source(&s, SOURCE_FILE, "stuck");
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_EQ_INT(t_log_count("fails health tests"), 1);
    T_EQ_INT(entropy_stats()->health_failures, 2);
}

static void hardware_hook(void)
{
    unsigned char script[300];
    struct sources s;
    unsigned i;

    one_source(&s, SOURCE_HARDWARE, "");
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_ASSERT(port_test_log_has("hardware: no hook"));
    for (i = 0; i < sizeof(script); i++)
        script[i] = (unsigned char)(i * 151 + (i >> 3));
    port_test_hardware_entropy(script, sizeof(script));
    T_EQ_INT(sources_read_all(&s, 32), 1);
    T_ASSERT(port_test_log_has("hardware: working again"));
}

/* ---- EGD peers ---- */

enum peer { PEER_EXACT, PEER_SHORT, PEER_TOO_MANY, PEER_CLOSE };

/* A helper process that accepts one connection, reads the request and answers as told. */
static pid_t peer_start(int lfd, enum peer how)
{
    pid_t pid = fork();

    if (pid == 0) {
        struct pollfd p = {lfd, POLLIN, 0};
        unsigned char req[2], reply[300];
        size_t n = 0, i;
        int fd;

        alarm(5);
        if (poll(&p, 1, 5000) != 1 || (fd = accept(lfd, NULL, NULL)) < 0)
            _exit(1);
        fcntl(fd, F_SETFL, 0);
        if (read(fd, req, 2) != 2 || req[0] != 0x01)
            _exit(2);
        for (i = 0; i < sizeof(reply); i++)
            reply[i] = (unsigned char)(i * 29 + 3);
        switch (how) {
        case PEER_EXACT:
            reply[0] = req[1];
            n = 1 + req[1];
            break;
        case PEER_SHORT:
            reply[0] = (unsigned char)(req[1] / 2);
            n = 1 + req[1] / 2;
            break;
        case PEER_TOO_MANY:
            reply[0] = (unsigned char)(req[1] + 1);
            n = 2 + req[1];
            break;
        case PEER_CLOSE:
            n = 0;
            break;
        }
        if (n > 0 && write(fd, reply, n) != (ssize_t)n)
            _exit(3);
        close(fd);
        _exit(0);
    }
    return pid;
}

static void peer_wait(pid_t pid)
{
    int status = 0;

    T_ASSERT(pid > 0);
    T_EQ_INT(waitpid(pid, &status, 0), pid);
    T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* With the virtual clock frozen (horizon reached), poll only checks readiness, so the client
 * waits in real time for the helper; alarm bounds the test. */
static unsigned read_with_peer(struct sources *s, int lfd, enum peer how, unsigned want)
{
    pid_t pid = peer_start(lfd, how);
    unsigned strong;

    alarm(10);
    port_test_horizon = port_test_now;
    strong = sources_read_all(s, want);
    port_test_horizon = 0;
    alarm(0);
    peer_wait(pid);
    return strong;
}

static void egd_client(void)
{
    struct sources s;
    uint64_t t0;
    int lfd;

    one_source(&s, SOURCE_EGD, "egd.sock");
    T_EQ_INT(sources_read_all(&s, 32), 0); /* nobody there */
    T_ASSERT(port_test_log_has("random source egd:egd.sock: connect"));
    lfd = port_unix_listen("egd.sock", 0600, PORT_ID_KEEP, 4);
    T_ASSERT(lfd >= 0);
    port_test_log_clear();
    T_EQ_INT(read_with_peer(&s, lfd, PEER_EXACT, 32), 1);
    T_ASSERT(port_test_log_has("egd:egd.sock: working again"));
    /* at most 255 bytes per request, whatever tls_random_bytes says */
    T_EQ_INT(read_with_peer(&s, lfd, PEER_EXACT, 1000), 1);
    T_EQ_INT(read_with_peer(&s, lfd, PEER_SHORT, 32), 0);
    T_ASSERT(port_test_log_has("egd.sock: too short"));
    T_EQ_INT(read_with_peer(&s, lfd, PEER_EXACT, 32), 1);
    T_EQ_INT(read_with_peer(&s, lfd, PEER_TOO_MANY, 32), 0);
    T_ASSERT(port_test_log_has("egd.sock: too long"));
    T_EQ_INT(read_with_peer(&s, lfd, PEER_EXACT, 32), 1);
    T_EQ_INT(read_with_peer(&s, lfd, PEER_CLOSE, 32), 0);
    T_ASSERT(port_test_log_has("egd.sock: closed"));
    T_EQ_INT(read_with_peer(&s, lfd, PEER_EXACT, 32), 1);
    /* a peer that never answers (connection left in the backlog): bounded by the timeout */
    t0 = port_test_now;
    T_EQ_INT(sources_read_all(&s, 32), 0);
    T_ASSERT(port_test_log_has("timed out"));
    T_ASSERT(port_test_now - t0 <= TLSMGR_EGD_CLIENT_TIMEOUT_MS);
    T_ASSERT(port_test_now - t0 > 0);
    T_EQ_INT(t_log_count("working again"), 4);
    port_close(lfd);
}

static void all_sources_in_one_reseed(void)
{
    unsigned char script[64];
    struct tlsmgr_conf c;
    struct sources s;
    unsigned i;

    for (i = 0; i < sizeof(script); i++)
        script[i] = (unsigned char)(i * 97 + 1);
    port_test_hardware_entropy(script, sizeof(script));
    conf_defaults(&c);
    c.nsources = 4;
    c.sources[0].kind = SOURCE_GETRANDOM;
    c.sources[1].kind = SOURCE_DEV;
    strcpy(c.sources[1].path, "/dev/urandom");
    c.sources[2].kind = SOURCE_HWRNG;
    strcpy(c.sources[2].path, "./missing");
    c.sources[3].kind = SOURCE_HARDWARE;
    sources_init(&s, &c);
    entropy_reset();
    T_EQ_INT(sources_read_all(&s, 32), 3);
    sources_log(&s);
    T_ASSERT(port_test_log_has("random source getrandom: ok"));
    T_ASSERT(port_test_log_has("random source hwrng:./missing: failing"));
}

T_MAIN(T_CASE(getrandom_not_ready_logged_once), T_CASE(missing_device), T_CASE(device_short_read),
       T_CASE(device_kept_open_across_the_drop), T_CASE(device_must_be_a_device),
       T_CASE(plain_file_read_on_and_wrapped), T_CASE(stuck_file_fails_health_tests),
       T_CASE(hardware_hook), T_CASE(egd_client), T_CASE(all_sources_in_one_reseed))
