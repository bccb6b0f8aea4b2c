/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port_template.c - the functions a new port must provide, each failing with ENOSYS until it
 * is written. Copy to port/<name>/, implement, and build with make PORT=<name>. See
 * port/posix/ for a complete reference implementation and port/port.h for the contract.
 */
#include <errno.h>

#include "port.h"

/* One line per stub keeps the list readable as a checklist. */
/* clang-format off */

#define NOT_YET(ret)                                                                               \
    do {                                                                                           \
        errno = ENOSYS;                                                                            \
        return ret;                                                                                \
    } while (0)

/* Clocks: a monotonic millisecond counter (keep counting in suspend if the SoC can), wall
 * seconds for timestamps, and every fine clock for mixing. */
uint64_t port_now_ms(void) { return 0; }
int64_t port_wall_time(void) { return 0; }
int port_clock_sample(uint64_t *out, int n) { (void)out; (void)n; return 0; }

/* Kernel or SoC RNG: never block; EAGAIN until it is initialised. */
long port_getrandom(void *buf, size_t len) { (void)buf; (void)len; NOT_YET(-1); }
int port_kernel_rng_ready(void) { return -1; }
int port_kernel_rng_wait_fd(void) { return -1; }
int port_kernel_credit(const void *buf, size_t len, unsigned bits)
{ (void)buf; (void)len; (void)bits; NOT_YET(-1); }

/* Hardware hooks (hardware.c in the posix and linux ports): a raw hardware RNG (health-tested by tlsmgr), and device-unique data such as
 * a serial number or MAC addresses. */
long port_hardware_entropy(void *buf, size_t len) { (void)buf; (void)len; NOT_YET(-1); }
long port_hardware_unique(void *buf, size_t cap) { (void)buf; (void)cap; return 0; }

/* Files: O_NOFOLLOW and close-on-exec always; EINTR retried inside. */
int port_open(const char *path, int flags, unsigned mode)
{ (void)path; (void)flags; (void)mode; NOT_YET(-1); }
long port_read(int fd, void *buf, size_t len) { (void)fd; (void)buf; (void)len; NOT_YET(-1); }
long port_pread(int fd, void *buf, size_t len, uint64_t off)
{ (void)fd; (void)buf; (void)len; (void)off; NOT_YET(-1); }
long port_write(int fd, const void *buf, size_t len)
{ (void)fd; (void)buf; (void)len; NOT_YET(-1); }
int port_close(int fd) { (void)fd; NOT_YET(-1); }
int port_fsync(int fd) { (void)fd; NOT_YET(-1); }
int port_fstat(int fd, struct port_stat *st) { (void)fd; (void)st; NOT_YET(-1); }
int port_lstat(const char *path, struct port_stat *st) { (void)path; (void)st; NOT_YET(-1); }
int port_rename(const char *from, const char *to) { (void)from; (void)to; NOT_YET(-1); }
int port_unlink(const char *path) { (void)path; NOT_YET(-1); }
int port_mkdir(const char *path, unsigned mode) { (void)path; (void)mode; NOT_YET(-1); }
int port_rmdir(const char *path) { (void)path; NOT_YET(-1); }
int port_fchown(int fd, unsigned uid, unsigned gid) { (void)fd; (void)uid; (void)gid; NOT_YET(-1); }
int port_fchmod(int fd, unsigned mode) { (void)fd; (void)mode; NOT_YET(-1); }
int port_ftruncate(int fd, uint64_t size) { (void)fd; (void)size; NOT_YET(-1); }
int port_lock(int fd) { (void)fd; NOT_YET(-1); }
enum port_fs port_fs_type(const char *path) { (void)path; return PORT_FS_OTHER; }

/* File mappings: list this process's mappings of a file (Linux: /proc/self/maps) to replace
 * them by zero pages, and jump out of a function on a SIGBUS in them. Without a list, detach
 * fails and the guard runs the function as is (the cache's size checks still apply). */
int port_map_detach(int fd) { (void)fd; NOT_YET(-1); }
int port_guard(const int *fds, unsigned n, void (*fn)(void *), void *arg)
{ (void)fds; (void)n; fn(arg); return 0; }

/* Unix stream sockets, non-blocking. */
int port_unix_listen(const char *path, unsigned mode, unsigned gid, int backlog)
{ (void)path; (void)mode; (void)gid; (void)backlog; NOT_YET(-1); }
int port_unix_connect(const char *path) { (void)path; NOT_YET(-1); }
int port_accept(int listen_fd) { (void)listen_fd; NOT_YET(-1); }
long port_send(int fd, const void *buf, size_t len) { (void)fd; (void)buf; (void)len; NOT_YET(-1); }

/* The only place the daemon sleeps. */
int port_poll(struct port_pollfd *fds, unsigned nfds, int timeout_ms)
{ (void)fds; (void)nfds; (void)timeout_ms; NOT_YET(-1); }

/* Signals as readable events (a self-pipe is the portable way). */
int port_signals_open(void) { NOT_YET(-1); }
enum port_signal port_signal_next(void) { return PORT_SIG_NONE; }
void port_signals_close(void) {}

/* Log sink: syslog, a console, or the platform's own logger. */
void port_log_open(const char *ident, int facility, int to_stderr)
{ (void)ident; (void)facility; (void)to_stderr; }
void port_log_write(int priority, const char *message) { (void)priority; (void)message; }
void port_log_close(void) {}
int port_log_facility(const char *name) { (void)name; return 0; }
void port_print(const char *text) { (void)text; }

/* Identity; a single-user system answers "not root" and drops nothing. */
int port_is_root(void) { return 0; }
unsigned port_uid(void) { return 0; }
unsigned port_gid(void) { return 0; }
long port_pid(void) { return 1; }
int port_user_lookup(const char *name, unsigned *uid, unsigned *gid)
{ (void)name; (void)uid; (void)gid; NOT_YET(-1); }
int port_group_lookup(const char *name, unsigned *gid) { (void)name; (void)gid; NOT_YET(-1); }
int port_drop_privileges(unsigned uid, unsigned gid, unsigned extra_gid) { (void)uid; (void)gid; (void)extra_gid; NOT_YET(-1); }
/* One lock for libtlsmgr's shared state, safe across fork (see port/posix/mutex.c); a system
 * whose TLS servers have no threads may leave these empty. */
void port_mutex_lock(void) {}
void port_mutex_unlock(void) {}
/* clang-format on */
