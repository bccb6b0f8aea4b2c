/* SPDX-License-Identifier: BSD-2-Clause */
/* file.c - files and directories. Every open refuses a final symbolic link (O_NOFOLLOW) and is
 * close-on-exec; reads and writes retry on EINTR so callers see only real failures. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eintr.h"
#include "port.h"
#include "syscalls.h"

/* Where <fcntl.h> has port.h's values (Linux on x86 and RISC-V), the flags pass as they are;
 * elsewhere (ARM, MIPS, PowerPC, the BSDs...) each one is translated. */
#define OPEN_SAME                                                                                  \
    (O_RDONLY == PORT_O_RDONLY && O_WRONLY == PORT_O_WRONLY && O_RDWR == PORT_O_RDWR &&            \
     O_CREAT == PORT_O_CREAT && O_EXCL == PORT_O_EXCL && O_TRUNC == PORT_O_TRUNC &&                \
     O_APPEND == PORT_O_APPEND && O_NONBLOCK == PORT_O_NONBLOCK &&                                 \
     O_DIRECTORY == PORT_O_DIRECTORY)

int port_open(const char *path, int flags, unsigned mode)
{
    int fd;
#if OPEN_SAME
    int oflags = flags | O_NOFOLLOW | O_CLOEXEC;
#else
    int oflags = O_NOFOLLOW | O_CLOEXEC;

    if (flags & PORT_O_RDWR)
        oflags |= O_RDWR;
    else if (flags & PORT_O_WRONLY)
        oflags |= O_WRONLY;
    else
        oflags |= O_RDONLY;
    if (flags & PORT_O_CREAT)
        oflags |= O_CREAT;
    if (flags & PORT_O_EXCL)
        oflags |= O_EXCL;
    if (flags & PORT_O_TRUNC)
        oflags |= O_TRUNC;
    if (flags & PORT_O_NONBLOCK)
        oflags |= O_NONBLOCK;
    if (flags & PORT_O_DIRECTORY)
        oflags |= O_DIRECTORY;
    if (flags & PORT_O_APPEND)
        oflags |= O_APPEND;
#endif

    do {
        fd = sys_open(path, oflags, (mode_t)mode);
    } while (EINTR_AGAIN(fd < 0));
    return fd;
}

long port_read(int fd, void *buf, size_t len)
{
    ssize_t n;

    do {
        n = sys_read(fd, buf, len);
    } while (EINTR_AGAIN(n < 0));
    return (long)n;
}

long port_pread(int fd, void *buf, size_t len, uint64_t off)
{
    ssize_t n;

    if ((uint64_t)(off_t)off != off || (off_t)off < 0) {
        errno = EINVAL;
        return -1;
    }
    do {
        n = sys_pread(fd, buf, len, (off_t)off);
    } while (EINTR_AGAIN(n < 0));
    return (long)n;
}

long port_write(int fd, const void *buf, size_t len)
{
    ssize_t n;

    do {
        n = sys_write(fd, buf, len);
    } while (EINTR_AGAIN(n < 0));
    return (long)n;
}

int port_close(int fd)
{
    /* Linux closes the descriptor even when close() reports EINTR: never retry. */
    return sys_close(fd);
}

int port_fsync(int fd)
{
    int r;

    do {
        r = sys_fsync(fd);
    } while (EINTR_AGAIN(r < 0));
    /* Directories on some file systems refuse fsync; nothing more can be done there. */
    if (r < 0 && (errno == EINVAL || errno == EROFS))
        return 0;
    return r;
}

/* The file type from the mode: a lookup of its 4 type bits where they have the values that
 * every Unix gives them (checked here), else the S_IS* tests. */
#if S_IFMT == 0170000 && S_IFIFO == 0010000 && S_IFCHR == 0020000 && S_IFDIR == 0040000 &&         \
    S_IFREG == 0100000 && S_IFLNK == 0120000 && S_IFSOCK == 0140000
static enum port_ftype ftype(mode_t m)
{
    /* Indexed by the type nibble (mode >> 12): 1 FIFO, 2 CHR, 4 DIR, 8 REG, 10 LNK,
     * 12 SOCK, every other value OTHER. */
    static const unsigned char t[16] = {PORT_FT_OTHER, PORT_FT_FIFO,  PORT_FT_CHR,   PORT_FT_OTHER,
                                        PORT_FT_DIR,   PORT_FT_OTHER, PORT_FT_OTHER, PORT_FT_OTHER,
                                        PORT_FT_REG,   PORT_FT_OTHER, PORT_FT_LNK,   PORT_FT_OTHER,
                                        PORT_FT_SOCK,  PORT_FT_OTHER, PORT_FT_OTHER, PORT_FT_OTHER};

    return (enum port_ftype)t[(m >> 12) & 15];
}
#else
static enum port_ftype ftype(mode_t m)
{
    if (S_ISREG(m))
        return PORT_FT_REG;
    if (S_ISDIR(m))
        return PORT_FT_DIR;
    if (S_ISLNK(m))
        return PORT_FT_LNK;
    if (S_ISFIFO(m))
        return PORT_FT_FIFO;
    if (S_ISCHR(m))
        return PORT_FT_CHR;
    if (S_ISSOCK(m))
        return PORT_FT_SOCK;
    return PORT_FT_OTHER;
}
#endif

static void fill_stat(const struct stat *sb, struct port_stat *st)
{
    st->type = ftype(sb->st_mode);
    st->size = (uint64_t)sb->st_size;
    st->mode = (unsigned)sb->st_mode & 07777u;
    st->uid = (unsigned)sb->st_uid;
    st->gid = (unsigned)sb->st_gid;
    st->mtime = (int64_t)sb->st_mtime;
    st->dev = (uint64_t)sb->st_dev;
    st->ino = (uint64_t)sb->st_ino;
}

/* fstat and lstat as one call, one import: fstatat on the descriptor itself with an empty
 * path (AT_EMPTY_PATH, Linux >= 2.6.39; musl's and glibc's own fstat are made so). */
#if !defined(AT_EMPTY_PATH) && defined(__linux__)
#define AT_EMPTY_PATH 0x1000
#endif

static int stat_at(int fd, const char *path, int flags, struct port_stat *st)
{
    struct stat sb;

    if (fstatat(fd, path, &sb, flags) != 0)
        return -1;
    fill_stat(&sb, st);
    return 0;
}

int port_fstat(int fd, struct port_stat *st)
{
#ifdef AT_EMPTY_PATH
    return stat_at(fd, "", AT_EMPTY_PATH, st);
#else
    struct stat sb;

    if (fstat(fd, &sb) != 0)
        return -1;
    fill_stat(&sb, st);
    return 0;
#endif
}

int port_lstat(const char *path, struct port_stat *st)
{
    return stat_at(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, st);
}

int port_rename(const char *from, const char *to)
{
    return sys_rename(from, to);
}

int port_unlink(const char *path)
{
    return sys_unlink(path);
}

int port_mkdir(const char *path, unsigned mode)
{
    return sys_mkdir(path, (mode_t)mode);
}

int port_rmdir(const char *path)
{
    return sys_rmdir(path);
}

int port_fchown(int fd, unsigned uid, unsigned gid)
{
    return sys_fchown(fd, (uid_t)uid, (gid_t)gid);
}

int port_fchmod(int fd, unsigned mode)
{
    return sys_fchmod(fd, (mode_t)mode);
}

int port_ftruncate(int fd, uint64_t size)
{
    int rc;

    if ((uint64_t)(off_t)size != size || (off_t)size < 0) {
        errno = EFBIG;
        return -1;
    }
    do {
        rc = sys_ftruncate(fd, (off_t)size);
    } while (EINTR_AGAIN(rc < 0));
    return rc;
}

int port_lock(int fd)
{
    int r;

    do {
        r = sys_flock(fd, LOCK_EX | LOCK_NB);
    } while (EINTR_AGAIN(r < 0));
    return r;
}
