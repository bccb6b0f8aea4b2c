/* SPDX-License-Identifier: BSD-2-Clause */
/* privs.h - who the daemon runs as, and the one-way drop to that identity. */
#ifndef TLSMGR_PRIVS_H
#define TLSMGR_PRIVS_H

#include "conf.h"

/* The uid/gid the daemon will run as: tlsmgr_user/tlsmgr_group when started as root, the
 * current identity otherwise. Returns 0, or -1 after logging an unknown user or group. */
int privs_resolve(const struct tlsmgr_conf *c, unsigned *uid, unsigned *gid);
/* The group that the daemon keeps as a supplementary group when it drops root:
 * tls_ticket_key_export_group when export targets name one (PORT_ID_KEEP: none). */
unsigned privs_export_gid(const struct tlsmgr_conf *c);
/* As root: drops to uid/gid (and supplementary group extra_gid unless PORT_ID_KEEP) for good
 * and checks that it stuck. Otherwise does nothing. */
int privs_drop(unsigned uid, unsigned gid, unsigned extra_gid);

#endif
