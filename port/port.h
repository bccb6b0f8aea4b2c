/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port.h - the only platform interface of tlsmgr.
 *
 * src/ reaches the operating system through these functions and nothing else, so a new
 * platform needs a new port, never a change in src/. Ports: port/posix (any POSIX system),
 * port/linux (overrides posix files by name: getrandom, RNDADDENTROPY, boot-time clock), port/test
 * (the unit tests' port: virtual clock, scripted entropy, injected faults, captured log) and
 * port/template (commented stubs to start a new port from).
 *
 * Conventions: a function that can fail returns -1 (or a negative count) and sets errno to a
 * value from <errno.h>, which the daemon's log_err_errno and log_warn_errno append to their
 * message. Every path is opened without following a final symbolic link and with
 * close-on-exec.
 */
#ifndef TLSMGR_PORT_H
#define TLSMGR_PORT_H

#include <stddef.h>
#include <stdint.h>

/* ---- Clocks ---------------------------------------------------------------------------- */

/* Milliseconds of a clock that never goes back and keeps counting across suspend where the
 * platform allows (CLOCK_BOOTTIME on Linux). Timers use it. */
uint64_t port_now_ms(void);
/* Wall-clock seconds since 1970: for timestamps stored in files and the cache. */
int64_t port_wall_time(void);
/* Fills out[] with every clock the platform has, at the finest resolution (realtime,
 * monotonic, boot time, process CPU time, in nanoseconds). Mixed into the pool, never
 * credited. Returns the number of values written (at most n). */
int port_clock_sample(uint64_t *out, int n);

/* ---- Randomness ------------------------------------------------------------------------ */

/* Up to len bytes from the kernel CSPRNG without blocking. Returns the count (may be short),
 * or -1 with errno EAGAIN (kernel RNG not initialised yet) or ENOSYS (no such interface). */
long port_getrandom(void *buf, size_t len);
/* 1 if the kernel RNG is initialised, 0 if not yet, -1 if unknown. */
int port_kernel_rng_ready(void);
/* A descriptor that becomes readable once the kernel RNG is initialised (Linux: /dev/random),
 * for the event loop to wait on at boot; -1 if the platform has none. The caller closes it. */
int port_kernel_rng_wait_fd(void);
/* Adds len bytes to the kernel pool and credits `bits` (capped by the kernel at 256) of
 * entropy: RNDADDENTROPY. -1 with errno EPERM without CAP_SYS_ADMIN, ENOSYS where none. */
int port_kernel_credit(const void *buf, size_t len, unsigned bits);
/* Hardware hook (hardware.c of the port): raw bytes from a hardware RNG that only the port
 * knows how to read (SoC TRNG registers, a secure element). Returns the count, or -1 with
 * errno ENOSYS when there is none. Health-tested by the caller. */
long port_hardware_entropy(void *buf, size_t len);
/* Hardware hook: device-unique but not secret data (serial number, MAC addresses, machine-id),
 * mixed in uncredited so that identical images diverge. Returns the count (0 if none). */
long port_hardware_unique(void *buf, size_t cap);

/* ---- Files ----------------------------------------------------------------------------- */

enum port_ftype {
    PORT_FT_REG,
    PORT_FT_DIR,
    PORT_FT_LNK,
    PORT_FT_FIFO,
    PORT_FT_CHR,
    PORT_FT_SOCK,
    PORT_FT_OTHER
};

struct port_stat {
    enum port_ftype type;
    uint64_t size;
    unsigned mode; /* permission bits only (07777) */
    unsigned uid;
    unsigned gid;
    int64_t mtime;
    uint64_t dev, ino; /* identity of the file: a replaced file has another pair */
};

/* Flags of port_open (one of RDONLY, WRONLY and RDWR, and any of the others): O_NOFOLLOW and
 * O_CLOEXEC are always added. The values are those of Linux's asm-generic <fcntl.h> (x86,
 * RISC-V): a port whose system has the same passes the flags on as they are. */
#define PORT_O_RDONLY    0x0
#define PORT_O_WRONLY    0x1
#define PORT_O_RDWR      0x2
#define PORT_O_CREAT     0x40
#define PORT_O_EXCL      0x80
#define PORT_O_TRUNC     0x200
#define PORT_O_APPEND    0x400
#define PORT_O_NONBLOCK  0x800
#define PORT_O_DIRECTORY 0x10000

int port_open(const char *path, int flags, unsigned mode);
long port_read(int fd, void *buf, size_t len);
/* Reads at offset off, leaving the file position alone. */
long port_pread(int fd, void *buf, size_t len, uint64_t off);
long port_write(int fd, const void *buf, size_t len);
int port_close(int fd);
int port_fsync(int fd);
int port_fstat(int fd, struct port_stat *st);
/* Does not follow a final symbolic link. */
int port_lstat(const char *path, struct port_stat *st);
int port_rename(const char *from, const char *to);
int port_unlink(const char *path);
int port_mkdir(const char *path, unsigned mode);
int port_rmdir(const char *path);
int port_fchown(int fd, unsigned uid, unsigned gid);
int port_fchmod(int fd, unsigned mode);
/* Sets the file's size: a longer file reads as zeros where it grew (no block is written on a
 * file system with holes, such as tmpfs or UBIFS). */
int port_ftruncate(int fd, uint64_t size);
/* Exclusive advisory lock on an open descriptor (flock), without waiting: -1 EWOULDBLOCK if
 * another process holds it. Released by port_close. */
int port_lock(int fd);

/* Kind of file system that holds path (or its nearest existing parent). */
enum port_fs { PORT_FS_OTHER, PORT_FS_TMPFS, PORT_FS_JFFS2, PORT_FS_NFS };
enum port_fs port_fs_type(const char *path);

/* ---- File mappings, seen from outside (LMDB maps the cache env's files) ---------------- */

/* Replaces every mapping this process has of the file open on fd by private zero-filled
 * memory at the same place and of the same size, so that code that still holds pointers into
 * it (LMDB closing an env whose lock file was cut short) reads zeros instead of faulting, and
 * never reaches the file again. Returns the number of mappings replaced, or -1: ENOSYS where
 * the port cannot list the process's mappings (Linux reads /proc/self/maps). */
int port_map_detach(int fd);

/* Runs fn(arg) under a guard against faults in the mappings of the n files open on fds[]:
 * when fn reads a page of such a mapping that its file no longer backs (the file was cut
 * short under it: SIGBUS), fn is abandoned at that instant, with no clean-up of its own, and
 * 1 is returned; 0 when fn returned. Every other fault keeps the action it had, so a bug
 * still crashes: SIGSEGV, a SIGBUS elsewhere (another file, an alignment trap) or one sent
 * by kill. A port that cannot tell where a fault lies runs fn unguarded; a guard called
 * inside another runs fn under the outer one. For the daemon only: libtlsmgr never installs a
 * signal handler in its host. */
int port_guard(const int *fds, unsigned n, void (*fn)(void *), void *arg);

/* ---- Unix sockets ---------------------------------------------------------------------- */

/* An id argument that leaves the owner or group as it is. */
#define PORT_ID_KEEP ((unsigned)-1)
/* Non-blocking listening stream socket at path (a stale socket there is replaced, any other
 * file is refused with EEXIST). The socket file is created with mode and, unless gid is
 * PORT_ID_KEEP (setting it needs root), group gid: nothing is changed by name after it
 * exists, since the name could by then be a link planted in its place. */
int port_unix_listen(const char *path, unsigned mode, unsigned gid, int backlog);
/* Non-blocking connect: returns the descriptor; the caller polls for writability when errno
 * was EINPROGRESS. -1 on failure. */
int port_unix_connect(const char *path);
/* Non-blocking accept; -1 with EAGAIN when nobody waits. */
int port_accept(int listen_fd);
/* Writes to a connected socket without raising SIGPIPE when the peer has gone (-1 EPIPE):
 * libtlsmgr runs inside host processes that may not ignore SIGPIPE. */
long port_send(int fd, const void *buf, size_t len);

/* ---- Waiting --------------------------------------------------------------------------- */

/* The values of <poll.h> on Linux, the BSDs and macOS: a port there hands the table to poll()
 * as it is, with no copy of it on the stack. */
#define PORT_POLLIN   0x01
#define PORT_POLLOUT  0x04
#define PORT_POLLERR  0x08
#define PORT_POLLHUP  0x10
#define PORT_POLLNVAL 0x20

struct port_pollfd {
    int fd;
    short events;
    short revents;
};

/* Most descriptors one port_poll call takes. */
#define PORT_POLL_MAX 1024

/* Waits until a descriptor is ready or timeout_ms passes (-1: no timeout). Returns the number
 * of ready descriptors, 0 on timeout, -1 with EINTR when a signal came first (EINVAL above
 * PORT_POLL_MAX). */
int port_poll(struct port_pollfd *fds, unsigned nfds, int timeout_ms);

/* ---- Signals --------------------------------------------------------------------------- */

enum port_signal { PORT_SIG_NONE, PORT_SIG_TERM, PORT_SIG_HUP, PORT_SIG_USR1 };

/* Catches SIGTERM, SIGINT (as TERM), SIGHUP and SIGUSR1, ignores SIGPIPE, and returns a
 * descriptor that becomes readable when one arrived. */
int port_signals_open(void);
/* Next pending signal, PORT_SIG_NONE when none is left. */
enum port_signal port_signal_next(void);
void port_signals_close(void);

/* ---- Logging --------------------------------------------------------------------------- */

/* Priorities, syslog's numbering. */
#define PORT_LOG_ERR     3
#define PORT_LOG_WARNING 4
#define PORT_LOG_NOTICE  5
#define PORT_LOG_INFO    6
#define PORT_LOG_DEBUG   7

/* to_stderr: 1 writes "ident: message" lines to standard error, 0 uses syslog. */
void port_log_open(const char *ident, int facility, int to_stderr);
void port_log_write(int priority, const char *message);
void port_log_close(void);
/* syslog facility code of a name (daemon, user, authpriv, local0..local7), -1 if unknown. */
int port_log_facility(const char *name);

/* ---- Processes and privileges ---------------------------------------------------------- */

int port_is_root(void);
unsigned port_uid(void);
unsigned port_gid(void);
long port_pid(void);
int port_user_lookup(const char *name, unsigned *uid, unsigned *gid);
int port_group_lookup(const char *name, unsigned *gid);
/* setgroups(gid, and extra_gid unless it is PORT_ID_KEEP), setgid, setuid, then checks that
 * root cannot be regained. */
int port_drop_privileges(unsigned uid, unsigned gid, unsigned extra_gid);
/* Prints to standard output (the -n, -s and --version answers). */
void port_print(const char *text);

/* ---- Mutual exclusion (libtlsmgr only: the daemon has no threads) ----------------------- */

/* One process-wide lock around libtlsmgr's shared state. fork() waits until it is free, so
 * a child never inherits it held by a thread that does not exist there. Not recursive. */
void port_mutex_lock(void);
void port_mutex_unlock(void);

#endif /* TLSMGR_PORT_H */
