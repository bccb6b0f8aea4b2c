/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_egd.c - the EGD service of the real daemon (build/tlsmgr, started here on a private
 * state directory) under the mix of clients that once starved it: 200 greedy readers (02 FF,
 * read, again, for the whole run) and 200 hostile clients (50 trickle a never-ending 03 at one
 * byte per 200 ms, 50 send garbage, 50 ask and half-close without ever reading, 50 connect and
 * say nothing), each reconnecting as soon as it is dropped. Meanwhile a well-behaved client
 * connects, asks 01 20, reads its 33 bytes and closes, every 20 ms.
 *
 * Figures: that client's p99 wait (connect to last byte) under load, against the same client
 * under the same load on a control server run just before (the peer: one loop that accepts
 * every connection at once and answers every complete request from getrandom, with no limit,
 * no time bound and no turns, so its figure is what the load and the machine's scheduling alone
 * cost the client); the share of greedy readers answered at least once; the daemon's VmRSS
 * before and after; the CPU time each server and the load used. Targets: p99 <= 250 ms, every
 * greedy reader answered, RSS flat.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNS 1
#include "bench.h"

#define GREEDY    200
#define PER_KIND  50
#define NCONN     (GREEDY + 4 * PER_KIND)
#define LOAD_S    10.0
#define IDLE_S    2.0
#define PROBE_GAP 0.02
#define MAX_PROBE 4096
#define PEER_MAX  1024 /* the control's connections: more than the load ever opens */

enum kind { K_GREEDY, K_TRICKLE, K_GARBAGE, K_HALFCLOSE, K_IDLE };

struct conn {
    int fd;
    enum kind kind;
    size_t got;     /* bytes of the current answer (greedy) or sent (trickle) */
    double next;    /* when to act next (connect again, send the next byte, give up) */
    int served;     /* greedy: answered at least once */
    int connecting; /* waiting for the listener's backlog */
};

struct loaded {
    int n, fail, served;
    double p50, p99;
    double server_cpu, load_cpu; /* seconds of CPU during the load */
};

static char sock_path[108];
static struct conn conns[NCONN];
static volatile int probe_stop;
static double probe_wait[MAX_PROBE];
static int probe_n, probe_fail;

static int unix_connect(int nonblock)
{
    struct sockaddr_un sun;
    int fd = socket(AF_UNIX, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The well-behaved client, one request per connection, as OpenSSL's RAND_egd does. */
static void *probe(void *arg)
{
    (void)arg;
    while (!probe_stop && probe_n < MAX_PROBE) {
        double t0 = now_s();
        unsigned char ans[33];
        size_t got = 0;
        int fd = unix_connect(0);
        struct timeval tv = {5, 0};

        if (fd >= 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
            if (write(fd, "\x01\x20", 2) == 2)
                while (got < sizeof(ans)) {
                    ssize_t r = read(fd, ans + got, sizeof(ans) - got);
                    if (r <= 0)
                        break;
                    got += (size_t)r;
                }
            close(fd);
        }
        if (got == sizeof(ans) && ans[0] == 32)
            probe_wait[probe_n++] = now_s() - t0;
        else
            probe_fail++;
        usleep((useconds_t)(PROBE_GAP * 1e6));
    }
    return NULL;
}

static double run_probe(double seconds, double *p50)
{
    pthread_t t;
    double v;

    probe_n = probe_fail = 0;
    probe_stop = 0;
    pthread_create(&t, NULL, probe, NULL);
    usleep((useconds_t)(seconds * 1e6));
    probe_stop = 1;
    pthread_join(t, NULL);
    if (probe_n == 0)
        return -1;
    qsort(probe_wait, (size_t)probe_n, sizeof(double), bench_cmp);
    *p50 = probe_wait[probe_n / 2];
    v = probe_wait[(probe_n * 99) / 100 < probe_n ? (probe_n * 99) / 100 : probe_n - 1];
    return v;
}

/* The control server: accepts every connection at once (no slots), answers every complete
 * request, skips 03's data, closes on an unknown command or at the client's end of input. */
static void peer_serve(int lfd)
{
    static struct pollfd pfd[PEER_MAX + 1];
    static unsigned char in[PEER_MAX + 1][512];
    static size_t in_len[PEER_MAX + 1];
    struct rlimit rl;
    nfds_t n = 1, i;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    pfd[0].fd = lfd;
    pfd[0].events = POLLIN;
    for (;;) {
        if (poll(pfd, n, -1) < 0)
            continue;
        for (i = n; i-- > 1;) {
            unsigned char out[1024];
            size_t pos = 0, o = 0;
            ssize_t r;
            int done = 0;

            if (pfd[i].revents == 0)
                continue;
            r = read(pfd[i].fd, in[i] + in_len[i], sizeof(in[i]) - in_len[i]);
            if (r <= 0)
                done = r == 0 || errno != EAGAIN;
            else
                in_len[i] += (size_t)r;
            while (!done && pos < in_len[i] && o + 256 <= sizeof(out)) {
                const unsigned char *q = in[i] + pos;
                size_t left = in_len[i] - pos;
                if (q[0] == 0) { /* 8192 bits */
                    memcpy(out + o, "\0\0\x20\0", 4);
                    o += 4;
                    pos++;
                } else if (q[0] == 4) { /* a pid of one digit */
                    out[o++] = 1;
                    out[o++] = '1';
                    pos++;
                } else if (q[0] == 1 || q[0] == 2) {
                    if (left < 2)
                        break;
                    out[o] = q[1];
                    if (q[1] > 0 && getrandom(out + o + 1, q[1], 0) != q[1])
                        done = 1;
                    o += 1 + (size_t)q[1];
                    pos += 2;
                } else if (q[0] == 3) {
                    if (left < 4 || left < 4 + (size_t)q[3])
                        break;
                    pos += 4 + (size_t)q[3];
                } else {
                    done = 1;
                }
            }
            memmove(in[i], in[i] + pos, in_len[i] - pos);
            in_len[i] -= pos;
            if (o > 0 && send(pfd[i].fd, out, o, MSG_NOSIGNAL) != (ssize_t)o)
                done = 1;
            if (done) {
                close(pfd[i].fd);
                pfd[i] = pfd[--n];
                memcpy(in[i], in[n], in_len[n]);
                in_len[i] = in_len[n];
            }
        }
        while ((pfd[0].revents & POLLIN) && n <= PEER_MAX) {
            int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
            if (fd < 0)
                break;
            pfd[n].fd = fd;
            pfd[n].events = POLLIN;
            pfd[n].revents = 0;
            in_len[n++] = 0;
        }
    }
}

static pid_t start_peer(const char *path)
{
    struct sockaddr_un sun;
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    pid_t pid;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 128) < 0)
        return -1;
    pid = fork();
    if (pid == 0)
        peer_serve(lfd);
    close(lfd);
    return pid;
}

/* User and system CPU time of a process so far, in seconds. */
static double cpu_s(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long ut = 0, st = 0;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* fields 14 and 15, after the command name */
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long vmrss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "VmRSS: %ld", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static void conn_drop(struct conn *c, double later)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->got = 0;
    c->next = now_s() + later;
}

/* What each kind does once connected. */
static void conn_start(struct conn *c, double t)
{
    static const unsigned char half[] = {2, 255, 2, 255, 2, 255, 2, 255};
    unsigned char junk[16];
    size_t i;

    c->got = 0;
    switch (c->kind) {
    case K_GREEDY:
        if (write(c->fd, "\x02\xff", 2) != 2)
            conn_drop(c, 0.01);
        break;
    case K_TRICKLE:
        c->next = t; /* first byte now */
        break;
    case K_GARBAGE:
        for (i = 0; i < sizeof(junk); i++)
            junk[i] = (unsigned char)(5 + rand() % 250);
        if (write(c->fd, junk, sizeof(junk)) < 0)
            conn_drop(c, 0.02);
        break;
    case K_HALFCLOSE:
        if (write(c->fd, half, sizeof(half)) < 0)
            conn_drop(c, 0.02);
        else
            shutdown(c->fd, SHUT_WR);
        c->next = t + 1.0; /* never reads; lets go after a second */
        break;
    case K_IDLE:
        break;
    }
}

static void conn_connect(struct conn *c, double t)
{
    c->fd = unix_connect(1);
    if (c->fd < 0) {
        c->next = t + 0.005; /* backlog full: try again shortly */
        return;
    }
    conn_start(c, t);
}

/* Reads what the daemon sent; 0 keeps the connection, -1 when the daemon closed it. */
static int conn_read(struct conn *c)
{
    unsigned char buf[4096];
    ssize_t r = read(c->fd, buf, sizeof(buf));

    if (r == 0 || (r < 0 && errno != EAGAIN))
        return -1;
    if (r > 0 && c->kind == K_GREEDY) {
        c->got += (size_t)r;
        if (c->got >= 255) {
            c->served = 1;
            c->got = 0;
            if (write(c->fd, "\x02\xff", 2) != 2)
                return -1;
        }
    }
    return 0;
}

static void load(double seconds)
{
    static struct pollfd pfd[NCONN];
    static int idx[NCONN];
    double end = now_s() + seconds;
    int i;

    for (i = 0; i < NCONN; i++) {
        conns[i].fd = -1;
        conns[i].served = 0;
        conns[i].kind = i < GREEDY ? K_GREEDY : (enum kind)(1 + (i - GREEDY) / PER_KIND);
        conns[i].next = 0;
    }
    while (now_s() < end) {
        double t = now_s(), wake = end;
        int n = 0, timeout;

        for (i = 0; i < NCONN; i++) {
            struct conn *c = &conns[i];
            if (c->fd < 0 && c->next <= t)
                conn_connect(c, t);
            if (c->fd >= 0 && c->kind == K_TRICKLE && c->next <= t) {
                static const unsigned char head[] = {3, 0, 8, 255};
                unsigned char b = c->got < sizeof(head) ? head[c->got] : 'x';
                if (write(c->fd, &b, 1) != 1)
                    conn_drop(c, 0.02);
                else {
                    c->got++;
                    c->next = t + 0.2;
                }
            }
            if (c->fd >= 0 && c->kind == K_HALFCLOSE && c->next <= t)
                conn_drop(c, 0.0);
            if (c->fd >= 0) {
                pfd[n].fd = c->fd;
                pfd[n].events = c->kind == K_HALFCLOSE ? 0 : POLLIN;
                idx[n++] = i;
            }
            if ((c->fd < 0 || c->kind == K_TRICKLE || c->kind == K_HALFCLOSE) && c->next < wake)
                wake = c->next;
        }
        timeout = (int)((wake - now_s()) * 1000) + 1;
        if (timeout < 0)
            timeout = 0;
        if (poll(pfd, (nfds_t)n, timeout) <= 0)
            continue;
        for (i = 0; i < n; i++) {
            struct conn *c = &conns[idx[i]];
            if (pfd[i].revents != 0 && conn_read(c) < 0)
                conn_drop(c, c->kind == K_GREEDY ? 0.0 : 0.02);
        }
    }
    for (i = 0; i < NCONN; i++)
        if (conns[i].fd >= 0)
            close(conns[i].fd);
}

static pid_t start_daemon(const char *bin, const char *dir)
{
    char conf[256], line[1024], log[256];
    /* As root the daemon drops to nobody; otherwise it stays who runs the bench. */
    struct passwd *pw = getuid() == 0 ? getpwnam("nobody") : getpwuid(getuid());
    struct group *gr = pw != NULL ? getgrgid(pw->pw_gid) : NULL;
    const char *user = pw != NULL ? pw->pw_name : "nobody";
    const char *group = gr != NULL ? gr->gr_name : "nogroup";
    FILE *f;
    pid_t pid;
    int i;

    snprintf(conf, sizeof(conf), "%s/tlsmgr.conf", dir);
    snprintf(sock_path, sizeof(sock_path), "%s/state/egd", dir);
    f = fopen(conf, "w");
    if (f == NULL)
        return -1;
    fprintf(f,
            "state_directory = %s/state\ntls_random_seed_file = %s/seed/seed\n"
            "tlsmgr_user = %s\ntlsmgr_group = %s\ntls_random_egd_socket = %s\n"
            "tls_session_cache_database =\n",
            dir, dir, user, group, sock_path);
    fclose(f);
    snprintf(log, sizeof(log), "%s/log", dir);
    pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(bin, bin, "-f", "-c", conf, (char *)NULL);
        _exit(127);
    }
    for (i = 0; i < 200; i++) {
        struct stat st;
        if (stat(sock_path, &st) == 0) {
            usleep(100000);
            return pid;
        }
        usleep(50000);
    }
    snprintf(line, sizeof(line), "cat %s >&2", log);
    if (system(line) != 0)
        fprintf(stderr, "bench_egd: no daemon log\n");
    kill(pid, SIGTERM);
    return -1;
}

/* The load against the server listening on path (process server) while the well-behaved
 * client measures its waits. */
static int run_loaded(const char *path, pid_t server, struct loaded *res)
{
    double cpu0 = cpu_s(server);
    struct rusage ru;
    pthread_t t;
    int fds[2], i, served = 0;
    pid_t child;

    snprintf(sock_path, sizeof(sock_path), "%s", path);
    /* The load runs in a child at a lower CPU priority: on a shared two-core machine it would
     * otherwise take the CPU from the server and the measuring client, and the figures would
     * measure the scheduler, not the server's policy. */
    if (pipe(fds) < 0 || (child = fork()) < 0)
        return -1;
    if (child == 0) {
        close(fds[0]);
        if (nice(10) < 0)
            perror("nice");
        load(LOAD_S);
        for (i = 0; i < GREEDY; i++)
            served += conns[i].served;
        if (write(fds[1], &served, sizeof(served)) != sizeof(served))
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    probe_n = probe_fail = 0;
    probe_stop = 0;
    pthread_create(&t, NULL, probe, NULL);
    if (read(fds[0], &res->served, sizeof(res->served)) != sizeof(res->served))
        res->served = -1;
    probe_stop = 1;
    pthread_join(t, NULL);
    close(fds[0]);
    memset(&ru, 0, sizeof(ru));
    wait4(child, NULL, 0, &ru);
    res->load_cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    res->server_cpu = cpu_s(server) - cpu0;
    res->n = probe_n;
    res->fail = probe_fail;
    qsort(probe_wait, (size_t)probe_n, sizeof(double), bench_cmp);
    res->p50 = probe_n ? probe_wait[probe_n / 2] : -1;
    res->p99 = probe_n ? probe_wait[(probe_n * 99) / 100] : -1;
    return 0;
}

int main(int argc, char **argv)
{
    char bin[512], dir[] = "/tmp/bench_egd.XXXXXX", cmd[600];
    char daemon_path[108], peer_path[108];
    double idle_p99, idle_p50 = 0, la[3] = {0, 0, 0};
    struct loaded peer, ours;
    long rss_before, rss_after;
    int status, idle_n, idle_fail;
    const char *slash = strrchr(argv[0], '/');
    pid_t pid, peer_pid;

    (void)argc;
    signal(SIGPIPE, SIG_IGN);
    snprintf(bin, sizeof(bin), "%.*s/../tlsmgr", slash ? (int)(slash - argv[0]) : 1,
             slash ? argv[0] : ".");
    if (mkdtemp(dir) == NULL || chmod(dir, 0755) < 0) {
        fprintf(stderr, "bench_egd: no temporary directory\n");
        return 1;
    }
    pid = start_daemon(bin, dir);
    if (pid < 0) {
        fprintf(stderr, "bench_egd: the daemon (%s) did not start\n", bin);
        return 1;
    }
    snprintf(daemon_path, sizeof(daemon_path), "%s", sock_path);
    snprintf(peer_path, sizeof(peer_path), "%s/peer", dir);
    if (getloadavg(la, 3) < 0)
        la[0] = -1;
    idle_p99 = run_probe(IDLE_S, &idle_p50);
    idle_n = probe_n;
    idle_fail = probe_fail;
    rss_before = vmrss_kb(pid);
    peer_pid = start_peer(peer_path);
    if (peer_pid < 0 || run_loaded(peer_path, peer_pid, &peer) < 0 ||
        run_loaded(daemon_path, pid, &ours) < 0) {
        fprintf(stderr, "bench_egd: cannot run the load\n");
        if (peer_pid > 0)
            kill(peer_pid, SIGKILL);
        kill(pid, SIGTERM);
        return 1;
    }
    kill(peer_pid, SIGKILL);
    waitpid(peer_pid, NULL, 0);
    usleep(500000);
    rss_after = vmrss_kb(pid);
    printf("bench_egd: %d greedy readers and %d hostile clients (trickle 1 byte/200 ms, garbage, "
           "half-close without reading, silent) for %.0f s against the control, then %s; "
           "load average %.2f %.2f %.2f at the start\n",
           GREEDY, 4 * PER_KIND, LOAD_S, bin, la[0], la[1], la[2]);
    printf("  well-behaved client (connect, 01 20, read 33 bytes, close): ours unloaded %d "
           "requests, p50 %.2f ms, p99 %.2f ms, %d failed\n",
           idle_n, idle_p50 * 1e3, idle_p99 * 1e3, idle_fail);
    printf("  loaded, ours:    %d requests, p50 %.2f ms, p99 %.2f ms, %d failed; greedy served "
           "%d; CPU: server %.2f s, load %.2f s\n",
           ours.n, ours.p50 * 1e3, ours.p99 * 1e3, ours.fail, ours.served, ours.server_cpu,
           ours.load_cpu);
    printf("  loaded, control: %d requests, p50 %.2f ms, p99 %.2f ms, %d failed; greedy served "
           "%d; CPU: server %.2f s, load %.2f s\n",
           peer.n, peer.p50 * 1e3, peer.p99 * 1e3, peer.fail, peer.served, peer.server_cpu,
           peer.load_cpu);
    printf("bench egd_p99_wait_ms: ours %.2f, peer %.2f, ratio %.2f (peer: the control server "
           "under the same load; target ours <= 250)\n",
           ours.p99 * 1e3, peer.p99 * 1e3, peer.p99 > 0 ? ours.p99 / peer.p99 : 0.0);
    printf("bench egd_greedy_served: ours %d, peer %d, ratio %.2f (greedy readers answered at "
           "least once, of all of them; target every one)\n",
           ours.served, GREEDY, (double)ours.served / GREEDY);
    printf("bench egd_rss_kb: ours %ld, peer %ld, ratio %.2f (daemon VmRSS after the load, "
           "against before; target flat)\n",
           rss_after, rss_before, rss_before > 0 ? (double)rss_after / rss_before : 0.0);
    /* The daemon's own counters (accepted, timed out, dropped, closed for want of a slot). */
    fflush(stdout);
    kill(pid, SIGUSR1);
    usleep(300000);
    snprintf(cmd, sizeof(cmd), "grep 'egd: clients now' '%s/log' | tail -n 1 | sed 's/^/  /'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_egd: no statistics in the daemon's log\n");
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_egd: the daemon failed (status %d); its log:\n", status);
        snprintf(cmd, sizeof(cmd), "tail -n 20 '%s/log' >&2", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_egd: no log\n");
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_egd: could not remove %s\n", dir);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
