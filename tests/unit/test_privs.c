/* SPDX-License-Identifier: BSD-2-Clause */
/* test_privs.c - who the daemon runs as, and the drop that must stick. */
#include <errno.h>
#include <string.h>

#include "conf.h"
#include "port.h"
#include "privs.h"
#include "t.h"

static void unprivileged_start_keeps_its_identity(void)
{
    struct tlsmgr_conf c;
    unsigned uid = 1, gid = 1;

    conf_defaults(&c);
    port_test_root = 0;
    T_EQ_INT(privs_resolve(&c, &uid, &gid), 0);
    T_EQ_INT(uid, port_uid());
    T_EQ_INT(gid, port_gid());
    T_EQ_INT(privs_drop(uid, gid, PORT_ID_KEEP), 0);
    T_EQ_INT(port_test_dropped, 0);
}

static void root_resolves_and_drops_to_configured_user(void)
{
    struct tlsmgr_conf c;
    struct conf_error err;
    unsigned uid, gid;
    static const char text[] = "tlsmgr_user = nobody\ntlsmgr_group = root\n";

    T_EQ_INT(conf_parse(&c, "t.conf", text, sizeof(text) - 1, &err), 0);
    port_test_root = 1;
    T_EQ_INT(privs_resolve(&c, &uid, &gid), 0);
    T_ASSERT(uid != 0);
    T_EQ_INT(gid, 0);
    T_EQ_INT(privs_drop(uid, gid, PORT_ID_KEEP), 0);
    T_EQ_INT(port_test_dropped, 1);
    T_EQ_INT(port_test_dropped_uid, uid);
    T_ASSERT(port_test_log_has("running as uid"));
}

static void unknown_user_or_group_is_an_error(void)
{
    struct tlsmgr_conf c;
    struct conf_error err;
    unsigned uid, gid;
    static const char text[] = "tlsmgr_user = no-such-user-xyz\n";
    static const char text2[] = "tlsmgr_user = nobody\ntlsmgr_group = no-such-group-xyz\n";

    port_test_root = 1;
    T_EQ_INT(conf_parse(&c, "t.conf", text, sizeof(text) - 1, &err), 0);
    T_EQ_INT(privs_resolve(&c, &uid, &gid), -1);
    T_ASSERT(port_test_log_has("tlsmgr_user no-such-user-xyz: unknown user"));
    T_EQ_INT(conf_parse(&c, "t.conf", text2, sizeof(text2) - 1, &err), 0);
    T_EQ_INT(privs_resolve(&c, &uid, &gid), -1);
    T_ASSERT(port_test_log_has("tlsmgr_group no-such-group-xyz: unknown group"));
}

static void root_as_daemon_user_is_refused(void)
{
    struct tlsmgr_conf c;
    struct conf_error err;
    unsigned uid, gid;
    static const char text[] = "tlsmgr_user = root\ntlsmgr_group = root\n";

    port_test_root = 1;
    T_EQ_INT(conf_parse(&c, "t.conf", text, sizeof(text) - 1, &err), 0);
    T_EQ_INT(privs_resolve(&c, &uid, &gid), -1);
    T_ASSERT(port_test_log_has("is root"));
}

static void failed_drop_is_fatal_and_logged(void)
{
    port_test_root = 1;
    port_test_fail("drop_privileges", 1, EPERM);
    T_EQ_INT(privs_drop(65534, 65534, PORT_ID_KEEP), -1);
    T_ASSERT(port_test_log_has("cannot drop privileges"));
    T_EQ_INT(port_test_dropped, 0);
}

T_MAIN(T_CASE(unprivileged_start_keeps_its_identity),
       T_CASE(root_resolves_and_drops_to_configured_user),
       T_CASE(unknown_user_or_group_is_an_error), T_CASE(root_as_daemon_user_is_refused),
       T_CASE(failed_drop_is_fatal_and_logged))
