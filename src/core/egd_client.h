/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * egd_client.h - the client half of the EGD protocol: "01 N" on a fresh connection to an EGD
 * daemon's Unix socket, answered by "M" and M bytes (M <= N). Used by the daemon's egd: entropy
 * source and by libtlsmgr's seed (which asks the daemon's own EGD service). The whole exchange
 * is bounded by TLSMGR_EGD_CLIENT_TIMEOUT_MS and never raises SIGPIPE.
 */
#ifndef TLSMGR_EGD_CLIENT_H
#define TLSMGR_EGD_CLIENT_H

#include <stddef.h>

/* Largest N of one request. */
#define EGD_CLIENT_MAX 255

/* What went wrong with a request: a code (the daemon's sources.c holds their phrases; the
 * library never logs, so it carries none), and the errno that goes with it (0 when none). */
enum egd_client_fail {
    EGD_CLIENT_OK,       /* every byte asked for came */
    EGD_CLIENT_CONNECT,  /* connect failed or timed out */
    EGD_CLIENT_SEND,     /* the request could not be sent */
    EGD_CLIENT_CLOSED,   /* the peer closed before the whole answer */
    EGD_CLIENT_READ,     /* a read failed */
    EGD_CLIENT_TIMEOUT,  /* the answer did not come in time */
    EGD_CLIENT_TOO_MANY, /* the answer promised more bytes than asked for */
    EGD_CLIENT_TOO_FEW   /* the answer promised fewer bytes than asked for */
};

struct egd_client_error {
    unsigned why; /* enum egd_client_fail; the daemon's sources add their own codes after them */
    int err;
};

/* Asks the EGD daemon at path for want bytes into out: 1 to EGD_CLIENT_MAX, which both callers
 * (the daemon's egd: source and tlsmgr_seed) ask by construction. Returns the number
 * of bytes received (less than want when e->why is set; bytes of a reply that promised more
 * than it sent are not counted). */
size_t egd_client_read(const char *path, unsigned char *out, size_t want,
                       struct egd_client_error *e);

#endif
