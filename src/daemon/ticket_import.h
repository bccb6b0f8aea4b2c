/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ticket_import.h - tls_ticket_key_source: the daemon takes its ticket keys from a file in
 * tlsmgr's key file format (ticket_files.h) instead of making them, so that several hosts
 * behind one address encrypt and decrypt with the same keys. The file is written by whatever
 * the fleet uses to distribute secrets (another tlsmgr's tlsmgr: export, copied by config
 * management, consul-template, a shared file system). It is read at each key change, at
 * SIGHUP and every TLSMGR_TICKET_IMPORT_CHECK seconds; a file that is missing, not a regular
 * file, a symbolic link, writable by others, too long, malformed or stale (its newest key has
 * expired) is logged (once per change of its state) and the last good keys stay.
 */
#ifndef TLSMGR_TICKET_IMPORT_H
#define TLSMGR_TICKET_IMPORT_H

#include <stdint.h>

#include "ticket_slots.h"

struct ticket_import {
    const char *refused; /* why the last read was refused (NULL: it was good), for logging once */
};

/* Replaces s (the slots the env holds) with the keys of the file at path when it is good; else
 * drops the expired keys of s. Returns 1 when s changed, 0 when it did not. */
int ticket_import_apply(struct ticket_import *im, const char *path, struct ticket_slots *s,
                        int64_t now);

#endif
