/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port_test.c - the test port: every port call, wrapped. Real file and socket calls still
 * happen (tests work in a temporary directory), so what is tested is what runs; the wrapper
 * only decides when a call fails, returns short, or what a clock or the kernel RNG says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "real_names.h"
#include "port.h"
#include "real_undo.h"
#include "port_test.h"

uint64_t port_test_now;
int64_t port_test_wall;
uint64_t port_test_horizon;
unsigned port_test_polls;
int port_test_rng_ready;
int port_test_rng_fd;
unsigned port_test_credits;
unsigned port_test_credited_bits;
int port_test_root;
unsigned port_test_dropped_uid, port_test_dropped_gid, port_test_dropped_extra_gid;
int port_test_dropped;
int port_test_fs;

#define MAX_FAULTS 16
#define MAX_COUNTS 48
#define LOG_CAP    65536

struct fault {
    char call[24];
    unsigned nth; /* countdown; 0 = every call */
    int err;
    size_t short_len;
    int is_short;
};

static struct fault faults[MAX_FAULTS];
static struct {
    char call[24];
    unsigned n;
} counts[MAX_COUNTS];
static long crash_budget = -1;
static unsigned after_fstat_nth;
static void (*after_fstat_fn)(void);

static unsigned char rng_script[4096];
static size_t rng_len, rng_pos;
static unsigned char board_script[4096];
static size_t board_len, board_pos;
static char board_unique[128];

static char log_buf[LOG_CAP];
static size_t log_len;
static char print_buf[LOG_CAP];
static size_t print_len;

/* Milliseconds the wall clock has yet to count: a second is added once 1000 of them have
 * passed, so that the two clocks run together however the time is cut. */
static uint64_t wall_rest_ms;

#define MAX_FS_DIRS 4
static struct {
    char dir[128];
    int fs;
} fs_dirs[MAX_FS_DIRS];

void port_test_reset(void)
{
    memset(faults, 0, sizeof(faults));
    memset(counts, 0, sizeof(counts));
    crash_budget = -1;
    after_fstat_fn = NULL;
    port_test_now = 1000000;
    port_test_wall = 1780000000;
    wall_rest_ms = 0;
    port_test_horizon = 0;
    port_test_polls = 0;
    port_test_rng_ready = 1;
    port_test_rng_fd = -1;
    port_test_credits = 0;
    port_test_credited_bits = 0;
    port_test_root = 0;
    port_test_dropped = 0;
    port_test_fs = PORT_FS_OTHER;
    memset(fs_dirs, 0, sizeof(fs_dirs));
    port_test_dropped_uid = port_test_dropped_gid = 0;
    rng_len = rng_pos = 0;
    board_len = board_pos = 0;
    strcpy(board_unique, "test-board-unique-id");
    log_len = print_len = 0;
    log_buf[0] = print_buf[0] = '\0';
}

void port_test_advance(uint64_t ms)
{
    port_test_now += ms;
    wall_rest_ms += ms;
    port_test_wall += (int64_t)(wall_rest_ms / 1000);
    wall_rest_ms %= 1000;
}

static void count(const char *call)
{
    int i;

    for (i = 0; i < MAX_COUNTS; i++) {
        if (counts[i].call[0] == '\0') {
            snprintf(counts[i].call, sizeof(counts[i].call), "%s", call);
            counts[i].n = 1;
            return;
        }
        if (strcmp(counts[i].call, call) == 0) {
            counts[i].n++;
            return;
        }
    }
}

unsigned port_test_calls(const char *call)
{
    int i;

    for (i = 0; i < MAX_COUNTS && counts[i].call[0]; i++)
        if (strcmp(counts[i].call, call) == 0)
            return counts[i].n;
    return 0;
}

static void add_fault(const char *call, unsigned nth, int err, size_t short_len, int is_short)
{
    int i;

    for (i = 0; i < MAX_FAULTS; i++) {
        if (faults[i].call[0] == '\0') {
            snprintf(faults[i].call, sizeof(faults[i].call), "%s", call);
            faults[i].nth = nth;
            faults[i].err = err;
            faults[i].short_len = short_len;
            faults[i].is_short = is_short;
            return;
        }
    }
    fprintf(stderr, "port_test: too many faults\n");
    abort();
}

void port_test_fail(const char *call, unsigned nth, int err)
{
    add_fault(call, nth, err, 0, 0);
}

void port_test_short(const char *call, unsigned nth, size_t len)
{
    add_fault(call, nth, 0, len, 1);
}

void port_test_crash_after(unsigned n)
{
    crash_budget = (long)n;
}

/* Counts the call and says whether it must fail now (errno set) or be cut to *len. */
static int faulted(const char *call, size_t *len)
{
    int i;

    count(call);
    for (i = 0; i < MAX_FAULTS; i++) {
        struct fault *f = &faults[i];

        if (f->call[0] == '\0' || strcmp(f->call, call) != 0)
            continue;
        if (f->nth > 1) {
            f->nth--;
            continue;
        }
        if (f->is_short) {
            if (len != NULL && *len > f->short_len)
                *len = f->short_len;
        } else {
            errno = f->err;
        }
        if (f->nth == 1)
            f->call[0] = '\0'; /* one-shot fault used up; 0 stays for every call */
        if (!f->is_short)
            return 1;
    }
    return 0;
}

/* Power-failure model: once the budget of changing calls is spent, nothing reaches disk. */
static int crashed(void)
{
    count("change");
    if (crash_budget < 0)
        return 0;
    if (crash_budget == 0) {
        errno = EIO;
        return 1;
    }
    crash_budget--;
    return 0;
}

/* ---- Clocks ---- */

uint64_t port_now_ms(void)
{
    return port_test_now;
}

int64_t port_wall_time(void)
{
    return port_test_wall;
}

int port_clock_sample(uint64_t *out, int n)
{
    int i;

    for (i = 0; i < n && i < 2; i++)
        out[i] = i == 0 ? (uint64_t)port_test_wall * 1000000000u : port_test_now * 1000000u;
    return i;
}

/* ---- Randomness ---- */

void port_test_entropy(const void *script, size_t len)
{
    if (len > sizeof(rng_script))
        len = sizeof(rng_script);
    if (script != NULL && len > 0)
        memcpy(rng_script, script, len);
    rng_len = script != NULL ? len : 0;
    rng_pos = 0;
}

static void replay(unsigned char *out, size_t len, const unsigned char *script, size_t slen,
                   size_t *pos)
{
    size_t i;

    for (i = 0; i < len; i++) {
        out[i] = script[*pos];
        *pos = (*pos + 1) % slen;
    }
}

long port_getrandom(void *buf, size_t len)
{
    if (faulted("getrandom", &len))
        return -1;
    if (!port_test_rng_ready) {
        errno = EAGAIN;
        return -1;
    }
    if (rng_len == 0)
        return port_real_getrandom(buf, len);
    replay(buf, len, rng_script, rng_len, &rng_pos);
    return (long)len;
}

int port_kernel_rng_ready(void)
{
    count("kernel_rng_ready");
    return port_test_rng_ready;
}

int port_kernel_rng_wait_fd(void)
{
    count("kernel_rng_wait_fd");
    return port_test_rng_fd;
}

int port_kernel_credit(const void *buf, size_t len, unsigned bits)
{
    (void)buf;
    if (faulted("kernel_credit", NULL))
        return -1;
    if (bits > 256)
        bits = 256;
    if (bits > len * 8)
        bits = (unsigned)(len * 8);
    port_test_credits++;
    port_test_credited_bits += bits;
    return 0;
}

void port_test_hardware_entropy(const void *script, size_t len)
{
    if (len > sizeof(board_script))
        len = sizeof(board_script);
    if (script != NULL && len > 0)
        memcpy(board_script, script, len);
    board_len = script != NULL ? len : 0;
    board_pos = 0;
}

void port_test_hardware_unique(const char *text)
{
    snprintf(board_unique, sizeof(board_unique), "%s", text);
}

long port_hardware_entropy(void *buf, size_t len)
{
    if (faulted("hardware_entropy", &len))
        return -1;
    if (board_len == 0) {
        errno = ENOSYS;
        return -1;
    }
    replay(buf, len, board_script, board_len, &board_pos);
    return (long)len;
}

long port_hardware_unique(void *buf, size_t cap)
{
    size_t n = strlen(board_unique);

    count("hardware_unique");
    if (n > cap)
        n = cap;
    memcpy(buf, board_unique, n);
    return (long)n;
}

/* ---- Files ---- */

int port_open(const char *path, int flags, unsigned mode)
{
    if (faulted("open", NULL))
        return -1;
    if ((flags & (PORT_O_CREAT | PORT_O_TRUNC)) && crashed())
        return -1;
    return port_real_open(path, flags, mode);
}

long port_read(int fd, void *buf, size_t len)
{
    if (faulted("read", &len))
        return -1;
    return port_real_read(fd, buf, len);
}

long port_pread(int fd, void *buf, size_t len, uint64_t off)
{
    if (faulted("pread", &len))
        return -1;
    return port_real_pread(fd, buf, len, off);
}

long port_write(int fd, const void *buf, size_t len)
{
    if (faulted("write", &len) || crashed())
        return -1;
    return port_real_write(fd, buf, len);
}

int port_close(int fd)
{
    count("close");
    return port_real_close(fd);
}

int port_fsync(int fd)
{
    if (faulted("fsync", NULL) || crashed())
        return -1;
    return port_real_fsync(fd);
}

void port_test_after_fstat(unsigned nth, void (*fn)(void))
{
    after_fstat_nth = nth;
    after_fstat_fn = fn;
}

int port_fstat(int fd, struct port_stat *st)
{
    int rc;

    if (faulted("fstat", NULL))
        return -1;
    rc = port_real_fstat(fd, st);
    if (after_fstat_fn != NULL && --after_fstat_nth == 0) {
        void (*fn)(void) = after_fstat_fn;

        after_fstat_fn = NULL;
        fn();
    }
    return rc;
}

int port_lstat(const char *path, struct port_stat *st)
{
    if (faulted("lstat", NULL))
        return -1;
    return port_real_lstat(path, st);
}

int port_rename(const char *from, const char *to)
{
    if (faulted("rename", NULL) || crashed())
        return -1;
    return port_real_rename(from, to);
}

int port_unlink(const char *path)
{
    if (faulted("unlink", NULL) || crashed())
        return -1;
    return port_real_unlink(path);
}

int port_mkdir(const char *path, unsigned mode)
{
    if (faulted("mkdir", NULL) || crashed())
        return -1;
    return port_real_mkdir(path, mode);
}

int port_rmdir(const char *path)
{
    if (faulted("rmdir", NULL) || crashed())
        return -1;
    return port_real_rmdir(path);
}

int port_fchown(int fd, unsigned uid, unsigned gid)
{
    if (faulted("fchown", NULL) || crashed())
        return -1;
    /* A faked root cannot really give files away: record the call, change nothing. */
    if (!port_real_is_root())
        return 0;
    return port_real_fchown(fd, uid, gid);
}

int port_fchmod(int fd, unsigned mode)
{
    if (faulted("fchmod", NULL) || crashed())
        return -1;
    return port_real_fchmod(fd, mode);
}

int port_ftruncate(int fd, uint64_t size)
{
    if (faulted("ftruncate", NULL) || crashed())
        return -1;
    return port_real_ftruncate(fd, size);
}

int port_lock(int fd)
{
    if (faulted("lock", NULL))
        return -1;
    return port_real_lock(fd);
}

int port_map_detach(int fd)
{
    if (faulted("map_detach", NULL))
        return -1;
    return port_real_map_detach(fd);
}

/* The real guard: what it catches is a real SIGBUS of a real mapping. */
int port_guard(const int *fds, unsigned n, void (*fn)(void *), void *arg)
{
    count("guard");
    return port_real_guard(fds, n, fn, arg);
}

void port_test_fs_under(const char *dir, int fs)
{
    int i;

    for (i = 0; i < MAX_FS_DIRS && fs_dirs[i].dir[0] != '\0'; i++) {
        if (strcmp(fs_dirs[i].dir, dir) == 0) {
            fs_dirs[i].fs = fs;
            return;
        }
    }
    if (fs_dirs[MAX_FS_DIRS - 1].dir[0] != '\0') {
        fprintf(stderr, "port_test: too many file system directories\n");
        abort();
    }
    for (i = MAX_FS_DIRS - 1; i > 0; i--)
        fs_dirs[i] = fs_dirs[i - 1];
    snprintf(fs_dirs[0].dir, sizeof(fs_dirs[0].dir), "%s", dir);
    fs_dirs[0].fs = fs;
}

/* Never the real answer: a unit test must not depend on what the machine mounts. */
enum port_fs port_fs_type(const char *path)
{
    size_t n;
    int i;

    count("fs_type");
    for (i = 0; i < MAX_FS_DIRS && fs_dirs[i].dir[0] != '\0'; i++) {
        n = strlen(fs_dirs[i].dir);
        if (strncmp(path, fs_dirs[i].dir, n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return (enum port_fs)fs_dirs[i].fs;
    }
    return (enum port_fs)port_test_fs;
}

/* ---- Sockets ---- */

int port_unix_listen(const char *path, unsigned mode, unsigned gid, int backlog)
{
    if (faulted("unix_listen", NULL))
        return -1;
    /* A faked root cannot really give files away. */
    return port_real_unix_listen(path, mode, port_real_is_root() ? gid : PORT_ID_KEEP, backlog);
}

int port_unix_connect(const char *path)
{
    if (faulted("unix_connect", NULL))
        return -1;
    return port_real_unix_connect(path);
}

int port_accept(int listen_fd)
{
    if (faulted("accept", NULL))
        return -1;
    return port_real_accept(listen_fd);
}

long port_send(int fd, const void *buf, size_t len)
{
    if (faulted("send", &len))
        return -1;
    return port_real_send(fd, buf, len);
}

/* ---- Waiting ---- */

int port_poll(struct port_pollfd *fds, unsigned nfds, int timeout_ms)
{
    int r;

    port_test_polls++;
    if (faulted("poll", NULL))
        return -1;
    r = nfds > 0 ? port_real_poll(fds, nfds, 0) : 0;
    if (r != 0)
        return r;
    if (timeout_ms < 0) {
        if (port_test_horizon == 0) {
            errno = EDEADLK;
            return -1;
        }
        if (port_test_horizon > port_test_now)
            port_test_advance(port_test_horizon - port_test_now);
        return 0;
    }
    if (port_test_horizon != 0 && port_test_now + (uint64_t)timeout_ms > port_test_horizon) {
        if (port_test_horizon > port_test_now)
            port_test_advance(port_test_horizon - port_test_now);
    } else {
        port_test_advance((uint64_t)timeout_ms);
    }
    return 0;
}

/* ---- Signals: real, so tests can raise() ---- */

int port_signals_open(void)
{
    if (faulted("signals_open", NULL))
        return -1;
    return port_real_signals_open();
}

enum port_signal port_signal_next(void)
{
    return port_real_signal_next();
}

void port_signals_close(void)
{
    port_real_signals_close();
}

/* ---- Logging ---- */

static void append(char *buf, size_t *len, const char *text)
{
    size_t n = strlen(text);

    /* Keep the newest text: drop the older half when full. */
    if (*len + n + 1 >= LOG_CAP) {
        size_t keep = *len / 2;
        memmove(buf, buf + *len - keep, keep);
        *len = keep;
    }
    if (n + 1 >= LOG_CAP)
        n = LOG_CAP / 2;
    memcpy(buf + *len, text, n);
    *len += n;
    buf[*len] = '\0';
}

void port_log_open(const char *ident, int facility, int to_stderr)
{
    (void)ident;
    (void)facility;
    (void)to_stderr;
    count("log_open");
}

void port_log_write(int priority, const char *message)
{
    char prefix[8];

    snprintf(prefix, sizeof(prefix), "%d ", priority);
    append(log_buf, &log_len, prefix);
    append(log_buf, &log_len, message);
    append(log_buf, &log_len, "\n");
    if (getenv("TLSMGR_TEST_VERBOSE") != NULL)
        fprintf(stderr, "log: %d %s\n", priority, message);
}

void port_log_close(void)
{
}

int port_log_facility(const char *name)
{
    return port_real_log_facility(name);
}

const char *port_test_log(void)
{
    return log_buf;
}

int port_test_log_has(const char *needle)
{
    return strstr(log_buf, needle) != NULL;
}

void port_test_log_clear(void)
{
    log_len = 0;
    log_buf[0] = '\0';
}

void port_print(const char *text)
{
    append(print_buf, &print_len, text);
}

const char *port_test_printed(void)
{
    return print_buf;
}

/* ---- Identity ---- */

int port_is_root(void)
{
    return port_test_root;
}

unsigned port_uid(void)
{
    return port_real_uid();
}

unsigned port_gid(void)
{
    return port_real_gid();
}

long port_pid(void)
{
    return port_real_pid();
}

int port_user_lookup(const char *name, unsigned *uid, unsigned *gid)
{
    if (faulted("user_lookup", NULL))
        return -1;
    return port_real_user_lookup(name, uid, gid);
}

int port_group_lookup(const char *name, unsigned *gid)
{
    if (faulted("group_lookup", NULL))
        return -1;
    return port_real_group_lookup(name, gid);
}

int port_drop_privileges(unsigned uid, unsigned gid, unsigned extra_gid)
{
    if (faulted("drop_privileges", NULL))
        return -1;
    port_test_dropped = 1;
    port_test_dropped_uid = uid;
    port_test_dropped_gid = gid;
    port_test_dropped_extra_gid = extra_gid;
    return 0;
}

/* Counted only (a lock cannot fail, and a test that blocked here would hang), and once held:
 * the bookkeeping is not thread-safe, the lock makes the count safe. */
void port_mutex_lock(void)
{
    port_real_mutex_lock();
    count("mutex_lock");
}

void port_mutex_unlock(void)
{
    count("mutex_unlock");
    port_real_mutex_unlock();
}
