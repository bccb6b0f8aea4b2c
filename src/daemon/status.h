/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * status.h - the daemon's statistics: logged at SIGUSR1 and at exit, and kept in a small
 * file of the state directory so that tlsmgr -s can show them from another process.
 */
#ifndef TLSMGR_STATUS_H
#define TLSMGR_STATUS_H

#include "daemon.h"

/* Logs every service's statistics and writes them to the status file. */
void status_log(struct daemon *d);
/* Writes the status file without logging (at start-up). */
void status_write(struct daemon *d);
/* A service's figures changed in a way worth showing (a client came or went, a service went
 * down or up): the next wake-up rewrites the file. */
void status_touch(void);
/* Loop hook, run after every wake-up's work (it never wakes the daemon by itself): on tmpfs,
 * rewrites the file (without logging) after a status_touch, at most 4 times in a row and then
 * once a second, or when TLSMGR_STATUS_INTERVAL has passed. arg is the daemon. */
void status_refresh(void *arg);
/* tlsmgr -s: prints the last snapshot the daemon wrote, with its age. Returns 0, or 1 when
 * there is none (daemon not running, or a different state_directory). */
int status_print(const struct tlsmgr_conf *c);

#endif
