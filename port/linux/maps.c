/* SPDX-License-Identifier: BSD-2-Clause */
/* maps.c - this process's file mappings from /proc/self/maps, whose lines read
 * "start-end perms offset major:minor inode path". Parsed as it is read, one character at a
 * time, with port_open, port_read, port_close (open, read, close) and memset only, all
 * async-signal-safe: the SIGBUS handler of fault.c calls it. */
#include <string.h>

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

/* The end of each field but the path: start, end, perms, offset, major, minor, inode. */
static const char ends[] = "-   :  ";

int maps_walk(const struct maps_file *f, unsigned n, int (*each)(uintptr_t, uintptr_t, void *),
              void *arg)
{
    char buf[512];
    /* The line being read: which field, and the values of start, end, major, minor and inode
     * (perms and offset are read too, and ignored). The kernel writes the numbers in lowercase hex,
     * the inode in decimal. */
    uint64_t v[7] = {0};
    unsigned field = 0, k;
    long got, i;
    int fd = port_open("/proc/self/maps", PORT_O_RDONLY, 0), rc = 0;

    if (fd < 0)
        return -1;
    while (rc == 0 && (got = port_read(fd, buf, sizeof(buf))) > 0) {
        for (i = 0; i < got && rc == 0; i++) {
            unsigned c = (unsigned char)buf[i];

            if (c == '\n') {
                for (k = 0; field >= 6 && v[6] != 0 && k < n; k++)
                    if (v[4] == f[k].major && v[5] == f[k].minor && v[6] == f[k].ino) {
                        rc = each((uintptr_t)v[0], (uintptr_t)v[1], arg);
                        break;
                    }
                field = 0;
                memset(v, 0, sizeof(v));
            } else if (field < 7 && c == (unsigned char)ends[field]) {
                field++;
            } else if (field < 7) {
                v[field] = v[field] * (field == 6 ? 10 : 16) + (c <= '9' ? c - '0' : c - 'a' + 10);
            }
        }
    }
    port_close(fd);
    return got < 0 ? -1 : rc;
}
