/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ticket_export.h - tls_ticket_key_export: the daemon's ticket slots written into the key files
 * of servers that do not link libtlsmgr (ticket_files.h), and pushed to HAProxy over its
 * runtime socket. A file is written only when its bytes change (a lighttpd that sees its
 * stek-file rewritten takes the key again and forgets the one before), atomically, mode 0640
 * with tls_ticket_key_export_group, never through a symbolic link and only into a directory
 * that nobody but root and tlsmgr_user can change. Keys never reach a log line: only "wrote N
 * keys to PATH".
 */
#ifndef TLSMGR_TICKET_EXPORT_H
#define TLSMGR_TICKET_EXPORT_H

#include <stdint.h>

#include "conf.h"
#include "haproxy_cli.h"
#include "ticket_files.h"

struct ticket_export {
    const struct tlsmgr_conf *conf; /* the daemon's, followed across reloads */
    unsigned gid;                   /* group of the files (PORT_ID_KEEP: unknown group) */
    unsigned failing;               /* bit per target: its last write failed (logged once) */
    unsigned hap_due;               /* bit per target: its HAProxy socket needs the keys */
    unsigned hap_failing;           /* bit per target: its last conversation failed */
    unsigned hap_target;            /* the target of the conversation in progress */
    struct haproxy_cli cli;         /* before the keys: its fields stay within short reach */
    char hap_keys[TICKET_SLOTS]
                 [TICKET_B64_LEN]; /* HAProxy's file: previous, current, next; wiped when done */
};

/* Prepares the targets of *conf (kept by pointer) on loop; call again after a reload. */
void ticket_export_init(struct ticket_export *x, const struct tlsmgr_conf *conf, struct loop *loop);
/* Writes every target whose bytes differ for slots s at now and starts the HAProxy socket
 * updates that are due. Returns the next time (wall clock) it must be called again though
 * the slots stay the same (lighttpd's next key, a retry after a failure), 0 for none. */
int64_t ticket_export_update(struct ticket_export *x, const struct ticket_slots *s, int64_t now);
/* Stops a socket conversation in progress and wipes what it held. */
void ticket_export_free(struct ticket_export *x);

#endif
