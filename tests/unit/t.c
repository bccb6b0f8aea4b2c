/* SPDX-License-Identifier: BSD-2-Clause */
/* t.c - runs the cases of one unit-test program, each in its own temporary directory. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"

static int failed;
static char first_failure[512];
static char dir[256];
static char ram[sizeof(dir) + 8];
static const char *prog_name;

void t_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (failed++)
        return;
    n = snprintf(first_failure, sizeof(first_failure), "%s:%d: ", file, line);
    va_start(ap, fmt);
    vsnprintf(first_failure + n, sizeof(first_failure) - (size_t)n, fmt, ap);
    va_end(ap);
}

const char *t_dir(void)
{
    return dir;
}

const char *t_ram_dir(void)
{
    if (ram[0] != '\0')
        return ram;
    snprintf(ram, sizeof(ram), "/dev/shm/tlsmgr-%s-XXXXXX", prog_name);
    if (mkdtemp(ram) != NULL)
        return ram;
    snprintf(ram, sizeof(ram), "%s/ram", dir);
    if (mkdir(ram, 0700) != 0)
        t_fail(__FILE__, __LINE__, "cannot make %s", ram);
    return ram;
}

int t_write_file(const char *name, const void *data, size_t len)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int ok;

    if (fd < 0)
        return -1;
    ok = write(fd, data, len) == (ssize_t)len;
    close(fd);
    return ok ? 0 : -1;
}

long t_read_file(const char *name, void *buf, size_t cap)
{
    int fd = open(name, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, cap);
    close(fd);
    return (long)n;
}

unsigned t_log_count(const char *needle)
{
    const char *p = port_test_log();
    unsigned n = 0;

    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

int t_unix_socket(struct sockaddr_un *sun, const char *path)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", path);
    return socket(AF_UNIX, SOCK_STREAM, 0);
}

/* Runs fn in a child; returns its wait status (-1 if it could not run) and its first
 * failure in msg. */
static int child_status(t_case_fn fn, char *msg, size_t cap)
{
    int fds[2], status = 0;
    ssize_t n;
    pid_t pid;

    msg[0] = '\0';
    if (pipe(fds) < 0)
        return -1;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        failed = 0;
        first_failure[0] = '\0';
        fn();
        if (failed)
            fprintf(stderr, "--- log of the child ---\n%s", port_test_log());
        if (failed && write(fds[1], first_failure, strlen(first_failure)) < 0)
            _exit(3);
        _exit(failed ? 1 : 0);
    }
    close(fds[1]);
    n = pid > 0 ? read(fds[0], msg, cap - 1) : -1;
    msg[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

void t_child(t_case_fn fn)
{
    char msg[sizeof(first_failure)];
    int status = child_status(fn, msg, sizeof(msg));

    if (status == -1)
        t_fail(__FILE__, __LINE__, "fork or waitpid failed");
    else if (WIFSIGNALED(status))
        t_fail(__FILE__, __LINE__, "the child died of signal %d (%s)%s%s", WTERMSIG(status),
               strsignal(WTERMSIG(status)), msg[0] ? " after: " : "", msg);
    else if (WEXITSTATUS(status) != 0)
        t_fail(__FILE__, __LINE__, "in the child: %s", msg[0] ? msg : "exit status");
}

void t_guarded_child(t_case_fn fn)
{
    char msg[sizeof(first_failure)];
    int status;

    if (t_fault_addresses_exact()) {
        t_child(fn);
        return;
    }
    status = child_status(fn, msg, sizeof(msg));
    if (status == -1)
        t_fail(__FILE__, __LINE__, "fork or waitpid failed");
    else if (!WIFSIGNALED(status) && WEXITSTATUS(status) != 0)
        t_fail(__FILE__, __LINE__, "in the child: %s", msg[0] ? msg : "exit status");
}

void t_child_dies(t_case_fn fn)
{
    int status = 0;
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        t_fail(__FILE__, __LINE__, "fork or waitpid failed");
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        t_fail(__FILE__, __LINE__, "the child came back: a fault was hidden");
}

static sigjmp_buf probe_jump;
static volatile uintptr_t probe_addr;

static void probe_bus(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    probe_addr = (uintptr_t)si->si_addr;
    siglongjmp(probe_jump, 1);
}

int t_fault_addresses_exact(void)
{
    static int known = -1;
    struct sigaction sa, old;
    long page = sysconf(_SC_PAGESIZE);
    volatile uint8_t *m;
    int fd;

    if (known >= 0)
        return known;
    fd = open("fault-probe", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 2 * page) < 0)
        return 0;
    m = mmap(NULL, (size_t)(2 * page), PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED || ftruncate(fd, page) < 0)
        return 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = probe_bus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &old);
    probe_addr = 0;
    if (sigsetjmp(probe_jump, 1) == 0)
        (void)m[page + 8];
    sigaction(SIGBUS, &old, NULL);
    known = probe_addr == (uintptr_t)(m + page + 8);
    if (!known)
        printf("# SIGBUS names %#lx for a fault at %#lx: the guard takes such a fault only if that "
               "address is still in the mapping\n",
               (unsigned long)probe_addr, (unsigned long)(uintptr_t)(m + page + 8));
    munmap((void *)m, (size_t)(2 * page));
    close(fd);
    unlink("fault-probe");
    return known;
}

static void remove_tree(const char *path)
{
    char cmd[300];

    /* Test directories are ours alone, under /tmp: a plain rm -rf is the honest tool. */
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", path);
}

int t_run(const struct t_case *cases, size_t n, int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char cwd[512];
    size_t i;
    int bad = 0;

    if (getcwd(cwd, sizeof(cwd)) == NULL)
        return 2;
    prog_name = prog;
    for (i = 0; i < n; i++) {
        if (only != NULL && strcmp(only, cases[i].name) != 0)
            continue;
        snprintf(dir, sizeof(dir), "/tmp/tlsmgr-%s-XXXXXX", prog);
        if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
            printf("not ok - %s: cannot make a temporary directory\n", cases[i].name);
            bad++;
            continue;
        }
        failed = 0;
        first_failure[0] = '\0';
        port_test_reset();
        cases[i].fn();
        if (chdir(cwd) != 0)
            return 2;
        remove_tree(dir);
        if (ram[0] != '\0' && strncmp(ram, dir, strlen(dir)) != 0)
            remove_tree(ram);
        ram[0] = '\0';
        if (failed) {
            printf("not ok - %s: %s\n", cases[i].name, first_failure);
            if (getenv("TLSMGR_TEST_VERBOSE") == NULL)
                fprintf(stderr, "--- log of %s ---\n%s", cases[i].name, port_test_log());
            bad++;
        } else {
            printf("ok - %s\n", cases[i].name);
        }
        fflush(stdout);
    }
    return bad ? 1 : 0;
}
