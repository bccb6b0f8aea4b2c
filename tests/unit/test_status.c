/* SPDX-License-Identifier: BSD-2-Clause */
/* test_status.c - the statistics file behind tlsmgr -s: what it holds, when it is written. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "egd.h"
#include "entropy.h"
#include "log.h"
#include "port.h"
#include "status.h"
#include "t.h"

static struct daemon d;

static void setup(void)
{
    struct conf_error err;
    static const char text[] = "state_directory = .\n";

    memset(&d, 0, sizeof(d));
    T_EQ_INT(conf_parse(&d.conf, "t.conf", text, sizeof(text) - 1, &err), 0);
    loop_init(&d.loop);
    d.started_ms = port_now_ms();
}

static void log_capture_copies_and_can_stay_quiet(void)
{
    char buf[64];

    log_open("t", 0, 1, 0);
    log_capture_start(buf, sizeof(buf), 0);
    log_info("one %d", 1);
    log_info("two");
    T_EQ_INT(log_capture_stop(), 10);
    T_EQ_STR(buf, "one 1\ntwo\n");
    T_ASSERT(!port_test_log_has("one 1"));
    log_capture_start(buf, 8, 1);
    log_info("a long line cut short");
    T_EQ_INT(log_capture_stop(), 7);
    T_EQ_STR(buf, "a long ");
    T_ASSERT(port_test_log_has("a long line cut short"));
    log_info("after");
    T_EQ_STR(buf, "a long ");
}

static void status_file_holds_every_line_and_prints(void)
{
    char text[4096];
    long n;

    setup();
    status_log(&d);
    n = t_read_file("status", text, sizeof(text) - 1);
    T_ASSERT(n > 0);
    text[n > 0 ? n : 0] = '\0';
    T_ASSERT(strncmp(text, "time ", 5) == 0);
    T_ASSERT(strstr(text, "statistics: uptime (s) 0, wakeups 0") != NULL);
    T_ASSERT(port_test_log_has("statistics: uptime")); /* status_log also logs */
    T_EQ_INT(status_print(&d.conf), 0);
    T_ASSERT(strstr(port_test_printed(), "statistics of 0s ago") != NULL);
    T_ASSERT(strstr(port_test_printed(), "statistics: uptime") != NULL);
}

static void refresh_rides_on_wakeups_only_on_tmpfs(void)
{
    setup();
    port_test_fs = PORT_FS_OTHER;
    status_refresh(&d);
    port_test_advance(TLSMGR_STATUS_INTERVAL * 1000ull);
    status_refresh(&d);
    T_EQ_INT(t_read_file("status", (char[8]){0}, 8), -1); /* flash: never periodically */
}

static void refresh_on_tmpfs_at_most_once_per_interval(void)
{
    unsigned renames;

    setup();
    port_test_fs = PORT_FS_TMPFS;
    status_write(&d);
    renames = port_test_calls("rename");
    T_ASSERT(!port_test_log_has("statistics: uptime")); /* a snapshot is not logged */
    status_refresh(&d);
    T_EQ_INT(port_test_calls("rename"), renames);
    port_test_advance(TLSMGR_STATUS_INTERVAL * 1000ull);
    status_refresh(&d);
    T_EQ_INT(port_test_calls("rename"), renames + 1);
}

/* A client that comes, reads and goes shows in the file at once (it was "clients now 0,
 * accepted 0" a minute later), on the wake-ups that served it: no wake-up of its own. */
static void egd_client_shows_without_extra_wakeups(void)
{
    struct sockaddr_un sun;
    unsigned char ans[33];
    char text[4096];
    uint64_t wakeups;
    long n;
    int fd, i;

    setup();
    strcpy(d.conf.egd_socket, "egd.sock");
    port_test_fs = PORT_FS_TMPFS;
    entropy_reset();
    d.loop.after_dispatch = status_refresh;
    d.loop.after_arg = &d;
    T_EQ_INT(egd_service.setup(&d), 0);
    T_EQ_INT(egd_service.start(&d), 0);
    status_write(&d);
    fd = t_unix_socket(&sun, "egd.sock");
    T_EQ_INT(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    T_EQ_INT(write(fd, "\x01\x20", 2), 2);
    loop_run_once(&d.loop, port_test_now + 1); /* accept */
    loop_run_once(&d.loop, port_test_now + 1); /* answer */
    T_EQ_INT(read(fd, ans, sizeof(ans)), 33);
    close(fd);
    for (i = 0; i < 3; i++)
        loop_run_once(&d.loop, port_test_now + 1); /* the hang-up */
    T_EQ_INT(egd_clients(), 0);
    n = t_read_file("status", text, sizeof(text) - 1);
    text[n > 0 ? n : 0] = '\0';
    T_ASSERT(strstr(text, "egd: clients now 0, accepted 1") != NULL);
    wakeups = d.loop.wakeups;
    loop_run_until(&d.loop, port_test_now + 3600 * 1000);
    T_EQ_INT(d.loop.wakeups, wakeups); /* nothing woke the daemon for the file */
    T_EQ_INT(status_print(&d.conf), 0);
    T_ASSERT(strstr(port_test_printed(), "statistics of 3600s ago:") != NULL);
    egd_service.stop(&d);
}

static void print_without_daemon_fails_cleanly(void)
{
    setup();
    T_EQ_INT(status_print(&d.conf), 1);
    T_EQ_INT(t_write_file("status", "garbage", 7), 0);
    T_EQ_INT(status_print(&d.conf), 1);
    T_EQ_INT(t_write_file("status", "time 5 pid \n", 12), 0); /* no pid */
    T_EQ_INT(status_print(&d.conf), 1);
    T_EQ_INT(t_write_file("status", "time 5 pid 7", 12), 0); /* header cut short */
    T_EQ_INT(status_print(&d.conf), 1);
    T_EQ_INT(t_write_file("status", "time 5 pid 7\nx: 1\n", 18), 0);
    T_EQ_INT(status_print(&d.conf), 0);
    T_ASSERT(strstr(port_test_printed(), "daemon pid 7, statistics of ") != NULL);
    T_ASSERT(strstr(port_test_printed(), "ago:\nx: 1\n") != NULL);
}

T_MAIN(T_CASE(log_capture_copies_and_can_stay_quiet),
       T_CASE(status_file_holds_every_line_and_prints),
       T_CASE(refresh_rides_on_wakeups_only_on_tmpfs),
       T_CASE(refresh_on_tmpfs_at_most_once_per_interval),
       T_CASE(egd_client_shows_without_extra_wakeups), T_CASE(print_without_daemon_fails_cleanly))
