/* SPDX-License-Identifier: BSD-2-Clause */
/* status.c - statistics of all services, logged and kept in state_directory/status. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "log.h"
#include "port.h"
#include "status.h"

#define STATUS_NAME "status"
#define STATUS_MAX  4096

static uint64_t last_ms; /* the last snapshot, or the last check that found no tmpfs */

static void log_all(struct daemon *d)
{
    const struct service *const *s;
    uint64_t v[6];

    v[0] = (port_now_ms() - d->started_ms) / 1000;
    v[1] = d->loop.wakeups;
    v[2] = d->loop.timer_runs;
    v[3] = d->loop.fd_runs;
    v[4] = d->reloads;
    v[5] = d->reload_failures;
    log_counters("statistics",
                 "uptime (s)\0wakeups\0timer runs\0events\0reloads\0refused reloads\0", v);
    for (s = services; *s != NULL; s++)
        if ((*s)->stats != NULL)
            (*s)->stats(d);
}

static void snapshot(struct daemon *d, int also_log)
{
    char text[STATUS_MAX], path[TLSMGR_PATH_MAX];
    size_t len;
    int n;

    n = snprintf(text, sizeof(text), "time %lld pid %ld\n", (long long)port_wall_time(),
                 port_pid());
    log_capture_start(text + n, sizeof(text) - (size_t)n, also_log);
    log_all(d);
    len = (size_t)n + log_capture_stop();
    last_ms = port_now_ms();
    if (conf_path(&d->conf, STATUS_NAME, path, sizeof(path)) == 0)
        atomic_file_write(path, text, len, 0640, "status file");
}

void status_log(struct daemon *d)
{
    snapshot(d, 1);
}

void status_write(struct daemon *d)
{
    snapshot(d, 0);
}

void status_refresh(void *arg)
{
    struct daemon *d = arg;

    if (TLSMGR_STATUS_INTERVAL == 0 || port_now_ms() - last_ms < TLSMGR_STATUS_INTERVAL * 1000ull)
        return;
    if (port_fs_type(d->conf.state_directory) == PORT_FS_TMPFS)
        snapshot(d, 0);
    else
        last_ms = port_now_ms();
}

int status_print(const struct tlsmgr_conf *c)
{
    char path[TLSMGR_PATH_MAX], text[STATUS_MAX + 1], head[96];
    struct port_stat st;
    long n;
    size_t got = 0;
    long long when = 0;
    long pid = 0;
    int fd;

    if (conf_path(c, STATUS_NAME, path, sizeof(path)) < 0)
        return 1;
    fd = port_open(path, PORT_O_RDONLY | PORT_O_NONBLOCK, 0);
    if (fd < 0 || port_fstat(fd, &st) < 0 || st.type != PORT_FT_REG) {
        if (fd < 0)
            log_err_errno("no daemon statistics in %s", path);
        else
            log_err("no daemon statistics in %s: not a regular file", path);
        if (fd >= 0)
            port_close(fd);
        return 1;
    }
    while (got < STATUS_MAX && (n = port_read(fd, text + got, STATUS_MAX - got)) > 0)
        got += (size_t)n;
    port_close(fd);
    text[got] = '\0';
    /* The file is the daemon's, but read as untrusted all the same: a bad header is shown. */
    if (sscanf(text, "time %lld pid %ld", &when, &pid) != 2) {
        log_err("%s: not a status file", path);
        return 1;
    }
    snprintf(head, sizeof(head), "daemon (pid %ld), statistics of %llds ago:\n", pid,
             (long long)port_wall_time() - when);
    port_print(head);
    port_print(strchr(text, '\n') != NULL ? strchr(text, '\n') + 1 : "");
    return 0;
}
