/* SPDX-License-Identifier: BSD-2-Clause */
/* test_conf.c - tlsmgr.conf parser: every parameter, every kind of bad line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "t.h"

static int parse(struct tlsmgr_conf *c, const char *text, struct conf_error *err)
{
    return conf_parse(c, "f.conf", text, strlen(text), err);
}

/* The message a bad file must produce, and the configuration left unchanged. */
static void expect_error(const char *text, const char *msg)
{
    struct tlsmgr_conf c, before;
    struct conf_error err;

    conf_defaults(&c);
    before = c;
    if (parse(&c, text, &err) == 0) {
        t_fail(__FILE__, __LINE__, "accepted: %s", text);
        return;
    }
    if (strstr(err.msg, msg) == NULL)
        t_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", err.msg, msg);
    T_ASSERT(memcmp(&c, &before, sizeof(c)) == 0);
}

static void defaults_are_the_config_header(void)
{
    struct tlsmgr_conf c;

    conf_defaults(&c);
    T_EQ_INT(c.random_bytes, TLSMGR_DEFAULT_RANDOM_BYTES);
    T_EQ_INT(c.reseed_period, 3600);
    T_EQ_INT(c.prng_update_period, TLSMGR_DEFAULT_PRNG_UPDATE_PERIOD);
    T_EQ_INT(c.cache_timeout, 3600);
    T_EQ_INT(c.cache_sweep_period, 3600); /* 0 means the cache timeout */
    T_EQ_INT(c.nsources, 1);
    T_EQ_INT(c.sources[0].kind, SOURCE_GETRANDOM);
    T_EQ_STR(c.state_directory, "state"); /* board/test */
    T_EQ_STR(c.exchange_name, "state/prng_exch");
    T_EQ_STR(c.cache_database, "state/cache");
    T_EQ_STR(c.egd_socket, "state/egd");
    T_EQ_INT(c.seed_credit, 1);
    T_EQ_STR(c.user, "tlsmgr");
}

static void every_parameter_parses(void)
{
    struct tlsmgr_conf c;
    struct conf_error err;
    const char *text = "# comment\n"
                       "\n"
                       "state_directory = /var/x\n"
                       "tls_random_source = getrandom, dev:/dev/urandom hwrng:/dev/hwrng,"
                       "egd:/run/egd /etc/file hardware\n"
                       "tls_random_bytes = 255\n"
                       "tls_random_exchange_name = exch\n"
                       "tls_random_reseed_period = 2h\n"
                       "tls_random_prng_update_period = 90s\n"
                       "tls_random_seed_file = /etc/seed\n"
                       "tls_random_seed_save_period = 1d\n"
                       "tls_random_seed_credit = no\n"
                       "tls_random_egd_socket =\n"
                       "tls_session_cache_database = lmdb:/tmp/c\n"
                       "tls_session_cache_timeout = 5m\n"
                       "tls_session_cache_max_entries = 123\n"
                       "tls_session_cache_map_size = 2m\n"
                       "tls_session_cache_sweep_period = 1w\n"
                       "tls_session_cache_sync = yes\n"
                       "tls_ticket_key_lifetime = 6h\n"
                       "tlsmgr_user = nobody\n"
                       "tlsmgr_group = nogroup\n"
                       "syslog_name = tls-mgr\n"
                       "syslog_facility = local3\r\n";

    conf_defaults(&c);
    T_EQ_INT(parse(&c, text, &err), 0);
    T_EQ_STR(c.state_directory, "/var/x");
    T_EQ_INT(c.nsources, 6);
    T_EQ_INT(c.sources[1].kind, SOURCE_DEV);
    T_EQ_STR(c.sources[1].path, "/dev/urandom");
    T_EQ_INT(c.sources[2].kind, SOURCE_HWRNG);
    T_EQ_INT(c.sources[3].kind, SOURCE_EGD);
    T_EQ_STR(c.sources[3].path, "/run/egd");
    T_EQ_INT(c.sources[4].kind, SOURCE_FILE);
    T_EQ_INT(c.sources[5].kind, SOURCE_HARDWARE);
    T_EQ_INT(c.random_bytes, 255);
    T_EQ_STR(c.exchange_name, "/var/x/exch"); /* relative to the state directory */
    T_EQ_INT(c.reseed_period, 7200);
    T_EQ_INT(c.prng_update_period, 90);
    T_EQ_INT(c.seed_save_period, 86400);
    T_EQ_INT(c.seed_credit, 0);
    T_EQ_STR(c.egd_socket, "");
    T_EQ_STR(c.cache_database, "/tmp/c");
    T_EQ_INT(c.cache_timeout, 300);
    T_EQ_INT(c.cache_max_entries, 123);
    T_EQ_INT(c.cache_map_size, 2 * 1024 * 1024);
    T_EQ_INT(c.cache_sweep_period, 7 * 86400);
    T_EQ_INT(c.cache_sync, 1);
    T_EQ_INT(c.ticket_key_lifetime, 6 * 3600);
    T_EQ_STR(c.user, "nobody");
    T_EQ_STR(c.syslog_name, "tls-mgr");
}

static void state_directory_later_in_file_moves_relative_names(void)
{
    struct tlsmgr_conf c;
    struct conf_error err;

    T_EQ_INT(parse(&c, "tls_random_exchange_name = e\nstate_directory = /s\n", &err), 0);
    T_EQ_STR(c.exchange_name, "/s/e");
    T_EQ_STR(c.cache_database, "/s/cache");
}

static void unknown_parameter(void)
{
    expect_error("tls_random_bytes = 3\ntls_bogus = 1\n", "f.conf:2: tls_bogus: unknown parameter");
}

static void bad_values(void)
{
    expect_error("tls_random_bytes = lots\n", "f.conf:1: tls_random_bytes: not a number");
    expect_error("tls_random_bytes = 0\n", "tls_random_bytes: 0 out of range (1 to 1024)");
    expect_error("tls_random_bytes = 1025\n", "out of range");
    expect_error("tls_random_bytes = 99999999999999999999999\n",
                 "99999999999999999999999 out of range (1 to 1024)");
    expect_error("tls_random_bytes = 5x\n", "not a number");
    expect_error("tls_session_cache_map_size = 17179869184k\n", "out of range");
    expect_error("tls_random_seed_credit = maybe\n", "tls_random_seed_credit: not yes or no");
    expect_error("tls_random_source = dev:urandom\n", "path not absolute");
    expect_error("tls_random_source = carrier-pigeon\n", "tls_random_source: unknown kind");
    expect_error("tls_random_source = ,\n", "no source");
    expect_error("tls_random_source = getrandom getrandom getrandom getrandom getrandom "
                 "getrandom getrandom getrandom getrandom\n",
                 "tls_random_source: too many");
    expect_error("tls_session_cache_database = btree:/x\n", "bad database type");
    expect_error("tlsmgr_user = ro ot\n", "tlsmgr_user: bad name");
    expect_error("syslog_facility = kern\n", "unknown facility");
    expect_error("state_directory =\n", "state_directory: empty path");
    expect_error("tls_random_seed_save_period = 10m\n",
                 "tls_random_seed_save_period: 10m out of range (3600s");
    expect_error("tls_session_cache_map_size = 1k\n", "out of range");
    expect_error("tls_random_seed_file = seed\n", "tls_random_seed_file: no directory of its own");
    expect_error("tls_random_seed_file = /seed\n", "directory of its own");
    expect_error("tls_random_seed_file = /etc/tlsmgr/\n", "directory of its own");
    expect_error("tls_ticket_key_lifetime = 8d\n", "out of range");
}

static void bad_units(void)
{
    expect_error("tls_random_reseed_period = 5y\n", "tls_random_reseed_period: bad unit");
    expect_error("tls_random_reseed_period = 5 s\n", "bad unit");
    expect_error("tls_random_reseed_period = 5ms\n", "bad unit");
    expect_error("tls_random_reseed_period = h\n", "not a number");
    expect_error("tls_session_cache_map_size = 3t\n", "bad unit");
}

static void duplicate(void)
{
    expect_error("tls_random_bytes = 3\n#\ntls_random_bytes = 4\n",
                 "f.conf:3: tls_random_bytes: duplicate of line 1");
}

static void syntax_errors(void)
{
    expect_error("tls_random_bytes 3\n", "f.conf:1: tls_random_bytes 3: no '='");
    expect_error("= 3\n", "f.conf:1: no parameter name");
}

static void overlong_line(void)
{
    char text[TLSMGR_CONF_MAX_LINE + 64];

    strcpy(text, "tls_random_source = ");
    memset(text + strlen(text), 'x', TLSMGR_CONF_MAX_LINE);
    text[TLSMGR_CONF_MAX_LINE + 20] = '\n';
    text[TLSMGR_CONF_MAX_LINE + 21] = '\0';
    expect_error(text, "f.conf:1: tls_random_source: line longer than");
}

static void nul_byte(void)
{
    struct tlsmgr_conf c;
    struct conf_error err;
    static const char text[] = "tls_random_bytes = 3\ntls_random_bytes\0 = 4\n";

    conf_defaults(&c);
    T_EQ_INT(conf_parse(&c, "f.conf", text, sizeof(text) - 1, &err), -1);
    T_ASSERT(strstr(err.msg, "f.conf:2: NUL byte") != NULL);
}

static void missing_unreadable_and_odd_files(void)
{
    struct tlsmgr_conf c;
    struct conf_error err;

    conf_defaults(&c);
    T_EQ_INT(conf_load(&c, "nope.conf", &err), -1);
    T_EQ_STR(err.msg, "nope.conf: open: No such file or directory");
    T_EQ_INT(t_write_file("ok.conf", "tls_random_bytes = 7\n", 21), 0);
    port_test_fail("open", 1, EACCES);
    T_EQ_INT(conf_load(&c, "ok.conf", &err), -1);
    T_EQ_STR(err.msg, "ok.conf: open: Permission denied");
    port_test_fail("read", 1, EIO);
    T_EQ_INT(conf_load(&c, "ok.conf", &err), -1);
    T_EQ_STR(err.msg, "ok.conf: read: Input/output error");
    T_EQ_INT(symlink("ok.conf", "link.conf"), 0);
    T_EQ_INT(conf_load(&c, "link.conf", &err), -1);
    T_ASSERT(strstr(err.msg, "symbolic link") != NULL);
    T_EQ_INT(conf_load(&c, ".", &err), -1);
    T_ASSERT(strstr(err.msg, "not a regular file") != NULL);
    /* Short reads are normal: the parser must still see the whole file. */
    port_test_short("read", 1, 5);
    T_EQ_INT(conf_load(&c, "ok.conf", &err), 0);
    T_EQ_INT(c.random_bytes, 7);
}

static void oversized_file(void)
{
    static char big[TLSMGR_CONF_MAX_SIZE + 10];
    struct tlsmgr_conf c;
    struct conf_error err;

    memset(big, '\n', sizeof(big));
    T_EQ_INT(t_write_file("big.conf", big, sizeof(big)), 0);
    T_EQ_INT(conf_load(&c, "big.conf", &err), -1);
    T_ASSERT(strstr(err.msg, "larger than") != NULL);
}

static void path_too_long_after_join(void)
{
    char text[TLSMGR_PATH_MAX * 2 + 64];
    char longdir[TLSMGR_PATH_MAX];

    memset(longdir, 'd', sizeof(longdir) - 2);
    longdir[0] = '/';
    longdir[sizeof(longdir) - 2] = '\0';
    snprintf(text, sizeof(text), "state_directory = %s\n", longdir);
    expect_error(text, "f.conf: state_directory: path too long");
}

static void ticket_key_export_and_source(void)
{
#if TLSMGR_TICKET_EXPORT
    struct tlsmgr_conf c;
    struct conf_error err;

    T_EQ_INT(parse(&c,
                   "state_directory = /run/t\n"
                   "tls_ticket_key_export = lighttpd:/run/l/stek nginx:ngx\t"
                   "haproxy:/run/h/keys,socket=/run/haproxy/admin.sock tlsmgr:/srv/keys\n"
                   "tls_ticket_key_source = file:keys\n"
                   "tls_ticket_key_export_group = www-data\n",
                   &err),
             0);
    T_EQ_INT(c.nexports, 4);
    T_EQ_INT(c.exports[0].kind, EXPORT_LIGHTTPD);
    T_EQ_STR(c.exports[0].path, "/run/l/stek");
    T_EQ_INT(c.exports[1].kind, EXPORT_NGINX);
    T_EQ_STR(c.exports[1].path, "/run/t/ngx");
    T_EQ_INT(c.exports[2].kind, EXPORT_HAPROXY);
    T_EQ_STR(c.exports[2].socket, "/run/haproxy/admin.sock");
    T_EQ_INT(c.exports[3].kind, EXPORT_TLSMGR);
    T_EQ_STR(c.exports[3].socket, "");
    T_EQ_STR(c.ticket_source, "/run/t/keys");
    T_EQ_STR(c.export_group, "www-data");
    T_EQ_INT(parse(&c, "tls_ticket_key_export =\ntls_ticket_key_source =\n", &err), 0);
    T_EQ_INT(c.nexports, 0);
    T_EQ_STR(c.ticket_source, "");
    T_EQ_STR(c.export_group, "");
    expect_error("tls_ticket_key_export = apache:/x\n",
                 "f.conf:1: tls_ticket_key_export: unknown kind");
    expect_error("tls_ticket_key_export = lighttpd:\n", "empty path");
    expect_error("tls_ticket_key_export = nginx:/x,socket=/s\n", "unknown option");
    expect_error("tls_ticket_key_export = haproxy:/x,sock=/s\n", "unknown option");
    expect_error("tls_ticket_key_export = haproxy:/x;y\n", "';' or '#' in path");
    expect_error("tls_ticket_key_export = lighttpd:/x nginx:/x\n", "same path twice");
    expect_error("tls_ticket_key_export = tlsmgr:/a tlsmgr:/b tlsmgr:/c tlsmgr:/d tlsmgr:/e\n",
                 "tls_ticket_key_export: too many");
    expect_error("\ntls_ticket_key_source = vault:/x\n",
                 "f.conf:2: tls_ticket_key_source: not file:PATH");
    expect_error("tls_ticket_key_export_group = a b\n", "tls_ticket_key_export_group: bad name");
#endif
}

/* libtlsmgr parses what a TLS server uses and skips the daemon's values, whose names it still
 * knows: a daemon-only mistake is the daemon's to report. The library still refuses what is
 * wrong in any value or line; it says only that the file is bad (the daemon gives the
 * message, as conf_load does here). */
static void client_skips_the_daemons_values(void)
{
    static const char text[] = "tls_random_source = carrier-pigeon\ntlsmgr_user = ro ot\n"
                               "syslog_facility = kern\ntls_session_cache_timeout = 5m\n";
    struct tlsmgr_conf c;
    struct conf_error err;

    T_EQ_INT(t_write_file("c.conf", text, sizeof(text) - 1), 0);
    T_EQ_INT(conf_load(&c, "c.conf", &err), -1);
    T_ASSERT(strstr(err.msg, "c.conf:1: tls_random_source: unknown kind") != NULL);
    T_EQ_INT(conf_load_client(&c, "c.conf"), 0);
    T_EQ_INT(c.cache_timeout, 300);
    T_EQ_STR(c.cache_database, "state/cache");
    T_EQ_INT(c.nsources, 0);
    T_EQ_STR(c.user, "");
    /* the generator's numbers too: the library neither reads nor checks them */
    T_EQ_INT(t_write_file("c.conf", "tls_random_bytes = 0\n", 21), 0);
    T_EQ_INT(conf_load_client(&c, "c.conf"), 0);
    T_EQ_INT(c.random_bytes, 0);
    T_EQ_INT(conf_load(&c, "c.conf", &err), -1);
    T_EQ_INT(t_write_file("c.conf", "tls_bogus = 1\n", 14), 0);
    T_EQ_INT(conf_load_client(&c, "c.conf"), -1);
    T_EQ_INT(t_write_file("c.conf", "tlsmgr_user = a\ntlsmgr_user = b\n", 32), 0);
    T_EQ_INT(conf_load_client(&c, "c.conf"), -1);
    T_EQ_INT(t_write_file("c.conf", "tls_session_cache_sync = maybe\n", 31), 0);
    T_EQ_INT(conf_load_client(&c, "c.conf"), -1);
    T_EQ_INT(t_write_file("c.conf", "tls_session_cache_timeout = 9w\n", 31), 0);
    T_EQ_INT(conf_load_client(&c, "c.conf"), -1);
    T_EQ_INT(t_write_file("c.conf", "state_directory\n", 16), 0);
    T_EQ_INT(conf_load_client(&c, "c.conf"), -1);
    T_EQ_INT(conf_load_client(&c, "missing.conf"), -1);
    T_EQ_INT(conf_load(&c, "c.conf", &err), -1);
    T_EQ_STR(err.msg, "c.conf:1: state_directory: no '='");
}

T_MAIN(T_CASE(ticket_key_export_and_source), T_CASE(client_skips_the_daemons_values),
       T_CASE(defaults_are_the_config_header), T_CASE(every_parameter_parses),
       T_CASE(state_directory_later_in_file_moves_relative_names), T_CASE(unknown_parameter),
       T_CASE(bad_values), T_CASE(bad_units), T_CASE(duplicate), T_CASE(syntax_errors),
       T_CASE(overlong_line), T_CASE(nul_byte), T_CASE(missing_unreadable_and_odd_files),
       T_CASE(oversized_file), T_CASE(path_too_long_after_join))
