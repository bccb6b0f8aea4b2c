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
#define conf_parse                        bad_conf_parse
#define conf_path                         bad_conf_path
#define conf_source_name                  bad_conf_source_name
#include "../../src/core/conf.c"
#undef conf_defaults
#undef conf_load
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
    T_EQ_STR(err.msg, "compiled-in default (board test): parameter tls_random_reseed_period: 0 "
                      "out of range (1s to 604800s)");
    T_EQ_INT(bad_conf_parse(&c, "t.conf", text, sizeof(text) - 1, &err), -1);
    T_EQ_INT(t_write_file("t.conf", text, sizeof(text) - 1), 0);
    T_EQ_INT(bad_conf_load(&c, "t.conf", &err), -1);
    T_ASSERT(strstr(err.msg, "tls_random_reseed_period") != NULL);
}

/* Each bad value is caught on its own: the others fixed one by one. */
static void every_kind_of_default_is_checked(void)
{
    struct tlsmgr_conf c;
    char why[TLSMGR_PATH_MAX];

    defaults_raw(&c);
    c.reseed_period = 3600;
    T_ASSERT(check_defaults(&c, why, sizeof(why)) != NULL);
    T_ASSERT(strstr(why, "tls_random_prng_update_period: 0 out of range") != NULL);
    c.prng_update_period = 60;
    c.seed_credit = 2;
    T_ASSERT(check_defaults(&c, why, sizeof(why)) != NULL);
    T_ASSERT(strstr(why, "tls_random_seed_credit: not 0 or 1") != NULL);
    c.seed_credit = 1;
    T_ASSERT(check_defaults(&c, why, sizeof(why)) == NULL);
    c.cache_map_size = 1024; /* below 64 KiB */
    T_ASSERT(check_defaults(&c, why, sizeof(why)) != NULL);
    T_ASSERT(strstr(why, "tls_session_cache_map_size: 1024 out of range") != NULL);
    c.cache_map_size = 65536;
    strcpy(c.seed_file, "seed");
    T_ASSERT(check_defaults(&c, why, sizeof(why)) != NULL);
    T_ASSERT(strstr(why, "tls_random_seed_file: must name a file") != NULL);
    strcpy(c.seed_file, "seed/seed");
    strcpy(c.user, "bad user");
    T_ASSERT(check_defaults(&c, why, sizeof(why)) != NULL);
    T_ASSERT(strstr(why, "tlsmgr_user") != NULL);
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
