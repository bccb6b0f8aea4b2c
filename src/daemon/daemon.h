/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon.h - the daemon's state and the interface of its services (entropy, cache...).
 * A service is a table of hooks that main.c calls in the start-up order of tlsmgr(8):
 * setup while still privileged, start after the drop, then reload, stats and stop.
 */
#ifndef TLSMGR_DAEMON_H
#define TLSMGR_DAEMON_H

#include <stdint.h>

#include "conf.h"
#include "loop.h"

struct daemon {
    struct tlsmgr_conf conf;
    struct loop loop;
    const char *conf_path;
    int foreground;
    int verbose;
    unsigned uid, gid; /* identity the daemon runs as after start-up */
    int was_root;      /* started as root (privileged setup happened) */
    uint64_t started_ms;
    uint64_t reloads;
    uint64_t reload_failures;
};

struct service {
    /* Characters, not a pointer: no relocation in a position-independent binary. */
    char name[8];
    /* As root (if started as root), before privileges are dropped: open what needs privilege.
     * Returns 0, or -1 to abort start-up (after logging why). */
    int (*setup)(struct daemon *d);
    /* After the drop: schedule timers, add descriptors. Returns 0 or -1 (start-up fails). */
    int (*start)(struct daemon *d);
    /* After SIGHUP brought a good new file into d->conf; old is the previous one. */
    void (*reload)(struct daemon *d, const struct tlsmgr_conf *old);
    /* Logs the service's statistics (SIGUSR1). */
    void (*stats)(struct daemon *d);
    /* SIGTERM: save what must survive, release resources. */
    void (*stop)(struct daemon *d);
};

/* Sets every service up (as root, if started so), drops privileges, starts them. A service
 * that fails is logged as down and retried on a timer with backoff, while the others run;
 * only the entropy service, which the others serve from, is required. Returns 0, or -1 when
 * a required service or the privilege drop failed (everything is stopped again). */
int services_start(struct daemon *d);
/* Stops every service, in reverse order (a service that is down has nothing to stop). */
void services_stop(struct daemon *d);
/* SIGHUP: the services that run take the new configuration; one that is down takes it at
 * its next try. */
void services_reload(struct daemon *d, const struct tlsmgr_conf *old);
/* Logs each service's statistics, or that it is down and since when. */
void services_log_stats(struct daemon *d);
/* 1 while the service runs, 0 while it is down. */
int services_up(const struct service *s);
/* 1 while every service runs. */
int services_all_up(void);

#endif
