/* SPDX-License-Identifier: BSD-2-Clause */
/* readfile.c - open non-blocking without following a link, check the type, read to the end. */
#include <errno.h>
#include <string.h>

#include "readfile.h"

int readfile(const char *path, void *buf, size_t cap, struct readfile *rf)
{
    struct port_stat st;
    unsigned char extra;
    long n = 1;
    int fd, r = -1, e;

    memset(rf, 0, sizeof(*rf));
    rf->step = "open";
    fd = port_open(path, PORT_O_RDONLY | PORT_O_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    rf->step = "stat";
    if (port_fstat(fd, &st) == 0) {
        rf->type = st.type;
        rf->size = st.size;
        rf->mode = st.mode;
        r = 1;
    }
    if (r > 0 && st.type == PORT_FT_REG) {
        rf->step = "read";
        while (rf->len < cap &&
               (n = port_read(fd, (unsigned char *)buf + rf->len, cap - rf->len)) > 0)
            rf->len += (size_t)n;
        /* Full: one more byte tells whether the file was larger (or grew while read). */
        if (n > 0)
            n = port_read(fd, &extra, 1);
        rf->more = n > 0;
        r = n < 0 ? -1 : 0;
    }
    e = errno; /* the failed call's, for the caller */
    port_close(fd);
    errno = e;
    return r;
}
