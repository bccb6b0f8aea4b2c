/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * haproxy_cli.h - one conversation with a HAProxy runtime (stats) socket inside the event
 * loop: connect without blocking, send one command line, read the answer until HAProxy closes
 * the connection (it does after each line unless told "prompt"), all of it within
 * TLSMGR_HAPROXY_TIMEOUT_MS. One conversation at a time; the buffer that held key material is
 * wiped when it ends.
 */
#ifndef TLSMGR_HAPROXY_CLI_H
#define TLSMGR_HAPROXY_CLI_H

#include <stddef.h>

#include "loop.h"

/* Request and answer share the buffer: three "set ssl tls-key" commands with their paths, then
 * HAProxy's answer. */
#define HAPROXY_CLI_BUF (3 * (TLSMGR_PATH_MAX + 140))

/* err 0: answer holds all HAProxy sent (NUL-terminated); else an errno value (ETIMEDOUT,
 * EMSGSIZE for an answer too long, ECONNREFUSED...). */
typedef void (*haproxy_cli_done_fn)(void *arg, int err, char *answer, size_t len);

struct haproxy_cli {
    struct loop *loop;
    int timer; /* -1 until the first conversation */
    int fd;    /* -1 when idle */
    size_t len, sent;
    haproxy_cli_done_fn done;
    void *arg;
    char buf[HAPROXY_CLI_BUF];
};

void haproxy_cli_init(struct haproxy_cli *c, struct loop *loop);
/* Starts sending the request of len bytes the caller wrote into c->buf (one line ending in
 * '\n') to the socket at path; only while idle (haproxy_cli_busy 0). Returns 0, or -1 with errno
 * (the connect failed at once, no timer or descriptor slot): done is not called then. */
int haproxy_cli_start(struct haproxy_cli *c, const char *path, size_t len, haproxy_cli_done_fn done,
                      void *arg);
/* 1 while a conversation runs. */
int haproxy_cli_busy(const struct haproxy_cli *c);
/* Abandons a conversation in progress (done is not called). */
void haproxy_cli_stop(struct haproxy_cli *c);

#endif
