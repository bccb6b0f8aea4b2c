/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_proc.h - what the benchmarks that run real programs share: a private temporary
 * directory (on tmpfs when the machine has one, as a router's /var/run: the daemon shares
 * ticket keys only there), the real daemon started on it with a configuration that keeps
 * every file inside, other programs started with their output in a log and stopped with
 * the CPU time they used.
 */
#ifndef TLSMGR_BENCH_PROC_H
#define TLSMGR_BENCH_PROC_H

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* A new directory NAME.XXXXXX under /dev/shm (else /tmp) into dir, mode 0755 so that a
 * daemon that dropped to nobody still reaches it. Returns 0 or -1. */
static inline int bench_tmpdir(const char *name, char *dir, size_t cap)
{
    struct stat sb;

    snprintf(dir, cap, "%s/%s.XXXXXX", stat("/dev/shm", &sb) == 0 ? "/dev/shm" : "/tmp", name);
    return mkdtemp(dir) != NULL && chmod(dir, 0755) == 0 ? 0 : -1;
}

/* Writes the formatted text to path (replaced). Returns 0 or -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static inline int
bench_write(const char *path, const char *fmt, ...)
{
    FILE *f = fopen(path, "w");
    va_list ap;
    int rc;

    if (f == NULL)
        return -1;
    va_start(ap, fmt);
    rc = vfprintf(f, fmt, ap);
    va_end(ap);
    return fclose(f) == 0 && rc >= 0 ? 0 : -1;
}

/* Removes the cache env dir/cache (data.mdb, lock.mdb and the directory), if any. */
static inline void bench_remove_env(const char *dir)
{
    static const char *const names[] = {"cache/data.mdb", "cache/lock.mdb"};
    char p[300];
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        unlink(p);
    }
    snprintf(p, sizeof(p), "%s/cache", dir);
    rmdir(p);
}

static inline void bench_rmrf(const char *dir)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* The program `name` of the build directory, which holds tests/ and this program: argv0's
 * directory/../name. */
static inline void bench_build_path(const char *argv0, const char *name, char *out, size_t cap)
{
    const char *slash = strrchr(argv0, '/');

    snprintf(out, cap, "%.*s/../%s", slash ? (int)(slash - argv0) : 1, slash ? argv0 : ".", name);
}

/* Runs argv[0] with standard output and error appended to log. Returns its pid or -1. */
static inline pid_t bench_spawn(const char *log, char *const argv[])
{
    pid_t pid = fork();

    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* 1 once file holds needle, 0 when pid exited or `seconds` passed first. */
static inline int bench_wait_file(const char *file, const char *needle, pid_t pid, double seconds)
{
    char buf[8192];
    int i;

    for (i = 0; i < seconds * 20; i++) {
        FILE *f = fopen(file, "r");
        size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

        if (f != NULL)
            fclose(f);
        buf[n] = '\0';
        if (strstr(buf, needle) != NULL)
            return 1;
        if (waitpid(pid, NULL, WNOHANG) != 0)
            return 0;
        usleep(50000);
    }
    return 0;
}

/* SIGTERM, then the exit status (-1 if it did not exit within 10 s: killed then). With cpu,
 * also the CPU seconds (user and system) of the process and of the children it reaped. */
static inline int bench_stop_cpu(pid_t pid, double *cpu)
{
    struct rusage ru;
    int i, status;

    if (pid <= 0)
        return 0;
    kill(pid, SIGTERM);
    for (i = 0; i < 200; i++) {
        if (wait4(pid, &status, WNOHANG, &ru) == pid) {
            if (cpu != NULL)
                *cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                       ru.ru_stime.tv_usec / 1e6;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(20000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static inline int bench_stop(pid_t pid)
{
    return bench_stop_cpu(pid, NULL);
}

/*
 * Starts the daemon bin in the foreground on dir: state in dir/state, the seed in dir/seed,
 * configuration dir/tlsmgr.conf (the lines below, then `extra`), log dir/daemon.log. As root
 * it drops to nobody, as the integration tests run it; otherwise it stays who runs the bench.
 * Returns its pid once it logged that it started, or -1 (its log's tail on stderr).
 */
static inline pid_t bench_daemon_start(const char *bin, const char *dir, const char *extra)
{
    struct passwd *pw = getuid() == 0 ? getpwnam("nobody") : getpwuid(getuid());
    struct group *gr = pw != NULL ? getgrgid(pw->pw_gid) : NULL;
    char conf[256], log[256], cmd[600];
    char *argv[5];
    pid_t pid;

    snprintf(conf, sizeof(conf), "%s/tlsmgr.conf", dir);
    snprintf(log, sizeof(log), "%s/daemon.log", dir);
    if (bench_write(conf,
                    "state_directory = %s/state\ntls_random_seed_file = %s/seed/seed\n"
                    "tlsmgr_user = %s\ntlsmgr_group = %s\n%s",
                    dir, dir, pw != NULL ? pw->pw_name : "nobody",
                    gr != NULL ? gr->gr_name : "nogroup", extra) < 0)
        return -1;
    argv[0] = (char *)bin;
    argv[1] = "-f";
    argv[2] = "-c";
    argv[3] = conf;
    argv[4] = NULL;
    pid = bench_spawn(log, argv);
    if (pid > 0 && bench_wait_file(log, " started ", pid, 10))
        return pid;
    fprintf(stderr, "the daemon %s did not start; its log:\n", bin);
    snprintf(cmd, sizeof(cmd), "tail -n 5 '%s' >&2", log);
    if (system(cmd) != 0)
        fprintf(stderr, "(no log)\n");
    bench_stop(pid);
    return -1;
}

#endif
