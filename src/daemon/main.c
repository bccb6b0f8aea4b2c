/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - tlsmgr: arguments, configuration, the start-up order of tlsmgr(8) (privileged
 * setup, drop, start), signals, and the event loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "cache.h"
#include "daemon.h"
#include "log.h"
#include "mbedtls_compat.h"
#include "port.h"
#include "privs.h"
#include "statedir.h"
#include "status.h"

#define EXIT_RUNTIME 1
#define EXIT_CONFIG  2

static struct daemon the_daemon;
static int signal_fd = -1;

/* The options are described in tlsmgr(8); the default file follows SYSCONFDIR and the board. */
static void usage(void)
{
    port_print("usage: tlsmgr [-fnsv] [-c file (default " TLSMGR_DEFAULT_CONFIG_FILE
               ")] | --version\n");
}

/* The digits of the LMDB version as text, at compile time. */
#define STR_(x) #x
#define STR(x)  STR_(x)

static void print_version(void)
{
    port_print("tlsmgr " TLSMGR_VERSION " (board " TLSMGR_BOARD_NAME
               ", mbedTLS " MBEDTLS_VERSION_STRING ", LMDB " STR(MDB_VERSION_MAJOR) "." STR(
                   MDB_VERSION_MINOR) "." STR(MDB_VERSION_PATCH) ")\n");
}

/* Root acts on this file at every start: nobody else may be able to change it. */
static int root_config_is_unsafe(const char *path)
{
    struct port_stat st;

    if (!port_is_root() || port_lstat(path, &st) < 0)
        return 0;
    if (st.uid != 0 || (st.mode & 022) != 0) {
        log_err("%s: uid %u, mode %04o: not root's alone", path, st.uid, st.mode);
        return 1;
    }
    return 0;
}

/* Parameters fixed at start-up: the directory and identity were set up as root. */
static void keep_startup_params(struct tlsmgr_conf *next, const struct tlsmgr_conf *old)
{
    static const unsigned short fields[] = {offsetof(struct tlsmgr_conf, state_directory),
                                            offsetof(struct tlsmgr_conf, user),
                                            offsetof(struct tlsmgr_conf, group)};
    int changed = 0;
    size_t i;

    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        char *n = (char *)next + fields[i];
        const char *o = (const char *)old + fields[i];

        changed |= strcmp(n, o);
        memcpy(n, o, strlen(o) + 1);
    }
    if (changed)
        log_warn("reload: %s change only at a restart", /* the cache's format */
                 "state_directory, tlsmgr_user and tlsmgr_group");
}

static void reload(struct daemon *d)
{
    struct tlsmgr_conf old = d->conf, next;
    struct conf_error err;

    if (conf_load(&next, d->conf_path, &err) < 0) {
        d->reload_failures++;
        log_err("reload refused: %s", err.msg);
        return;
    }
    keep_startup_params(&next, &old);
    d->conf = next;
    d->reloads++;
    services_reload(d, &old);
    log_info("reloaded %s", d->conf_path);
}

static void on_signal(void *arg, int fd, short revents)
{
    struct daemon *d = arg;
    enum port_signal sig;

    (void)fd;
    (void)revents;
    while ((sig = port_signal_next()) != PORT_SIG_NONE) {
        switch (sig) {
        case PORT_SIG_TERM:
            log_info("terminating");
            loop_stop(&d->loop);
            break;
        case PORT_SIG_HUP:
            reload(d);
            break;
        case PORT_SIG_USR1:
            status_log(d);
            break;
        default:
            break;
        }
    }
}

static int start(struct daemon *d)
{
    if (privs_resolve(&d->conf, &d->uid, &d->gid) < 0)
        return -1;
    d->was_root = port_is_root();
    if (statedir_prepare(d->conf.state_directory, 0750, d->uid, d->gid, d->was_root) < 0)
        return -1;
    signal_fd = port_signals_open();
    if (signal_fd < 0 || loop_fd_add(&d->loop, signal_fd, PORT_POLLIN, on_signal, d) < 0) {
        log_err_errno("cannot catch signals");
        return -1;
    }
    return services_start(d);
}

int main(int argc, char **argv)
{
    struct daemon *d = &the_daemon;
    struct conf_error err;
    int check_only = 0, show_status = 0, status, i;

    d->conf_path = TLSMGR_DEFAULT_CONFIG_FILE;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        /* The option letter of "-X", or of its long form; 0 for anything else. */
        int opt = a[0] == '-' && a[1] != '\0' && a[2] == '\0' ? a[1] : 0;

        if (strcmp(a, "--version") == 0)
            opt = 'V';
        else if (strcmp(a, "--help") == 0)
            opt = 'h';
        switch (opt) {
        case 'V':
            print_version();
            return 0;
        case 'h':
            usage();
            return 0;
        case 'c':
            if (i + 1 == argc)
                break;
            d->conf_path = argv[++i];
            continue;
        case 'f':
            d->foreground = 1;
            continue;
        case 'n':
            check_only = 1;
            continue;
        case 's':
            show_status = 1;
            continue;
        case 'v':
            d->verbose = 1;
            continue;
        }
        log_err("bad option %s", a);
        usage();
        return EXIT_CONFIG;
    }
    if (conf_load(&d->conf, d->conf_path, &err) < 0) {
        log_err("%s", err.msg);
        return EXIT_CONFIG;
    }
    if (root_config_is_unsafe(d->conf_path))
        return EXIT_CONFIG;
    if (check_only) {
        port_print("configuration OK\n");
        return 0;
    }
    if (show_status) {
        int daemon_rc = status_print(&d->conf);
        return cache_print_status(&d->conf) == 0 && daemon_rc == 0 ? 0 : 1;
    }
    log_open(d->conf.syslog_name, d->conf.syslog_facility, d->foreground, d->verbose);
    loop_init(&d->loop);
    d->loop.after_dispatch = status_refresh;
    d->loop.after_arg = d;
    d->started_ms = port_now_ms();
    if (start(d) < 0) {
        log_err("start-up failed");
        return EXIT_RUNTIME;
    }
    log_info("tlsmgr " TLSMGR_VERSION " started (config %s, state %s)", d->conf_path,
             d->conf.state_directory);
    status_write(d);
    status = loop_run(&d->loop) < 0 ? EXIT_RUNTIME : 0;
    /* Statistics while every service is still open; the final seed write is logged by itself. */
    status_log(d);
    services_stop(d);
    if (status != 0)
        return status;
    port_signals_close();
    log_info("stopped");
    log_close();
    return 0;
}
