/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_services.c - one failing service does not take the others down: the daemon's services
 * started as main.c starts them, with the session cache and the EGD socket made impossible;
 * entropy, the exchange file and the working service run, the failed ones are retried on a
 * timer with backoff (no busy loop) and come up once the cause is gone.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cache.h"
#include "daemon.h"
#include "egd.h"
#include "entropy.h"
#include "entropy_service.h"
#include "port.h"
#include "t.h"

static struct daemon d;

static void daemon_init(void)
{
    memset(&d, 0, sizeof(d));
    conf_defaults(&d.conf); /* state "state", seed "seed/seed", EGD "state/egd" */
    loop_init(&d.loop);
    entropy_reset();
    d.uid = port_uid();
    d.gid = port_gid();
    T_EQ_INT(mkdir("state", 0750), 0);
}

/* A 01 request on the EGD socket is answered within a few wake-ups. */
static int egd_answers(void)
{
    struct sockaddr_un sun;
    unsigned char ans[9];
    int fd = t_unix_socket(&sun, "state/egd"), i, ok = 0;

    if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        write(fd, "\x01\x08", 2) != 2) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    for (i = 0; i < 5; i++)
        loop_run_once(&d.loop, port_test_now + 1);
    ok = recv(fd, ans, sizeof(ans), MSG_DONTWAIT) == 9 && ans[0] == 8;
    close(fd);
    return ok;
}

static void cache_down_others_run_and_retry_backs_off(void)
{
    struct stat st;
    uint64_t t0;

    daemon_init();
    T_EQ_INT(t_write_file("state/cache", "not a directory", 15), 0);
    T_EQ_INT(services_start(&d), 0);
    T_ASSERT(services_up(&entropy_service));
    T_ASSERT(services_up(&egd_service));
    T_ASSERT(!services_up(&cache_service));
    T_EQ_INT(t_log_count("cache service is DOWN"), 1);
    T_EQ_INT(stat("state/prng_exch", &st), 0); /* the exchange file was written */
    T_EQ_INT(st.st_size, TLSMGR_EXCHANGE_SIZE);
    T_ASSERT(egd_answers());

    /* Tries at +10, +30, +70, +150, +310, +630, +1230, +1830, +2430, +3030 s: the delay
     * doubles up to TLSMGR_SERVICE_RETRY_MAX, one wake-up each. */
    t0 = port_test_now;
    loop_run_until(&d.loop, t0 + 3600 * 1000);
    T_EQ_INT(t_log_count("cache service is DOWN"), 11);
    T_ASSERT(port_test_log_has("cache service is DOWN (11 failures)"));
    T_ASSERT(egd_answers());

    /* The cause is gone: the next try brings the cache up, and the timer stops. */
    T_EQ_INT(unlink("state/cache"), 0);
    loop_run_until(&d.loop, t0 + 3630 * 1000 + 1);
    T_ASSERT(services_up(&cache_service));
    T_ASSERT(port_test_log_has("cache service is up again"));
    T_EQ_INT(stat("state/cache/data.mdb", &st), 0);
    loop_run_until(&d.loop, t0 + 7200 * 1000);
    T_EQ_INT(t_log_count("cache service is DOWN"), 11);
    services_stop(&d);
}

/* The statistics (SIGUSR1, tlsmgr -s) say which service is down. */
static void down_service_shows_in_statistics(void)
{
    daemon_init();
    T_EQ_INT(t_write_file("state/egd", "planted", 7), 0);
    T_EQ_INT(services_start(&d), 0);
    T_ASSERT(!services_up(&egd_service));
    T_ASSERT(services_up(&cache_service));
    port_test_log_clear();
    services_log_stats(&d);
    T_ASSERT(port_test_log_has("egd: DOWN for (s) 0, failures 1, retry in (s) 10"));
    T_ASSERT(port_test_log_has("cache: ")); /* the others report as usual */

    /* Fixed: the socket is made at the next try (as the daemon's user) and serves. */
    T_EQ_INT(unlink("state/egd"), 0);
    loop_run_until(&d.loop, port_test_now + 10 * 1000 + 1);
    T_ASSERT(services_up(&egd_service));
    T_ASSERT(egd_answers());
    services_stop(&d);
    T_ASSERT(access("state/egd", F_OK) != 0);
}

T_MAIN(T_CASE(cache_down_others_run_and_retry_backs_off), T_CASE(down_service_shows_in_statistics))
