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
    int fd, e;

    memset(rf, 0, sizeof(*rf));
    rf->step = "open";
    fd = port_open(path, PORT_O_RDONLY | PORT_O_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    rf->step = "stat";
    if (port_fstat(fd, &st) != 0)
        goto fail;
    rf->type = st.type;
    rf->size = st.size;
    rf->mode = st.mode;
    if (st.type != PORT_FT_REG) {
        port_close(fd);
        return 1;
    }
    rf->step = "read";
    while (rf->len < cap && (n = port_read(fd, (unsigned char *)buf + rf->len, cap - rf->len)) > 0)
        rf->len += (size_t)n;
    /* Full: one more byte tells whether the file was larger (or grew while read). */
    if (n > 0)
        n = port_read(fd, &extra, 1);
    if (n < 0)
        goto fail;
    rf->more = n > 0;
    port_close(fd);
    return 0;

fail:
    e = errno;
    port_close(fd);
    errno = e;
    return -1;
}
