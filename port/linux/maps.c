/* SPDX-License-Identifier: BSD-2-Clause */
/* maps.c - this process's file mappings from /proc/self/maps, whose lines read
 * "start-end perms offset major:minor inode path". Parsed as it is read, one character at a
 * time, with open, read and close only: the SIGBUS handler of fault.c calls it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "port.h"
#include "posix/maps.h"

int maps_file_of(int fd, struct maps_file *f)
{
    struct port_stat st;

    if (port_fstat(fd, &st) < 0)
        return -1;
    /* Linux's encoding of a device number, as glibc's and musl's major() and minor() decode
     * it (under -Os glibc calls them rather than inlining them: two imports). */
    f->major = (st.dev & 0xfff00u) >> 8 | (st.dev & 0xfffff00000000000u) >> 32;
    f->minor = (st.dev & 0xffu) | (st.dev & 0xffffff00000u) >> 12;
    f->ino = st.ino;
    return 0;
}

/* One line being read: which field, and the values of the fields that matter. */
struct line {
    unsigned field; /* 0 start, 1 end, 2 perms, 3 offset, 4 major, 5 minor, 6 inode, 7 path */
    uint64_t v[7];
};

static int digit(char c, unsigned base)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (base == 16 && c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The end of a field: start, end, perms, offset, major and minor end with these. */
static const char ends[] = "-   : ";

int maps_walk(const struct maps_file *f, unsigned n, int (*each)(uintptr_t, uintptr_t, void *),
              void *arg)
{
    char buf[512];
    struct line l = {0, {0}};
    long got;
    int fd, rc = 0;

    do {
        fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return -1;
    while (rc == 0 && ((got = read(fd, buf, sizeof(buf))) > 0 || (got < 0 && errno == EINTR))) {
        long i;

        for (i = 0; i < got && rc == 0; i++) {
            char c = buf[i];
            unsigned k;
            int d;

            if (c == '\n') {
                for (k = 0; l.field >= 6 && k < n; k++)
                    if (l.v[4] == f[k].major && l.v[5] == f[k].minor && l.v[6] == f[k].ino &&
                        l.v[6] != 0) {
                        rc = each((uintptr_t)l.v[0], (uintptr_t)l.v[1], arg);
                        break;
                    }
                l.field = 0;
                l.v[0] = l.v[1] = l.v[4] = l.v[5] = l.v[6] = 0;
            } else if (l.field < 6 && c == ends[l.field]) {
                l.field++;
            } else if (l.field == 6 && c == ' ') {
                l.field = 7;
            } else if (l.field != 2 && l.field < 7 && (d = digit(c, l.field == 6 ? 10 : 16)) >= 0) {
                l.v[l.field] = l.v[l.field] * (l.field == 6 ? 10 : 16) + (unsigned)d;
            }
        }
    }
    close(fd);
    return got < 0 ? -1 : rc;
}
