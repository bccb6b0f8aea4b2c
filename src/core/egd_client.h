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

/* What went wrong with a request: why is NULL when all the bytes asked for came, else a
 * phrase for the log; err is the errno that goes with it (0 when none). */
struct egd_client_error {
    const char *why;
    int err;
};

/* Asks the EGD daemon at path for want bytes (1..EGD_CLIENT_MAX) into out. Returns the number
 * of bytes received (less than want when e->why is set; bytes of a reply that promised more
 * than it sent are not counted). */
size_t egd_client_read(const char *path, unsigned char *out, size_t want,
                       struct egd_client_error *e);

#endif
