/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_conf_defaults.c - compiled-in defaults pass the range checks the file gets. The parser
 * is built here a second time (its public names renamed) under a board preset whose reseed
 * period is 0 and whose exchange file update period is 0, as a careless board.h could set
 * them; the real parser of the other tests keeps the test board. (A 0/1 switch set to 2 is
 * already refused at compile time by tlsmgr_check.h; the table checks it too.)
 */
#define TLSMGR_DEFAULT_RESEED_PERIOD      0
#define TLSMGR_DEFAULT_PRNG_UPDATE_PERIOD 0
#define conf_defaults                     bad_conf_defaults
#define conf_load                         bad_conf_load
#define conf_load_client                  bad_conf_load_client
#define conf_parse                        bad_conf_parse
#define conf_path                         bad_conf_path
#define conf_source_name                  bad_conf_source_name
#include "../../src/core/conf.c"
#undef conf_defaults
#undef conf_load
#undef conf_load_client
#undef conf_parse
#undef conf_path
#undef conf_source_name

#include "t.h"

/* Any file, even an empty one, is refused before the daemon could start on the bad value,
 * and the message names the first bad parameter and where it comes from. */
static void bad_default_refused_like_a_bad_file(void)
{
    struct tlsmgr_conf c;
    struct conf_error err;
    static const char text[] = "tls_random_bytes = 16\n";

    T_EQ_INT(bad_conf_parse(&c, "t.conf", "", 0, &err), -1);
    T_EQ_STR(err.msg, "default (board test): tls_random_reseed_period: 0 out of range (1s to "
                      "604800s)");
    T_EQ_INT(bad_conf_parse(&c, "t.conf", text, sizeof(text) - 1, &err), -1);
    T_EQ_INT(t_write_file("t.conf", text, sizeof(text) - 1), 0);
    T_EQ_INT(bad_conf_load(&c, "t.conf", &err), -1);
    T_ASSERT(strstr(err.msg, "tls_random_reseed_period") != NULL);
}

/* Each kind of bad default is caught, with its parameter's name: a number out of its range,
 * and a text value that its parser refuses (as the one the file's line would meet). */
static void every_kind_of_default_is_checked(void)
{
    struct tlsmgr_conf c;
    struct conf_error err;
    char why[160], name[64];
    size_t i;

    T_EQ_INT(apply_defaults(&c, &err, set_daemon_value), -1);
    T_ASSERT(strstr(err.msg, "tls_random_reseed_period: 0 out of range (1s to 604800s)") != NULL);
    for (i = 0; i < NPARAMS; i++) {
        const struct number *num;
        const struct param *p = param_at(i, &num);
        const char *bad = NULL;

        const char *pre, *rest = param_name(i, &pre);

        snprintf(name, sizeof(name), "%s%s", pre, rest);
        T_EQ_INT(param_index(name), i);
        /* libtlsmgr's parameters come first: the locations, the cache and the ticket keys */
        T_EQ_INT(i < NLIB, strstr(" state_directory tls_random_exchange_name tls_random_egd_socket"
                                  " tls_session_cache_database tls_session_cache_timeout"
                                  " tls_session_cache_max_entries tls_session_cache_map_size"
                                  " tls_session_cache_sync tls_ticket_key_lifetime ",
                                  name) != NULL);
        if (strcmp(name, "tls_random_seed_file") == 0)
            bad = "seed";
        else if (strcmp(name, "tlsmgr_user") == 0)
            bad = "bad user";
        else if (strcmp(name, "tls_session_cache_map_size") == 0)
            bad = "1024";
        if (bad == NULL)
            continue;
        T_ASSERT(set_param(&c, i, bad, why, set_daemon_value) != NULL);
        /* without the daemon's parsers, its text values pass; a number is always checked */
        T_ASSERT((set_param(&c, i, bad, why, NULL) == NULL) == (p->type >= P_SEEDPATH));
    }
    /* One text default per parameter (empty for numbers), in the order of the names. */
    T_EQ_STR(nth_word(lib_text, 3), TLSMGR_DEFAULT_CACHE_DATABASE);
    T_EQ_INT(nth_word(lib_text, NLIB) - lib_text, sizeof(lib_text) - 1);
#if TLSMGR_TICKET_EXPORT
    T_EQ_STR(nth_word(daemon_text, NPARAMS - NLIB - 1), TLSMGR_DEFAULT_TICKET_KEY_EXPORT_GROUP);
#else
    T_EQ_STR(nth_word(daemon_text, NPARAMS - NLIB - 1), TLSMGR_DEFAULT_SYSLOG_FACILITY);
#endif
    T_EQ_INT(nth_word(daemon_text, NPARAMS - NLIB) - daemon_text, sizeof(daemon_text) - 1);
    T_EQ_INT(nth_word(param_names, NPARAMS) - param_names, sizeof(param_names) - 1);
}

/* conf_defaults still fills every field (a caller never reads garbage). */
static void defaults_still_filled(void)
{
    struct tlsmgr_conf c;

    memset(&c, 0x5a, sizeof(c));
    bad_conf_defaults(&c);
    T_EQ_INT(c.reseed_period, 0);
    T_EQ_STR(c.state_directory, "state");
}

T_MAIN(T_CASE(bad_default_refused_like_a_bad_file), T_CASE(every_kind_of_default_is_checked),
       T_CASE(defaults_still_filled))
