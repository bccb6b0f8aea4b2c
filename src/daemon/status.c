/* SPDX-License-Identifier: BSD-2-Clause */
/* status.c - statistics of all services, logged and kept in state_directory/status. */
#include <errno.h>
#include <stdio.h>

#include "atomic_file.h"
#include "div64.h"
#include "log.h"
#include "port.h"
#include "readfile.h"
#include "status.h"

#define STATUS_NAME "status"
#define STATUS_MAX  4096

/* After a change, the file is rewritten at the next wake-up (one that happens anyway), at most
 * STATUS_BURST times in a row, then at most once a second: a client that connects and leaves
 * shows in the file, and a flood of clients costs one small tmpfs write a second. */
#define STATUS_BURST      4
#define STATUS_MIN_GAP_MS 1000

static uint64_t last_ms; /* the last snapshot, or the last check that found no tmpfs */
static int dirty;        /* something worth showing changed since the last snapshot */
static unsigned burst;   /* writes left before the once-a-second pace */

static void log_all(struct daemon *d)
{
    uint64_t v[6];

    v[0] = div64(port_now_ms() - d->started_ms, 1000);
    v[1] = d->loop.wakeups;
    v[2] = d->loop.timer_runs;
    v[3] = d->loop.fd_runs;
    v[4] = d->reloads;
    v[5] = d->reload_failures;
    log_counters("statistics",
                 "uptime (s)\0wakeups\0timer runs\0events\0reloads\0refused reloads\0", v);
    services_log_stats(d);
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
    dirty = 0;
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

TLSMGR_NOINLINE void status_touch(void)
{
    dirty = 1;
}

void status_refresh(void *arg)
{
    struct daemon *d = arg;
    uint64_t now = port_now_ms();
    int due;

    if (now - last_ms >= STATUS_MIN_GAP_MS)
        burst = STATUS_BURST;
    if (dirty)
        due = burst > 0;
    else
        due = TLSMGR_STATUS_INTERVAL != 0 && now - last_ms >= TLSMGR_STATUS_INTERVAL * 1000ull;
    if (!due)
        return;
    if (port_fs_type(d->conf.state_directory) == PORT_FS_TMPFS) {
        snapshot(d, 0);
        burst--;
    } else {
        last_ms = now; /* on flash: SIGUSR1 and exit only */
        dirty = 0;
    }
}

int status_print(const struct tlsmgr_conf *c)
{
    char path[TLSMGR_PATH_MAX], text[STATUS_MAX + 1];
    struct readfile rf;
    uint64_t v[2] = {0, 0}; /* the time and the pid of the header */
    const char *p = text, *q;
    int r, i = 0;

    if (conf_path(c, STATUS_NAME, path, sizeof(path)) < 0)
        return 1;
    r = readfile(path, text, STATUS_MAX, &rf);
    if (r < 0) {
        log_err_errno("no daemon statistics in %s", path);
        return 1;
    }
    text[r == 0 ? rf.len : 0] = '\0';
    /* The file is the daemon's, but read as untrusted all the same: a bad header is shown
     * (a number too long for 64 bits is only shown wrong). */
    for (q = "time # pid #\n"; *q != '\0'; q++) { /* '#': a number */
        if (*q != '#') {
            if (*p++ != *q)
                break;
        } else if (*p >= '0' && *p <= '9') {
            for (; *p >= '0' && *p <= '9'; p++)
                v[i] = v[i] * 10 + (uint64_t)(*p - '0');
            i++;
        } else {
            break;
        }
    }
    if (*q != '\0') {
        log_err("%s: not a status file", path);
        return 1;
    }
    /* Say how old the figures are, so that a quiet daemon's file is not taken for what
     * happens now (tlsmgr(8) says when the daemon rewrites it). */
    snprintf(path, sizeof(path), "daemon pid %llu, statistics of %llds ago:\n",
             (unsigned long long)v[1], (long long)(port_wall_time() - (int64_t)v[0]));
    port_print(path);
    port_print(p);
    return 0;
}
