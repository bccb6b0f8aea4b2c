/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syscalls.h - on Linux, some calls of the port go to the kernel through syscall(), which the
 * port imports anyway (getrandom, RNDADDENTROPY): each libc function named costs the daemon a
 * dynamic symbol, a GOT slot and its relocation, about 70 bytes, and pipe2 and accept4 a glibc
 * version need too. Only calls whose arguments are the kernel's own on every architecture are
 * here: no 64-bit offset variants (ftruncate64; the 32-bit id calls are picked below), no structure
 * that libc translates (stat, sigaction), nothing libc does more in (open's O_LARGEFILE, vDSO
 * clocks). The set*id calls are the kernel's too: glibc adds only their broadcast to the other
 * threads of a process, and the daemon, their only caller, has none. Where <sys/syscall.h> has no
 * number for one (another system, i386 headers before Linux 4.3 for the socket calls), the libc
 * function is called. Tests interpose libc functions (test_socket's bind): those stay libc calls.
 */
#ifndef TLSMGR_PORT_SYSCALLS_H
#define TLSMGR_PORT_SYSCALLS_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

#ifdef SYS_pipe2
static inline int sys_pipe2(int fds[2], int flags)
{
    return (int)syscall(SYS_pipe2, fds, flags);
}
#else
#define sys_pipe2 pipe2
#endif

#ifdef SYS_accept4
static inline int sys_accept4(int fd, void *addr, void *len, int flags)
{
    return (int)syscall(SYS_accept4, fd, addr, len, flags);
}
#else
#define sys_accept4 accept4
#endif

#ifdef SYS_listen
static inline int sys_listen(int fd, int backlog)
{
    return (int)syscall(SYS_listen, fd, backlog);
}
#else
#define sys_listen listen
#endif

#ifdef SYS_umask
static inline mode_t sys_umask(mode_t mask)
{
    return (mode_t)syscall(SYS_umask, mask);
}
#else
#define sys_umask umask
#endif

#ifdef SYS_fsync
static inline int sys_fsync(int fd)
{
    return (int)syscall(SYS_fsync, fd);
}
#else
#define sys_fsync fsync
#endif

#ifdef SYS_flock
static inline int sys_flock(int fd, int op)
{
    return (int)syscall(SYS_flock, fd, op);
}
#else
#define sys_flock flock
#endif

#ifdef SYS_fchmod
static inline int sys_fchmod(int fd, mode_t mode)
{
    return (int)syscall(SYS_fchmod, fd, mode);
}
#else
#define sys_fchmod fchmod
#endif

#ifdef SYS_mkdirat
static inline int sys_mkdir(const char *path, mode_t mode)
{
    return (int)syscall(SYS_mkdirat, AT_FDCWD, path, mode);
}
#else
#define sys_mkdir mkdir
#endif

#ifdef SYS_socket
static inline int sys_socket(int domain, int type, int protocol)
{
    return (int)syscall(SYS_socket, domain, type, protocol);
}
#else
#define sys_socket socket
#endif

#ifdef SYS_connect
static inline int sys_connect(int fd, const void *addr, unsigned len)
{
    return (int)syscall(SYS_connect, fd, addr, len);
}
#else
#define sys_connect connect
#endif

/* aarch64 and RISC-V have renameat only: there, rename() stays. */
#ifdef SYS_rename
static inline int sys_rename(const char *from, const char *to)
{
    return (int)syscall(SYS_rename, from, to);
}
#else
#define sys_rename rename
#endif

/* aarch64 and RISC-V have unlinkat and ppoll only: there, unlink(), rmdir() and poll() stay. */
#ifdef SYS_unlink
static inline int sys_unlink(const char *path)
{
    return (int)syscall(SYS_unlink, path);
}
#else
#define sys_unlink unlink
#endif

#ifdef SYS_rmdir
static inline int sys_rmdir(const char *path)
{
    return (int)syscall(SYS_rmdir, path);
}
#else
#define sys_rmdir rmdir
#endif

#ifdef SYS_poll
static inline int sys_poll(void *fds, unsigned long nfds, int timeout_ms)
{
    return (int)syscall(SYS_poll, fds, nfds, timeout_ms);
}
#else
#define sys_poll poll
#endif

/* send is sendto without an address (x86-64 and aarch64 have only sendto). */
#ifdef SYS_sendto
static inline long sys_send(int fd, const void *buf, size_t len, int flags)
{
    return syscall(SYS_sendto, fd, buf, len, flags, NULL, 0);
}
#else
#define sys_send send
#endif

/* Where the kernel kept 16-bit ids under the old numbers (i386, 32-bit ARM), the 32-bit calls
 * have numbers of their own, as glibc uses them. */
#if defined(SYS_geteuid32)
#define SYS_ID_(name) SYS_##name##32
#elif defined(SYS_geteuid)
#define SYS_ID_(name) SYS_##name
#endif

#ifdef SYS_ID_
static inline uid_t sys_geteuid(void)
{
    return (uid_t)syscall(SYS_ID_(geteuid));
}

static inline gid_t sys_getegid(void)
{
    return (gid_t)syscall(SYS_ID_(getegid));
}

static inline int sys_fchown(int fd, uid_t uid, gid_t gid)
{
    return (int)syscall(SYS_ID_(fchown), fd, uid, gid);
}

static inline int sys_setuid(uid_t uid)
{
    return (int)syscall(SYS_ID_(setuid), uid);
}

static inline int sys_setgid(gid_t gid)
{
    return (int)syscall(SYS_ID_(setgid), gid);
}

static inline int sys_setegid(gid_t gid)
{
    return (int)syscall(SYS_ID_(setresgid), (gid_t)-1, gid, (gid_t)-1);
}

static inline int sys_setgroups(size_t n, const gid_t *groups)
{
    return (int)syscall(SYS_ID_(setgroups), n, groups);
}
#else
#define sys_geteuid   geteuid
#define sys_getegid   getegid
#define sys_fchown    fchown
#define sys_setuid    setuid
#define sys_setgid    setgid
#define sys_setegid   setegid
#define sys_setgroups setgroups
#endif

/* Offsets and lengths in one register: 64-bit systems only (32-bit ones split them, or have
 * calls of their own for 64-bit offsets). */
#if defined(__LP64__) && defined(SYS_pread64) && defined(SYS_ftruncate) && defined(SYS_mmap)
static inline long sys_pread(int fd, void *buf, size_t len, off_t off)
{
    return syscall(SYS_pread64, fd, buf, len, off);
}

static inline int sys_ftruncate(int fd, off_t size)
{
    return (int)syscall(SYS_ftruncate, fd, size);
}

static inline void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}
#else
#define sys_pread     pread
#define sys_ftruncate ftruncate
#define sys_mmap      mmap
#endif

/* The port's every read, write and close (files, pipes, sockets). */
#if defined(SYS_read) && defined(SYS_write) && defined(SYS_close)
static inline long sys_read(int fd, void *buf, size_t len)
{
    return syscall(SYS_read, fd, buf, len);
}

static inline long sys_write(int fd, const void *buf, size_t len)
{
    return syscall(SYS_write, fd, buf, len);
}

static inline int sys_close(int fd)
{
    return (int)syscall(SYS_close, fd);
}
#else
#define sys_read  read
#define sys_write write
#define sys_close close
#endif

/* open as openat from the working directory, on 64-bit systems only: their kernel sets
 * O_LARGEFILE itself, which glibc adds on 32-bit ones. */
#if defined(__LP64__) && defined(SYS_openat)
static inline int sys_open(const char *path, int flags, mode_t mode)
{
    return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}
#else
#define sys_open open
#endif

#endif
